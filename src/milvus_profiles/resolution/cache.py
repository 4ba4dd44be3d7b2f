"""The cache of resolved profiles: a result is reused while every file and folder it looked at and every
environment variable it read are unchanged.

A repeated ``resolve()`` then costs a few ``stat`` calls and dictionary look-ups instead of parsing and
validating again. :func:`clear` empties it; storing or deleting a secret does so too.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
FileStamp = tuple[int, int, int, int, int] | None


def file_stamp(path: str) -> FileStamp:
    """Size, modification time and mode of a path, or None when it does not exist.

    The mode is part of it because a resolved profile knows whether its files are safe to use.
    """
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # ValueError: a NUL in the path
        return None
    return st.st_size, st.st_mtime_ns, st.st_mode, st.st_uid, st.st_gid


@dataclass(frozen=True)
class Snapshot:
    """What a result depended on: the state of some paths and some environment variables."""

    files: tuple[tuple[str, FileStamp], ...]
    env: tuple[tuple[str, str | None], ...]

    @classmethod
    def take(cls, paths: Iterable[Path], env_names: Iterable[str]) -> Snapshot:
        unique = dict.fromkeys(str(p) for p in paths)
        return cls(
            files=tuple((p, file_stamp(p)) for p in unique),
            env=tuple((n, os.environ.get(n)) for n in dict.fromkeys(env_names)),
        )

    def unchanged(self) -> bool:
        get = os.environ.get
        for name, value in self.env:
            if get(name) != value:
                return False
        return all(file_stamp(path) == stamp for path, stamp in self.files)


class Memo(Generic[T]):
    """A cache whose entries are valid while their snapshot is unchanged."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self.entries: dict[Hashable, tuple[Snapshot, T]] = {}

    def recall(self, key: Hashable) -> T | None:
        entry = self.entries.get(key)
        if entry is not None and entry[0].unchanged():
            return entry[1]
        return None

    def remember(self, key: Hashable, snapshot: Snapshot, value: T) -> None:
        if len(self.entries) >= self.limit:
            self.entries.pop(next(iter(self.entries)))
        self.entries[key] = (snapshot, value)

    def clear(self) -> None:
        self.entries.clear()


RESULTS: Memo[Any] = Memo()
"""Resolved profiles of this process; emptied by :func:`clear_cache`, ``save_secret``, ``delete_secret``."""


def clear_cache() -> None:
    """Forget every resolved profile, parsed file, trust record, group lookup and looked-up secret of this
    process, so the next call reads everything again."""
    from ..config import permissions, toml, trust
    from ..secrets import keyring_store, reference

    RESULTS.clear()
    toml.clear_cache()
    trust.clear_cache()
    permissions.clear_cache()
    keyring_store.clear_cache()
    reference.clear_cache()
