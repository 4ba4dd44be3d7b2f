"""The only place the command line prints; every text goes through `escape`, as it may come from a file
someone else wrote (a control character could move the cursor over a warning, or write to the clipboard)."""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import click

from ..errors import MilvusProfilesError

# C0 (newline and tab too), DEL, C1, and the Unicode characters that reorder or break a line on screen
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
JSON_UNSAFE = re.compile(UNSAFE.pattern.replace(r"\x00-\x1f", ""))


def escape(text: str) -> str:
    """``text`` with every control character shown as ``\\xNN`` (``\\uNNNN`` above ``\\xff``).

    Examples:
        >>> escape("dev\\x1b]52;c;aGk=\\x07")
        'dev\\\\x1b]52;c;aGk=\\\\x07'
    """
    return UNSAFE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


class Cell(NamedTuple):
    """Text with a ``click.style`` colour: a table cell, or part of a line."""

    text: str
    fg: str | None = None
    bold: bool = False


def display_path(path: Path | str) -> str:
    """A path as short as it stays unambiguous: relative below the working folder, ``~`` below home."""
    path, cwd = Path(path), Path.cwd()
    if path.is_relative_to(cwd):
        return str(path.relative_to(cwd))
    home = Path.home()
    return str(Path("~") / path.relative_to(home)) if path.is_relative_to(home) else str(path)


def describe(error: BaseException) -> tuple[str, str | None]:
    """The message and hint shown for ``error``; an error not ours asks for a report."""
    if isinstance(error, MilvusProfilesError):
        return error.message, error.hint
    hint = "run again with --debug to see the traceback, and report it"
    return f"unexpected {type(error).__name__}: {error}", hint


class Output:
    """Prints for one command run; built by the main command from the global options."""

    def __init__(self, *, color: bool = False, terminal: bool = False) -> None:
        self.color = color
        self.terminal = terminal  # standard output is a terminal (not a pipe or a file)
        self.json_errors = False  # set by commands given --json: an error is also JSON on standard output
        self.failures = 0  # how many `fail` findings `item` printed (doctor exits 1 when there is one)

    def _paint(self, text: str, fg: str | None = None, *, bold: bool = False) -> str:
        # ``text`` is already escaped: the only way an escape sequence reaches the output
        return click.style(text, fg=fg, bold=bold) if self.color and (fg or bold) else text

    def line(self, *parts: str | Cell, err: bool = False) -> None:
        """One line made of ``parts``; a ``Cell`` part is styled. A newline is shown as ``\\x0a``."""
        cells = (p if isinstance(p, Cell) else Cell(p) for p in parts)
        text = "".join(self._paint(escape(c.text), c.fg, bold=c.bold) for c in cells)
        click.echo(text, err=err, color=self.color)

    done = line

    def raw(self, text: str) -> None:
        """Text exactly as given (``env``'s, which quotes every value itself; click must not strip it)."""
        click.echo(text, nl=False, color=True)

    def json(self, data: Any) -> None:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)  # TOML has dates
        # json.dumps escapes C0 in strings; the rest of UNSAFE (DEL, C1...) it leaves raw, so escape it
        click.echo(JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str | Cell]]) -> None:
        """Columns padded to their widest cell; the last column is not padded."""
        cells = [[c if isinstance(c, Cell) else Cell(c) for c in r] for r in [headers, *rows]]
        every = [[Cell(escape(c.text), c.fg, c.bold or i == 0) for c in row] for i, row in enumerate(cells)]
        widths = [max(len(row[i].text) for row in every) for i in range(len(headers))]
        for row in every:
            parts = [
                self._paint(c.text if i == len(row) - 1 else c.text.ljust(widths[i]), c.fg, bold=c.bold)
                for i, c in enumerate(row)
            ]
            click.echo("  ".join(parts).rstrip(), color=self.color)

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        """``key:  value`` lines, the values aligned."""
        shown = [(escape(k) + ":", v) for k, v in rows]
        width = max((len(k) for k, _ in shown), default=0)
        for key, value in shown:
            self.line(Cell(key.ljust(width), bold=True), "  ", value)

    def heading(self, text: str) -> None:
        self.line(Cell(text, bold=True))

    def item(self, kind: str, text: str, hint: str | None = None) -> None:
        """One finding of ``doctor``: ``kind`` is ``ok``, ``info``, ``warn``, ``fail`` or ``fixed``."""
        colour = {"ok": "green", "fixed": "green", "warn": "yellow", "fail": "red"}.get(kind)
        self.failures += kind == "fail"
        self.line("  ", Cell(kind.ljust(4), colour, bold=colour is not None), "  ", text)
        if hint:
            self.hint(hint, indent=8)

    def labelled(self, label: str, text: str, fg: str | None = None, *, indent: int = 0) -> None:
        self.line(" " * indent, Cell(label, fg, bold=fg is None), ": ", text)

    def hint(self, text: str, *, indent: int = 0, err: bool = False) -> None:
        self.line(" " * indent, Cell("hint", "cyan"), ": ", text, err=err)

    def warning(self, text: str, hint: str | None = None) -> None:
        self.line(Cell("warning", "yellow", bold=True), ": ", text, err=True)
        if hint:
            self.hint(hint, err=True)

    def json_error(self, message: str, hint: str | None, code: int) -> None:
        """A ``--json`` command's error on standard output, with the fields of a failed ``test --json``."""
        self.json({"ok": False, "exit_code": code, "error": message, "hint": hint})

    def error(self, error: BaseException, *, debug: bool = False, code: int | None = None) -> None:
        """``error: ...`` and ``hint: ...`` on standard error (after the traceback with ``--debug``)."""
        if debug:
            for text in "".join(traceback.format_exception(error)).rstrip().splitlines():
                self.line(text, err=True)
        message, hint = describe(error)
        if not isinstance(error, MilvusProfilesError):
            hint = None if debug else hint
        elif debug and error.summary:
            self.line(f"values used: {error.summary}", err=True)
        self.line(Cell("error", "red", bold=True), ": ", message, err=True)
        if hint:
            self.hint(hint, err=True)
        if self.json_errors and code is not None:
            self.json_error(message, hint, code)
