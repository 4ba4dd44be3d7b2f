"""Who else can change a profile file (and so point it at their server): the owner and mode of the file
(symlinks followed) and of each folder above it up to a boundary. Refused: another owner (root aside),
writable by others (a sticky folder such as ``/tmp`` aside), writable by a group other than the owner's
private one. Windows has no such mode bits: there the checks do nothing (``%APPDATA%`` has its ACLs)."""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.platform != "win32":  # Windows has neither
    import grp
    import pwd

CHECKED = os.name != "nt"


@dataclass(frozen=True)
class PermissionProblem:
    """One reason why others could change what a profile file says, and the command that fixes it."""

    path: Path
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def problems(path: Path, *, boundary: Path | None = None) -> list[PermissionProblem]:
    """Why others than you and root could change or swap ``path`` (if any), up to the folder ``boundary``."""
    if not CHECKED:
        return []
    try:
        real = Path(os.path.realpath(path))
        st = real.stat()
    except (OSError, ValueError):
        return []
    found = _check(real, st, folder=False)
    top = Path(os.path.realpath(boundary)) if boundary is not None else real.parent
    for folder in (real.parent, *real.parent.parents):
        try:
            found += _check(folder, folder.stat(), folder=True)
        except OSError:
            break
        if folder == top or not real.parent.is_relative_to(top):
            break
    return found


def _check(path: Path, st: os.stat_result, *, folder: bool) -> list[PermissionProblem]:
    quoted, what, me = shlex.quote(str(path)), "folder" if folder else "file", os.getuid()
    shared = not (folder and st.st_mode & stat.S_ISVTX)  # the sticky bit: others cannot replace yours
    found = []
    if st.st_uid not in (me, 0):
        owner, fix = _name(st.st_uid), f"sudo chown {_name(me)} {quoted}  (or copy it to a file of your own)"
        found.append(PermissionProblem(path, f"is owned by another user ({owner}), who can change it", fix))
    if shared and st.st_mode & stat.S_IWOTH:
        found.append(PermissionProblem(path, f"the {what} is writable by other users", f"chmod o-w {quoted}"))
    if shared and st.st_mode & stat.S_IWGRP and group_has_others(st.st_gid, st.st_uid):
        group = _name(st.st_gid, group=True)
        problem = f"the {what} is writable by its group {group}, which others may be in"
        found.append(PermissionProblem(path, problem, f"chmod g-w {quoted}"))
    return found


def group_has_others(gid: int, owner: int) -> bool:
    """Whether group ``gid`` may have a member other than ``owner``: any group but the owner's private one
    (primary, named after them, listing no one else): who else has a group as theirs is not listed."""
    try:
        group, user = grp.getgrgid(gid), pwd.getpwuid(owner)
    except KeyError:  # a group or an owner this machine cannot name: assume it is shared
        return True
    private = user.pw_gid == gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}
    return not private


def _name(number: int, *, group: bool = False) -> str:
    try:
        return grp.getgrgid(number).gr_name if group else pwd.getpwuid(number).pw_name
    except KeyError:
        return f"{'gid' if group else 'uid'} {number}"


def readable_by_others(path: Path) -> str | None:
    """A warning when the user file (which names your servers and users) can be read by others."""
    with contextlib.suppress(OSError, ValueError):
        if CHECKED and path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH):
            return (
                f"{path}: the user profile file is readable by other users, who can see your servers "
                f"and user names; fix it with: chmod 600 {shlex.quote(str(path))}"
            )
    return None


def fix_files(paths: list[Path], *, private: set[Path]) -> list[str]:
    """Remove group and other write access from ``paths`` (every access, for ``private``); returns the
    ``chmod`` commands run. Folders and owners are reported by ``doctor``, never changed."""
    changed: list[str] = []
    for path in paths if CHECKED else []:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        wanted = mode & ~(0o077 if path in private else 0o022)  # all of group and others', or their write
        if wanted != mode:
            path.chmod(wanted)
            changed.append(f"chmod {wanted:o} {shlex.quote(str(path))}  (was {mode:o})")
    return changed
