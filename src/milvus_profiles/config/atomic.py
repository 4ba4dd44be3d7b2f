"""Writing files so that readers see the old file or the new one, never a part of either."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError
from .locks import TEMP_SUFFIX, destination, locked, temp_prefix


def write_atomic(path: Path, text: str, *, private: bool = False) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part.

    A temporary file in the same folder is written, flushed and fsynced, then moved over ``path`` with
    ``os.replace``. An existing file keeps its mode and owner (a symlink is followed, so the link stays,
    unless it leads out of the file's folder: see `destination`); a read-only file is refused. A new
    file gets mode 0600 when ``private`` (and a new folder 0700), else 0644, whatever the umask: a
    profile file others could change would not be trusted with a secret.
    """
    real = destination(path)
    target = real if path.is_symlink() else path.absolute()
    folder = target.parent
    try:
        _make_folder(folder, private)
        existing = _existing(target)
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else (0o600 if private else 0o644)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=temp_prefix(target), suffix=TEMP_SUFFIX)
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
        _fsync_folder(folder)
    except OSError as e:
        full = e.errno in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))
        raise ConfigError(
            f"cannot write the file: {e.strerror or e}",
            path=target,
            hint="free some disk space and run the command again; the file is unchanged"
            if full
            else f"check that {folder} exists and is writable",
        ) from None


def _existing(target: Path) -> os.stat_result | None:
    """The stat of the file about to be replaced; a read-only file is refused, not silently replaced."""
    try:
        st = target.stat()
    except FileNotFoundError:
        return None
    if not os.access(target, os.W_OK) or not st.st_mode & stat.S_IWUSR:
        raise ConfigError(
            "the file is read-only; it is left as it is",
            path=target,
            hint=f"make it writable first (chmod u+w {target}), or edit a file that is yours to change",
        )
    return st


def _make_folder(folder: Path, private: bool) -> None:
    if folder.is_dir():
        return
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700 if private else 0o777)
    except FileExistsError:
        if folder.is_dir():  # made meanwhile by another writer
            return
        # a file stands where a folder has to be; "File exists" would not say so
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None
    if private:
        os.chmod(folder, 0o700)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform can open a folder, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def add_line(path: Path, line: str, *, equivalent: Iterable[str] = ()) -> bool:
    """Append ``line`` to a text file (such as ``.gitignore``) unless it, or an equivalent, is there.

    Returns False when nothing had to change.
    """
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
        if text and not text.endswith("\n"):
            text += "\n"
        write_atomic(path, text + line + "\n")
        return True
