"""A resolved profile: the values a client is built from, and where each one came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import SecretStr

from ..errors import MilvusProfilesError
from ..fields import FIELDS, FIELDS_BY_NAME
from ..uri import redact

OriginKind = Literal["default", "file", "env", "keyring", "reference", "kwarg"]
MASK = "********"


@dataclass(frozen=True)
class Origin:
    """Where a value came from.

    ``kind`` is one of ``default``, ``file``, ``env``, ``keyring``, ``reference`` or ``kwarg``;
    ``detail`` is the file and line (``/abs/milvus.toml:7 [profiles.dev]``), the variable name, the
    keyring account, the secret reference and where it is written, or the argument name.
    """

    kind: OriginKind
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "default":
            return "default"
        if self.kind == "keyring":
            return f"keyring ({self.detail})" if self.detail else "keyring"
        if self.kind == "kwarg":
            return f"argument {self.detail}="
        return f"{self.kind} {self.detail}"


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
    """The outcome of :func:`milvus_profiles.resolve`: plain values plus their origins.

    Secrets are :class:`pydantic.SecretStr`; ``repr()``, ``str()`` and :meth:`explain` never show them.
    """

    name: str | None
    uri: str
    db_name: str
    timeout: float
    user: str | None = None
    password: SecretStr | None = None
    token: SecretStr | None = None
    tls: Mapping[str, str | bool] = field(default_factory=dict)
    grpc_options: Mapping[str, bool | int | float | str] = field(default_factory=dict)
    origins: Mapping[str, Origin] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    secret_error: MilvusProfilesError | None = field(default=None, compare=False)
    """Why the profile's secret could not be had (keyring or reference); connect() raises it."""
    file_error: MilvusProfilesError | None = field(default=None, compare=False)
    """A profile file that others may change: connect() and `test` refuse to use the profile."""
    file_warning: str | None = field(default=None, compare=False)
    """A user file that others may read: connect() and `test` warn."""

    @property
    def is_lite(self) -> bool:
        """True when the URI is a Milvus Lite database file."""
        return self.uri.endswith(".db")

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
        """A table of every value (secrets masked) and where it came from."""
        rows = [("field", "value", "origin"), *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        selected = self.origins.get("profile")
        title = f"profile: {self.name or '(none)'}" + (f" ({selected})" if selected else "")
        lines = [title]
        lines += [f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]}".rstrip() for r in rows]
        return "\n".join(lines)

    def summary(self) -> str:
        """One line for error messages: each value (masked) and its origin."""
        return "; ".join(f"{name}={value} ({origin})" for name, value, origin in self.rows())

    def client_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for ``pymilvus.MilvusClient``, secrets revealed.

        For handing a profile to other libraries, e.g. LangChain's ``connection_args``; connect() uses
        the same (see ``milvus_profiles.connection.wire.plan``).
        """
        from ..connection.wire import plan

        return plan(self).client_kwargs

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f.name}={show_value(f.name, getattr(self, f.name))!r}"
            for f in FIELDS
            if getattr(self, f.name) is not None
        )
        return f"ResolvedProfile(name={self.name!r}, {shown})"

    __str__ = __repr__
