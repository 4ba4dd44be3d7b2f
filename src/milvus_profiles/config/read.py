"""Reading a file someone named, in bounded time and memory: every file the package reads is a regular file
up to a size limit; a FIFO, a device, a socket or a folder is refused before a byte is read."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ConfigError

TLS_FILE_LIMIT = 1024 * 1024  # certificates and keys take a few KB; a bundle of every public CA ~250 KB

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_NOCTTY", 0)  # a terminal device must not become the controlling terminal
    | getattr(os, "O_BINARY", 0)
)

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """Why a path cannot be read as a file; callers add who named the path and raise a ``ConfigError``."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        self.reason, self.too_large = reason, too_large
        super().__init__(reason)


def read_limited(path: Path, *, limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit``, else ``UnreadableFile`` (``is a FIFO
    (named pipe), not a {what}``); nothing there is a ``FileNotFoundError``, which callers word.

    Examples:
        >>> read_limited(Path("/dev/zero"), limit=2**20, what="certificate file")
        Traceback (most recent call last):
        milvus_profiles.config.read.UnreadableFile: is a character device, not a certificate file
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except ValueError:  # os functions raise ValueError for a path no file can have
        raise UnreadableFile(f"cannot read the {what}: the path contains a NUL character") from None
    except OSError as e:  # a socket cannot be opened at all (ENXIO), nor a folder on Windows
        kind = _kind(path)
        raise UnreadableFile(
            f"is {kind}, not a {what}" if kind else f"cannot read the {what}: {e.strerror or e}"
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(f"is {_kind(path, st.st_mode) or 'a special file'}, not a {what}")
        if st.st_size > limit:
            too_large = f"is {_size(st.st_size)}, too large for a {what} (the limit is {_size(limit)})"
            raise UnreadableFile(too_large, too_large=True)
        with open(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise UnreadableFile(f"cannot read the {what}: {e.strerror or e}") from None
    finally:
        os.close(fd)
    if len(data) > limit:  # a file that grows while it is read (procfs, say)
        raise UnreadableFile(f"gives more than {_size(limit)}, too large for a {what}", too_large=True)
    return data


def _kind(path: Path, mode: int | None = None) -> str | None:
    try:
        mode = os.stat(path).st_mode if mode is None else mode
    except (OSError, ValueError):
        return None
    return next((k for is_kind, k in _KINDS if is_kind(mode)), None)


def _size(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:.{1 if n % 2**20 else 0}f} MB"
    return f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


def read_tls_file(path: str, *, key: str, origin: str) -> bytes:
    """The bytes of a TLS certificate or key, or a ``ConfigError`` naming the ``key`` and ``origin`` of it."""
    where = f"{key} ({origin})" if origin else key
    hint = "point it at the PEM file; a relative path in a profile file is relative to that file's folder"
    try:
        return read_limited(Path(path), limit=TLS_FILE_LIMIT, what="certificate or key file")
    except (FileNotFoundError, UnreadableFile) as e:
        why = e.reason if isinstance(e, UnreadableFile) else "does not exist"
        raise ConfigError(f"{where}: {path} {why}", hint=hint) from None
