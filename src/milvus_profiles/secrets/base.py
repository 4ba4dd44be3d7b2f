"""The shape every secret provider shares, and what a provider is told about the connection.

A provider is given a :class:`SecretRequest` (the resolved endpoint, user and profile, the trust of the
connection's route, the environment and the arguments) and returns a :class:`Credential` with its origin,
or None when it has nothing for this request. It raises a typed error when it has something but cannot
deliver it: :class:`~milvus_profiles.errors.SecretNotFoundError` for a reference that fails,
:class:`~milvus_profiles.errors.KeyringUnavailableError` for a keyring that does not answer. Whether a
provider may be asked at all is decided by :mod:`milvus_profiles.secrets.chain`, in one place.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from ..config.catalog import Setting
from ..config.environment import ProjectVariable
from ..config.toml import key_name
from ..config.trust import FileTrust
from ..fields import secret_field
from ..origin import Origin, OriginKind

SecretField = Literal["password", "token"]


@dataclass(frozen=True)
class Untrusted:
    """A value that decides the connection's route (its endpoint, its transport, the profile chosen) and
    comes from something you have not trusted: a project file, or a project's ``.env``."""

    key: str
    """What it sets: ``uri``, ``tls.server_pem_path``, ``grpc.grpc.keepalive_time_ms``, ``profile``,
    ``grpc_proxy``..."""
    where: str
    """``/repo/milvus.toml:4 (profiles.dev.uri)``, ``/repo/.env:2 (MILVUS_URI)``."""
    line: int | None
    trust: FileTrust

    @classmethod
    def of(cls, key: str, setting: Setting, trust: FileTrust) -> Untrusted:
        """A value written in a profile file."""
        line = setting.line
        at = f"{setting.file.path}:{line}" if line is not None else str(setting.file.path)
        return cls(key, f"{at} ({key_name(('profiles', setting.profile, *setting.key))})", line, trust)


@dataclass(frozen=True)
class Route:
    """Where a connection goes and how: trusted when its endpoint and every transport setting come from
    trusted sources (your files, the environment, arguments, built-in defaults)."""

    untrusted: tuple[Untrusted, ...] = ()

    @property
    def trusted(self) -> bool:
        return not self.untrusted


@dataclass(frozen=True)
class Reference:
    """A secret reference written in a profile file, and the trust of that file."""

    setting: Setting
    trust: FileTrust

    @property
    def value(self) -> Mapping[str, object]:
        found = self.setting.value
        return found if isinstance(found, Mapping) else {}


@dataclass(frozen=True)
class SecretRequest:
    """What a provider is told: everything is passed in, nothing is read from the process by a provider."""

    profile: str | None
    uri: str
    user: str | None
    route: Route
    environ: Mapping[str, str]
    arguments: Mapping[str, str] = field(default_factory=dict)
    """The secrets given as keyword arguments (``password=``, ``token=``)."""
    references: Mapping[str, Reference] = field(default_factory=dict)
    """The profile's secret references, by field."""
    project: Mapping[str, ProjectVariable] = field(default_factory=dict)
    """The variables of ``environ`` a project's ``.env`` set (:mod:`milvus_profiles.config.environment`)."""
    uri_credentials: bool = False
    """The URI carries a user part (``token@`` or ``user:password@``), which pymilvus sends: a stored
    secret would only take its place."""
    secure: bool = False
    """The connection uses TLS on an ``http`` URI (``tls.secure = true``): its keyring account is keyed
    ``https``, never the plaintext route's."""
    run_commands: bool = True
    """False where a secret is only reported, not used (``show`` without ``--reveal``, ``doctor``,
    ``secret status``): a command reference is then named, not run."""

    @property
    def wanted(self) -> SecretField:
        """The secret this connection takes."""
        return secret_field(self.user)


@dataclass(frozen=True)
class Credential:
    """A secret and where it came from. ``repr`` never shows the secret."""

    kind: SecretField
    origin: Origin
    secret: str = field(repr=False)


class SecretProvider(ABC):
    """One source of secrets. ``METHOD`` is its provenance, the ``Origin.kind`` of what it returns."""

    METHOD: ClassVar[OriginKind]
    STORED: ClassVar[bool]
    """A stored secret (the environment of a shell, a reference, the keyring) is released only to a
    trusted route; a secret given as an argument is the caller's explicit choice for this connection."""

    @abstractmethod
    def offers(self, request: SecretRequest) -> bool:
        """Whether this provider may have a secret for the request, without looking it up."""

    @abstractmethod
    def provide(self, request: SecretRequest) -> Credential | None:
        """The secret, or None when there is none here."""

    def blocked_by(self, request: SecretRequest) -> tuple[Untrusted | None, FileTrust | None]:
        """What keeps a stored secret from this request's route: an untrusted route value, or (for a
        reference) the untrusted file it is written in."""
        return (request.route.untrusted[0] if request.route.untrusted else None), None

    def describe(self, request: SecretRequest) -> str:
        """What is withheld, as the start of a sentence: ``no stored secret is sent``..."""
        return f"the {self.METHOD} secret is not sent"

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


__all__ = [
    "Credential",
    "Reference",
    "Route",
    "SecretField",
    "SecretProvider",
    "SecretRequest",
    "Untrusted",
]
