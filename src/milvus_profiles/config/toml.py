"""Reading profile files: bounded reads, TOML parsing with located errors, and the line of every key.
Parsed files are cached by path, size and modification time; a profile file holds no secret, so the cache
cannot keep a rotated one (docs/performance.md)."""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..fields import FILES_ENV
from .read import UnreadableFile, read_limited

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

MAX_FILE_SIZE = 1024 * 1024  # a few profiles: anything larger is the wrong file, refused before parsing
Key = tuple[str, ...]


@dataclass(eq=False)
class ProfileFile:
    """One parsed profile file: its data, and (when first asked for) the line of each key."""

    path: Path
    data: dict[str, Any] = field(repr=False)
    text: str = field(repr=False)
    problems: dict[str, ConfigError] | None = field(default=None, repr=False)
    """The first problem of each profile, once validated (:func:`.model.profile_problems`)."""

    @functools.cached_property
    def lines(self) -> dict[Key, int]:
        return locate_keys(self.text)

    def line_of(self, *key: str) -> int | None:
        """The line that sets ``key``, or of the nearest enclosing table that is written out."""
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines[key] if key else None


def key_name(key: tuple[str | int, ...]) -> str:
    """``("profiles", "dev", "tls")`` as it is written in TOML: ``profiles.dev.tls``; a part not bare is
    quoted as a TOML basic string, so no control character is shown raw."""
    return ".".join(t if re.fullmatch(_BARE, t) else json.dumps(t) for t in map(str, key))


_CACHE: dict[Path, tuple[int, int, ProfileFile]] = {}


def clear_cache() -> None:
    """Forget every parsed file."""
    _CACHE.clear()


def read_file(path: Path) -> ProfileFile:
    """Parse one profile file, from the cache when its size and modification time are unchanged."""
    path = path.absolute()
    try:
        st = path.stat()
        if (cached := _CACHE.get(path)) is not None and cached[:2] == (st.st_size, st.st_mtime_ns):
            return cached[2]
        raw = read_bytes(path)
    except FileNotFoundError:
        if os.path.islink(path):
            gone = f"is a symbolic link to {os.readlink(path)}, which does not exist"
            raise ConfigError(gone, path=path, hint="fix or remove the link") from None
        raise ConfigError(
            "profile file not found",
            path=path,
            hint=f"create it with `milvus-profiles init`, or fix the path given by --file or {FILES_ENV}",
        ) from None
    except OSError as e:
        raise ConfigError(f"cannot read the profile file: {e.strerror or e}", path=path) from None
    except ValueError:  # os functions raise it for a path no file can have
        nul = "cannot read the profile file: the path contains a NUL character"
        raise ConfigError(nul, path=path) from None
    parsed = parse_text(raw, path)
    _CACHE[path] = (st.st_size, st.st_mtime_ns, parsed)
    return parsed


def read_bytes(path: Path) -> bytes:
    """The bytes of a profile file, at most :data:`MAX_FILE_SIZE`; FileNotFoundError when there is none,
    ConfigError for a folder, a FIFO or a device (refused unread), a file too large, no permission."""
    try:
        return read_limited(path, limit=MAX_FILE_SIZE, what="profile file")
    except UnreadableFile as e:
        hint = f"is this the right file? check --file and {FILES_ENV}" if e.reason.startswith("is ") else None
        if e.reason.startswith("is a folder"):  # "is" too large, a FIFO, a device: not what anyone means
            hint = "rename or remove the folder"
        raise ConfigError(e.reason, path=path.absolute(), hint=hint) from None


MAX_DEPTH = 64  # tables and arrays nested deeper are refused; a profile file needs five at most
# MAX_DEPTH arrays or inline tables opened one inside the next ("[[[[", "{a = {a = {")
_DEEP_NESTING = re.compile(r"""(?:[\[{][ \t\r\n]*(?:[\w"'.-]+[ \t]*=[ \t]*)?){64}""")

# One part of a key: bare, "basic" or 'literal'; whitespace only around the dots of a dotted key, so that
# each pattern below matches in one way and a long line costs linear time
_BARE = "[A-Za-z0-9_-]+"
_PART = rf"""(?:{_BARE}|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY = rf"{_PART}(?:[ \t]*\.[ \t]*{_PART})*"
# MAX_DEPTH parts of a key, where a key can start: a line (or a table header), an inline table, after a comma
_LONG_KEY = re.compile(
    rf"(?:^|[{{,])[ \t]*(?:\[[ \t]*)*{_PART}(?:[ \t]*\.[ \t]*{_PART}){{{MAX_DEPTH - 1}}}", re.M
)
_HEADER = re.compile(rf"^[ \t]*\[\[?[ \t]*(?P<key>{_KEY})[ \t]*\]\]?[ \t]*(?:#.*)?$")
_ASSIGN = re.compile(rf"^[ \t]*(?P<key>{_KEY})[ \t]*=(?P<rest>.*)$")
_INLINE_KEY = re.compile(rf"[{{,][ \t]*({_KEY})[ \t]*=")
_THREE_LEVELS = "a profile file needs no more than three levels: [profiles.NAME.tls]"
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_text(raw: bytes, path: Path) -> ProfileFile:
    """Parse the bytes of a profile file; errors name the file and line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(
            f"not valid UTF-8 (byte {e.start})", path=path, line=line, hint="save the file as UTF-8"
        ) from None
    # Some Windows editors start UTF-8 with a byte-order mark, which TOML refuses; the editor writes it back
    text = text.removeprefix("\ufeff")
    if (long_key := _LONG_KEY.search(text)) is not None:
        # tomllib takes time quadratic in the parts of a dotted key: refuse one of many parts unread
        raise ConfigError(
            f"a key of more than {MAX_DEPTH - 1} dotted parts nests too deeply to read",
            path=path,
            line=text.count("\n", 0, long_key.end()) + 1,
            hint=_THREE_LEVELS,
        )
    if _DEEP_NESTING.search(text) is not None:  # refused unread: each parser version has its own limit
        raise _too_deep(path, None)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        match = _TOML_POSITION.search(str(e))
        reason = _TOML_POSITION.sub("", str(e)).strip()
        hint = "fix the syntax; `milvus-profiles check` lists every problem"
        raise ConfigError(
            f"not valid TOML: {reason}", path=path, line=match and int(match[1]), hint=hint
        ) from None
    except RecursionError:  # tomllib recurses once per level: nesting the pattern does not see
        raise _too_deep(path, None) from None
    if (deep_key := _deep_key(data)) is not None:
        # a dotted key of many parts nests as deeply as brackets, and whatever walks the data recurses
        lines = locate_keys(text).items()
        raise _too_deep(path, min((n for k, n in lines if k[: len(deep_key)] == deep_key), default=None))
    return ProfileFile(path=path, data=data, text=text)


def _too_deep(path: Path, line: int | None) -> ConfigError:
    return ConfigError("tables or arrays nest too deeply to read", path=path, line=line, hint=_THREE_LEVELS)


def _deep_key(data: dict[str, Any]) -> Key | None:
    """The key of a table or array nested deeper than :data:`MAX_DEPTH`, or None; iterative, linear."""
    todo: list[tuple[Any, Key]] = [(data, ())]
    while todo:
        value, key = todo.pop()
        if len(key) >= MAX_DEPTH:
            return key
        if isinstance(value, dict):
            todo += [(v, (*key, str(k))) for k, v in value.items()]
        elif isinstance(value, list):
            todo += [(v, (*key, str(i))) for i, v in enumerate(value)]
    return None


def split_key(text: str) -> Key:
    """The parts of a key that matched ``_KEY`` (``a."b c".d``), quotes taken off."""
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in re.findall(_PART, text))


def locate_keys(text: str) -> dict[Key, int]:
    """Every table header and key of a TOML document that ``tomllib`` accepted, and its line (a scanner)."""
    lines: dict[Key, int] = {}
    table: Key = ()
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        if (header := _HEADER.match(line)) is not None:
            table = split_key(header["key"])
            lines.setdefault(table, number)
            continue
        if (assign := _ASSIGN.match(line)) is None:
            continue
        full = table + split_key(assign["key"])
        lines.setdefault(full, number)
        rest = assign.group("rest")
        for quote in ('"""', "'''"):
            if rest.count(quote) % 2 == 1:
                in_string = quote
        if rest.lstrip().startswith("{"):
            for inner in _INLINE_KEY.finditer(rest):
                lines.setdefault(full + split_key(inner[1]), number)
    return lines
