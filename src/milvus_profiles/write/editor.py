"""Editing profile files that people wrote by hand, changing only what an edit asks for.

Everything outside the edited profile stays exactly as written: comments, blank lines, key order, quoting.
An edit splices whole lines (the new TOML is produced by tomlkit) and is accepted only when parsing the
result gives precisely the data the edit means; otherwise it goes through tomlkit's document model, checked
the same way. tomlkit alone is not enough: it files the comment above a table under the table before it,
so removing or rewriting one profile would take its neighbour's comment along.

Only the command line edits files; nothing else in the package imports this module.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomlkit

from ..config.locks import write_atomic
from ..config.toml import Key, ProfileFile, locate_keys, parse_text, read_bytes
from ..config.trust import carry_over
from ..errors import ConfigError

BOM = "\ufeff"
_HEADER_LINE = re.compile(r"^\s*\[")
# `key = ` up to the value; a key as locate_keys reads it
_KEY_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_ASSIGNMENT_LINE = re.compile(rf"^[ \t]*{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*[ \t]*=[ \t]*")
_PLAIN_HEADER = re.compile(r"^(?P<indent>[ \t]*)\[[^\[\]]*\][ \t]*(?P<comment>#.*)?$")
_DEFAULT_LINE = re.compile(r"""^\s*default\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*(?:#.*)?$""")


def _blank(line: str) -> bool:
    return not line.strip()


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


class ProfileEditor:
    """The text of one profile file, edited in memory; :meth:`save` writes it atomically.

    Hold the file's lock from :meth:`open` to :meth:`save`, so that no other writer's change is lost.

    Example:
        >>> from milvus_profiles.config.locks import locked
        >>> path = Path("milvus.toml")
        >>> with locked(path):
        ...     editor = ProfileEditor.open(path)
        ...     editor.set_profile("dev", {"uri": "http://localhost:19530"})
        ...     editor.save()
    """

    def __init__(self, path: Path, text: str = "", *, exists: bool | None = None, bom: bool = False) -> None:
        self.path = path.absolute()
        self.text = text
        self.bom = bom  # the file starts with a UTF-8 byte-order mark, which saving keeps
        self.data: dict[str, Any] = parse_text(text.encode("utf-8"), self.path).data if text else {}
        self.before: dict[str, Any] | None = copy.deepcopy(self.data) if (exists or text) else None
        """The file's data as read, or None when the file did not exist (for keeping its trust)."""

    @classmethod
    def open(cls, path: Path) -> ProfileEditor:
        """Read ``path``; a missing file is an empty one that :meth:`save` creates."""
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            return cls(path)
        parse_text(raw, path.absolute())  # a file that is not valid TOML is reported, never rewritten
        text = raw.decode("utf-8")
        return cls(path, text.removeprefix(BOM), exists=True, bom=text.startswith(BOM))

    @property
    def profiles(self) -> dict[str, Any]:
        found = self.data.get("profiles", {})
        return found if isinstance(found, dict) else {}

    @property
    def default(self) -> str | None:
        value = self.data.get("default")
        return value if isinstance(value, str) else None

    def profile_file(self) -> ProfileFile:
        """The edited text as a parsed file, with the line of every key (for validation messages)."""
        return parse_text(self.text.encode("utf-8"), self.path)

    def set_profile(self, name: str, values: Mapping[str, Any]) -> None:
        """Add profile ``name``, or replace it where it stands. Tables in ``values`` become sub-tables."""
        if not isinstance(self.data.get("profiles", {}), dict):
            raise ConfigError(
                "profiles must be a table of profiles",
                path=self.path,
                line=locate_keys(self.text).get(("profiles",)),
                hint="write each profile as a table [profiles.NAME]",
            )
        expected = copy.deepcopy(self.data)
        expected.setdefault("profiles", {})[name] = copy.deepcopy(dict(values))
        fragment = _fragment(name, values, self._newline)
        if name in self.profiles:
            self._apply(
                expected, lambda: self._replace_lines(name, fragment), lambda: self._doc_set(name, values)
            )
        else:
            self._apply(expected, lambda: self._append(fragment), lambda: self._doc_set(name, values))

    def remove_profile(self, name: str) -> bool:
        """Remove profile ``name`` with the comments attached to it; False when the file lacks it."""
        if name not in self.profiles:
            return False
        expected = copy.deepcopy(self.data)
        del expected["profiles"][name]
        self._apply(expected, lambda: self._replace_lines(name, ""), lambda: self._doc_remove(name))
        return True

    def set_default(self, name: str) -> None:
        """Set the file's top-level ``default``."""
        expected = {**copy.deepcopy(self.data), "default": name}
        self._apply(expected, lambda: self._default_line(name), lambda: self._doc_default(name))

    def remove_default(self) -> bool:
        """Remove the file's ``default``; False when it has none."""
        if "default" not in self.data:
            return False
        expected = {k: v for k, v in copy.deepcopy(self.data).items() if k != "default"}
        self._apply(expected, lambda: self._default_line(None), lambda: self._doc_default(None))
        return True

    def set_key(self, name: str, key: Key, value: Any) -> None:
        """Set one key of profile ``name`` (``("timeout",)`` or ``("tls", "secure")``), the rest of the
        file untouched: the value is replaced on its own line, or a line is added to the profile's table
        (a ``[profiles.NAME.tls]`` table is added when there is none)."""
        if name not in self.profiles:
            raise KeyError(name)
        expected = copy.deepcopy(self.data)
        table = expected["profiles"][name]
        for part in key[:-1]:
            table = table.setdefault(part, {})
        table[key[-1]] = copy.deepcopy(value)
        self._apply(
            expected, lambda: self._splice_key(name, key, value), lambda: self._doc_key(name, key, value)
        )

    def unset_key(self, name: str, key: Key) -> bool:
        """Remove one key of profile ``name``, and its sub-table when that leaves it empty; False when
        the profile has no such key in this file."""
        table: Any = self.profiles.get(name)
        for part in key[:-1]:
            table = table.get(part) if isinstance(table, dict) else None
        if not isinstance(table, dict) or key[-1] not in table:
            return False
        expected = copy.deepcopy(self.data)
        tables = [expected["profiles"][name]]
        for part in key[:-1]:
            tables.append(tables[-1][part])
        del tables[-1][key[-1]]
        for parent, part in zip(reversed(tables[:-1]), reversed(key[:-1]), strict=True):
            if parent[part] == {}:
                del parent[part]
        self._apply(expected, lambda: self._splice_unset(name, key), lambda: self._doc_key(name, key, None))
        return True

    def rename_profile(self, old: str, new: str) -> None:
        """Rename profile ``old`` where it stands, with its sub-tables, comments and layout; the file's
        ``default`` and the ``extends`` of its other profiles follow the new name."""
        if old not in self.profiles:
            raise KeyError(old)
        if new in self.profiles:
            raise ValueError(f"profile {new!r} exists")
        renamed = copy.deepcopy(self.data)
        renamed["profiles"] = {(new if n == old else n): t for n, t in renamed["profiles"].items()}
        self._apply(renamed, lambda: self._splice_rename(old, new), lambda: self._doc_rename(old, new))
        if self.default == old:
            self.set_default(new)
        for other, table in list(self.profiles.items()):
            if isinstance(table, dict) and table.get("extends") == old:
                self.set_key(other, ("extends",), new)

    def copy_profile(self, source: str, target: str) -> None:
        """Add profile ``target`` with the values of ``source`` in this file (its comments are not copied)."""
        if source not in self.profiles:
            raise KeyError(source)
        if target in self.profiles:
            raise ValueError(f"profile {target!r} exists")
        self.set_profile(target, copy.deepcopy(self.profiles[source]))

    def save(self, *, private: bool = False) -> None:
        """Write the edited text atomically (see `write_atomic`); a file this edit created, or one that was
        trusted as it was read, stays trusted as written (see `milvus_profiles.config.trust.carry_over`).
        A byte-order mark the file started with is written back."""
        write_atomic(self.path, BOM + self.text if self.bom else self.text, private=private)
        carry_over(self.path, self.before, self.data)

    # How an edit is made: line splicing first, the tomlkit document as the fallback.

    @property
    def _newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def _apply(self, expected: dict[str, Any], *attempts: Callable[[], str]) -> None:
        for attempt in attempts:
            try:
                text = self._final_newline_kept(attempt())
                data = parse_text(text.encode("utf-8"), self.path).data
            except (ConfigError, ValueError, KeyError, TypeError, tomlkit.exceptions.TOMLKitError):
                continue
            if _same(data, expected):
                self.text, self.data = text, data
                return
        raise ConfigError(
            "cannot edit this file without changing more than asked",
            path=self.path,
            hint="make the change by hand; `milvus-profiles check` validates the result",
        )

    def _final_newline_kept(self, text: str) -> str:
        """``text`` ending as the file did: a file without a final newline gets none from an edit."""
        if self.text and not self.text.endswith(("\n", "\r")):
            return text.removesuffix("\n").removesuffix("\r")
        return text

    def _lines(self) -> list[str]:
        return self.text.splitlines(keepends=True)

    def _headers(self) -> dict[int, Key]:
        """The table headers of the text: 0-based line index -> table key."""
        lines = self._lines()
        return {
            number - 1: key
            for key, number in locate_keys(self.text).items()
            if number <= len(lines) and _HEADER_LINE.match(lines[number - 1])
        }

    def _replace_lines(self, name: str, fragment: str) -> str:
        """Cut every table of profile ``name`` and put ``fragment`` where the first one was.

        A removed profile takes the comments written directly above its tables along; a replaced one
        keeps the comment above its first table, which describes it still.
        """
        lines = self._lines()
        headers = self._headers()
        order = sorted(headers)
        spans: list[tuple[int, int]] = []
        for i, start in enumerate(order):
            if headers[start][:2] != ("profiles", name):
                continue
            end = order[i + 1] if i + 1 < len(order) else len(lines)
            above = start if fragment and not spans else _attached_above(lines, start)
            spans.append((above, _own_end(lines, start, end)))
        if not spans:
            raise KeyError(name)
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        for start, end in reversed(merged):
            del lines[start:end]
            if not fragment or start != merged[0][0]:  # the new text goes where the old was, blanks kept
                _join(lines, start)
        if fragment:
            at = merged[0][0]
            while at > len(lines):
                at -= 1
            lines[at:at] = _separated(lines, at, fragment.splitlines(keepends=True), self._newline)
        return "".join(lines)

    def _append(self, fragment: str) -> str:
        """``fragment`` after one blank line; removing it again gives back the text as it was, byte for
        byte (so the blank line goes in even after blank lines: removal takes exactly one away)."""
        text = self.text
        if not text:
            return fragment
        if not text.endswith(("\n", "\r")):
            text += self._newline
        return text + self._newline + fragment

    def _default_line(self, name: str | None) -> str:
        lines = self._lines()
        line = locate_keys(self.text).get(("default",))
        if line is not None:
            match = _DEFAULT_LINE.match(lines[line - 1])
            if match is None:
                raise ValueError("default is not a one-line string")
            if name is None:
                del lines[line - 1]
                _join(lines, line - 1)
            else:
                old = lines[line - 1]
                lines[line - 1] = (
                    old[: match.start(1)] + tomlkit.string(name).as_string() + old[match.end(1) :]
                )
            return "".join(lines)
        if name is None:
            raise KeyError("default")
        headers = sorted(self._headers())
        at = _attached_above(lines, headers[0]) if headers else len(lines)
        if at == len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += self._newline
        new = [f"default = {tomlkit.string(name).as_string()}{self._newline}"]
        lines[at:at] = _separated(lines, at, new, self._newline)
        return "".join(lines)

    def _splice_key(self, name: str, key: Key, value: Any) -> str:
        lines = self._lines()
        full = ("profiles", name, *key)
        number = locate_keys(self.text).get(full)
        rendered = tomlkit.item(value).as_string()
        if number is not None:
            lines[number - 1] = _replace_value(lines[number - 1], rendered, self._newline)
            return "".join(lines)
        headers = self._headers()
        order = sorted(headers)
        table = ("profiles", name, *key[:-1])
        new_line = f"{tomlkit.key(key[-1]).as_string()} = {rendered}{self._newline}"
        for i, start in enumerate(order):
            if headers[start] == table:
                end = order[i + 1] if i + 1 < len(order) else len(lines)
                at = _own_end(lines, start, end)
                _end_line(lines, at, self._newline)
                lines.insert(at, new_line)
                return "".join(lines)
        if len(key) == 1:
            raise KeyError(key)  # the profile has no [profiles.NAME] header here (an inline table?)
        mine = [i for i, start in enumerate(order) if headers[start][:2] == ("profiles", name)]
        if not mine:
            raise KeyError(key)
        i = mine[-1]
        end = order[i + 1] if i + 1 < len(order) else len(lines)
        at = _own_end(lines, order[i], end)
        _end_line(lines, at, self._newline)
        header = f"[{_dotted(table)}]{self._newline}"
        lines[at:at] = _separated(lines, at, [header, new_line], self._newline)
        return "".join(lines)

    def _splice_unset(self, name: str, key: Key) -> str:
        lines = self._lines()
        found = locate_keys(self.text)
        number = found.get(("profiles", name, *key))
        if number is None or not _ASSIGNMENT_LINE.match(lines[number - 1]):
            raise KeyError(key)
        del lines[number - 1]
        if len(key) > 1:  # a sub-table left with no key goes too
            table = ("profiles", name, *key[:-1])
            header = found.get(table)
            if header is not None and header < number:
                rest = [
                    line
                    for line in lines[header : _next_header(lines, header)]
                    if not _blank(line) and not _comment(line)
                ]
                if not rest:
                    start = header - 1
                    del lines[start : _own_end(lines, start, _next_header(lines, header))]
                    _join(lines, start)
        return "".join(lines)

    def _splice_rename(self, old: str, new: str) -> str:
        lines = self._lines()
        renamed = False
        for index, key in self._headers().items():
            if key[:2] != ("profiles", old):
                continue
            match = _PLAIN_HEADER.match(lines[index])
            if match is None:
                raise ValueError("an unusual header")
            ending = lines[index][len(lines[index].rstrip("\r\n")) :]
            comment = match.group("comment") or ""
            header = f"{match.group('indent')}[{_dotted(('profiles', new, *key[2:]))}]"
            lines[index] = header + (f" {comment}" if comment else "") + ending
            renamed = True
        if not renamed:
            raise KeyError(old)
        return "".join(lines)

    def _doc_key(self, name: str, key: Key, value: Any) -> str:
        doc = tomlkit.parse(self.text)
        table = doc["profiles"][name]
        for part in key[:-1]:
            if part not in table:
                table[part] = tomlkit.table()
            table = table[part]
        if value is None:
            del table[key[-1]]
            for depth in range(len(key) - 1, 0, -1):
                parent = doc["profiles"][name]
                for part in key[: depth - 1]:
                    parent = parent[part]
                if len(parent[key[depth - 1]]) == 0:
                    del parent[key[depth - 1]]
        else:
            table[key[-1]] = value
        return doc.as_string()

    def _doc_rename(self, old: str, new: str) -> str:
        doc = tomlkit.parse(self.text)
        profiles = doc["profiles"]
        profiles[new] = profiles[old]
        del profiles[old]
        return doc.as_string()

    def _doc_set(self, name: str, values: Mapping[str, Any]) -> str:
        doc = tomlkit.parse(self.text)
        if "profiles" not in doc:
            doc["profiles"] = tomlkit.table(is_super_table=True)
        doc["profiles"][name] = copy.deepcopy(dict(values))
        return doc.as_string()

    def _doc_remove(self, name: str) -> str:
        doc = tomlkit.parse(self.text)
        del doc["profiles"][name]
        return doc.as_string()

    def _doc_default(self, name: str | None) -> str:
        doc = tomlkit.parse(self.text)
        if name is None:
            del doc["default"]
        else:
            doc["default"] = name
        return doc.as_string()


def _same(data: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Equal, except that no ``[profiles]`` and an empty one are the same (removing the last profile
    leaves no table behind)."""

    def normal(d: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in d.items() if not (k == "profiles" and v == {})}

    return _equal(normal(data), normal(expected))


def _equal(a: Any, b: Any) -> bool:
    """``==`` of parsed TOML, except that ``nan`` equals ``nan`` (a file may hold one, and an edit elsewhere
    keeps it) and ``true`` does not equal ``1``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and bool(a == b)


def _attached_above(lines: list[str], header: int) -> int:
    """The first line of the comment block written directly above a header (no blank line between)."""
    start = header
    while start > 0 and _comment(lines[start - 1]):
        start -= 1
    return start


def _own_end(lines: list[str], header: int, end: int) -> int:
    """Where a table's own lines stop: trailing comments after a blank line, or directly above the next
    header, belong to what follows."""
    first_trivia = end
    while first_trivia > header + 1 and (
        _blank(lines[first_trivia - 1]) or _comment(lines[first_trivia - 1])
    ):
        first_trivia -= 1
    blank = next((i for i in range(first_trivia, end) if _blank(lines[i])), None)
    if blank is not None:
        return blank
    return first_trivia if end < len(lines) else end


def _separated(lines: list[str], at: int, new: list[str], newline: str) -> list[str]:
    """``new`` with a blank line before and after it, unless a neighbour is blank already (or, before it,
    is a comment that belongs to it)."""
    new = [line if line.endswith(("\n", "\r")) else line + newline for line in new]
    if at > 0 and not _blank(lines[at - 1]) and not _comment(lines[at - 1]):
        new.insert(0, newline)
    if at < len(lines) and not _blank(lines[at]):
        new.append(newline)
    return new


def _join(lines: list[str], at: int) -> None:
    """After a cut at ``at``: no blank lines left at the start, not two where one was meant, and at the
    end one blank line fewer (the one that separated what was cut; others were there before)."""
    if at >= len(lines):
        if lines and _blank(lines[-1]):
            lines.pop()
        return
    if at == 0:
        while at < len(lines) and _blank(lines[at]):
            del lines[at]
        return
    if _blank(lines[at - 1]) and _blank(lines[at]):
        del lines[at]


def _dotted(key: Key) -> str:
    return ".".join(tomlkit.key(part).as_string() for part in key)


def _end_line(lines: list[str], at: int, newline: str) -> None:
    """Before inserting at ``at``: the line above ends with a line break (a file's last line may not)."""
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline


def _next_header(lines: list[str], after: int) -> int:
    """The index of the first table header at or after index ``after``, else the end."""
    return next((i for i in range(after, len(lines)) if _HEADER_LINE.match(lines[i])), len(lines))


def _replace_value(line: str, rendered: str, newline: str) -> str:
    """``key = old  # note`` with ``rendered`` in place of ``old``; the comment stays. The old value ends
    at the first ``#`` before which the text parses as a value (a ``#`` inside a string does not)."""
    match = _ASSIGNMENT_LINE.match(line)
    if match is None:
        raise ValueError("not a one-line assignment")
    body = line.rstrip("\r\n")
    ending = line[len(body) :] or newline
    rest = body[match.end() :]
    cuts = [i for i, c in enumerate(rest) if c == "#"] + [len(rest)]
    for cut in cuts:
        try:
            tomlkit.parse(f"x = {rest[:cut].strip()}")
        except tomlkit.exceptions.TOMLKitError:
            continue
        comment = rest[cut:].strip()
        return body[: match.end()] + rendered + (f"  {comment}" if comment else "") + ending
    raise ValueError("the value continues on another line")


def _table(values: Mapping[str, Any]) -> Any:
    """A table with its plain keys first, then its sub-tables, as a person would write it."""
    table = tomlkit.table()
    for key, value in values.items():
        if not isinstance(value, Mapping):
            table[key] = value
    for key, value in values.items():
        if isinstance(value, Mapping):
            sub = tomlkit.table()
            for inner, item in value.items():
                sub[inner] = item
            table[key] = sub
    return table


def _fragment(name: str, values: Mapping[str, Any], newline: str) -> str:
    """``[profiles.NAME]`` and its sub-tables, as TOML text."""
    outer = tomlkit.table(is_super_table=True)
    outer[name] = _table(values)
    doc = tomlkit.document()
    doc["profiles"] = outer
    text = doc.as_string().strip("\n") + "\n"
    return text.replace("\n", newline)
