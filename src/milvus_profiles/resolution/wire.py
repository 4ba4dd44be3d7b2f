"""What goes on the wire for a profile: one plan that connect() and the readiness probe both follow, so that
``milvus-profiles test`` passes for exactly the profiles connect() can use."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

if TYPE_CHECKING:
    from ..uri import MilvusAddress

# pymilvus's own channel options (GrpcHandler._create_grpc_channel); the profile's options override them.
PYMILVUS_CHANNEL_OPTIONS: Mapping[str, bool | int | float | str] = {
    "grpc.max_send_message_length": -1,
    "grpc.max_receive_message_length": -1,
    "grpc.enable_retries": 1,
    "grpc.keepalive_time_ms": 10000,
    "grpc.keepalive_timeout_ms": 5000,
    "grpc.keepalive_permit_without_calls": True,
}
_MUTUAL_TLS = ("client_pem_path", "client_key_path", "ca_pem_path")


@dataclass(frozen=True, repr=False)
class Wire:
    """How a profile is reached; ``repr()`` never shows the credential, :meth:`metadata` and
    :attr:`client_kwargs` reveal it."""

    address: MilvusAddress
    target: str  # host:port (or a socket path) dialled: the URI's, or a global cluster's primary
    secure: bool
    db_name: str
    timeout: float
    grpc_options: Mapping[str, bool | int | float | str]
    user: str | None
    password: SecretStr | None
    token: SecretStr | None  # the profile's, or the URI's user part; None when a user and password are sent
    credential: SecretStr | None  # sent base64-encoded as authorization: the token, or user:password
    credential_origin: str | None  # token, password or uri
    tls_files: Mapping[str, str]
    server_name: str | None

    def metadata(self) -> list[tuple[str, str]]:
        """What decides what the server does, of the metadata pymilvus sends: ``authorization`` and ``dbname``
        (not ``client-request-id``, ``client-request-unixmsec`` nor ``identifier``)."""
        metadata = [("dbname", self.db_name)]
        if self.credential is not None and self.credential.get_secret_value():
            encoded = base64.b64encode(self.credential.get_secret_value().encode()).decode()
            metadata.append(("authorization", encoded))
        return metadata

    @property
    def channel_options(self) -> list[tuple[str, Any]]:
        """The options of the gRPC channel, as pymilvus sets them for this profile."""
        items = list({**PYMILVUS_CHANNEL_OPTIONS, **self.grpc_options}.items())
        if self.secure and self.server_name:
            items.append(("grpc.ssl_target_name_override", self.server_name))
        return items

    @property
    def client_kwargs(self) -> dict[str, Any]:
        """``pymilvus.MilvusClient``'s arguments, secrets revealed, each value as its own argument (the URI
        ``scheme://host:port``), so any library taking ``connection_args`` reads what the probe sends."""
        kwargs: dict[str, Any] = {"uri": self.address.base, "db_name": self.db_name, "timeout": self.timeout}
        if self.user is not None:
            kwargs["user"] = self.user
        if self.token is not None:
            kwargs["token"] = self.token.get_secret_value()
        elif self.password is not None:
            kwargs["password"] = self.password.get_secret_value()
        if self.secure:
            kwargs["secure"] = True
        kwargs.update(self.tls_files)
        if self.server_name:
            kwargs["server_name"] = self.server_name
        if self.grpc_options:
            kwargs["grpc_options"] = dict(self.grpc_options)
        return kwargs

    def __repr__(self) -> str:
        return (
            f"Wire(target={self.target!r}, secure={self.secure!r}, db_name={self.db_name!r}, "
            f"credential={self.credential_origin!r})"
        )


def plan(
    address: MilvusAddress,
    *,
    tls: Mapping[str, Any],
    grpc_options: Mapping[str, bool | int | float | str],
    user: str | None,
    password: SecretStr | None,
    token: SecretStr | None,
    db_name: str,
    timeout: float,
) -> Wire:
    """The one plan (``ResolvedProfile.wire``): TLS for ``https`` and for ``tls.secure = true``; the token,
    else user and password, else the URI's user part (pymilvus's order, empty counts as none); a server
    certificate (one-way TLS), else client certificate, key and CA (mutual).

    Examples:
        >>> from milvus_profiles import resolve
        >>> wire = resolve("dev").wire
        >>> wire.target, wire.secure
        ('milvus.example.com:443', True)
    """
    secure = address.is_network and (address.secure or tls.get("secure") is True)
    given, token, credential, origin = token, None, None, None
    if given is not None and given.get_secret_value():
        token, credential, origin = given, given, "token"
    elif user and password is not None and password.get_secret_value():
        credential, origin = SecretStr(f"{user}:{password.get_secret_value()}"), "password"
    elif address.credential is not None:
        # the URI's user part is pymilvus's last choice: an argument or a profile secret beats it
        token, credential, origin = address.credential, address.credential, "uri"
    files = ("server_pem_path",) if tls.get("server_pem_path") else _MUTUAL_TLS
    server_name = tls.get("server_name")
    return Wire(
        address=address,
        target=address.target,
        secure=secure,
        db_name=db_name,
        timeout=timeout,
        grpc_options=dict(grpc_options),
        user=user,
        password=password,
        token=token,
        credential=credential,
        credential_origin=origin,
        tls_files={k: str(tls[k]) for k in files} if secure and all(tls.get(k) for k in files) else {},
        server_name=str(server_name) if server_name and secure else None,
    )


__all__ = ["Wire", "plan"]
