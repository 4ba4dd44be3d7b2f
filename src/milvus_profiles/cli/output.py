"""The only place the command line prints: lines, tables, JSON, warnings, errors and prompts.

Colour is used on a terminal only, and never with ``--no-color`` or when ``NO_COLOR`` is set
(https://no-color.org). Nothing given to these functions is ever a secret unless the user asked for it
(``show --reveal``, ``env --include-secrets``).

Every text given to these functions may come from a file someone else wrote, so each is shown through
`escape`: a control character (an escape sequence could move the cursor over a warning, or write to the
clipboard) is printed as ``\\x1b``, never as itself. Only the styles this module adds reach the terminal.
"""

from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..errors import MilvusProfilesError

# C0 (newline and tab too), DEL, C1, and the Unicode characters that reorder or break a line on screen
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

JSON_UNSAFE = re.compile(UNSAFE.pattern.replace(r"\x00-\x1f", ""))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` as it may reach a terminal: every control character shown as ``\\xNN`` (``\\uNNNN`` for
    the bidirectional and line-separator characters), everything else as it is.

    Examples:
        >>> escape("dev\\x1b]52;c;aGk=\\x07")
        'dev\\\\x1b]52;c;aGk=\\\\x07'
    """
    return UNSAFE.sub(_escaped, text)


@dataclass(frozen=True)
class Cell:
    """A piece of text with a colour (a ``click.style`` foreground name): a table cell, or part of a line."""

    text: str
    fg: str | None = None
    bold: bool = False


def wants_color(no_color: bool) -> bool:
    """Colour only on a terminal, and never when it is turned off."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def display_path(path: Path | str) -> str:
    """A path as short as it stays unambiguous: relative below the working folder, ``~`` below home."""
    path = Path(path)
    cwd = Path.cwd()
    if path.is_relative_to(cwd):
        return str(path.relative_to(cwd))
    home = Path.home()
    if path.is_relative_to(home):
        return str(Path("~") / path.relative_to(home))
    return str(path)


class Output:
    """Prints for one command run; built by the main command from the global options."""

    def __init__(self, *, color: bool = False, terminal: bool = False) -> None:
        self.color = color
        self.terminal = terminal  # standard output is a terminal (not a pipe or a file)
        self.json_errors = False
        """Set by commands given ``--json``: an error is also a JSON object on standard output."""
        self.failures = 0
        """How many ``fail`` findings `item` printed (``doctor`` exits 1 when there is one)."""

    def _paint(self, text: str, fg: str | None = None, *, bold: bool = False) -> str:
        """``text`` (already escaped) in a colour; the only way an escape sequence reaches the output."""
        if not self.color or (fg is None and not bold):
            return text
        return click.style(text, fg=fg, bold=bold)

    def _cell(self, part: str | Cell) -> str:
        if isinstance(part, Cell):
            return self._paint(escape(part.text), part.fg, bold=part.bold)
        return escape(part)

    def line(self, *parts: str | Cell, err: bool = False) -> None:
        """One line made of ``parts``; a ``Cell`` part is styled. A newline is shown as ``\\x0a``."""
        click.echo("".join(self._cell(p) for p in parts), err=err, color=self.color)

    def raw(self, text: str) -> None:
        """Text exactly as given: ``env``'s output, which is read by shells and quotes every value itself.

        ``color=True`` keeps click from taking ANSI sequences out of a pipe (it strips them off a
        terminal's absence), which would change a value; what may reach a terminal is the caller's care.
        """
        click.echo(text, nl=False, color=True)

    def json(self, data: Any) -> None:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str)  # TOML has dates
        # json.dumps escapes C0 in strings (the newlines left are its indentation); the rest of UNSAFE
        # (DEL, C1...) it leaves raw with ensure_ascii=False, so they become JSON escapes here
        click.echo(JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str | Cell]]) -> None:
        """Columns padded to their widest cell; the last column is not padded."""
        cells = [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in rows]
        head = [Cell(h, bold=True) for h in headers]
        every = [[Cell(escape(c.text), c.fg, c.bold) for c in row] for row in [head, *cells]]
        widths = [max(len(row[i].text) for row in every) for i in range(len(headers))]
        for row in every:
            parts = []
            for i, cell in enumerate(row):
                text = cell.text if i == len(row) - 1 else cell.text.ljust(widths[i])
                parts.append(self._paint(text, cell.fg, bold=cell.bold))
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
        """``label: text``, the label bold (or in ``fg``)."""
        self.line(" " * indent, Cell(label, fg, bold=fg is None), ": ", text)

    def hint(self, text: str, *, indent: int = 0, err: bool = False) -> None:
        """``hint: text``, the way to fix what the line before says."""
        self.line(" " * indent, Cell("hint", "cyan"), ": ", text, err=err)

    def ok(self, text: str) -> None:
        self.line(Cell("ok", "green", bold=True), ": ", text)

    def done(self, text: str) -> None:
        self.line(text)

    def warning(self, text: str, hint: str | None = None) -> None:
        self.line(Cell("warning", "yellow", bold=True), ": ", text, err=True)
        if hint:
            self.hint(hint, err=True)

    def json_error(self, message: str, hint: str | None, code: int) -> None:
        """The error of a ``--json`` command as JSON on standard output, with the fields a failed
        profile of ``test --json`` has."""
        self.json({"ok": False, "exit_code": code, "error": message, "hint": hint})

    def error(self, error: BaseException, *, debug: bool = False, code: int | None = None) -> None:
        """``error: ...`` and ``hint: ...`` on standard error; the traceback first with ``--debug``.

        With ``json_errors`` set, the error is also printed as JSON on standard output, for scripts.
        """
        if debug:
            for text in "".join(traceback.format_exception(error)).rstrip().splitlines():
                self.line(text, err=True)
        if isinstance(error, MilvusProfilesError):
            message, hint = error.message, error.hint
            if debug and error.summary:
                self.line(f"values used: {error.summary}", err=True)
        else:
            message = f"unexpected {type(error).__name__}: {error}"
            hint = None if debug else "run again with --debug to see the traceback, and report it"
        self.line(Cell("error", "red", bold=True), ": ", message, err=True)
        if hint:
            self.hint(hint, err=True)
        if self.json_errors and code is not None:
            self.json_error(message, hint, code)

    def prompt_secret(self, label: str, *, stdin_option: str = "--stdin") -> str:
        """Ask for a secret twice without echo (on standard error, so standard output stays clean).

        Without a terminal to turn echo off on, Python's getpass would warn and read standard input
        anyway, twice; the command says instead to give the secret on standard input with
        ``stdin_option``.
        """
        import getpass
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error", getpass.GetPassWarning)
            try:
                value: str = click.prompt(escape(label), hide_input=True, confirmation_prompt=True, err=True)
            except getpass.GetPassWarning:
                raise click.UsageError(
                    "there is no terminal to ask for the secret on without showing it; "
                    f"give it on standard input with {stdin_option} instead"
                ) from None
        return value
