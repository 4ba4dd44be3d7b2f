"""The lock that writers of one profile file take turns on, and the names of their temporary files.

Only the commands that change files take it; reading never waits for a lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ..config.discovery import user_config_dir
from ..errors import ConfigError

LOCK_TIMEOUT = 30.0
"""Seconds a writer waits for another one to finish with the same file."""


TEMP_SUFFIX = ".tmp"


def temp_prefix(target: Path) -> str:
    """How the temporary file that is about to replace ``target`` is named: ``.milvus.toml.write-``."""
    return f".{target.name}.write-"


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: in the user's folder, named after the real path of the file.

    Lock files stay out of the file's own folder, so a project has none to ignore or commit; every path
    that leads to one file (through a symlink, ``..``) leads to the same lock.
    """
    real = os.path.realpath(path)
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:16]
    return user_config_dir() / "locks" / f"{Path(real).name[:64]}.{digest}.lock"


@contextlib.contextmanager
def locked(path: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the write lock of ``path`` while its current text is read, changed and written back.

    Writers that take turns on the lock never lose each other's changes. With the lock held, no other
    writer of ``path`` is midway, so temporary files that a killed writer left behind are removed. The
    lock is an OS lock (``flock`` or ``LockFileEx``), released by the system when its process dies.
    It is not reentrant.

    Example:
        >>> from milvus_profiles.write.editor import ProfileEditor
        >>> path = Path("milvus.toml")
        >>> with locked(path):
        ...     editor = ProfileEditor.open(path)
        ...     editor.set_default("dev")
        ...     editor.save()
    """
    import filelock

    lock_file = lock_path(path)
    try:
        config = lock_file.parent.parent
        config.parent.mkdir(parents=True, exist_ok=True)
        config.mkdir(mode=0o700, exist_ok=True)
        lock_file.parent.mkdir(mode=0o700, exist_ok=True)
        lock = filelock.FileLock(str(lock_file), timeout=timeout, mode=0o600)
        lock.acquire()
    except filelock.Timeout:
        raise ConfigError(
            f"another milvus-profiles command has been changing this file for {timeout:g} s",
            path=path.absolute(),
            hint="wait until it is done, then run the command again",
        ) from None
    except OSError as e:
        raise ConfigError(
            f"cannot take the write lock {lock_file}: {e.strerror or e}",
            path=path.absolute(),
            hint=f"check that {lock_file.parent} is a folder you can write to",
        ) from None
    try:
        remove_leftovers(Path(os.path.realpath(path)))
        yield
    finally:
        lock.release()


def remove_leftovers(target: Path) -> None:
    """Delete the temporary files that writers of ``target`` killed midway left in its folder."""
    leftover = re.compile(re.escape(temp_prefix(target)) + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if leftover.fullmatch(entry.name):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
