"""Editing profile files that people wrote by hand, changing only what an edit asks for.

Every edit goes through tomlkit, which keeps comments, blank lines, key order and quoting, and is kept only
when parsing the result gives the data the edit means. tomlkit files the comment above a table under the table
before it, so removing a profile would take its neighbour's comment along: ``_Layout`` first moves such
comments into the header's indent, which tomlkit writes back as it was. What follows the last table after a
blank line (a commented-out example) is the file's own: its tail. Only the CLI imports this module."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Comment, Table, Whitespace

from ..config.locks import write_atomic
from ..config.toml import Key, ProfileFile, locate_keys, parse_text, read_bytes
from ..config.trust import carry_over
from ..errors import ConfigError

BOM = "\ufeff"


class ProfileEditor:
    """The text of one profile file, edited in memory; :meth:`save` writes it atomically. Hold the file's
    lock from :meth:`open` to :meth:`save` (see `milvus_profiles.config.locks.locked`)."""

    def __init__(
        self, path: Path, text: str = "", *, read: ProfileFile | None = None, bom: bool = False
    ) -> None:
        self.path = path.absolute()
        # the file as read (None: it did not exist), for the problems it had and the trust it keeps
        self.read = read or (parse_text(text.encode("utf-8"), self.path) if text else None)
        self.text = self.read.text if self.read else ""
        self.data: dict[str, Any] = self.read.data if self.read else {}
        self.bom = bom  # the file starts with a UTF-8 byte-order mark, which saving keeps

    @classmethod
    def open(cls, path: Path) -> ProfileEditor:
        """Read ``path``: a missing file is an empty one :meth:`save` creates; invalid TOML is refused."""
        try:
            raw = read_bytes(path)
        except FileNotFoundError:
            return cls(path)
        return cls(path, read=parse_text(raw, path.absolute()), bom=raw.startswith(BOM.encode()))

    @property
    def profiles(self) -> dict[str, Any]:
        return found if isinstance(found := self.data.get("profiles", {}), dict) else {}

    @property
    def default(self) -> str | None:
        return value if isinstance(value := self.data.get("default"), str) else None

    def profile_file(self) -> ProfileFile:
        """The edited text as a parsed file, with the line of every key (for validation messages)."""
        return parse_text(self.text.encode("utf-8"), self.path)

    def set_profile(self, name: str, values: Mapping[str, Any]) -> None:
        """Add profile ``name`` at the end, or replace it where it stands with the comment above it."""
        if not isinstance(self.data.get("profiles", {}), dict):
            raise ConfigError(
                "profiles must be a table of profiles",
                path=self.path,
                line=locate_keys(self.text).get(("profiles",)),
                hint="write each profile as a table [profiles.NAME]",
            )
        self._edit(("profiles", name), dict(values), lambda layout: layout.put_profile(name, values))

    def remove_profile(self, name: str) -> bool:
        """Remove profile ``name`` with the comment above it; False when the file lacks it."""
        return self._unset(("profiles", name))

    def set_default(self, name: str) -> None:
        """Set the file's top-level ``default``: in place, or on a new line above the tables."""
        self._edit(("default",), name, lambda layout: layout.put_default(name))

    def remove_default(self) -> bool:
        """Remove the file's ``default``; False when it has none."""
        return self._unset(("default",))

    def set_key(self, name: str, key: Key, value: Any) -> None:
        """Set ``key`` (``("tls", "secure")``) of profile ``name``: in place, or on a new line."""
        self._edit(("profiles", name, *key), value, lambda layout: layout.put_key(name, key, value))

    def unset_key(self, name: str, key: Key) -> bool:
        """Remove ``key`` of profile ``name`` (its sub-table too if left empty); False when it has none."""
        return self._unset(("profiles", name, *key))

    def _unset(self, path: Key) -> bool:
        if lookup(self.data, path) is None:
            return False
        self._edit(path, None, lambda layout: _remove(layout.doc, path, layout.cut))
        return True

    def rename_profile(self, old: str, new: str) -> None:
        """Rename ``old`` in place; a ``default`` and ``extends`` naming it follow (in a file without it)."""
        if old in self.profiles:
            renamed = _changed(self.data, ("profiles", new), self.profiles[old])
            self._edit(("profiles", old), None, lambda layout: layout.rename(old, new), renamed)
        if self.default == old:
            self.set_default(new)
        for other, table in list(self.profiles.items()):
            if isinstance(table, dict) and table.get("extends") == old:
                self.set_key(other, ("extends",), new)

    def save(self, *, private: bool = False) -> None:
        """Write the edited text atomically, with the byte-order mark the file had; a file this edit created,
        or one trusted as it was read, stays trusted (`milvus_profiles.config.trust.carry_over`)."""
        write_atomic(self.path, BOM + self.text if self.bom else self.text, private=private)
        carry_over(self.path, self.read.data if self.read else None, self.data)

    def _edit(
        self, path: Key, value: Any, change: Callable[[_Layout], object], data: dict[str, Any] | None = None
    ) -> None:
        """Apply ``change`` to the document; keep the result only when it parses to the data (``data``, else
        the file's) with ``value`` at ``path`` (removed: None). No final line break is added."""
        expected = _changed(self.data if data is None else data, path, value)
        try:
            layout = _Layout(self.text)
            change(layout)
            text = str(layout)
            if self.text and not self.text.endswith(("\n", "\r")):
                text = text.removesuffix("\n").removesuffix("\r")
            data = parse_text(text.encode("utf-8"), self.path).data
        except (ConfigError, ValueError, LookupError, TypeError, AttributeError, TOMLKitError):
            data = None
        if data is None or not _equal(_plain(data), _plain(expected)):
            raise ConfigError(
                "cannot edit this file without changing more than asked",
                path=self.path,
                hint="make the change by hand; `milvus-profiles check` validates the result",
            )
        self.text, self.data = text, data


class _Layout:
    """A tomlkit document, comments and blank lines with the header below; ``str()`` ends in a line break."""

    def __init__(self, text: str) -> None:
        self.newline = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith(("\n", "\r")):
            text += self.newline  # (which the edit takes away again)
        self.doc = tomlkit.parse(text)
        self.strip = False
        if self.doc.as_string() != text:  # tomlkit 0.15 drops the space in `{ d = 1979-05-27 }`
            raise ValueError("tomlkit does not write this file back as it is")
        trivia: list[tuple[list[Any], int]] = []
        for _, item, body, at in _walk(self.doc):
            if isinstance(item, (Whitespace, Comment)):
                trivia.append((body, at))
                continue
            if _header(item):
                item.trivia.indent = _take(trivia, everything=True) + item.trivia.indent
            trivia = []
        self.tail = _take(trivia, everything=False)

    def __str__(self) -> str:
        lines = (self.doc.as_string() + self.tail).splitlines(keepends=True)
        while self.strip and lines and not lines[0].strip() and lines[0].endswith(("\n", "\r")):
            del lines[0]
        return "".join(lines)

    def headers(self) -> list[tuple[Key, Table]]:
        return [(path, item) for path, item, _, _ in _walk(self.doc) if _header(item)]

    def put_profile(self, name: str, values: Mapping[str, Any]) -> None:
        ordered = dict(sorted(values.items(), key=lambda kv: isinstance(kv[1], Mapping)))  # keys, then tables
        text = tomlkit.dumps({"profiles": {name: ordered}}).strip("\n") + "\n"
        table: Table = tomlkit.parse(text.replace("\n", self.newline))["profiles"][name]
        if "profiles" not in self.doc:
            self.doc["profiles"] = tomlkit.table(is_super_table=True)
            self.doc["profiles"].trivia.indent = ""  # a table without a header writes only this
        profiles = self.doc["profiles"]
        mine = [header for path, header in self.headers() if path[:2] == ("profiles", name)]
        if not isinstance(profiles, Table) or (name in profiles and not mine):
            profiles[name] = copy.deepcopy(dict(values))  # an inline table, or dotted keys
            return
        if mine:
            profiles[name] = table  # where it stood
            table.trivia.indent = mine[0].trivia.indent  # (tomlkit gives it the indent of what it replaced)
            if table.value.body and isinstance(table.value.body[-1][1], Whitespace):
                table.value.body.pop()  # tomlkit's own blank line after a replaced table
            return
        before = str(self)
        table.trivia.indent = self.newline
        profiles.raw_append(name, table)
        if self.headers()[-1][0][:2] == ("profiles", name):  # last: after the tail, a blank line between
            table.trivia.indent = self.tail + self.newline if before else ""  # (before ends with a newline)
            self.tail = ""

    def put_default(self, name: str) -> None:
        if "default" in self.doc:
            self.doc["default"] = name  # the comment on its line stays
            return
        item = tomlkit.item(name)
        item.trivia.trail = self.newline
        if headers := self.headers():  # above the first table and its comment, a blank line between
            first = headers[0][1]
            item.trivia.indent = _unattached(first.trivia.indent)
            first.trivia.indent = self.newline + first.trivia.indent[len(item.trivia.indent) :]
        indents = [(table, table.trivia.indent) for _, table in self.doc.body if isinstance(table, Table)]
        self.doc["default"] = item
        for table, indent in indents:
            table.trivia.indent = indent  # tomlkit would add a line break of its own

    def put_key(self, name: str, key: Key, value: Any) -> None:
        table = self.doc["profiles"][name]
        for part in key[:-1]:
            if part not in table:
                sub = tomlkit.table()
                sub.trivia.indent = sub.trivia.trail = self.newline
                table.raw_append(part, sub)
            table = table[part]
        if key[-1] in table:
            table[key[-1]] = value  # the comment on its line stays
        else:
            item = tomlkit.item(value)
            item.trivia.trail = self.newline
            table.raw_append(key[-1], item)  # append would indent it by the spaces of comments above

    def rename(self, old: str, new: str) -> None:
        """The headers are renamed where they stand; tomlkit would move the table to the end."""
        mine = [(path, table) for path, table in self.headers() if path[:2] == ("profiles", old)]
        for path, table in mine:
            table.display_name = ".".join(tomlkit.key(p).as_string() for p in ("profiles", new, *path[2:]))
        if not mine:  # written as dotted keys or an inline table
            profiles = self.doc["profiles"]
            profiles[new] = profiles[old]
            profiles.remove(old)

    def cut(self, container: Any, key: str) -> None:
        """Remove ``container[key]``, a table with the comment right above it; the blank lines and loose
        comments above stay, less the one blank line before what follows, and none at the file's start."""
        table: Any = (container if isinstance(container, Container) else container.value).item(key)
        entries = [(path, item) for path, item, _, _ in _walk(self.doc)]
        found = [i for i, (_, item) in enumerate(entries) if item is table]
        container.remove(key)
        if not found:  # a table without a header of its own: of sub-tables, dotted keys, or inline
            return
        at, path = found[0], entries[found[0]][0]
        if not any(item.as_string() for _, item in entries[:at]) and not _unattached(table.trivia.indent):
            self.strip = True  # the blank lines the file then starts with go
        if not _header(table):
            return
        later = (item for p, item in entries[at + 1 :] if _header(item) and p[: len(path)] != path)
        follow: Any = next(later, None)
        above = _unattached(table.trivia.indent).splitlines(keepends=True)
        below = (follow.trivia.indent if follow else self.tail).splitlines(keepends=True)
        if above and not above[-1].strip():
            if below and not below[0].strip():
                del below[0]
            elif follow is None and not below:
                del above[-1]
        if follow is None:
            self.tail = "".join(above + below)
        else:
            follow.trivia.indent = "".join(above + below)


def lookup(table: Any, key: Key) -> Any:
    """``table[key[0]][key[1]]...``, or None where a part is missing."""
    for part in key:
        table = table.get(part) if isinstance(table, dict) else None
    return table


def _walk(container: Any, path: Key = ()) -> Iterator[tuple[Key, Any, list[Any], int]]:
    """Each item as written, with its key, list and index; of tables only headed ones, before their items."""
    body = container.value.body if isinstance(container, Table) else container.body
    for index, (key, item) in enumerate(body):
        here = (*path, key.key) if key is not None else path
        if isinstance(item, Table):
            if _header(item):
                yield here, item, body, index
            yield from _walk(item, here)
        else:
            yield here, item, body, index


def _header(item: Any) -> bool:
    """A table written with its own ``[header]`` line."""
    return isinstance(item, Table) and not item.is_super_table()


def _take(trivia: list[tuple[list[Any], int]], *, everything: bool) -> str:
    """The text of ``trivia`` from its first blank line on, taken out of the document; without a blank
    line, all of it when ``everything``, else none (comments right below a value are the value's)."""
    first = next((i for i, (body, at) in enumerate(trivia) if isinstance(body[at][1], Whitespace)), None)
    taken = trivia[(0 if everything else len(trivia)) if first is None else first :]
    text = "".join(body[at][1].as_string() for body, at in taken)
    for body, at in taken:
        body[at] = (None, Whitespace(""))
    return text


def _unattached(indent: str) -> str:
    """The lines of a header's indent above the comment written directly over it."""
    lines = indent.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines.pop()  # the header line's own indentation
    while lines and lines[-1].lstrip().startswith("#"):
        lines.pop()
    return "".join(lines)


def _changed(data: dict[str, Any], path: Key, value: Any) -> dict[str, Any]:
    """What an edit means: ``data`` with ``value`` at ``path``; None removes it (see :func:`_remove`)."""
    data = copy.deepcopy(data)
    if value is None:
        _remove(data, path, dict.pop)
        return data
    table = data
    for part in path[:-1]:
        table = table.setdefault(part, {})
    table[path[-1]] = copy.deepcopy(value)
    return data


def _remove(root: Any, path: Key, cut: Callable[[Any, str], object]) -> None:
    """``cut`` ``root[path]``, then the sub-tables of the profile this leaves empty."""
    tables = [root]
    for part in path[:-1]:
        tables.append(tables[-1][part])
    if len(path) > 2:  # a key of a profile goes alone: the lines around it stay as they are
        del tables[-1][path[-1]]
    else:
        cut(tables[-1], path[-1])
    for depth in range(len(path) - 1, 2, -1):  # a sub-table of a profile left with no key goes too
        if len(tables[depth]) == 0:
            cut(tables[depth - 1], path[depth - 1])


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """No ``[profiles]`` is the same as an empty one (removing the last profile leaves no table)."""
    return {k: v for k, v in data.items() if not (k == "profiles" and v == {})}


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
