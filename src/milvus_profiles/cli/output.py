"""The only place the command line prints: lines, tables, JSON, warnings, errors and prompts.

Colour is used on a terminal only, and never with ``--no-color`` or when ``NO_COLOR`` is set
(https://no-color.org). Nothing given to these functions is ever a secret unless the user asked for it
(``show --reveal``, ``env --include-secrets``).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..errors import MilvusProfilesError


@dataclass(frozen=True)
class Cell:
    """A table cell with a colour (a ``click.style`` foreground name)."""

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

    def __init__(self, *, color: bool = False) -> None:
        self.color = color
        self.json_errors = False
        """Set by commands given ``--json``: an error is also a JSON object on standard output."""

    def style(self, text: str, fg: str | None = None, *, bold: bool = False) -> str:
        if not self.color or (fg is None and not bold):
            return text
        return click.style(text, fg=fg, bold=bold)

    def line(self, text: str = "", *, err: bool = False) -> None:
        click.echo(text, err=err, color=self.color)

    def raw(self, text: str) -> None:
        """Text exactly as given (``env``'s output is read by shells)."""
        click.echo(text, nl=False)

    def json(self, data: Any) -> None:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))  # TOML has dates

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str | Cell]]) -> None:
        """Columns padded to their widest cell; the last column is not padded."""
        cells = [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in rows]
        head = [Cell(h, bold=True) for h in headers]
        every = [head, *cells]
        widths = [max(len(row[i].text) for row in every) for i in range(len(headers))]
        for row in every:
            parts = []
            for i, cell in enumerate(row):
                text = cell.text if i == len(row) - 1 else cell.text.ljust(widths[i])
                parts.append(self.style(text, cell.fg, bold=cell.bold))
            self.line("  ".join(parts).rstrip())

    def pairs(self, rows: Sequence[tuple[str, str]]) -> None:
        """``key:  value`` lines, the values aligned."""
        width = max((len(k) for k, _ in rows), default=0) + 1
        for key, value in rows:
            self.line(f"{self.style((key + ':').ljust(width), bold=True)}  {value}")

    def heading(self, text: str) -> None:
        self.line(self.style(text, bold=True))

    def item(self, kind: str, text: str, hint: str | None = None) -> None:
        """One finding of ``doctor``: ``kind`` is ``ok``, ``info``, ``warn``, ``fail`` or ``fixed``."""
        colour = {"ok": "green", "fixed": "green", "warn": "yellow", "fail": "red"}.get(kind)
        self.line(f"  {self.style(kind.ljust(4), colour, bold=colour is not None)}  {text}")
        if hint:
            self.line(f"        {self.style('hint', 'cyan')}: {hint}")

    def ok(self, text: str) -> None:
        self.line(f"{self.style('ok', 'green', bold=True)}: {text}")

    def done(self, text: str) -> None:
        self.line(text)

    def warning(self, text: str, hint: str | None = None) -> None:
        self.line(f"{self.style('warning', 'yellow', bold=True)}: {text}", err=True)
        if hint:
            self.line(f"{self.style('hint', 'cyan')}: {hint}", err=True)

    def json_error(self, message: str, hint: str | None, code: int) -> None:
        """The error of a ``--json`` command as JSON on standard output, with the fields a failed
        profile of ``test --json`` has."""
        self.json({"ok": False, "exit_code": code, "error": message, "hint": hint})

    def error(self, error: BaseException, *, debug: bool = False, code: int | None = None) -> None:
        """``error: ...`` and ``hint: ...`` on standard error; the traceback first with ``--debug``.

        With ``json_errors`` set, the error is also printed as JSON on standard output, for scripts.
        """
        if debug:
            self.line("".join(traceback.format_exception(error)).rstrip(), err=True)
        if isinstance(error, MilvusProfilesError):
            message, hint = error.message, error.hint
            if debug and error.summary:
                self.line(f"values used: {error.summary}", err=True)
        else:
            message = f"unexpected {type(error).__name__}: {error}"
            hint = None if debug else "run again with --debug to see the traceback, and report it"
        self.line(f"{self.style('error', 'red', bold=True)}: {message}", err=True)
        if hint:
            self.line(f"{self.style('hint', 'cyan')}: {hint}", err=True)
        if self.json_errors and code is not None:
            self.json_error(message, hint, code)

    def prompt_secret(self, label: str) -> str:
        """Ask for a secret twice without echo (on standard error, so standard output stays clean)."""
        value: str = click.prompt(label, hide_input=True, confirmation_prompt=True, err=True)
        return value
