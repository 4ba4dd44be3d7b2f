"""The profiles of every file, merged: names, the default, shadowing, ``extends`` chains and each profile's
problem. No environment variable, keyring or network is touched here; ``list`` stops at this layer."""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ProfileNotFoundError
from ..fields import profile_name_problem
from .discovery import discover
from .toml import ProfileFile, key_name, read_file

NESTED_TABLES = ("tls", "grpc")  # tables inside a profile, merged key by key: ``tls.secure`` in a layer


def nested(values: Mapping[str, Any], table: str) -> dict[str, Any]:
    """The keys of one nested table (``tls``) in a merged layer, without the table's prefix."""
    return {key.removeprefix(f"{table}."): v for key, v in values.items() if key.startswith(f"{table}.")}


Tables = list[tuple[ProfileFile, dict[str, Any]]]  # the tables of one profile name, highest file first


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
        line = "" if self.line is None else f":{self.line}"
        return f"{self.file.path}{line} [{key_name(('profiles', self.profile))}]"


@dataclass(frozen=True, eq=False)
class Catalog:
    """Every profile file that was read, highest first. Tables, verdicts and layers are worked out once and
    kept, so going through every profile costs time linear in the profiles and their ``extends`` chains."""

    files: tuple[ProfileFile, ...]
    searched: tuple[Path, ...]
    explicit: bool = False  # named by the user (--file, files=, MILVUS_PROFILES_FILE), not discovered
    problems: Mapping[str, ConfigError] = field(default_factory=dict)
    """The first problem of each profile's own tables, the highest file's; see :meth:`problem`."""
    _verdicts: dict[str, ConfigError | None] = field(default_factory=dict, init=False, repr=False)
    _layers: dict[str, dict[str, Setting]] = field(default_factory=dict, init=False, repr=False)

    @functools.cached_property
    def _tables_by_name(self) -> dict[str, Tables]:
        # built aside and put in place whole: a catalog is shared by the threads of `test --all`
        index: dict[str, Tables] = {}
        for pf in reversed(self.files):  # lowest file first, so names keep their first appearance
            profiles = pf.data.get("profiles", {})
            for name, table in profiles.items() if isinstance(profiles, dict) else ():
                index.setdefault(name, []).insert(0, (pf, table))
        return index

    def names(self) -> list[str]:
        """Every profile name that may be printed (files not validated: completion), lowest file's first."""
        return [n for n in self._tables_by_name if profile_name_problem(n) is None]

    def tables(self, name: str) -> Tables:
        """The tables that define ``name``, highest file first."""
        return list(self._tables_by_name.get(name, ()))

    def default(self) -> Setting | None:
        """The ``default`` of the highest file that sets one."""
        return next(
            (Setting(pf.data["default"], pf, "", ()) for pf in self.files if "default" in pf.data), None
        )

    def not_found(self, name: str, source: str | None = None) -> ProfileNotFoundError:
        """The error for a profile name no file defines, with close names; ``source`` names where an
        untyped name came from (``MILVUS_PROFILE``, a file's ``default``)."""
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

    def problem(self, name: str) -> ConfigError | None:
        """Why profile ``name`` cannot be used, or None: a problem of its own tables or of a profile it
        extends, a cycle, a missing parent. The other profiles of the same files stay usable."""
        if name in self._verdicts:
            return self._verdicts[name]
        chain, on_chain = [name], {name: 0}
        while (problem := self.problems.get(chain[-1])) is None:
            if (setting := self.setting(chain[-1], "extends")) is None:
                break
            parent, where = setting.value, key_name(("profiles", chain[-1], "extends"))
            if isinstance(parent, str) and parent in self._verdicts:
                problem = self._verdicts[parent]
                break
            if isinstance(parent, str) and parent in on_chain:
                cycle = " -> ".join([*chain[on_chain[parent] :], parent])
                problem = ConfigError(
                    f"{where}: extends forms a cycle: {cycle}",
                    path=setting.file.path,
                    line=setting.line,
                    hint="remove `extends` from one of these profiles",
                )
                # walked from another profile of the cycle, the cycle reads from that profile: only the
                # profiles that lead into it share this verdict
                chain = chain[: on_chain[parent]]
                break
            if not isinstance(parent, str) or parent not in self._tables_by_name:
                known = ", ".join(n for n in self.names() if n != chain[-1]) or "none"
                problem = ConfigError(
                    f"{where}: extends {parent!r}, which is not a profile; known profiles: {known}",
                    path=setting.file.path,
                    line=setting.line,
                    hint="fix the name, or add that profile",
                )
                break
            on_chain[parent] = len(chain)
            chain.append(parent)
        self._verdicts.update(dict.fromkeys(chain, problem))
        return problem

    def extends_chain(self, name: str, known: Container[str] = ()) -> list[str]:
        """``name`` and the profiles it extends, nearest first, to one ``known``; raises :meth:`problem`."""
        if (problem := self.problem(name)) is not None:
            raise problem
        chain = [name]
        while chain[-1] not in known and (setting := self.setting(chain[-1], "extends")) is not None:
            chain.append(setting.value)
        return chain

    def setting(self, name: str, key: str) -> Setting | None:
        """The winning value of one top-level key of profile ``name`` alone (no ``extends``)."""
        tables = self._tables_by_name.get(name, ())
        return next((Setting(t[key], pf, name, (key,)) for pf, t in tables if key in t), None)

    def layer(self, name: str) -> dict[str, Setting]:
        """The profile's values after ``extends`` (parents first) and file merging (the higher file wins key
        by key, in ``tls`` and ``grpc`` too), keyed ``uri``, ``tls.secure``...; raises :meth:`problem`."""
        # the nearest profiles whose layers are not known yet, then each one over its parent's layer
        for profile in reversed(self.extends_chain(name, known=self._layers)):
            if profile in self._layers:
                continue
            parent = self.setting(profile, "extends")
            values = dict(self._layers[parent.value]) if parent is not None else {}
            for pf, table in reversed(self.tables(profile)):
                for key, value in table.items():
                    if key in NESTED_TABLES and isinstance(value, dict):
                        for sub, inner in value.items():
                            values[f"{key}.{sub}"] = Setting(inner, pf, profile, (key, sub))
                    elif key != "extends":
                        values[key] = Setting(value, pf, profile, (key,))
            self._layers[profile] = values
        return dict(self._layers[name])


def load_catalog(files: Sequence[str | os.PathLike[str]] | None = None, *, validate: bool = True) -> Catalog:
    """The catalog of ``files``, else of the files discovered from the working folder (:func:`catalog_of`)."""
    return catalog_of(*discover(files), validate=validate)


def catalog_of(paths: Sequence[Path], explicit: bool, validate: bool = True) -> Catalog:
    """Read the files (all must exist when ``explicit``), highest first, and validate them: a problem of a
    file itself is raised, one of a profile's table is that profile's (:meth:`Catalog.problem`).
    ``validate=False`` reads names only, without loading pydantic (shell completion)."""
    loaded = tuple(read_file(path) for path in paths if explicit or os.path.lexists(path))
    return _catalog(loaded, tuple(p.absolute() for p in paths), explicit, validate)


# kept while its files are the same parsed objects (a ProfileFile is equal only to itself; a changed file
# is parsed anew): `doctor` and `test --all` work out each `extends` chain once, not once per profile
@functools.lru_cache(maxsize=16)
def _catalog(
    loaded: tuple[ProfileFile, ...], searched: tuple[Path, ...], explicit: bool, validate: bool
) -> Catalog:
    problems: dict[str, ConfigError] = {}
    if validate:
        from .model import profile_problems

        for pf in reversed(loaded):  # the highest file's problem wins, as its values do
            problems.update(profile_problems(pf))
    return Catalog(loaded, searched, explicit, problems)
