"""Which profile files are trusted with secrets, and the record of the project files you trusted.

Your user file, files you name (``--file``, ``files=``, ``MILVUS_PROFILES_FILE``), environment variables
and keyword arguments are your own. A project file found from the working folder up (``milvus.toml``,
``milvus.local.toml``) came with whatever repository was cloned: it is untrusted until you trust it with
``milvus-profiles trust``, as ``direnv allow`` and ``mise trust`` do. Whatever its trust, a file that
others can change (see :mod:`milvus_profiles.config.permissions`) is not trusted.

A trust is recorded for the file's real path with a fingerprint of what decides where a secret goes:
every profile's ``uri``, ``user``, ``extends``, ``[tls]`` and ``[grpc]`` keys and secret references, and
the file's ``default``. A ``git pull`` that changes only a database name, a timeout or a comment keeps the
trust; any change to those keys ends it, and the message names the keys that changed. Only a digest of
each value is recorded, never the value.

The record is ``trusted.json`` in the user's state folder (``~/.local/state/milvus-profiles`` on Linux),
written atomically with mode 0600.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from .discovery import user_file, user_state_dir
from .permissions import PermissionProblem, problems
from .toml import ProfileFile, key_name

STORE_FILE = "trusted.json"
ROUTING_KEYS = ("uri", "user", "extends", "password", "token")
"""The keys of a profile that decide where its secret goes, besides every key of ``[tls]`` and ``[grpc]``."""
ROUTING_TABLES = ("tls", "grpc")

FileKind = Literal["user", "named", "project"]


@dataclass(frozen=True)
class FileTrust:
    """Whether one profile file is trusted with secrets, and why (or why not)."""

    path: Path
    kind: FileKind
    trusted: bool
    why: str
    fix: str | None = None
    changed: tuple[str, ...] = ()
    """For a trust that lapsed: the keys that changed since the file was trusted."""


def routing_facts(data: Mapping[str, Any]) -> dict[str, str]:
    """``{"profiles.dev.uri": digest, ...}``: a digest of every value that decides where a secret goes."""
    facts: dict[str, str] = {}

    def add(key: tuple[str, ...], value: Any) -> None:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        facts[key_name(key)] = hashlib.sha256(text.encode("utf-8")).hexdigest()

    if "default" in data:
        add(("default",), data["default"])
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        for name, table in profiles.items():
            if not isinstance(table, dict):
                add(("profiles", str(name)), table)
                continue
            for key, value in table.items():
                if key in ROUTING_KEYS:
                    add(("profiles", str(name), key), value)
                elif key in ROUTING_TABLES:
                    if isinstance(value, dict):
                        for sub, inner in value.items():
                            add(("profiles", str(name), key, str(sub)), inner)
                    else:
                        add(("profiles", str(name), key), value)
    return facts


_FACTS: dict[int, tuple[ProfileFile, dict[str, str]]] = {}


def _routing_of(pf: ProfileFile) -> dict[str, str]:
    """:func:`routing_facts` of a file that was read, worked out once per parse: a command that resolves
    every profile (``doctor``, ``test --all``) assesses the same file once per profile."""
    known = _FACTS.get(id(pf))
    if known is not None and known[0] is pf:
        return known[1]
    if len(_FACTS) >= 64:
        _FACTS.clear()
    facts = routing_facts(pf.data)
    _FACTS[id(pf)] = (pf, facts)
    return facts


def store_path() -> Path:
    """The record of trusted files."""
    return user_state_dir() / STORE_FILE


def _real(path: Path) -> str:
    return os.path.realpath(path)


_STORE_CACHE: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def load_store() -> dict[str, Any]:
    """The trusted files, ``{real path: {"trusted_at": ..., "routing": {...}}}``; cached by size and time."""
    path = store_path()
    try:
        st = path.stat()
    except (OSError, ValueError):
        return {}
    key = str(path)
    stamp = (st.st_size, st.st_mtime_ns)
    cached = _STORE_CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with open(path, "rb") as f:
            raw = f.read(4 * 1024 * 1024)
        data = json.loads(raw.decode("utf-8"))
        files = data.get("files", {}) if isinstance(data, dict) else {}
        if not isinstance(files, dict):
            files = {}
    except (OSError, ValueError):
        files = {}  # an unreadable record trusts nothing; `trust` writes a new one
    _STORE_CACHE[key] = (stamp, files)
    return files


def clear_cache() -> None:
    """Forget the record read so far."""
    _STORE_CACHE.clear()


def _save_store(files: Mapping[str, Any]) -> None:
    from ..write.atomic import write_atomic
    from ..write.locks import locked

    path = store_path()
    text = json.dumps({"version": 1, "files": dict(files)}, indent=2, sort_keys=True) + "\n"
    with locked(path):
        write_atomic(path, text, private=True)
    clear_cache()


def boundary_of(path: Path, kind: FileKind) -> Path:
    """The highest folder whose permissions matter for a profile file: for the user file, the home folder
    (a folder in between that others can write lets them replace it); else the file's own folder."""
    if kind == "user":
        home = Path.home()
        return home if path.is_relative_to(home) else path.parent
    return path.parent


def assess(pf: ProfileFile, kind: FileKind, *, store: Mapping[str, Any] | None = None) -> FileTrust:
    """The trust of one file that was read: its permissions first, then whose file it is."""
    found = problems(pf.path, boundary=boundary_of(pf.path, kind))
    if found:
        return FileTrust(
            pf.path,
            kind,
            False,
            f"{found[0].problem}, so whoever can change it could send your secret elsewhere",
            fix=found[0].fix,
        )
    if kind == "user":
        return FileTrust(pf.path, kind, True, "your user file")
    if kind == "named":
        return FileTrust(pf.path, kind, True, "named with --file, files= or MILVUS_PROFILES_FILE")
    entry = (load_store() if store is None else store).get(_real(pf.path))
    command = f"milvus-profiles trust {_shown(pf.path)}"
    if not isinstance(entry, dict):
        return FileTrust(
            pf.path,
            kind,
            False,
            "a project file you have not trusted (it may come from a cloned repository)",
            fix=f"read it, then run `{command}`",
        )
    recorded = entry.get("routing")
    current = _routing_of(pf)
    if not isinstance(recorded, dict) or recorded != current:
        changed = _changes(recorded if isinstance(recorded, dict) else {}, current)
        return FileTrust(
            pf.path,
            kind,
            False,
            "changed since you trusted it: " + ", ".join(changed),
            fix=f"review the change (`git diff`), then run `{command}` again",
            changed=tuple(changed),
        )
    return FileTrust(pf.path, kind, True, f"trusted on {entry.get('trusted_at', '?')}")


def _changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    keys = sorted(set(before) | set(after))
    changed = []
    for key in keys:
        if key not in before:
            changed.append(f"{key} added")
        elif key not in after:
            changed.append(f"{key} removed")
        elif before[key] != after[key]:
            changed.append(f"{key} changed")
    return changed or ["the record of the file is unreadable"]


def _shown(path: Path) -> str:
    import shlex

    try:
        shown = str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        shown = str(path)
    return shlex.quote(shown)


def kind_of(path: Path, explicit: bool) -> FileKind:
    """Whose file ``path`` is: the user's own file, one the user named, or a discovered project file."""
    if path == user_file().absolute():
        return "user"
    return "named" if explicit else "project"


def trust(pf: ProfileFile) -> list[PermissionProblem]:
    """Record ``pf`` as trusted with its current routing keys; returns the permission problems that
    forbid it instead (nothing is recorded then)."""
    found = problems(pf.path)
    if found:
        return found
    files = dict(load_store())
    files[_real(pf.path)] = {
        "trusted_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "routing": routing_facts(pf.data),
    }
    _save_store(files)
    return []


def carry_over(path: Path, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Keep a trust across an edit made with this package: a project file the edit created (``before`` is
    None), or one that was trusted exactly as it was read, is recorded as trusted as written. Any other
    file stays as it was: editing a file you did not trust does not trust the rest of it."""
    if path.absolute() == user_file().absolute():
        return
    files = dict(load_store())
    key = _real(path)
    entry = files.get(key)
    if before is not None and not (isinstance(entry, dict) and entry.get("routing") == routing_facts(before)):
        return
    if before is not None and problems(path):
        return
    files[key] = {
        "trusted_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "routing": routing_facts(after),
    }
    _save_store(files)


def untrust(path: Path) -> bool:
    """Forget the trust of ``path``; False when it was not trusted."""
    files = dict(load_store())
    if files.pop(_real(path), None) is None:
        return False
    _save_store(files)
    return True


def trusted_files() -> Iterator[tuple[Path, str]]:
    """Every trusted file in the record, with the time it was trusted."""
    for path, entry in sorted(load_store().items()):
        when = entry.get("trusted_at", "?") if isinstance(entry, dict) else "?"
        yield Path(path), str(when)
