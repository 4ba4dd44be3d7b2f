"""The layers of a resolved profile as pydantic-settings sources: each returns a plain dict.

:class:`ProfileSource` reads one profile from the files (``extends`` and file merging done by the
catalog), expands ``${MILVUS_*}`` variables and makes paths absolute; :class:`KwargsSource` takes the
arguments of ``resolve()``; the environment is pydantic-settings' own ``EnvSettingsSource`` over
:data:`Settings`, the model built from the field table.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, create_model
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ..config import discovery
from ..config.catalog import Catalog, Setting
from ..config.model import FIELD_TYPES, check_uri
from ..config.toml import key_name
from ..errors import ConfigError
from ..fields import FIELDS, FIELDS_BY_NAME, FILES_ENV, SECRET_FIELDS, TLS_PATH_KEYS
from ..uri import URI_HINT, is_lite, uri_problem
from .resolved import Origin


class _SettingsBase(BaseSettings):
    model_config = SettingsConfigDict(
        case_sensitive=True, env_ignore_empty=True, extra="ignore", validate_by_name=True
    )

    @classmethod
    def _settings_log_debug(cls, states: dict[str, dict[str, Any]]) -> None:
        """pydantic-settings' debug log would print secrets from the environment; log nothing."""


Settings: type[BaseSettings] = create_model(  # type: ignore[call-overload]
    "Settings",
    __base__=_SettingsBase,
    **{
        f.name: (
            FIELD_TYPES[f.type] | None,
            Field(None, validation_alias=f.env, description=f.help),
        )
        for f in FIELDS
    },
)


class ProfileSource(PydanticBaseSettingsSource):
    """The values of one profile from the files, with ``${MILVUS_*}`` expanded and paths made absolute."""

    def __init__(self, catalog: Catalog, name: str | None, environ: Mapping[str, str]) -> None:
        super().__init__(Settings)
        self.catalog = catalog
        self.name = name
        self.environ = environ
        self.origins: dict[str, Origin] = {}
        self.expanded: list[str] = []
        self.references: dict[str, Setting] = {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover - __call__ does the work

    def __call__(self) -> dict[str, Any]:
        if self.name is None:
            return {}
        values: dict[str, Any] = {}
        for key, setting in self.catalog.layer(self.name).items():
            value = setting.value
            detail = setting.location
            if key in SECRET_FIELDS:
                self.references[key] = self._trusted(setting)
                if "env" in value:
                    self.expanded.append(value["env"])
                continue
            if isinstance(value, str):
                value, used = expand(value, setting, self.environ)
                self.expanded += used
                if used:
                    detail += " with " + ", ".join(f"${{{v}}}" for v in used)
                if key == "uri":
                    _check_file_uri(value, setting)
                    if is_lite(value):
                        value = _absolute(value, setting)
                elif key.removeprefix("tls.") in TLS_PATH_KEYS:
                    value = _absolute(value, setting)
            values[key] = value
            self.origins[key] = Origin("file", detail)
        return values

    def _trusted(self, setting: Setting) -> Setting:
        """A command reference runs only from a file the user chose, never from a discovered project."""
        if "command" in setting.value and not (
            self.catalog.explicit or setting.file.path == discovery.user_file().absolute()
        ):
            where = key_name(("profiles", setting.profile, *setting.key))
            raise ConfigError(
                f"{where}: a command reference in a project file is refused: a cloned repository must "
                "not be able to run programs on this machine",
                path=setting.file.path,
                line=setting.line,
                hint=f"move the reference to your user file ({discovery.user_file()}), or name this "
                f"file with --file or {FILES_ENV} to trust it",
            )
        return setting

    def __repr__(self) -> str:
        return f"ProfileSource(name={self.name!r}, files={[str(f.path) for f in self.catalog.files]})"


class KwargsSource(PydanticBaseSettingsSource):
    """Keyword arguments given to ``resolve()``/``connect()``; ``None`` means not given."""

    def __init__(self, overrides: Mapping[str, Any]) -> None:
        super().__init__(Settings)
        unknown = [k for k in overrides if k not in FIELDS_BY_NAME]
        if unknown:
            guess = difflib.get_close_matches(unknown[0], list(FIELDS_BY_NAME), n=1)
            raise ConfigError(
                f"unknown argument {unknown[0]!r}",
                hint=(f"did you mean {guess[0]!r}? " if guess else "")
                + "arguments are: "
                + ", ".join(FIELDS_BY_NAME),
            )
        self.overrides = {k: v for k, v in overrides.items() if v is not None}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # pragma: no cover

    def __call__(self) -> dict[str, Any]:
        return dict(self.overrides)

    def __repr__(self) -> str:
        return f"KwargsSource(keys={sorted(self.overrides)})"


_SECRET_ENV = frozenset(f.env for f in FIELDS if f.secret)
_VAR = re.compile(r"\$\{([^}:]*)(?::-([^}]*))?\}")


def expand(value: str, setting: Setting, environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """Expand ``${MILVUS_NAME}`` and ``${MILVUS_NAME:-fallback}``; returns the value and the names used.

    Only ``MILVUS_*`` variables may be read: a profile file from a cloned repository must not be able
    to send other environment variables to a host of its choosing.
    """
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        where = key_name(("profiles", setting.profile, *setting.key))
        if not name.startswith("MILVUS_") or not name.replace("_", "").isalnum():
            raise ConfigError(
                f"{where}: ${{{name}}} cannot be expanded: only variables whose names start with "
                "MILVUS_ may be used in profile files",
                path=setting.file.path,
                line=setting.line,
                hint=f"set MILVUS_{name.upper()} (or another MILVUS_* variable) and use that instead",
            )
        if name in _SECRET_ENV or any(word in name for word in ("PASSWORD", "TOKEN", "SECRET")):
            raise ConfigError(
                f"{where}: ${{{name}}} names a secret, and secrets are never expanded into profile "
                "values: a file could send them to any host as a database or user name",
                path=setting.file.path,
                line=setting.line,
                hint="remove it; the password or token is sent as credentials, from the keyring "
                "or MILVUS_PASSWORD / MILVUS_TOKEN",
            )
        used.append(name)
        found = environ.get(name)
        if found:
            return found
        if fallback is not None:
            return fallback
        raise ConfigError(
            f"{where}: environment variable {name} is not set",
            path=setting.file.path,
            line=setting.line,
            hint=f"set {name}, or write ${{{name}:-fallback}} to give a fallback",
        )

    return _VAR.sub(replace, value), used


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


def _absolute(value: str, setting: Setting) -> str:
    try:
        path = Path(value).expanduser()
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
