"""Every write of a file: where it may land, the lock its writers take turns on (reading never waits for
it), and the replace readers see whole (a temporary file in the same folder, fsync, ``os.replace``)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shlex
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import ConfigError
from .discovery import user_config_dir

LOCK_TIMEOUT = 30.0  # seconds a writer waits for another one to finish with the same file


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.write-"  # then mkstemp's 8 characters and ".tmp"


def destination(path: Path) -> Path:
    """The real path a write of ``path`` lands on; refused when a symbolic link leads out of its folder
    (to another project's trusted file, or a folder of yours). Every write goes through here."""
    path = path.absolute()
    root, real = Path(os.path.realpath(path.parent)), Path(os.path.realpath(path))
    if real.is_relative_to(root):
        return real
    try:
        link: str | None = os.readlink(path)
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
    """The lock file of ``path``: in the user's folder (never the project's), named after its real path."""
    real = os.path.realpath(path)
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:16]
    return user_config_dir() / "locks" / f"{Path(real).name[:64]}.{digest}.lock"


@contextlib.contextmanager
def locked(path: Path, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the write lock of ``path`` (an OS lock, released when its process dies; not reentrant) while
    its text is read, changed and written back; the temporary files of killed writers are removed.

    Examples:
        >>> from milvus_profiles.write.editor import ProfileEditor
        >>> path = Path("milvus.toml")
        >>> with locked(path):
        ...     editor = ProfileEditor.open(path)
        ...     editor.set_default("dev")
        ...     editor.save()
    """
    import filelock

    real, lock_file = destination(path), lock_path(path)
    try:
        lock_file.parent.parent.parent.mkdir(parents=True, exist_ok=True)
        for folder in (lock_file.parent.parent, lock_file.parent):  # the user's config folder, its locks
            folder.mkdir(mode=0o700, exist_ok=True)
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
        leftover = re.compile(re.escape(_temp_prefix(real)) + r"[a-z0-9_]{8}\.tmp")
        with contextlib.suppress(OSError):
            for entry in list(os.scandir(real.parent)):
                if leftover.fullmatch(entry.name):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
        yield
    finally:
        lock.release()


def write_atomic(path: Path, text: str, *, private: bool = False) -> None:
    """Write ``text`` to ``path`` (readers see the old file or the new, never a part); a file keeps its mode
    and owner, a read-only one is refused, a new one is 0600 if ``private`` (its folder 0700) else 0644."""
    real = destination(path)
    target = real if path.is_symlink() else path.absolute()
    folder = target.parent
    try:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir(mode=0o700 if private else 0o777)
            if private:
                os.chmod(folder, 0o700)  # whatever the umask
        except FileExistsError:  # there already, or made meanwhile by another writer; unless it is a file:
            if not folder.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None
        try:
            existing: os.stat_result | None = target.stat()
        except FileNotFoundError:
            existing = None
        if existing is not None and not (os.access(target, os.W_OK) and existing.st_mode & stat.S_IWUSR):
            fix = f"make it writable first (chmod u+w {target}), or edit a file that is yours to change"
            raise ConfigError("the file is read-only; it is left as it is", path=target, hint=fix)
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else (0o600 if private else 0o644)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=_temp_prefix(target), suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(temp, mode)
            if existing is not None and hasattr(os, "chown"):
                with contextlib.suppress(OSError):  # only root can give a file to another user
                    os.chown(temp, existing.st_uid, existing.st_gid)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with contextlib.suppress(OSError):  # the rename made durable, where a folder can be opened
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    except OSError as e:
        fix = f"check that {folder} exists and is writable"
        if e.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
            fix = "free some disk space and run the command again; the file is unchanged"
        raise ConfigError(f"cannot write the file: {e.strerror or e}", path=target, hint=fix) from None


def add_line(path: Path, line: str, *, equivalent: Iterable[str] = ()) -> bool:
    """Append ``line`` to a text file (``.gitignore``) unless it or an equivalent is there; False if not."""
    with locked(path):
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"cannot read the file: {e}", path=path.absolute()) from None
        present = {existing.strip() for existing in text.splitlines()}
        if line in present or present & set(equivalent):
            return False
        write_atomic(path, text + ("\n" if text and not text.endswith("\n") else "") + line + "\n")
        return True
