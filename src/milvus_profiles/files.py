"""Finding and reading profile files, with the line of every key.

Parsed files are cached by path, size and modification time, so a process that resolves profiles again
and again parses each file once. The cache is documented and can be emptied with :func:`clear_cache`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .fields import FILES_ENV

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

PROJECT_FILE = "milvus.toml"
LOCAL_FILE = "milvus.local.toml"
USER_FILE = "profiles.toml"
APP_NAME = "milvus-profiles"

Key = tuple[str, ...]


@dataclass(eq=False)
class ProfileFile:
    """One parsed profile file: its data and the line where each key is set."""

    path: Path
    data: dict[str, Any] = field(repr=False)
    lines: dict[Key, int] = field(repr=False)
    validated: bool = field(default=False, repr=False)

    def line_of(self, *key: str) -> int | None:
        """The line that sets ``key``, or of the nearest enclosing table that is written out."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return None


def key_name(key: tuple[str | int, ...]) -> str:
    """``("profiles", "dev", "tls")`` as it is written in TOML: ``profiles.dev.tls``."""
    parts = []
    for part in key:
        text = str(part)
        bare = text.replace("_", "").replace("-", "").isalnum() and text.isascii()
        parts.append(text if bare else f'"{text}"')
    return ".".join(parts)


def user_config_dir() -> Path:
    """The user-level folder of milvus-profiles (on Linux ``$XDG_CONFIG_HOME/milvus-profiles``)."""
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True))


def user_file() -> Path:
    """The user-level profile file."""
    return user_config_dir() / USER_FILE


def find_project_dir(start: Path | None = None, *, checked: list[Path] | None = None) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``milvus.toml``.

    The search stops at the first folder that contains ``.git`` (the repository root) or at the root.
    ``checked`` collects every path whose existence decided the answer.
    """
    folder = Path.cwd() if start is None else start
    folder = folder.absolute()
    seen: set[Path] = set()
    looked: list[Path] = [] if checked is None else checked
    while folder not in seen:
        seen.add(folder)
        looked.append(folder / PROJECT_FILE)
        if looked[-1].exists():
            return folder
        looked.append(folder / ".git")
        if looked[-1].exists() or folder.parent == folder:
            return None
        folder = folder.parent
    return None


def discover(
    files: Sequence[str | os.PathLike[str]] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    checked: list[Path] | None = None,
) -> tuple[list[Path], bool]:
    """The profile files to read, highest precedence first.

    Returns the paths and whether they were named explicitly (by ``files`` or ``MILVUS_PROFILES_FILE``);
    an explicitly named file must exist, a discovered one may not. ``checked`` collects the paths whose
    existence decided which files these are.
    """
    env = os.environ if environ is None else environ
    if files is not None:
        return [Path(f) for f in files], True
    named = env.get(FILES_ENV, "")
    if named:
        return [Path(p) for p in named.split(os.pathsep) if p], True
    found: list[Path] = []
    project = find_project_dir(cwd, checked=checked)
    if project is not None:
        found += [project / LOCAL_FILE, project / PROJECT_FILE]
    found.append(user_file())
    return found, False


def load_files(paths: Sequence[Path], *, explicit: bool) -> list[ProfileFile]:
    """Read every file that exists (every file, when ``explicit``), highest precedence first."""
    loaded: list[ProfileFile] = []
    for path in paths:
        if not explicit and not path.exists():
            continue
        loaded.append(read_file(path))
    return loaded


_CACHE: dict[Path, tuple[int, int, ProfileFile]] = {}


def clear_cache() -> None:
    """Forget every parsed file, so the next read parses again."""
    _CACHE.clear()


def read_file(path: Path) -> ProfileFile:
    """Parse one profile file, from the cache when its size and modification time are unchanged."""
    path = path.absolute()
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(
            "profile file not found",
            path=path,
            hint=f"create it with `milvus-profiles init`, or fix the path given by --file or {FILES_ENV}",
        ) from None
    except OSError as e:
        raise ConfigError(f"cannot read the profile file: {e.strerror}", path=path) from None
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == st.st_size and cached[1] == st.st_mtime_ns:
        return cached[2]
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ConfigError(
            "is a folder, not a profile file", path=path, hint="rename or remove the folder"
        ) from None
    except OSError as e:
        raise ConfigError(f"cannot read the profile file: {e.strerror}", path=path) from None
    parsed = parse_text(raw, path)
    _CACHE[path] = (st.st_size, st.st_mtime_ns, parsed)
    return parsed


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_text(raw: bytes, path: Path) -> ProfileFile:
    """Parse the bytes of a profile file; errors name the file and line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(
            f"not valid UTF-8 (byte {e.start})",
            path=path,
            line=line,
            hint="save the file as UTF-8",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        match = _TOML_POSITION.search(message)
        error_line = int(match.group(1)) if match else None
        reason = _TOML_POSITION.sub("", message).strip()
        raise ConfigError(
            f"not valid TOML: {reason}",
            path=path,
            line=error_line,
            hint="fix the syntax; `milvus-profiles check` lists every problem",
        ) from None
    except RecursionError:
        raise ConfigError("tables nest too deeply to read", path=path) from None
    return ProfileFile(path=path, data=data, lines=locate_keys(text))


_KEY_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")
_HEADER = re.compile(r"^\s*\[\[?(?P<key>[^\[\]]+)\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(r"""^\s*(?P<key>(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=(?P<rest>.*)$""")
_INLINE_KEY = re.compile(r"""[{,]\s*((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-])+)\s*=""")


def split_key(text: str) -> Key | None:
    """Split a TOML key (``a."b c".d``) into its parts, or None when it is not a plain key."""
    parts: list[str] = []
    pos = 0
    while True:
        m = _KEY_PART.match(text, pos)
        if m is None:
            return None
        a, b, c = m.groups()
        parts.append(a if a is not None else b if b is not None else c)
        pos = m.end()
        if pos == len(text):
            return tuple(parts)
        if text[pos] != ".":
            return None
        pos += 1


def locate_keys(text: str) -> dict[Key, int]:
    """Map every table header and key of a TOML document to its (1-based) line.

    A line scanner rather than a parser: it only has to point people at the right line of a file that
    ``tomllib`` has already accepted.
    """
    lines: dict[Key, int] = {}
    table: Key = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header is not None:
            key = split_key(header.group("key"))
            if key is not None:
                table = key
                lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign is None:
            continue
        key = split_key(assign.group("key"))
        if key is None:
            continue
        full = table + key
        lines.setdefault(full, number)
        rest = assign.group("rest")
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                in_string = quote
        if rest.lstrip().startswith("{"):
            for inner in _INLINE_KEY.finditer(rest):
                sub = split_key(inner.group(1))
                if sub is not None:
                    lines.setdefault(full + sub, number)
    return lines
