"""Reading profile files: bounded reads, TOML parsing with located errors, and the line of every key.

Parsed files are cached by path, size and modification time, so a process that resolves profiles again
and again parses each file once. The cache is documented and can be emptied with :func:`clear_cache`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fields import FILES_ENV

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

MAX_FILE_SIZE = 1024 * 1024
"""Profile files hold a few profiles; anything larger is the wrong file, and is refused before parsing."""


Key = tuple[str, ...]


@dataclass(eq=False)
class ProfileFile:
    """One parsed profile file: its data, and (computed when first asked for) the line of each key."""

    path: Path
    data: dict[str, Any] = field(repr=False)
    text: str = field(repr=False)
    validated: bool = field(default=False, repr=False)

    @functools.cached_property
    def lines(self) -> dict[Key, int]:
        """Every table header and key of the file, and its line."""
        return locate_keys(self.text)

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
        # a quoted key as a TOML basic string: control characters escaped, so a hostile key in a
        # message cannot end the line or reach the terminal raw
        parts.append(text if bare else json.dumps(text))
    return ".".join(parts)


def load_files(paths: Sequence[Path], *, explicit: bool) -> list[ProfileFile]:
    """Read every file that exists (every file, when ``explicit``), highest precedence first."""
    loaded: list[ProfileFile] = []
    for path in paths:
        if not explicit and not os.path.lexists(path):
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
        cached = _CACHE.get(path)
        if cached is not None and cached[0] == st.st_size and cached[1] == st.st_mtime_ns:
            return cached[2]
        raw = read_bytes(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise ConfigError(
                f"is a symbolic link to {os.readlink(path)}, which does not exist",
                path=path,
                hint="fix or remove the link",
            ) from None
        raise ConfigError(
            "profile file not found",
            path=path,
            hint=f"create it with `milvus-profiles init`, or fix the path given by --file or {FILES_ENV}",
        ) from None
    except (OSError, ValueError) as e:
        raise _unreadable(path, e) from None
    parsed = parse_text(raw, path)
    _CACHE[path] = (st.st_size, st.st_mtime_ns, parsed)
    return parsed


def read_bytes(path: Path) -> bytes:
    """The bytes of a profile file, at most :data:`MAX_FILE_SIZE` of them.

    Raises FileNotFoundError when there is no file, and ConfigError for anything else that stops it being
    read: a folder, a file too large (or endless, such as ``/dev/zero``), no permission.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            raw = f.read(MAX_FILE_SIZE + 1) if size <= MAX_FILE_SIZE else b""
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise ConfigError(
            "is a folder, not a profile file", path=path.absolute(), hint="rename or remove the folder"
        ) from None
    except (OSError, ValueError) as e:
        raise _unreadable(path.absolute(), e) from None
    if size > MAX_FILE_SIZE or len(raw) > MAX_FILE_SIZE:
        limit = f"{MAX_FILE_SIZE // 2**20} MB"
        raise ConfigError(
            f"is {size / 2**20:.1f} MB, too large for a profile file (the limit is {limit})"
            if size > MAX_FILE_SIZE
            else f"gives more than {limit}, too large for a profile file",
            path=path.absolute(),
            hint=f"is this the right file? check --file and {FILES_ENV}",
        )
    return raw


def _unreadable(path: Path, error: OSError | ValueError) -> ConfigError:
    if isinstance(error, OSError):
        return ConfigError(f"cannot read the profile file: {error.strerror or error}", path=path)
    # os functions raise ValueError for a path no file can have
    return ConfigError("cannot read the profile file: the path contains a NUL character", path=path)


# 64 arrays or inline tables opened one inside the next ("[[[[", "{a = {a = {"): no profile file needs it.
_DEEP_NESTING = re.compile(r"""(?:[\[{][ \t\r\n]*(?:[\w"'.-]+[ \t]*=[ \t]*)?){64}""")
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
    too_deep = _DEEP_NESTING.search(text) is not None
    try:
        # tomllib recurses once per level; a file nested thousands deep would take the interpreter to
        # its recursion limit, where finalizers that happen to run fail too. Refuse it before parsing.
        data = None if too_deep else tomllib.loads(text)
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
    except RecursionError:  # nesting the pattern does not see (values between the openings)
        too_deep = True
    if too_deep or data is None:
        raise ConfigError(
            "tables or arrays nest too deeply to read",
            path=path,
            hint="a profile file needs no more than three levels: [profiles.NAME.tls]",
        )
    return ProfileFile(path=path, data=data, text=text)


_KEY_PART = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")
_HEADER = re.compile(r"^\s*\[\[?(?P<key>[^\[\]]+)\]\]?\s*(?:#.*)?$")
_SIMPLE_KEY = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
# Whitespace only around the dots of a dotted key: one way to match a line, so a long line (of blanks,
# say) costs linear time, not cubic.
_ASSIGN = re.compile(rf"^[ \t]*(?P<key>{_SIMPLE_KEY}(?:[ \t]*\.[ \t]*{_SIMPLE_KEY})*)[ \t]*=(?P<rest>.*)$")
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
