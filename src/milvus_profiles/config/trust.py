"""Which profile files are trusted with secrets, and the record of the project files you trusted.

Your user file, files you name (``--file``, ``files=``, ``MILVUS_PROFILES_FILE``), environment variables
and keyword arguments are your own. A project file found from the working folder up (``milvus.toml``,
``milvus.local.toml``) came with whatever repository was cloned: it is untrusted until you trust it with
``milvus-profiles trust``, as ``direnv allow`` and ``mise trust`` do. Whatever its trust, a file that
others can change (see :mod:`milvus_profiles.config.permissions`) is not trusted.

A trust is recorded for the file's real path, one item per profile and one for the file's ``default``,
each with a fingerprint of what decides where a secret goes: the profile's ``uri``, ``user``,
``extends``, ``[tls]`` and ``[grpc]`` keys and secret references, and the bytes of every TLS file it
names. A ``git pull`` that changes only a database name, a timeout, a comment or another profile keeps
the trust of a profile; any change to those keys, or to a certificate it uses, ends it, and the message
names what changed. The last :data:`VERSIONS` fingerprints of each item stay trusted, so switching
branches back or ``git checkout milvus.toml`` does not ask again. Only digests are recorded, never a
value or a file's content.

The record is ``trusted.json`` in the user's state folder (``~/.local/state/milvus-profiles`` on Linux),
guarded as a profile file is: it vouches for nothing when others can change it (or a folder above it, up
to the home folder), when it is not a regular file, or when it cannot be read. ``trust``, ``untrust``
and the carry-over of an edit read, change and write it under one lock; a record that cannot be parsed
is moved aside (``trusted.json.corrupt-<time>``) by the next ``trust``, and entries that parse are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..errors import ConfigError, ProfileWarning
from ..fields import TLS_PATH_KEYS
from ..uri import redact
from .atomic import write_atomic
from .discovery import user_file, user_state_dir
from .locks import locked
from .permissions import PermissionProblem, problems
from .read import UnreadableFile, read_limited
from .toml import ProfileFile, key_name

STORE_FILE = "trusted.json"
STORE_LIMIT = 4 * 1024 * 1024
"""The largest trust record read; thousands of files take a few hundred kilobytes."""
VERSIONS = 20
"""How many trusted versions of each profile (or content) are remembered."""
ROUTING_KEYS = ("uri", "user", "extends", "password", "token")
"""The keys of a profile that decide where its secret goes, besides every key of ``[tls]`` and ``[grpc]``."""
ROUTING_TABLES = ("tls", "grpc")
CONTENT = " (content)"
"""Ends the fact of a TLS file's bytes: ``profiles.dev.tls.ca_pem_path (content)``."""
DEFAULT_ITEM = "default"

FileKind = Literal["user", "named", "project"]
T = TypeVar("T")


@dataclass(frozen=True)
class FileTrust:
    """Whether one profile file is trusted with secrets, and why (or why not).

    ``trusted`` is the whole file's verdict. A project file is trusted profile by profile: ask
    :meth:`for_profile` for the verdict of the profiles a value comes from.
    """

    path: Path
    kind: FileKind
    trusted: bool
    why: str
    fix: str | None = None
    changed: tuple[str, ...] = ()
    """For a trust that lapsed: what changed since the file was trusted."""
    lapsed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The items (``profiles.NAME``, ``default``) whose trust lapsed, each with what changed; empty when
    the verdict is the file's as a whole (its permissions, no trust at all)."""
    trusted_at: str | None = None

    def for_profile(self, *names: str | None, default: bool = False) -> FileTrust:
        """The verdict for the values of profiles ``names`` in this file: trusted unless one of them (or,
        with ``default``, the file's ``default``) changed since it was trusted; a change to another
        profile does not count."""
        items = [key_name(("profiles", n)) for n in names if n is not None]
        return self._narrowed([*items, DEFAULT_ITEM] if default else items)

    def trusted_for(self, *names: str | None, default: bool = False) -> bool:
        """Whether the values of profiles ``names`` in this file are trusted (see :meth:`for_profile`)."""
        return self.for_profile(*names, default=default).trusted

    def _narrowed(self, items: list[str]) -> FileTrust:
        if self.trusted or not self.lapsed:
            return self
        lapsed = dict(self.lapsed)
        changed = tuple(c for item in dict.fromkeys(items) for c in lapsed.get(item, ()))
        if not changed:
            return FileTrust(self.path, self.kind, True, f"trusted on {self.trusted_at or '?'}")
        return replace(self, why=_lapse_why(changed), changed=changed, lapsed=())


def _lapse_why(changed: tuple[str, ...]) -> str:
    return "changed since you trusted it: " + ", ".join(changed)


def tls_file(value: str, profile_file: Path) -> Path:
    """The TLS file a profile's ``tls.*_path`` value names: a relative path is relative to the real
    folder of the profile file, so a symlinked ``milvus.toml`` uses the certificates its trust covers.

    Raises:
        RuntimeError: ``~user`` names no user.
    """
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    return Path(os.path.realpath(profile_file)).parent / path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _content_fact(value: Any, profile_file: Path | None) -> str:
    """A digest of the bytes of the TLS file ``value`` names, or why there are none."""
    if profile_file is None or not isinstance(value, str):
        return "unknown"
    if "${" in value:
        return "expanded"  # the environment's choice, not the file's
    try:
        return _digest(read_limited(tls_file(value, profile_file), limit=STORE_LIMIT, what="TLS file"))
    except FileNotFoundError:
        return "missing"
    except UnreadableFile as e:
        return "unreadable: " + e.reason
    except (RuntimeError, ValueError, OSError):
        return "unreadable"


def _tls_paths(pf: ProfileFile) -> tuple[Path, ...]:
    """The TLS files the profiles of ``pf`` name, as their facts read them."""
    found = []
    profiles = pf.data.get("profiles")
    for table in profiles.values() if isinstance(profiles, dict) else ():
        tls = table.get("tls") if isinstance(table, dict) else None
        for key, value in tls.items() if isinstance(tls, dict) else ():
            if key in TLS_PATH_KEYS and isinstance(value, str) and "${" not in value:
                with contextlib.suppress(RuntimeError, ValueError):
                    found.append(tls_file(value, pf.path))
    return tuple(found)


def _stamps(paths: tuple[Path, ...]) -> tuple[Any, ...]:
    """What tells that a file changed: its size, time and inode (None when it is missing)."""
    stamps: list[Any] = []
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            stamps.append(None)
        else:
            stamps.append((st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode))
    return tuple(stamps)


def routing_facts(data: Mapping[str, Any], profile_file: Path | None = None) -> dict[str, str]:
    """``{"profiles.dev.uri": digest, ...}``: a digest of every value that decides where a secret goes,
    and (given the profile file's path) of the bytes of every TLS file a profile names."""
    facts: dict[str, str] = {}

    def add(key: tuple[str, ...], value: Any) -> None:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        facts[key_name(key)] = _digest(text.encode("utf-8"))

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
                            if key == "tls" and sub in TLS_PATH_KEYS:
                                where = key_name(("profiles", str(name), key, str(sub))) + CONTENT
                                facts[where] = _content_fact(inner, profile_file)
                    else:
                        add(("profiles", str(name), key), value)
    return facts


def _items(data: Mapping[str, Any]) -> dict[str, str | None]:
    """The items a file is trusted by, each with its profile's name: ``default`` (when set, no name) and
    ``profiles.NAME`` for each profile."""
    items: dict[str, str | None] = {DEFAULT_ITEM: None} if "default" in data else {}
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        items.update((key_name(("profiles", str(name))), str(name)) for name in profiles)
    return items


_DECODER = json.JSONDecoder()


def _item_of(key: str) -> str:
    """The item a fact belongs to: ``profiles."a.b"`` for ``profiles."a.b".tls.secure``."""
    if not key.startswith("profiles."):
        return key
    rest = key[len("profiles.") :]
    if rest.startswith('"'):
        with contextlib.suppress(ValueError):
            return key[: len("profiles.") + _DECODER.raw_decode(rest)[1]]
    return "profiles." + rest.split(".", 1)[0]


def _group(facts: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The facts of each item."""
    grouped: dict[str, dict[str, str]] = {}
    for key, value in facts.items():
        grouped.setdefault(_item_of(key), {})[key] = value
    return grouped


def _fingerprints(data: Mapping[str, Any], grouped: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """``{item: digest}``: one fingerprint for each profile and the ``default`` of a file."""
    return {item: _fingerprint(grouped.get(item, {})) for item in _items(data)}


def _fingerprint(facts: Mapping[str, str]) -> str:
    return _digest(json.dumps(facts, sort_keys=True).encode("utf-8"))


def store_path() -> Path:
    """The record of trusted files."""
    return user_state_dir() / STORE_FILE


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class _Record:
    """The trust record as read: its entries, or why it vouches for nothing."""

    files: dict[str, Any]
    problem: str | None = None
    fix: str | None = None
    corrupt: bool = False
    """The bytes are there but are not a record (unparseable, too large): ``trust`` moves them aside."""


_STORE_CACHE: dict[str, tuple[tuple[int, int, int], _Record]] = {}
_ASSESSED: dict[
    Path, tuple[ProfileFile, Any, tuple[Path, ...], tuple[Any, ...], dict[str, tuple[str, ...]]]
] = {}
"""The lapsed items of a project file, while the parsed file, its record entry and its TLS files stay."""


def _record_problems() -> list[PermissionProblem]:
    """Who else could change the record: the file if it exists, else the folder it would be made in."""
    path = store_path()
    home = Path.home()
    top = home if path.is_relative_to(home) else path.parent
    if os.path.lexists(path):
        return problems(path, boundary=top)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_relative_to(top):
        return []
    found = problems(folder, boundary=top)
    return [replace(p, problem=p.problem.replace("the file is", "the folder is")) for p in found]


def _parse(raw: bytes) -> dict[str, Any] | None:
    """The entries of a record that parses (entries that are not entries dropped); None when it does
    not parse as a record at all."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return None
    return {k: v for k, v in data["files"].items() if isinstance(k, str) and _is_entry(v)}


def _is_entry(entry: Any) -> bool:
    """An entry of the record: the trusted versions of a profile file's items (or, from the first
    version of the record, its routing), or of a file's content."""
    return isinstance(entry, dict) and (
        isinstance(entry.get("items"), dict)
        or isinstance(entry.get("routing"), dict)
        or isinstance(entry.get("content"), list)
    )


def _read_record() -> _Record:
    path = store_path()
    fix = "run `milvus-profiles trust` on a file you trust to write a new record (good entries are kept)"
    try:
        raw = read_limited(path, limit=STORE_LIMIT, what="trust record")
    except FileNotFoundError:
        return _Record({})
    except UnreadableFile as e:
        if e.too_large:
            return _Record({}, e.reason, fix, corrupt=True)
        return _Record({}, e.reason, f"remove it (rm {shlex.quote(str(path))}), then trust your files again")
    files = _parse(raw)
    if files is None:
        return _Record({}, "cannot be parsed as a trust record", fix, corrupt=True)
    return _Record(files)


def _load() -> _Record:
    """The record, cached by size, time and mode; a record others can change vouches for nothing."""
    path = store_path()
    found = _record_problems()
    if found:
        return _Record({}, f"vouches for nothing: {found[0]}", found[0].fix)
    try:
        st = path.stat()
    except (OSError, ValueError):
        return _Record({})
    key = str(path)
    stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
    cached = _STORE_CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    record = _read_record()
    _STORE_CACHE[key] = (stamp, record)
    return record


def load_store() -> dict[str, Any]:
    """The trusted files, ``{real path: {"trusted_at": ..., "routing": {...}, "items": {...}}}``; empty
    when the record vouches for nothing."""
    return _load().files


def clear_cache() -> None:
    """Forget the record read so far, and the verdicts worked out from it."""
    _STORE_CACHE.clear()
    _ASSESSED.clear()


@dataclass(frozen=True)
class RecordState:
    """What ``doctor`` says of the record: ``ok``, ``permissions`` or ``unreadable``."""

    state: Literal["ok", "permissions", "unreadable"]
    message: str
    fix: str | None = None


def record_state() -> RecordState:
    """The state of the trust record, for ``doctor``."""
    path = store_path()
    found = _record_problems()
    if found:
        return RecordState("permissions", f"{found[0]}, so it vouches for no project file", found[0].fix)
    record = _read_record()
    if record.problem is not None:
        return RecordState(
            "unreadable", f"{path} {record.problem}, so it vouches for no project file", record.fix
        )
    return RecordState("ok", f"{path}: {len(record.files)} file(s) trusted")


def _update(change: Callable[[dict[str, Any]], T]) -> T:
    """Read the record, ``change`` its entries in place and write it back, all under one lock, so that
    commands at the same time never lose each other's changes. A record that does not parse is moved
    aside first, and a warning says where."""

    path = store_path()
    found = _record_problems()
    if found:
        raise ConfigError(
            f"the trust record cannot be used: {found[0].problem}, so others could make it vouch for "
            "their files",
            path=found[0].path,
            hint=found[0].fix,
        )
    with locked(path):
        record = _read_record()
        if record.problem is not None and not record.corrupt:
            raise ConfigError(f"the trust record {record.problem}", path=path, hint=record.fix)
        if record.corrupt:
            aside = path.with_name(f"{path.name}.corrupt-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}")
            os.replace(path, aside)
            warnings.warn(
                ProfileWarning(
                    f"the trust record {path} {record.problem}; it was moved aside to {aside}, and "
                    "files trusted before must be trusted again"
                ),
                stacklevel=3,
            )
        files = dict(record.files)
        result = change(files)
        text = json.dumps({"version": 2, "files": files}, indent=2, sort_keys=True) + "\n"
        write_atomic(path, text, private=True)
    clear_cache()
    return result


def _remember(history: Any, digest: str) -> list[str]:
    """``history`` with ``digest`` as its newest version, at most :data:`VERSIONS` long."""
    kept = [d for d in history if isinstance(d, str) and d != digest] if isinstance(history, list) else []
    return [*kept, digest][-VERSIONS:]


def _trusted_items(entry: Mapping[str, Any]) -> dict[str, list[str]]:
    """The trusted fingerprints of each item; a record of the first version (one routing table for the
    whole file) gives one version of each item it has facts for."""
    found = entry.get("items")
    if isinstance(found, dict):
        return {k: [d for d in v if isinstance(d, str)] for k, v in found.items() if isinstance(v, list)}
    routing = entry.get("routing")
    if not isinstance(routing, dict):
        return {}
    return {item: [_fingerprint(facts)] for item, facts in _group(routing).items()}


def boundary_of(path: Path, kind: FileKind) -> Path:
    """The highest folder whose permissions matter for a profile file: for the user file, the home folder
    (a folder in between that others can write lets them replace it); else the file's own folder."""
    if kind == "user":
        home = Path.home()
        return home if path.is_relative_to(home) else path.parent
    return path.parent


def assess(pf: ProfileFile, kind: FileKind, *, store: Mapping[str, Any] | None = None) -> FileTrust:
    """The trust of one file that was read: its permissions first, then whose file it is, then (for a
    project file) the record, profile by profile."""
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
    command = f"milvus-profiles trust {_shown(pf.path)}"
    record = _load() if store is None else _Record(dict(store))
    if record.problem is not None:
        return FileTrust(pf.path, kind, False, f"the trust record {record.problem}", fix=record.fix)
    entry = record.files.get(_real(pf.path))
    if not isinstance(entry, dict) or "content" in entry:
        return FileTrust(
            pf.path,
            kind,
            False,
            "a project file you have not trusted yet (one you wrote, or a cloned repository's)",
            fix=f"read it, then run `{command}`",
        )
    when = str(entry.get("trusted_at", "?"))
    recorded = entry.get("routing")
    cached = _ASSESSED.get(pf.path)
    if cached is not None and cached[0] is pf and cached[1] is entry and cached[3] == _stamps(cached[2]):
        lapsed = cached[4]
    else:
        tls = _tls_paths(pf)
        stamps = _stamps(tls)
        current = _group(routing_facts(pf.data, pf.path))
        before = _group(recorded if isinstance(recorded, dict) else {})
        history = _trusted_items(entry)
        lapsed = {}
        items = _items(pf.data)
        for item, digest in _fingerprints(pf.data, current).items():
            # a profile that sets nothing of a route (a database, a timeout) has nothing to trust
            if current.get(item) and digest not in history.get(item, ()):
                changes = _changes(before.get(item, {}), current.get(item, {}), pf.data, items[item], item)
                lapsed[item] = tuple(changes)
        _ASSESSED[pf.path] = (pf, entry, tls, stamps, lapsed)
    if not lapsed:
        return FileTrust(pf.path, kind, True, f"trusted on {when}", trusted_at=when)
    changed = tuple(c for item in lapsed.values() for c in item)
    return FileTrust(
        pf.path,
        kind,
        False,
        _lapse_why(changed),
        fix=f"review the change (`git diff ORIG_HEAD -- {_shown(pf.path)}`), then run `{command}` again",
        changed=changed,
        lapsed=tuple(lapsed.items()),
        trusted_at=when,
    )


def _changes(
    before: Mapping[str, str], after: Mapping[str, str], data: Mapping[str, Any], name: str | None, item: str
) -> list[str]:
    """What changed in one item, named by key; the new value of a ``uri`` (redacted), ``extends`` or
    ``default`` is shown, never a secret or a file's content."""
    profiles = data.get("profiles")
    table = profiles.get(name) if isinstance(profiles, dict) and name is not None else None
    shown: dict[str, str] = {}
    if name is None and isinstance(data.get("default"), str):
        shown[DEFAULT_ITEM] = data["default"]
    if isinstance(table, dict):
        for key in ("uri", "extends"):
            if isinstance(table.get(key), str):
                value = table[key]
                shown[key_name(("profiles", name or "", key))] = redact(value) if key == "uri" else value
    changed = []
    for key in sorted(set(before) | set(after)):
        now = f" (now {shown[key]})" if key in shown else ""
        if key.endswith(CONTENT):
            named = key.removesuffix(CONTENT)
            if key in after and before.get(key) != after[key] and before.get(named) == after.get(named):
                changed.append(f"the file of {named} changed")
        elif key not in before:
            changed.append(f"{key} added{now}")
        elif key not in after:
            changed.append(f"{key} removed")
        elif before[key] != after[key]:
            changed.append(f"{key} changed{now}")
    if not changed:
        changed = [f"{item} added" if not before else f"{item}: the record of it is unreadable"]
    return changed


def _shown(path: Path) -> str:
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


def _entry(
    data: Mapping[str, Any], path: Path, old: Mapping[str, Any] | None, items: Iterable[str]
) -> dict[str, Any]:
    """The record of ``data`` trusted, for ``items`` of it, over the ``old`` record of the file."""
    facts = _group(routing_facts(data, path))
    prints = _fingerprints(data, facts)
    history = _trusted_items(old) if old is not None else {}
    routing = old.get("routing") if old is not None else None
    grouped = _group(routing if isinstance(routing, dict) else {})
    for item in items:
        history[item] = _remember(history.get(item), prints[item])
        grouped[item] = facts.get(item, {})
    flat = {k: v for group in grouped.values() for k, v in group.items()}
    return {"trusted_at": _now(), "routing": flat, "items": history}


def trust(pf: ProfileFile) -> list[PermissionProblem]:
    """Record ``pf`` as trusted with its current routing keys (earlier trusted versions stay trusted);
    returns the permission problems that forbid it instead (nothing is recorded then).

    Raises:
        ConfigError: The trust record cannot be used (others can change it, it is not a file).
    """
    found = problems(pf.path)
    if found:
        return found

    def change(files: dict[str, Any]) -> None:
        key = _real(pf.path)
        old = files.get(key)
        old = old if isinstance(old, dict) and "content" not in old else None
        files[key] = _entry(pf.data, pf.path, old, _items(pf.data))

    _update(change)
    return []


def carry_over(path: Path, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Keep a trust across an edit made with this package: a project file the edit created (``before`` is
    None) is recorded as trusted as written; in a trusted file, each profile (and the ``default``) that
    was trusted as it was read, or that the edit added, is trusted as written. Anything else stays as it
    was: editing a file you did not trust does not trust the rest of it."""
    if path.absolute() == user_file().absolute():
        return
    if before is not None and problems(path):
        return
    if _record_problems():
        return

    def change(files: dict[str, Any]) -> None:
        key = _real(path)
        entry = files.get(key)
        if before is None:
            files[key] = _entry(after, path, None, _items(after))
            return
        if not isinstance(entry, dict) or "content" in entry:
            return
        history = _trusted_items(entry)
        old = _fingerprints(before, _group(routing_facts(before, path)))
        keep = [item for item in _items(after) if item not in old or old[item] in history.get(item, ())]
        files[key] = _entry(after, path, entry, keep)

    with contextlib.suppress(ConfigError):  # the edit is written; a record that cannot be used stays
        _update(change)


def untrust(path: Path) -> bool:
    """Forget the trust of ``path`` (a profile file, or content trusted with :func:`trust_content`);
    False when it was not trusted."""

    def change(files: dict[str, Any]) -> bool:
        return files.pop(_real(path), None) is not None

    return _update(change)


def trust_content(path: Path, data: bytes) -> list[PermissionProblem]:
    """Record ``data``, the content of ``path`` (such as a project's ``.env``), as trusted; earlier
    trusted contents stay trusted. Returns the permission problems that forbid it instead."""
    found = problems(path)
    if found:
        return found

    def change(files: dict[str, Any]) -> None:
        key = _real(path)
        old = files.get(key)
        history = old.get("content") if isinstance(old, dict) else None
        files[key] = {"trusted_at": _now(), "content": _remember(history, _digest(data))}

    _update(change)
    return []


def content_trust(path: Path, data: bytes) -> FileTrust:
    """Whether ``data``, read from ``path``, is content you trusted with :func:`trust_content`."""
    command = f"milvus-profiles trust {_shown(path)}"
    found = problems(path)
    if found:
        return FileTrust(
            path, "project", False, f"{found[0].problem}, so others could change it", fix=found[0].fix
        )
    record = _load()
    if record.problem is not None:
        return FileTrust(path, "project", False, f"the trust record {record.problem}", fix=record.fix)
    entry = record.files.get(_real(path))
    history = entry.get("content") if isinstance(entry, dict) else None
    if not isinstance(history, list):
        return FileTrust(
            path,
            "project",
            False,
            "a project file you have not trusted yet (one you wrote, or a cloned repository's)",
            fix=f"read it, then run `{command}`",
        )
    if _digest(data) not in history:
        return FileTrust(
            path,
            "project",
            False,
            "changed since you trusted it",
            fix=f"review the change (`git diff ORIG_HEAD -- {_shown(path)}`), then run `{command}` again",
        )
    when = str(entry.get("trusted_at", "?")) if isinstance(entry, dict) else "?"
    return FileTrust(path, "project", True, f"trusted on {when}", trusted_at=when)


def trusted_files() -> Iterator[tuple[Path, str]]:
    """Every trusted file in the record, with the time it was trusted."""
    for path, entry in sorted(load_store().items()):
        when = entry.get("trusted_at", "?") if isinstance(entry, dict) else "?"
        yield Path(path), str(when)
