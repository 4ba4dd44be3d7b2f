"""What goes on the wire for a profile: one plan that both the readiness probe and connect() follow, so
that ``milvus-profiles test`` passes exactly for the profiles connect() can use: the same address and TLS,
the same credentials and database.

pymilvus sends ``authorization`` (base64 of the token, or of ``user:password``) on every call, and
``dbname``, ``client-request-id``, ``client-request-unixmsec`` and (after ``Connect``) ``identifier`` on API
calls; only ``authorization`` and ``dbname`` decide what the server does, so those are what the probe sends.
"""

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
    """How a profile is reached: the gRPC target, TLS, channel options, and what every call carries.
    ``repr()`` never shows the credential; :meth:`metadata` and :attr:`client_kwargs` reveal it."""

    address: MilvusAddress
    target: str
    """``host:port`` (or a socket path) the channel dials: the URI's, or a global cluster's primary."""
    secure: bool
    db_name: str
    timeout: float
    grpc_options: Mapping[str, bool | int | float | str]
    """The profile's own gRPC options, as given to pymilvus."""
    user: str | None
    password: SecretStr | None
    token: SecretStr | None
    """The token sent: the profile's, or the URI's user part; None when a user and password are."""
    credential: SecretStr | None
    """What pymilvus sends base64-encoded as ``authorization``: the token, or ``user:password``."""
    credential_origin: str | None
    """Where the credential sent comes from: ``token``, ``password`` or ``uri``."""
    tls_files: Mapping[str, str]
    """``server_pem_path`` (one-way TLS), or ``client_pem_path``, ``client_key_path`` and ``ca_pem_path``."""
    server_name: str | None

    def metadata(self) -> list[tuple[str, str]]:
        """The call metadata that decides what the server does: ``authorization`` and ``dbname``."""
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
        """The keyword arguments for ``pymilvus.MilvusClient``, secrets revealed: the URI as
        ``scheme://host:port``, the database and credential as their own arguments, so pymilvus and any
        library taking ``connection_args`` (LangChain, LlamaIndex) read the values the probe sends."""
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
    """The one description of how a profile goes on the wire, shared by the probe and connect() (as
    ``ResolvedProfile.wire``): the URI's address as pymilvus reads it; TLS for ``https``, and for ``http``
    with ``tls.secure = true``; the profile's token, else its user and password, else the URI's user part
    (pymilvus's order; empty counts as none); the profile's database (a database in the URI's path is in
    it already); a server certificate (one-way TLS), else client certificate, key and CA (mutual).

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
