"""The settings sources: keyword arguments, environment variables, the profile's files, built-in defaults.

Each is a pydantic-settings source whose ``__call__`` returns a plain dict of connection settings (no
secrets: those come from :mod:`milvus_profiles.secrets`), whose ``origin(key)`` says where a value came
from, and whose ``repr`` shows its inputs, never its values. Each is built from a :class:`Context` that
carries the environment, so no source reads ``os.environ`` by itself. Their order is declared once, in
:data:`milvus_profiles.resolution.precedence.PRECEDENCE`.

:data:`Values` validates the merged result; it is a plain pydantic model that reads nothing by itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from ..config.catalog import Catalog, Setting
from ..config.model import check_uri, field_type
from ..config.toml import key_name
from ..config.trust import tls_file
from ..errors import ConfigError
from ..fields import FIELDS, FIELDS_BY_NAME, FILE_FIELDS, SECRET_FIELDS, TLS_PATH_KEYS
from ..origin import Origin, OriginKind
from ..uri import URI_HINT, is_lite, uri_problem
from .expansion import expand


def _fields() -> Any:
    return {f.name: (field_type(f) | None, Field(None, description=f.help)) for f in FIELDS if not f.secret}


class _Schema(BaseSettings):
    """The settings the sources know; pydantic-settings sources are built against it. Never instantiated,
    so it never reads the environment."""

    # Never validated either: building its validator at import would only cost time.
    model_config = ConfigDict(extra="ignore", defer_build=True)  # type: ignore[assignment]


Schema: type[BaseSettings] = create_model("Schema", __base__=_Schema, **_fields())

Values: type[BaseModel] = create_model(
    "Values",
    __config__=ConfigDict(extra="forbid", strict=False),
    **_fields(),
)
"""The merged connection settings, validated; a plain model that reads nothing by itself."""


@dataclass(frozen=True)
class Context:
    """What the sources of one ``resolve()`` are built from."""

    catalog: Catalog
    profile: str | None
    environ: Mapping[str, str]
    overrides: Mapping[str, Any] = field(default_factory=dict)


class Source(PydanticBaseSettingsSource):
    """A settings source of this package: built from a :class:`Context`, and able to say where each of
    its values came from."""

    KIND: ClassVar[OriginKind]

    def __init__(self) -> None:
        super().__init__(Schema)

    @classmethod
    def build(cls, context: Context) -> Source:
        raise NotImplementedError

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def origin(self, key: str) -> Origin:
        return Origin(self.KIND, key)


class KwargsSource(Source):
    """Keyword arguments given to ``resolve()``/``connect()``; ``None`` or ``""`` means not given, as an empty
    variable does (and as pymilvus reads ``db_name=""``). The secrets among them (``password=``,
    ``token=``) go to the secret chain instead."""

    KIND = "kwarg"

    def __init__(self, overrides: Mapping[str, Any]) -> None:
        super().__init__()
        unknown = [k for k in overrides if k not in FIELDS_BY_NAME]
        if unknown:
            guess = difflib.get_close_matches(unknown[0], list(FIELDS_BY_NAME), n=1)
            raise ConfigError(
                f"unknown argument {unknown[0]!r}",
                hint=(f"did you mean {guess[0]!r}? " if guess else "")
                + "arguments are: "
                + ", ".join(FIELDS_BY_NAME),
            )
        self.overrides = {
            k: v for k, v in overrides.items() if v is not None and v != "" and k not in SECRET_FIELDS
        }

    @classmethod
    def build(cls, context: Context) -> Source:
        return cls(context.overrides)

    def __call__(self) -> dict[str, Any]:
        return dict(self.overrides)

    def __repr__(self) -> str:
        return f"KwargsSource(keys={sorted(self.overrides)})"


class EnvironmentSource(Source):
    """``MILVUS_URI``, ``MILVUS_DB_NAME``...: the variable of each field in the field table, read from the
    environment it is given; an empty variable counts as unset."""

    KIND = "env"

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__()
        self.environ = environ

    @classmethod
    def build(cls, context: Context) -> Source:
        return cls(context.environ)

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in FILE_FIELDS:
            value = self.environ.get(FIELDS_BY_NAME[name].env)
            if value:
                found[name] = value
        return found

    def origin(self, key: str) -> Origin:
        return Origin("env", FIELDS_BY_NAME[key].env)

    def __repr__(self) -> str:
        return f"EnvironmentSource(names={[FIELDS_BY_NAME[n].env for n in FILE_FIELDS]})"


class ProfileSource(Source):
    """The values of one profile from the files (``extends`` and file merging done by the catalog), with
    ``${MILVUS_*}`` expanded and paths made absolute. Its secret references are kept for the secret chain."""

    KIND = "file"

    def __init__(self, catalog: Catalog, name: str | None, environ: Mapping[str, str]) -> None:
        super().__init__()
        self.catalog = catalog
        self.name = name
        self.environ = environ
        self.settings: dict[str, Setting] = {}
        self.details: dict[str, str] = {}
        self.used_by: dict[str, list[str]] = {}
        """The variables expanded into each key."""
        self.references: dict[str, Setting] = {}

    @classmethod
    def build(cls, context: Context) -> Source:
        return cls(context.catalog, context.profile, context.environ)

    def __call__(self) -> dict[str, Any]:
        if self.name is None:
            return {}
        values: dict[str, Any] = {}
        for key, setting in self.catalog.layer(self.name).items():
            value = setting.value
            if key in SECRET_FIELDS:
                self.references[key] = setting
                continue
            detail = setting.location
            if isinstance(value, str):
                value, used = expand(value, setting, self.environ)
                if used:
                    self.used_by[key] = used
                    detail += " with " + ", ".join(f"${{{v}}}" for v in used)
                if key == "uri":
                    _check_file_uri(value, setting)
                    if is_lite(value):
                        value = _absolute(value, setting)
                elif key.removeprefix("tls.") in TLS_PATH_KEYS and key.startswith("tls."):
                    value = _absolute(value, setting, tls=True)
            values[key] = value
            self.settings[key] = setting
            self.details[key] = detail
        return values

    def origin(self, key: str) -> Origin:
        return Origin("file", self.details[key])

    def __repr__(self) -> str:
        return f"ProfileSource(name={self.name!r}, files={[str(f.path) for f in self.catalog.files]})"


class DefaultsSource(Source):
    """The built-in default of each field that has one (``uri``, ``db_name``, ``timeout``)."""

    KIND = "default"

    @classmethod
    def build(cls, context: Context) -> Source:
        return cls()

    def __call__(self) -> dict[str, Any]:
        return {f.name: f.default for f in FIELDS if f.default is not None}

    def origin(self, key: str) -> Origin:
        return Origin("default")

    def __repr__(self) -> str:
        return "DefaultsSource()"


def _check_file_uri(value: str, setting: Setting) -> None:
    try:
        check_uri(value)
    except ValueError as e:
        where = key_name(("profiles", setting.profile, "uri"))
        raise ConfigError(f"{where}: {e}", path=setting.file.path, line=setting.line) from None


def check_given_uri(uri: str, origin: Origin) -> None:
    """A URI from the environment or an argument may carry credentials, but must be one pymilvus takes."""
    problem = uri_problem(uri)
    if problem is not None:
        where = "argument uri=" if origin.kind == "kwarg" else origin.detail
        raise ConfigError(f"{where}: {problem}: {URI_HINT}")


def check_https_tls(uri: str, merged: Mapping[str, Any], from_files: Mapping[str, Setting]) -> None:
    """``https://`` always means TLS: no file can turn it off."""
    if uri.lower().startswith("https://") and merged.get("tls.secure") is False:
        setting = from_files.get("tls.secure")
        where = key_name(("profiles", setting.profile, "tls", "secure")) if setting else "tls.secure"
        raise ConfigError(
            f"{where}: secure = false cannot turn TLS off for an https:// URI",
            path=setting.file.path if setting else None,
            line=setting.line if setting else None,
            hint="remove `secure = false`; to connect without TLS, use an http:// URI",
        )


def _absolute(value: str, setting: Setting, *, tls: bool = False) -> str:
    try:
        # a TLS file is found from the real folder of the file, where the file's trust looked for it
        path = tls_file(value, setting.file.path) if tls else Path(value).expanduser()
    except RuntimeError:
        where = key_name(("profiles", setting.profile, *setting.key))
        raise ConfigError(
            f"{where}: cannot expand {value.split('/', maxsplit=1)[0]!r}: there is no such user",
            path=setting.file.path,
            line=setting.line,
            hint="write the path without ~, or with the home folder written out",
        ) from None
    if not path.is_absolute():
        path = setting.file.path.parent / path
    return str(path)


__all__ = [
    "Context",
    "DefaultsSource",
    "EnvironmentSource",
    "KwargsSource",
    "ProfileSource",
    "Source",
    "Values",
    "check_given_uri",
    "check_https_tls",
]
