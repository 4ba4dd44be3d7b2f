"""Where a write of a path may land, the lock its writers take turns on (reading never waits for it), and
the names of their temporary files."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

from ..errors import ConfigError
from .discovery import user_config_dir

LOCK_TIMEOUT = 30.0
"""Seconds a writer waits for another one to finish with the same file."""


TEMP_SUFFIX = ".tmp"


def temp_prefix(target: Path) -> str:
    """How the temporary file that is about to replace ``target`` is named: ``.milvus.toml.write-``."""
    return f".{target.name}.write-"


def destination(path: Path) -> Path:
    """The real path a write of ``path`` lands on, through any symbolic link; refused when that leaves
    the folder ``path`` is in (the project's, the user's, or that of a ``--file``).

    A cloned repository can ship ``milvus.local.toml`` as a link to another project's trusted file, or to
    a folder of yours: a write through it would change that file, create folders there, or carry a trust
    over to it. A link that stays inside (``milvus.local.toml -> config/local.toml``) is followed. Every
    write (the file, its folders, its mode, the temporary files of killed writers) goes through here.

    Raises:
        ConfigError: The real path is outside the folder; it names the link and where it leads.
    """
    path = path.absolute()
    root = Path(os.path.realpath(path.parent))
    real = Path(os.path.realpath(path))
    if real.is_relative_to(root):
        return real
    try:
        link = os.readlink(path)
    except OSError:  # not a link: ``path`` ends in ``..``
        link = None
    leads = f"is a symbolic link to {link}" if link is not None else "leads"
    if link != str(real):
        leads += f"{',' if link is not None else ''} which leads to {real}"
    raise ConfigError(
        f"{leads}, outside {root}; nothing is written through it",
        path=path,
        hint=f"remove the link if it is not yours; to change {real}, name it: "
        f"--file {shlex.quote(str(real))}",
    )


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
    """Hold the write lock of ``path`` while its current text is read, changed and written back, so
    writers never lose each other's changes; with it held no other writer is midway, so the temporary
    files of killed writers are removed. An OS lock (``flock``, ``LockFileEx``), released when its process
    dies; not reentrant.

    Example:
        >>> from milvus_profiles.write.editor import ProfileEditor
        >>> path = Path("milvus.toml")
        >>> with locked(path):
        ...     editor = ProfileEditor.open(path)
        ...     editor.set_default("dev")
        ...     editor.save()
    """
    import filelock

    real = destination(path)
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
        remove_leftovers(real)
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
