"""Profile files others can change, or read: refused for connecting, warned about, and repaired.

Whoever can write a profile file can point its profiles at a server of their own, and the next
``connect()`` would send that server the stored password. So a profile file that is writable by group or
others is refused by :func:`milvus_profiles.connect` and ``milvus-profiles test``, with the ``chmod``
command that fixes it; a user file readable by others gets a warning; ``milvus-profiles doctor --fix``
repairs both. Windows has no such mode bits; there the checks do nothing.
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigError
from .discovery import user_file

CHECKED = os.name != "nt"


def assess(modes: Iterable[tuple[Path, int]]) -> tuple[ConfigError | None, str | None]:
    """From the modes of the profile files read: the error that forbids connecting (a file others may
    change), and the warning about a user file others may read."""
    if not CHECKED:
        return None, None
    mine = user_file().absolute()
    error: ConfigError | None = None
    warning: str | None = None
    for path, mode in modes:
        if error is None and mode & (stat.S_IWGRP | stat.S_IWOTH):
            error = ConfigError(
                "the profile file is writable by other users, who could point its profiles at a "
                "server of theirs and receive your password; it is not used to connect",
                path=path,
                hint=f"chmod go-w {shlex.quote(str(path))}  (or `milvus-profiles doctor --fix`)",
            )
        if path.absolute() == mine and mode & (stat.S_IRGRP | stat.S_IROTH):
            warning = (
                f"{path}: the user profile file is readable by other users, who can see your servers "
                f"and user names; fix it with: chmod 600 {shlex.quote(str(path))}"
            )
    return error, warning


def fix_files(paths: Iterable[Path]) -> list[str]:
    """Remove group and other write access from profile files (and all access from the user file);
    returns what was changed, as ``chmod`` commands."""
    changed: list[str] = []
    if not CHECKED:
        return changed
    mine = user_file().absolute()
    for path in paths:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        wanted = mode & ~(stat.S_IWGRP | stat.S_IWOTH)
        if path.absolute() == mine:
            wanted &= ~(stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
        if wanted != mode:
            path.chmod(wanted)
            changed.append(f"chmod {wanted:o} {shlex.quote(str(path))}  (was {mode:o})")
    return changed
