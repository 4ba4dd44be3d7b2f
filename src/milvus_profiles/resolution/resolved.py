"""A resolved profile: the values a client is built from, where each came from, and its wire: the one plan
connect() and the probe both follow, so ``milvus-profiles test`` passes for exactly what connect() uses."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ..errors import ConfigError, MilvusProfilesError
from ..fields import FIELDS, SECRET_FIELDS, Origin
from ..uri import MilvusAddress, parse_uri, redact

if TYPE_CHECKING:
    from ..secrets.chain import Route

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
MASK = "********"
# Where a value starts (after a space, a quote, `=` or a bracket) and ends (before a space, a quote, a
# bracket, a separator, `@`, or a sentence's last `.` or `:`).
_VALUE_START = r"""(?<![^\s"'`=(\[{,])"""
_VALUE_END = r"""(?=$|[\s"'`)\]},;&@]|[.:](?:\s|$))"""


def mask_secrets(text: str, *secrets: str | None) -> str:
    """``text`` with each secret replaced by ``********``: a long one everywhere, a short one only where it
    stands alone as a value does (a password ``x`` must not turn ``example.com`` into ``e********ample.com``).

    Examples:
        >>> mask_secrets("milvus.example.com refused password x.", "x")
        'milvus.example.com refused password ********.'
    """
    for secret in filter(None, secrets):
        if len(secret) >= 8:  # a secret this long does not occur by chance in a message
            text = text.replace(secret, MASK)
        else:
            text = re.sub(_VALUE_START + re.escape(secret) + _VALUE_END, MASK, text)
    return text


def show_value(name: str, value: Any) -> str:
    """A value as it may be shown to people: secrets masked, URIs without credentials."""
    if value is None:
        return "-"
    if isinstance(value, SecretStr) or name in SECRET_FIELDS:
        return MASK
    if name == "uri":
        return redact(str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, repr=False)
class Wire:
    """How a profile is reached (:attr:`ResolvedProfile.wire`); ``repr()`` never shows the credential,
    :meth:`metadata` reveals it.

    Examples:
        >>> from milvus_profiles import resolve
        >>> wire = resolve("dev").wire
        >>> wire.target, wire.secure
        ('milvus.example.com:443', True)
    """

    address: MilvusAddress
    target: str  # host:port (or a socket path) dialled: the URI's, or a global cluster's primary
    secure: bool
    db_name: str
    grpc_options: Mapping[str, bool | int | float | str]
    credential: SecretStr | None  # sent base64-encoded as authorization: the token, or user:password
    credential_origin: str | None  # token, password or uri
    tls_files: Mapping[str, str]
    server_name: str | None

    def metadata(self) -> list[tuple[str, str]]:
        """The metadata pymilvus sends that the server acts on: ``dbname`` and ``authorization``."""
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

    def __repr__(self) -> str:
        shown = f"target={self.target!r}, secure={self.secure!r}, db_name={self.db_name!r}"
        return f"Wire({shown}, credential={self.credential_origin!r})"


@dataclass(frozen=True, repr=False)
class ResolvedProfile:
    """What `resolve` returns: plain values plus their origins. `connect` builds its client from it.
    Secrets are `pydantic.SecretStr`; `repr()`, `str()` and `explain` never show them.

    Examples:
        ```python
        cfg = resolve("prod")
        print(cfg.uri, cfg.db_name, cfg.origins["uri"])
        ```
    """

    name: str | None
    """The profile's name; `None` when no profile was selected (defaults, variables and arguments only)."""
    uri: str
    """The server (`http://host:19530`, `https://host:443`, ...) or the absolute path of a Milvus Lite
    `.db` file."""
    db_name: str
    """The database; `default` unless set."""
    timeout: float
    """Seconds to wait for the server; 10 unless set."""
    user: str | None = None
    """The user of a profile that logs in with a password; `None` for a token or no authentication."""
    password: SecretStr | None = None
    """The user's password; reveal it with `password.get_secret_value()`."""
    token: SecretStr | None = None
    """The API token of a profile without a user."""
    tls: Mapping[str, str | bool] = field(default_factory=dict)
    """The `[tls]` table as pymilvus takes it (`secure`, `server_pem_path`, ...), paths absolute."""
    grpc_options: Mapping[str, bool | int | float | str] = field(default_factory=dict)
    """The `[grpc]` table: gRPC channel options passed as `grpc_options`."""
    origins: Mapping[str, Origin] = field(default_factory=dict)
    """Where each value that is set came from, by field name (`uri`, `tls.server_name`, ...), plus
    `profile`: what selected the profile."""
    files: tuple[Path, ...] = ()
    """The profile files that were read, highest precedence first."""
    # why no secret was had (withheld, a failed reference, no keyring): raised by connect() for a user
    secret_error: MilvusProfilesError | None = field(default=None, compare=False)
    route: Route | None = field(default=None, compare=False)  # what of the route you did not choose
    notes: tuple[str, ...] = field(default=(), compare=False)  # warnings that do not stop a connection
    parsed: InitVar[MilvusAddress | None] = None  # `address`, when the caller has read `uri` already
    address: MilvusAddress = field(init=False, compare=False)
    """The URI, read once as pymilvus reads it (host, port, database in its path, user part...)."""

    def __post_init__(self, parsed: MilvusAddress | None) -> None:
        object.__setattr__(self, "address", parsed or parse_uri(self.uri))

    @property
    def is_lite(self) -> bool:
        """True when the URI is a Milvus Lite database file."""
        return self.address.scheme == "lite"

    @property
    def secure(self) -> bool:
        """Whether the connection uses TLS (as :attr:`wire` plans it)."""
        return self.wire.secure

    @cached_property
    def wire(self) -> Wire:
        """How this profile goes on the wire, planned once for connect(), the probe and client_kwargs(): TLS
        for ``https`` and ``tls.secure = true``; the token, else user and password, else the URI's user part
        (pymilvus's order; empty is none); a server certificate, else client certificate, key and CA."""
        address, tls, user, password = self.address, self.tls, self.user, self.password
        secure = address.is_network and (address.secure or tls.get("secure") is True)
        credential, origin = None, None
        if self.token is not None and self.token.get_secret_value():
            credential, origin = self.token, "token"
        elif user and password is not None and password.get_secret_value():
            credential, origin = SecretStr(f"{user}:{password.get_secret_value()}"), "password"
        elif address.credential is not None:
            # the URI's user part is pymilvus's last choice: an argument or a profile secret beats it
            credential, origin = address.credential, "uri"
        files = ("server_pem_path",) if tls.get("server_pem_path") else _MUTUAL_TLS
        server_name = tls.get("server_name")
        return Wire(
            address=address,
            target=address.target,
            secure=secure,
            db_name=self.db_name,
            grpc_options=dict(self.grpc_options),
            credential=credential,
            credential_origin=origin,
            tls_files={k: str(tls[k]) for k in files} if secure and all(tls.get(k) for k in files) else {},
            server_name=str(server_name) if server_name and secure else None,
        )

    def rows(self) -> list[tuple[str, str, str]]:
        """``(field, value shown, origin)`` for every field that has a value, in table order."""
        shown = {f.name: show_value(f.name, v) for f in FIELDS if (v := getattr(self, f.name)) is not None}
        shown |= {f"tls.{k}": str(v) for k, v in self.tls.items()}
        shown |= {f"grpc.{k}": str(v) for k, v in self.grpc_options.items()}
        return [(key, value, str(self.origins[key])) for key, value in shown.items()]

    def explain(self) -> str:
        """A table of every value (secrets masked) and where it came from, the precedence that decided it,
        and why no secret is used when one was withheld or failed."""
        # here, not at the top: the chain imports pydantic-settings, which `list` and `--help` never need
        from .precedence import PRECEDENCE

        rows = [("field", "value", "origin"), *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        selected = self.origins.get("profile")
        lines = [f"profile: {self.name or '(none)'}" + (f" ({selected})" if selected else "")]
        lines += [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip() for r in rows]
        if self.secret_error is not None:
            lines.append(f"no secret: {self.secret_error.message}")
        lines.append("precedence: " + " > ".join(layer.title for layer in PRECEDENCE))
        return "\n".join(lines)

    def summary(self) -> str:
        """One line for error messages: each value (masked) and its origin."""
        return "; ".join(f"{name}={value} ({origin})" for name, value, origin in self.rows())

    def client_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for ``pymilvus.MilvusClient``, secrets revealed, as connect() uses them: for
        handing a profile to other libraries, e.g. LangChain's ``connection_args``. A Milvus Lite file's
        folder is made first (``./data`` of a new project): Milvus Lite opens files only in one that exists.

        Raises:
            ConfigError: The folder of a Milvus Lite file cannot be made.
        """
        folder = Path(self.uri).parent
        try:
            if self.is_lite:
                folder.mkdir(parents=True, exist_ok=True)
        except (OSError, ValueError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else "the path cannot be a folder"
            if isinstance(e, (FileExistsError, NotADirectoryError)):
                reason = "a file stands where a folder is needed"
            origin = self.origins.get("uri")
            raise ConfigError(
                f"uri{f' ({origin})' if origin else ''}: cannot make the folder {folder} of the Milvus Lite "
                f"database: {reason}",
                hint="point uri at a .db file in a folder you can write to",
                summary=self.summary(),
            ) from None
        wire = self.wire  # each value its own argument (the URI `scheme://host:port`), as the probe sends it
        kwargs: dict[str, Any] = {"uri": wire.address.base, "db_name": self.db_name, "timeout": self.timeout}
        if self.user is not None:
            kwargs["user"] = self.user
        if wire.credential is not None and wire.credential_origin != "password":  # a token, or the URI's
            kwargs["token"] = wire.credential.get_secret_value()
        elif self.password is not None:
            kwargs["password"] = self.password.get_secret_value()
        if wire.secure:
            kwargs["secure"] = True
        kwargs.update(wire.tls_files)
        if wire.server_name:
            kwargs["server_name"] = wire.server_name
        if self.grpc_options:
            kwargs["grpc_options"] = dict(self.grpc_options)
        return kwargs

    def __repr__(self) -> str:
        shown = {f.name: show_value(f.name, v) for f in FIELDS if (v := getattr(self, f.name)) is not None}
        return f"ResolvedProfile(name={self.name!r}, {', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    __str__ = __repr__
