"""Which profile files are trusted with secrets: yours (the user file, files you name), and project files
you trusted (``milvus-profiles trust``, as ``direnv allow``) per profile, by digests of what decides where
a secret goes, the last :data:`VERSIONS` of each; a ``.env`` for its exact bytes. Never a file others can
change, nor on a record (``trusted.json``, read afresh, changed under one lock) that others can change."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from ..errors import ConfigError, ProfileWarning
from ..fields import TLS_PATH_KEYS
from ..uri import redact
from .discovery import user_file, user_state_dir
from .locks import locked, write_atomic
from .permissions import PermissionProblem, problems
from .read import UnreadableFile, read_limited
from .toml import ProfileFile, key_name

STORE_LIMIT = 4 * 1024 * 1024  # the largest record read; thousands of files take a few hundred kilobytes
VERSIONS = 20  # trusted versions of each profile (or content) remembered
ROUTING_KEYS = ("uri", "user", "extends", "password", "token")  # and every key of ROUTING_TABLES
ROUTING_TABLES = ("tls", "grpc")
CONTENT = " (content)"  # ends the fact of a TLS file's bytes: ``profiles.dev.tls.ca_pem_path (content)``
NOT_YET = "a project file you have not trusted yet (one you wrote, or a cloned repository's)"
LAPSED = "changed since you trusted it"

FileKind = Literal["user", "named", "project"]
# the digests of each item of a file (``default``, ``profiles.NAME``), by key
Facts = dict[str, dict[str, str]]


@dataclass(frozen=True)
class FileTrust:
    """Whether one profile file is trusted with secrets, and why; :meth:`for_profile` for some profiles."""

    path: Path
    kind: FileKind
    trusted: bool
    why: str
    fix: str | None = None
    lapsed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The items whose trust lapsed, each with what changed; empty when the verdict is the whole file's."""
    trusted_at: str | None = None

    def for_profile(self, *names: str | None, default: bool = False) -> FileTrust:
        """The verdict for profiles ``names`` (and the file's ``default``): trusted unless one changed."""
        if self.trusted or not self.lapsed:
            return self
        items = [key_name(("profiles", n)) for n in names if n is not None] + (["default"] if default else [])
        lapsed = dict(self.lapsed)
        return self._lapsed(tuple((item, lapsed[item]) for item in dict.fromkeys(items) if item in lapsed))

    def _lapsed(self, lapsed: tuple[tuple[str, tuple[str, ...]], ...]) -> FileTrust:
        """The verdict of a file once trusted, given the items whose trust lapsed since (none: trusted)."""
        if not lapsed:
            return replace(self, trusted=True, why=f"trusted on {self.trusted_at}", fix=None, lapsed=())
        why = f"{LAPSED}: " + ", ".join(change for _, changes in lapsed for change in changes)
        return replace(self, trusted=False, why=why, lapsed=lapsed)


def tls_file(value: str, profile_file: Path) -> Path:
    """The TLS file a ``tls.*_path`` value names, relative to the real folder of the profile file (so a
    symlinked ``milvus.toml`` uses the certificates its trust covers); RuntimeError: unknown ``~user``."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(os.path.realpath(profile_file)).parent / path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _content_fact(value: Any, profile_file: Path) -> str:
    """A digest of the bytes of the TLS file ``value`` names, or why there are none."""
    if not isinstance(value, str):
        return "unknown"
    if "${" in value:
        return "expanded"  # the environment's choice, not the file's
    try:
        return _digest(read_limited(tls_file(value, profile_file), limit=STORE_LIMIT, what="TLS file"))
    except FileNotFoundError:
        return "missing"
    except (UnreadableFile, RuntimeError, ValueError, OSError) as e:
        return "unreadable" + (f": {e.reason}" if isinstance(e, UnreadableFile) else "")


def _facts(data: Mapping[str, Any], profile_file: Path, shown: dict[str, str] | None = None) -> Facts:
    """The digests of what decides where each item's secret goes, TLS files' bytes included; ``shown`` gets
    the values a change may name (``default``, ``extends``, each ``uri`` redacted), never a secret."""
    facts: Facts = {"default": {}} if "default" in data else {}

    def add(value: Any, *key: str) -> None:
        text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
        facts[key_name(key[:2])][key_name(key)] = _digest(text.encode("utf-8"))
        named = len(key) in (1, 3) and key[-1] in ("default", "uri", "extends")
        if shown is not None and named and isinstance(value, str):
            shown[key_name(key)] = redact(value) if key[-1] == "uri" else value

    if "default" in data:
        add(data["default"], "default")
    profiles = data.get("profiles")
    for name, table in profiles.items() if isinstance(profiles, dict) else ():
        item = ("profiles", str(name))
        facts[key_name(item)] = {}
        if not isinstance(table, dict):
            add(table, *item)
            continue
        for key, value in table.items():
            if key in ROUTING_TABLES and isinstance(value, dict):
                for sub, inner in value.items():
                    add(inner, *item, key, str(sub))
                    if key == "tls" and sub in TLS_PATH_KEYS:
                        content = key_name((*item, key, str(sub))) + CONTENT
                        facts[key_name(item)][content] = _content_fact(inner, profile_file)
            elif key in ROUTING_KEYS or key in ROUTING_TABLES:
                add(value, *item, key)
    return facts


def _group(entry: Mapping[str, Any]) -> Facts:
    """An entry's recorded facts by item: ``profiles."a.b".tls.secure`` belongs to ``profiles."a.b"``."""
    grouped: Facts = {}
    routing = entry.get("routing")
    for key, value in routing.items() if isinstance(routing, dict) else ():
        rest = key.removeprefix("profiles.")
        item = key if rest == key else "profiles." + rest.split(".", 1)[0]
        if rest.startswith('"'):
            with contextlib.suppress(ValueError):
                item = "profiles." + rest[: json.JSONDecoder().raw_decode(rest)[1]]
        grouped.setdefault(item, {})[key] = value
    return grouped


def _fingerprint(facts: Mapping[str, str]) -> str:
    return _digest(json.dumps(facts, sort_keys=True).encode("utf-8"))


def store_path() -> Path:
    """The record of trusted files."""
    return user_state_dir() / "trusted.json"


@dataclass(frozen=True)
class _Record:
    """The record as read: its entries, or why it vouches for nothing (``corrupt``: to be moved aside)."""

    files: dict[str, Any]
    problem: str | None = None
    fix: str | None = None
    corrupt: bool = False
    shared: PermissionProblem | None = None


def _read() -> _Record:
    """The record, read afresh each time; one others can change (the file if it exists, else the folder it
    would be made in) is empty."""
    path = at = store_path()
    while not os.path.lexists(at) and at != at.parent:
        at = at.parent
    top = boundary_of(path, "user")
    if at.is_relative_to(top) and (found := problems(at, boundary=top)):
        folder = found[0].problem.replace("the file is", "the folder is")
        shared = found[0] if at == path else replace(found[0], problem=folder)
        return _Record({}, f"vouches for nothing: {shared}", shared.fix, shared=shared)
    fix = "run `milvus-profiles trust` on a file you trust to write a new record (good entries are kept)"
    try:
        data = json.loads(read_limited(path, limit=STORE_LIMIT, what="trust record").decode("utf-8"))
    except FileNotFoundError:
        return _Record({})
    except UnreadableFile as e:
        if e.too_large:
            return _Record({}, e.reason, fix, corrupt=True)
        return _Record({}, e.reason, f"remove it (rm {shlex.quote(str(path))}), then trust your files again")
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past what Python parses
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return _Record({}, "cannot be parsed as a trust record", fix, corrupt=True)
    # an entry: the trusted versions of a file's items (or, as first recorded, its routing) or content
    kinds = (("items", dict), ("routing", dict), ("content", list))
    files = {k: v for k, v in data["files"].items() if isinstance(v, dict)}
    return _Record({k: v for k, v in files.items() if any(isinstance(v.get(n), t) for n, t in kinds)})


RecordState = Literal["ok", "permissions", "unreadable"]


def record_state() -> tuple[RecordState, str, str | None]:
    """The trust record's state for ``doctor`` (``ok``, ``permissions`` or ``unreadable``), words and fix."""
    path, record = store_path(), _read()
    if record.problem is None:
        return "ok", f"{path}: {len(record.files)} file(s) trusted", None
    what = record.shared or f"{path} {record.problem}"
    state: RecordState = "permissions" if record.shared else "unreadable"
    return state, f"{what}, so it vouches for no project file", record.fix


def _update(path: Path, change: Callable[[dict[str, Any] | None], dict[str, Any] | None]) -> bool:
    """Replace the entry of ``path`` by what ``change`` makes of it (a new one stamped with the time it was
    made), under one lock; True if there was one."""
    store = store_path()
    with locked(store):
        record, now = _read(), datetime.now(timezone.utc)
        if record.shared is not None:
            why = f"the trust record cannot be used: {record.shared.problem}, so others could make it"
            raise ConfigError(f"{why} vouch for their files", path=record.shared.path, hint=record.fix)
        if record.problem is not None and not record.corrupt:
            raise ConfigError(f"the trust record {record.problem}", path=store, hint=record.fix)
        if record.corrupt:
            aside = store.with_name(f"{store.name}.corrupt-{now:%Y%m%dT%H%M%S%fZ}")
            os.replace(store, aside)
            message = f"the trust record {store} {record.problem}; it was moved aside to {aside}, and files"
            warnings.warn(ProfileWarning(f"{message} trusted before must be trusted again"), stacklevel=3)
        files, key = dict(record.files), os.path.realpath(path)
        old = files.pop(key, None)
        if (new := change(old)) is not None:  # an entry given back as it was keeps the time it was trusted
            files[key] = new if new is old else {**new, "trusted_at": f"{now:%Y-%m-%d %H:%M UTC}"}
        text = json.dumps({"version": 2, "files": files}, indent=2, sort_keys=True)
        write_atomic(store, text + "\n", private=True)
    return old is not None


def _remember(history: Any, digest: str) -> list[str]:
    kept = [d for d in history if isinstance(d, str) and d != digest] if isinstance(history, list) else []
    return [*kept, digest][-VERSIONS:]


def _trusted_items(entry: Mapping[str, Any]) -> dict[str, list[str]]:
    """The trusted fingerprints of each item (of the first version's one routing table: one version each)."""
    if isinstance(found := entry.get("items"), dict):
        return {k: [d for d in v if isinstance(d, str)] for k, v in found.items() if isinstance(v, list)}
    return {item: [_fingerprint(facts)] for item, facts in _group(entry).items()}


def boundary_of(path: Path, kind: FileKind) -> Path:
    """The highest folder whose permissions matter: home for the user file, else the file's own folder."""
    return Path.home() if kind == "user" and path.is_relative_to(Path.home()) else path.parent


def _verdict(path: Path, kind: FileKind, content: bool = False) -> tuple[dict[str, Any] | None, FileTrust]:
    """A file's verdict (permissions, whose file, the record), or its entry and the verdict once lapsed."""
    found = problems(path, boundary=boundary_of(path, kind))
    if found:
        why = f"{found[0].problem}, so whoever can change it could send your secret elsewhere"
        return None, FileTrust(path, kind, False, why, found[0].fix)
    if kind != "project":
        why = "your user file" if kind == "user" else "named with --file, files= or MILVUS_PROFILES_FILE"
        return None, FileTrust(path, kind, True, why)
    shown = path
    with contextlib.suppress(ValueError, OSError):
        shown = path.relative_to(Path.cwd())
    quoted = shlex.quote(str(shown))
    command = f"milvus-profiles trust {quoted}"
    record = _read()
    if record.problem is not None:
        return None, FileTrust(path, kind, False, f"the trust record {record.problem}", record.fix)
    entry = record.files.get(os.path.realpath(path))  # a dict: _read keeps nothing else
    if entry is None or (not isinstance(entry.get("content"), list) if content else "content" in entry):
        return None, FileTrust(path, kind, False, NOT_YET, f"read it, then run `{command}`")
    again = f"review the change (`git diff ORIG_HEAD -- {quoted}`), then run `{command}` again"
    return entry, FileTrust(path, kind, False, LAPSED, again, trusted_at=str(entry.get("trusted_at", "?")))


def assess(pf: ProfileFile, kind: FileKind) -> FileTrust:
    """The trust of one file that was read (see :func:`_verdict`), profile by profile."""
    entry, verdict = _verdict(pf.path, kind)
    if entry is None:
        return verdict
    before, history, shown = _group(entry), _trusted_items(entry), dict[str, str]()
    lapsed = {
        item: _changes(before.get(item, {}), facts, shown, item)
        for item, facts in _facts(pf.data, pf.path, shown).items()
        # a profile that sets nothing of a route (a database, a timeout) has nothing to trust
        if facts and _fingerprint(facts) not in history.get(item, ())
    }
    return verdict._lapsed(tuple(lapsed.items()))


def _changes(
    before: Mapping[str, str], after: Mapping[str, str], shown: Mapping[str, str], item: str
) -> tuple[str, ...]:
    """What changed in one item, named by key, with the new value when ``shown`` has it."""
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
    return tuple(changed or [f"{item} added" if not before else f"{item}: the record of it is unreadable"])


def kind_of(path: Path, explicit: bool) -> FileKind:
    """Whose file ``path`` is: the user's own file, one the user named, or a discovered project file."""
    return "user" if path == user_file().absolute() else "named" if explicit else "project"


def _entry(
    data: Mapping[str, Any], path: Path, old: Mapping[str, Any] | None, keep: Callable[[str, Any], bool]
) -> dict[str, Any]:
    """The record of ``data`` over the file's ``old`` one, for the items ``keep(item, versions)`` says."""
    if old is None or "content" in old:  # a .env's record at this path gives way to a profile file's
        old = {}
    facts, history, grouped = _facts(data, path), _trusted_items(old), _group(old)
    for item in [item for item in facts if keep(item, history)]:
        history[item] = _remember(history.get(item), _fingerprint(facts[item]))
        grouped[item] = facts[item]
    flat = {k: v for group in grouped.values() for k, v in group.items()}
    return {"routing": flat, "items": history}


def trust(pf: ProfileFile) -> list[PermissionProblem]:
    """Record ``pf`` as trusted as it is now (earlier versions stay trusted), or return the permission
    problems that forbid it; a ConfigError when the record cannot be used."""
    if not (found := problems(pf.path)):
        _update(pf.path, lambda old: _entry(pf.data, pf.path, old, lambda *_: True))
    return found


def carry_over(path: Path, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Keep a trust across an edit made here: a file it created, and each item trusted as read or added by
    it, are trusted as written; editing a file you did not trust does not trust the rest. An item is added
    trusted only to a file trusted whole as read: a copy or rename of one you never trusted stays so."""
    if path.absolute() == user_file().absolute() or (before is not None and problems(path)):
        return
    facts = _facts(before or {}, path)
    old = {item: _fingerprint(item_facts) for item, item_facts in facts.items()}

    def change(entry: dict[str, Any] | None) -> dict[str, Any] | None:
        if before is None:
            return _entry(after, path, None, lambda *_: True)
        if entry is None or "content" in entry:
            return entry
        read = _trusted_items(entry)  # an item that sets nothing of a route has nothing to trust (assess)
        whole = all(not facts[i] or old[i] in read.get(i, ()) for i in old)
        return _entry(
            after, path, entry, lambda i, history: old[i] in history.get(i, ()) if i in old else whole
        )

    with contextlib.suppress(ConfigError):  # the edit is written; a record that cannot be used stays
        _update(path, change)


def untrust(path: Path) -> bool:
    """Forget the trust of ``path`` (a profile file or a ``.env``); False when it was not trusted."""
    return _update(path, lambda old: None)


def trust_content(path: Path, data: bytes) -> list[PermissionProblem]:
    """Record ``data``, the content of ``path`` (a project's ``.env``), as trusted, as :func:`trust` does."""
    if not (found := problems(path)):
        _update(path, lambda old: {"content": _remember((old or {}).get("content"), _digest(data))})
    return found


def content_trust(path: Path, data: bytes) -> FileTrust:
    """Whether ``data``, read from ``path``, is content you trusted with :func:`trust_content`."""
    entry, verdict = _verdict(path, "project", content=True)
    return verdict._lapsed(()) if entry is not None and _digest(data) in entry["content"] else verdict


def trusted_files() -> list[tuple[Path, str]]:
    """Every trusted file in the record, with the time it was trusted."""
    return [(Path(path), str(entry.get("trusted_at", "?"))) for path, entry in sorted(_read().files.items())]
