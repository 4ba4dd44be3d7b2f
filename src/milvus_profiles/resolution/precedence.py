"""Precedence, declared once: the layers, highest first, each with its secret provider; the settings model
whose ``settings_customise_sources`` returns their sources in that order; the profile's source (``${}``
expanded, paths made absolute, each key's location kept, secret references kept for the secret chain);
and the rules within it: :func:`select`, ``Catalog.layer`` (``extends``), :func:`database_from_path`."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, create_model
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ..config import environment, model, toml, trust
from ..config.catalog import Catalog, Setting
from ..errors import ConfigError
from ..fields import FIELDS, FIELDS_BY_NAME, PROFILE_ENV, SECRET_FIELDS, TLS_PATH_KEYS, Origin, OriginKind
from ..secrets.chain import ARGUMENT, ENVIRONMENT, KEYRING, REFERENCE, Provider
from ..uri import URI_HINT, MilvusAddress, is_lite, parse_uri
from .expansion import expand


@dataclass(frozen=True)
class Layer:
    """One layer: what it gives (for the docs) and its secret provider."""

    kind: OriginKind
    title: str
    settings: str | None
    secrets: str | None
    provider: Provider | None = None


PRECEDENCE: tuple[Layer, ...] = (
    Layer(
        "kwarg",
        "keyword arguments",
        '`resolve(..., db_name=...)`, `connect(..., timeout=...)`; `None` or `""` means not given',
        "`password=`, `token=`: always used, they are your choice for this call",
        ARGUMENT,
    ),
    Layer(
        "env",
        "environment variables",
        "`MILVUS_URI`, `MILVUS_DB_NAME`, `MILVUS_TIMEOUT`, `MILVUS_USER`",
        "`MILVUS_TOKEN`, `MILVUS_PASSWORD`: sent only to a trusted endpoint",
        ENVIRONMENT,
    ),
    Layer(
        "file",
        "the profile",
        "its `extends` chain, then its tables in every file that defines it, the higher file winning "
        "key by key",
        "a reference written in a trusted file: `{ env = ... }`, `{ command = [...] }`, `{ file = ... }`",
        REFERENCE,
    ),
    Layer(
        "keyring",
        "the keyring",
        None,
        "the secret stored for the endpoint and user: sent only to a trusted endpoint",
        KEYRING,
    ),
    Layer(
        "default",
        "built-in defaults",
        '`uri = "http://localhost:19530"`, `db_name = "default"`, `timeout = 10`',
        None,
    ),
)

SECRET_PROVIDERS: tuple[Provider, ...] = tuple(layer.provider for layer in PRECEDENCE if layer.provider)

_SOURCES: ContextVar[dict[OriginKind, PydanticBaseSettingsSource]] = ContextVar("sources")


class _Settings(BaseSettings):
    # Case-sensitive: only `MILVUS_URI` is read, not `milvus_uri`, which a project's .env could slip past
    # the check of its variables; `tls.*` and `grpc.*` are extra keys only the profile gives.
    model_config = SettingsConfigDict(
        extra="allow", case_sensitive=True, env_ignore_empty=True, defer_build=True
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The sources of :data:`PRECEDENCE`, highest first; the built-in defaults are the fields'."""
        sources = _SOURCES.get()
        sources["kwarg"], sources["env"] = init_settings, env_settings
        return tuple(sources[layer.kind] for layer in PRECEDENCE if layer.kind in sources)


_FIELDS: dict[str, Any] = {
    f.name: (
        model.field_type(f) if f.default is not None else model.field_type(f) | None,
        Field(f.default, validation_alias=f.env, description=f.help),
    )
    for f in FIELDS
    if not f.secret
}
ConnectionSettings: type[BaseSettings] = create_model("ConnectionSettings", __base__=_Settings, **_FIELDS)
"""``uri``, ``db_name``, ``timeout``, ``user`` (each from its variable too), and ``tls.*``, ``grpc.*``."""


class ProfileSource(PydanticBaseSettingsSource):
    """One profile's values from the files (none when no profile is selected)."""

    def __init__(self, catalog: Catalog, name: str | None, environ: Mapping[str, str]) -> None:
        super().__init__(ConnectionSettings)
        self.catalog, self.name, self.environ = catalog, name, environ
        self.settings: dict[str, Setting] = {}
        self.expanded: dict[str, tuple[str, list[str]]] = {}  # where a key is written, the variables in it
        self.references: dict[str, Setting] = {}
        self.values: dict[str, Any] | None = None

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.load().get(field_name), field_name, False

    def load(self) -> dict[str, Any]:
        """The profile's settings by key (``uri``, ``tls.secure``), expanded and checked; read once."""
        if self.values is not None or self.name is None:
            return self.values or {}
        self.values = {}
        for key, setting in self.catalog.layer(self.name).items():
            value = setting.value
            if key in SECRET_FIELDS:
                self.references[key] = setting
                continue
            if isinstance(value, str):
                value, used = expand(value, setting, self.environ)
                if used:
                    self.expanded[key] = (setting.location, used)
                try:
                    if key == "uri" and used:  # as written, the file's model checked it
                        model.check_uri(value)
                except ValueError as e:
                    where = toml.key_name(("profiles", setting.profile, "uri"))
                    raise ConfigError(f"{where}: {e}", path=setting.file.path, line=setting.line) from None
                tls = key.removeprefix("tls.") in TLS_PATH_KEYS and key.startswith("tls.")
                if tls or (key == "uri" and is_lite(value)):
                    value = _absolute(value, setting, tls=tls)
            self.values[key] = value
            self.settings[key] = setting
        return self.values

    def __call__(self) -> dict[str, Any]:
        return {(FIELDS_BY_NAME[k].env if k in FIELDS_BY_NAME else k): v for k, v in self.load().items()}

    def origin(self, key: str) -> Origin:
        written, used = self.expanded.get(key) or (self.settings[key].location, [])
        return Origin("file", written + " with " + ", ".join(f"${{{v}}}" for v in used) if used else written)

    def __repr__(self) -> str:
        return f"ProfileSource(name={self.name!r}, files={[str(f.path) for f in self.catalog.files]})"


def check_https_tls(uri: str, merged: Mapping[str, Any], from_files: Mapping[str, Setting]) -> None:
    """``https://`` always means TLS: no file can turn it off."""
    if uri.lower().startswith("https://") and merged.get("tls.secure") is False:
        setting = from_files.get("tls.secure")
        where = toml.key_name(("profiles", setting.profile, "tls", "secure")) if setting else "tls.secure"
        raise ConfigError(
            f"{where}: secure = false cannot turn TLS off for an https:// URI",
            path=setting.file.path if setting else None,
            line=setting.line if setting else None,
            hint="remove `secure = false`; to connect without TLS, use an http:// URI",
        )


def _absolute(value: str, setting: Setting, *, tls: bool = False) -> str:
    try:
        # a TLS file is found from the real folder of the file, where the file's trust looked for it
        path = trust.tls_file(value, setting.file.path) if tls else Path(value).expanduser()
    except RuntimeError:
        where = toml.key_name(("profiles", setting.profile, *setting.key))
        raise ConfigError(
            f"{where}: cannot expand {value.split('/', maxsplit=1)[0]!r}: there is no such user",
            path=setting.file.path,
            line=setting.line,
            hint="write the path without ~, or with the home folder written out",
        ) from None
    if not path.is_absolute():
        path = setting.file.path.parent / path
    return str(path)


def settle(
    profile: ProfileSource, overrides: Mapping[str, Any], project: Mapping[str, environment.ProjectVariable]
) -> tuple[dict[str, Any], dict[str, Origin], MilvusAddress]:
    """The settings the model validated, each key's origin (the first source in :data:`PRECEDENCE`), and
    the URI read once; one from a variable or an argument may carry credentials (a file's cannot)."""
    sources: dict[OriginKind, PydanticBaseSettingsSource] = {"file": profile}
    token = _SOURCES.set(sources)
    try:
        # keyed as every source keys them, by alias (the variable's name), whatever pydantic-settings' version
        built: BaseSettings | ValidationError = ConnectionSettings(
            **{FIELDS_BY_NAME[k].env: v for k, v in overrides.items()}
        )
    except ValidationError as e:
        built = e
    finally:
        _SOURCES.reset(token)
    names = {f.env: f.name for f in FIELDS}
    states = profile.settings_sources_data  # what each source gave, by its class's name, as it gave it
    origins: dict[str, Origin] = {}
    for kind in (layer.kind for layer in PRECEDENCE if layer.kind in sources):
        for given in states.get(type(sources[kind]).__name__, {}):  # `MILVUS_URI`, `tls.secure`
            key = names.get(given, given)
            origin = profile.origin(key) if kind == "file" else Origin(kind, given if kind == "env" else key)
            origins.setdefault(key, from_dotenv(origin, project))
    origins |= {f.name: Origin("default") for f in FIELDS if f.default is not None and f.name not in origins}
    if isinstance(built, ValidationError):
        first = built.errors(include_input=False)[0]
        key = names.get(str(first["loc"][0]), str(first["loc"][0]))
        found, message = origins.get(key), str(first["msg"]).removeprefix("Value error, ")
        if found is None or found.kind == "kwarg":
            raise ConfigError(f"argument {key}=: {message}") from None
        raise ConfigError(f"{found.detail}: {message}", hint=f"fix {found.detail}") from None
    values = built.model_dump()
    try:
        address = parse_uri(values["uri"])
    except ConfigError as e:
        where = "argument uri=" if origins["uri"].kind == "kwarg" else origins["uri"].detail
        raise ConfigError(f"{where}: {e.message}: {URI_HINT}") from None
    check_https_tls(values["uri"], values, profile.settings)
    database_from_path(address.db_name, values, origins, profile)
    return values, origins, address


def from_dotenv(origin: Origin, project: Mapping[str, environment.ProjectVariable]) -> Origin:
    """The origin, naming the ``.env`` that set its variable: ``MILVUS_URI from /repo/.env:2``."""
    pv = project.get(origin.detail) if origin.kind == "env" else None
    return origin if pv is None else Origin("env", f"{origin.detail} from {pv.where.rsplit(' ', 1)[0]}")


def select(profile: str | None, catalog: Catalog, environ: Mapping[str, str]) -> tuple[str | None, Origin]:
    """Which profile to use: the argument, else ``MILVUS_PROFILE``, else the files' ``default``."""
    if profile:
        name, origin = profile, Origin("kwarg", "profile")
    elif environ.get(PROFILE_ENV):
        name, origin = environ[PROFILE_ENV], Origin("env", PROFILE_ENV)
    else:
        if (default := catalog.default()) is None:
            return None, Origin("default")
        name, line = default.value, default.file.line_of("default")
        origin = Origin("file", f"{default.file.path}:{line}" if line else str(default.file.path))
    if not catalog.tables(name):
        source = {"env": PROFILE_ENV, "file": f"the default in {origin.detail}"}.get(origin.kind)
        raise catalog.not_found(name, source)
    return name, origin


def database_from_path(
    path_db: str | None, values: dict[str, Any], origins: dict[str, Origin], profile: ProfileSource
) -> None:
    """The URI's path database (``http://host:19530/mydb``) is ``db_name`` at the URI's precedence; side by
    side, ``db_name`` wins as arguments or variables (as in pymilvus), and is an error in one table."""
    if not path_db or path_db == values["db_name"]:
        return
    uri_origin, db_origin = origins["uri"], origins["db_name"]
    db_rank, uri_rank = _rank(db_origin, "db_name", profile), _rank(uri_origin, "uri", profile)
    if db_origin.kind == "default" or db_rank > uri_rank:
        values["db_name"] = path_db
        origins["db_name"] = Origin(uri_origin.kind, f"{uri_origin.detail} (path of uri)".strip())
        return
    if db_rank == uri_rank and db_origin.kind == "file" and (setting := profile.settings.get("db_name")):
        raise ConfigError(
            f"db_name {values['db_name']!r} and the path of uri ({path_db!r}) name different databases",
            path=setting.file.path,
            line=setting.line,
            hint="keep one: remove the path from the URI, or db_name",
        )


def _rank(origin: Origin, key: str, profile: ProfileSource) -> tuple[int, int, int]:
    """Where a value stands, lower first: its layer, its ``extends`` depth, its file."""
    layer = next(i for i, layer in enumerate(PRECEDENCE) if layer.kind == origin.kind)
    setting: Setting | None = profile.settings.get(key) if origin.kind == "file" else None
    if setting is None:
        return layer, 0, 0
    index = next((i for i, pf in enumerate(profile.catalog.files) if pf.path == setting.file.path), 0)
    chain = profile.catalog.extends_chain(profile.name) if profile.name else []
    depth = chain.index(setting.profile) if setting.profile in chain else 0
    return layer, depth, index
