"""A resolved profile: the values a client is built from, and where each one came from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ..errors import ConfigError, MilvusProfilesError
from ..fields import FIELDS, FIELDS_BY_NAME
from ..origin import Origin
from ..uri import MilvusAddress, parse_uri, redact
from .wire import Wire, plan

if TYPE_CHECKING:
    from ..secrets.chain import Route

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
    spec = FIELDS_BY_NAME.get(name)
    if isinstance(value, SecretStr) or (spec is not None and spec.secret):
        return MASK
    if name == "uri":
        return redact(str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    """The `[tls]` table as pymilvus takes it (`secure`, `server_pem_path`, `server_name`, ...), paths
    absolute."""
    grpc_options: Mapping[str, bool | int | float | str] = field(default_factory=dict)
    """The `[grpc]` table: gRPC channel options passed as `grpc_options`."""
    origins: Mapping[str, Origin] = field(default_factory=dict)
    """Where each value that is set came from, by field name (`uri`, `tls.server_name`, ...), plus
    `profile`: what selected the profile."""
    files: tuple[Path, ...] = ()
    """The profile files that were read, highest precedence first."""
    # why no secret was had (withheld, a failed reference, no keyring): raised by connect() for a user
    secret_error: MilvusProfilesError | None = field(default=None, compare=False)
    route: Route | None = field(default=None, compare=False)  # whether endpoint and transport are trusted
    notes: tuple[str, ...] = field(default=(), compare=False)  # warnings that do not stop a connection
    parsed: InitVar[MilvusAddress | None] = None  # `address`, when the caller has read `uri` already

    def __post_init__(self, parsed: MilvusAddress | None) -> None:
        if parsed is not None:
            self.__dict__["address"] = parsed  # the cache of the cached_property below

    @property
    def is_lite(self) -> bool:
        """True when the URI is a Milvus Lite database file."""
        return self.address.scheme == "lite"

    @property
    def secure(self) -> bool:
        """Whether the connection uses TLS (as :attr:`wire` plans it)."""
        return self.wire.secure

    @cached_property
    def address(self) -> MilvusAddress:
        """The URI, read once as pymilvus reads it (host, port, database in its path, user part...)."""
        return parse_uri(self.uri)

    @cached_property
    def wire(self) -> Wire:
        """How this profile goes on the wire, planned once for connect(), the probe and client_kwargs()."""
        return plan(
            self.address,
            tls=self.tls,
            grpc_options=self.grpc_options,
            user=self.user,
            password=self.password,
            token=self.token,
            db_name=self.db_name,
            timeout=self.timeout,
        )

    def rows(self) -> list[tuple[str, str, str]]:
        """``(field, value shown, origin)`` for every field that has a value, in table order."""
        rows = [
            (f.name, show_value(f.name, getattr(self, f.name)), str(self.origins[f.name]))
            for f in FIELDS
            if getattr(self, f.name) is not None
        ]
        rows += [(f"tls.{k}", str(v), str(self.origins[f"tls.{k}"])) for k, v in self.tls.items()]
        rows += [(f"grpc.{k}", str(v), str(self.origins[f"grpc.{k}"])) for k, v in self.grpc_options.items()]
        return rows

    def explain(self) -> str:
        """A table of every value (secrets masked) and where it came from, the precedence that decided it,
        and why no secret is used when one was withheld or failed."""
        # here, not at the top: the chain imports pydantic-settings, which `list` and `--help` never need
        from .precedence import precedence_line

        rows = [("field", "value", "origin"), *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        selected = self.origins.get("profile")
        lines = [f"profile: {self.name or '(none)'}" + (f" ({selected})" if selected else "")]
        lines += [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip() for r in rows]
        if self.secret_error is not None:
            lines.append(f"no secret: {self.secret_error.message}")
        lines.append(precedence_line())
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
        return self.wire.client_kwargs

    def __repr__(self) -> str:
        shown = [
            f"{f.name}={show_value(f.name, v)!r}" for f in FIELDS if (v := getattr(self, f.name)) is not None
        ]
        return f"ResolvedProfile(name={self.name!r}, {', '.join(shown)})"

    __str__ = __repr__
