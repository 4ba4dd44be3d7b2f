"""Reading a file someone named, in bounded time and memory: regular files only, up to a size limit.

Every file the package reads goes through :func:`read_limited`: profile files, TLS certificates and keys,
and the files ``import`` reads. A FIFO, a device, a socket or a folder is refused before a byte is read
(a FIFO would block for ever, ``/dev/zero`` would never end), and a file larger than its limit is
refused. The read has no deadline of its own: a file system that hangs on a read hangs the shell, git
and Python's own imports there too, and a thread to walk away from it would buy nothing a user sees.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ConfigError

TLS_FILE_LIMIT = 1024 * 1024
"""TLS certificates and keys are a few kilobytes; a certificate bundle of every public CA is ~250 KB."""

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    | getattr(os, "O_NOCTTY", 0)  # a terminal device must not become the controlling terminal
    | getattr(os, "O_CLOEXEC", 0)
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
        self.reason = reason
        self.too_large = too_large
        super().__init__(reason)


def read_limited(path: Path, *, limit: int, what: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; ``what`` names what it should
    be in a refusal (``UnreadableFile``: ``is a FIFO (named pipe), not a profile file``). Nothing at
    ``path`` is a ``FileNotFoundError``, which callers word themselves.

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
        mb = n / 2**20
        return f"{mb:.0f} MB" if mb.is_integer() else f"{mb:.1f} MB"
    return f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


def read_tls_file(path: str, *, key: str, origin: str) -> bytes:
    """The bytes of a TLS certificate or key, or a ``ConfigError`` naming the ``key`` that gave the path
    and its ``origin`` as an ``Origin`` shows it (``file /abs/milvus.toml:7 [profiles.prod]``).

    Examples:
        >>> read_tls_file("/dev/zero", key="tls.server_pem_path", origin="argument tls=")
        Traceback (most recent call last):
        milvus_profiles.errors.ConfigError: tls.server_pem_path (argument tls=): /dev/zero is a ...
    """
    where = f"{key} ({origin})" if origin else key
    hint = "point it at the PEM file; a relative path in a profile file is relative to that file's folder"
    try:
        return read_limited(Path(path), limit=TLS_FILE_LIMIT, what="certificate or key file")
    except FileNotFoundError:
        raise ConfigError(f"{where}: {path} does not exist", hint=hint) from None
    except UnreadableFile as e:
        raise ConfigError(f"{where}: {path} {e.reason}", hint=hint) from None


__all__ = ["TLS_FILE_LIMIT", "UnreadableFile", "read_limited", "read_tls_file"]
