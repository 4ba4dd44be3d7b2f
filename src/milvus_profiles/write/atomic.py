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
from .locks import TEMP_SUFFIX, locked, temp_prefix


def write_atomic(path: Path, text: str, *, private: bool = False) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part.

    A temporary file in the same folder is written, flushed and fsynced, then moved over ``path`` with
    ``os.replace``. An existing file keeps its mode (a symlink is followed, so the link stays); a new
    file gets mode 0600 when ``private`` (and a new folder 0700), else what the umask gives.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path.absolute()
    folder = target.parent
    try:
        _make_folder(folder, private)
        mode = _mode_for(target, private)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=temp_prefix(target), suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            os.chmod(temp, mode)
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


def _mode_for(target: Path, private: bool) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        pass
    if private:
        return 0o600
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


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
