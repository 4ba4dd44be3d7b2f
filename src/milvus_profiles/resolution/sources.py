"""The profile's pydantic-settings source: its values with ``${MILVUS_*}`` expanded, paths made absolute
and each key's location kept; its secret references kept for the secret chain, never given as settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from ..config.catalog import Catalog, Setting
from ..config.model import check_uri
from ..config.toml import key_name
from ..config.trust import tls_file
from ..errors import ConfigError
from ..fields import FIELDS_BY_NAME, SECRET_FIELDS, TLS_PATH_KEYS
from ..origin import Origin
from ..uri import is_lite
from .expansion import expand


class ProfileSource(PydanticBaseSettingsSource):
    """One profile's values from the files (none when no profile is selected)."""

    def __init__(
        self, settings_cls: type[BaseSettings], catalog: Catalog, name: str | None, environ: Mapping[str, str]
    ) -> None:
        super().__init__(settings_cls)
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
        values: dict[str, Any] = {}
        for key, setting in self.catalog.layer(self.name).items():
            value = setting.value
            if key in SECRET_FIELDS:
                self.references[key] = setting
                continue
            if isinstance(value, str):
                value, used = expand(value, setting, self.environ)
                if used:
                    self.expanded[key] = (setting.location, used)
                if key == "uri":
                    if used:  # as written, the file's model checked it
                        _check_file_uri(value, setting)
                    if is_lite(value):
                        value = _absolute(value, setting)
                elif key.removeprefix("tls.") in TLS_PATH_KEYS and key.startswith("tls."):
                    value = _absolute(value, setting, tls=True)
            values[key] = value
            self.settings[key] = setting
        self.values = values
        return values

    def __call__(self) -> dict[str, Any]:
        return {(FIELDS_BY_NAME[k].env if k in FIELDS_BY_NAME else k): v for k, v in self.load().items()}

    def origin(self, key: str) -> Origin:
        written, used = self.expanded.get(key) or (self.settings[key].location, [])
        return Origin("file", written + " with " + ", ".join(f"${{{v}}}" for v in used) if used else written)

    def __repr__(self) -> str:
        return f"ProfileSource(name={self.name!r}, files={[str(f.path) for f in self.catalog.files]})"


def _check_file_uri(value: str, setting: Setting) -> None:
    try:
        check_uri(value)
    except ValueError as e:
        where = key_name(("profiles", setting.profile, "uri"))
        raise ConfigError(f"{where}: {e}", path=setting.file.path, line=setting.line) from None


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
