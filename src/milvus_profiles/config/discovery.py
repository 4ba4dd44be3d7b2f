"""Which profile files a process reads: the project's files found from the working folder up, the user's
file in the user config folder, or the files named explicitly. Every path is made absolute here, once."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import platformdirs

from ..errors import ConfigError
from ..fields import FILES_ENV

PROJECT_FILE = "milvus.toml"
LOCAL_FILE = "milvus.local.toml"
USER_FILE = "profiles.toml"
APP_NAME = "milvus-profiles"


def user_config_dir() -> Path:
    """The user-level folder of milvus-profiles (on Linux ``$XDG_CONFIG_HOME/milvus-profiles``)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))


def user_state_dir() -> Path:
    """Where it keeps the files you trusted (on Linux ``$XDG_STATE_HOME/milvus-profiles``)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False, roaming=True))


def user_file() -> Path:
    """The user-level profile file."""
    return user_config_dir() / USER_FILE


def find_project_dir(start: Path | None = None) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``milvus.toml``, up to a ``.git`` or the root."""
    try:
        folder = (Path.cwd() if start is None else start).absolute()
    except FileNotFoundError:
        raise ConfigError(
            "the working folder no longer exists, so no milvus.toml can be looked for above it",
            hint=f"change to an existing folder, or name the file with --file or {FILES_ENV}",
        ) from None
    for at in (folder, *folder.parents):
        if os.path.lexists(at / PROJECT_FILE):  # a broken symlink is reported when read, not skipped
            return at
        if (at / ".git").exists():
            return None
    return None


def discover(
    files: Sequence[str | os.PathLike[str]] | None = None, *, environ: Mapping[str, str] | None = None
) -> tuple[list[Path], bool]:
    """The profile files to read, highest first, as absolute paths, and whether they were named explicitly
    (``files``, ``MILVUS_PROFILES_FILE``: they must exist) rather than discovered."""
    env = os.environ if environ is None else environ
    if files is not None:
        return [_absolute(Path(f)) for f in files], True
    if named := env.get(FILES_ENV, ""):
        return [_absolute(Path(p)) for p in named.split(os.pathsep) if p], True
    project = find_project_dir()
    found = [] if project is None else [project / LOCAL_FILE, project / PROJECT_FILE]
    return [*found, user_file().absolute()], False


def _absolute(path: Path) -> Path:
    try:
        return path.expanduser().absolute()
    except (RuntimeError, FileNotFoundError):  # ~unknownuser, or a working folder that is gone
        return path
