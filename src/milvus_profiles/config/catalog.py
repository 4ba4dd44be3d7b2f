"""The profiles of every file, merged: names, the default, shadowing and ``extends`` chains.

No environment variable, keyring or network is touched here; ``milvus-profiles list`` stops at this layer.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ProfileNotFoundError
from ..fields import profile_name_problem
from .discovery import discover
from .toml import ProfileFile, key_name, load_files

NESTED_TABLES = ("tls", "grpc")


@dataclass(frozen=True)
class Setting:
    """A value from a profile file, and where it is set."""

    value: Any
    file: ProfileFile
    profile: str
    key: tuple[str, ...]

    @property
    def line(self) -> int | None:
        return self.file.line_of("profiles", self.profile, *self.key)

    @property
    def location(self) -> str:
        """``/abs/milvus.toml:7 [profiles.dev]``."""
        line = self.line
        where = f"{self.file.path}:{line}" if line is not None else str(self.file.path)
        return f"{where} [{key_name(('profiles', self.profile))}]"


@dataclass(frozen=True)
class Catalog:
    """Every profile file that was read, highest precedence first."""

    files: tuple[ProfileFile, ...]
    searched: tuple[Path, ...]
    explicit: bool = False  # named by the user (--file, files=, MILVUS_PROFILES_FILE), not discovered

    def names(self) -> list[str]:
        """Every profile name, in the order they first appear from the lowest file up."""
        seen: dict[str, None] = {}
        for pf in reversed(self.files):
            for name in pf.data.get("profiles", {}):
                seen.setdefault(name, None)
        return list(seen)

    def tables(self, name: str) -> list[tuple[ProfileFile, dict[str, Any]]]:
        """The tables that define ``name``, highest file first."""
        return [(pf, pf.data["profiles"][name]) for pf in self.files if name in pf.data.get("profiles", {})]

    def default(self) -> Setting | None:
        """The ``default`` of the highest file that sets one."""
        for pf in self.files:
            if "default" in pf.data:
                return Setting(pf.data["default"], pf, "", ())
        return None

    def not_found(self, name: str, source: str | None = None) -> ProfileNotFoundError:
        """The error for a profile name no file defines, with the close names it may be a typo of.

        ``source`` names where the name came from when it was not typed (``MILVUS_PROFILE``, a file's
        ``default``), so that the error points at what to fix.
        """
        names = self.names()
        known = ", ".join(names) or "none"
        searched = ", ".join(str(p) for p in self.searched) or "none"
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        came = f" (from {source})" if source else ""
        guess = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
        if source:
            hint = f"set {source} to a known profile, or unset it"
        elif close:
            hint = f"use {close[0]!r}, or create {name!r} with `milvus-profiles add {name} --uri URI`"
        else:
            hint = f"create it with `milvus-profiles add {name} --uri URI`, or pick a known profile"
        return ProfileNotFoundError(
            f"no profile named {name!r}{came}{guess}; known profiles: {known}; files searched: {searched}",
            hint=hint,
        )

    def extends_chain(self, name: str) -> list[str]:
        """``name`` and the profiles it extends, nearest first; a cycle or a missing parent is an error."""
        chain = [name]
        while True:
            setting = self.setting(chain[-1], "extends")
            if setting is None:
                return chain
            parent = setting.value
            if parent in chain:
                cycle = " -> ".join([*chain[chain.index(parent) :], parent])
                raise ConfigError(
                    f"{key_name(('profiles', chain[-1], 'extends'))}: extends forms a cycle: {cycle}",
                    path=setting.file.path,
                    line=setting.line,
                    hint="remove `extends` from one of these profiles",
                )
            if not self.tables(parent):
                known = ", ".join(n for n in self.names() if n != chain[-1]) or "none"
                raise ConfigError(
                    f"{key_name(('profiles', chain[-1], 'extends'))}: extends {parent!r}, "
                    f"which is not a profile; known profiles: {known}",
                    path=setting.file.path,
                    line=setting.line,
                    hint="fix the name, or add that profile",
                )
            chain.append(parent)

    def setting(self, name: str, key: str) -> Setting | None:
        """The winning value of one top-level key of profile ``name`` alone (no ``extends``)."""
        for pf, table in self.tables(name):
            if key in table:
                return Setting(table[key], pf, name, (key,))
        return None

    def layer(self, name: str) -> dict[str, Setting]:
        """The profile's own values after ``extends`` and file merging, keyed ``uri``, ``tls.secure``...

        Parents come first, then the profile itself; within a profile, files from the lowest up, so the
        higher file wins key by key. The ``tls`` and ``grpc`` tables merge key by key too; a secret
        reference (``password = { env = "..." }``) is one value.
        """
        values: dict[str, Setting] = {}
        for profile in reversed(self.extends_chain(name)):
            for pf, table in reversed(self.tables(profile)):
                for key, value in table.items():
                    if key == "extends":
                        continue
                    if key in NESTED_TABLES and isinstance(value, dict):
                        for sub, inner in value.items():
                            values[f"{key}.{sub}"] = Setting(inner, pf, profile, (key, sub))
                    else:
                        values[key] = Setting(value, pf, profile, (key,))
        return values


def load_catalog(
    files: Sequence[str | os.PathLike[str]] | None = None,
    *,
    cwd: Path | None = None,
    validate: bool = True,
) -> Catalog:
    """Find, read and validate the profile files. ``files`` replaces discovery, highest first."""
    paths, explicit = discover(files, cwd=cwd)
    return catalog_of(paths, explicit=explicit, validate=validate)


def catalog_of(paths: Sequence[Path], *, explicit: bool, validate: bool = True) -> Catalog:
    """Read the given files (all must exist when ``explicit``), highest first, and validate them.

    ``validate=False`` checks only the shape the catalog needs (tables where tables belong), so that
    ``list`` shows files as written without loading pydantic; ``check`` reports everything else.
    """
    loaded = load_files(paths, explicit=explicit)
    for pf in loaded:
        if pf.validated:
            continue
        if validate:
            from .model import validate_file

            validate_file(pf)
            pf.validated = True
        else:
            check_shape(pf)
    return Catalog(files=tuple(loaded), searched=tuple(p.absolute() for p in paths), explicit=explicit)


def check_shape(pf: ProfileFile) -> None:
    """Tables where the catalog expects tables, and valid profile names where it expects names (the
    names `list` prints are checked even on this light path)."""

    def fail(key: tuple[str, ...], what: str) -> ConfigError:
        return ConfigError(
            f"{key_name(key)} must be {what}",
            path=pf.path,
            line=pf.line_of(*key),
            hint="`milvus-profiles check` lists every problem of the file",
        )

    def name(key: tuple[str, ...], value: Any) -> None:
        if not isinstance(value, str):
            raise fail(key, "a profile name (a string)")
        problem = profile_name_problem(value)
        if problem is not None:
            raise ConfigError(f"{key_name(key)}: {problem}", path=pf.path, line=pf.line_of(*key))

    if "default" in pf.data:
        name(("default",), pf.data["default"])
    profiles = pf.data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise fail(("profiles",), "a table of profiles")
    for profile, table in profiles.items():
        problem = profile_name_problem(profile)
        if problem is not None:
            key = ("profiles", profile)
            raise ConfigError(f"{key_name(key)}: {problem}", path=pf.path, line=pf.line_of(*key))
        if not isinstance(table, dict):
            raise fail(("profiles", profile), "a table")
        if "extends" in table:
            name(("profiles", profile, "extends"), table["extends"])
