"""The shell commands the pages show: every `milvus-profiles` command line in a ```sh or ```console block
of docs/ and README.md is one the command accepts (its command, subcommand and options exist), and the
quick start's first steps run in a new project and print what the page shows."""

from __future__ import annotations

import itertools
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from milvus_profiles.cli import main

from .helpers import entry_point, run_clean

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]
BLOCK = re.compile(r"^( *)```(sh|console)[^\n]*\n(.*?)^\1```", flags=re.M | re.S)
# `milvus-profiles` where a shell runs it: at the start, after `(`, `$(`, `;`, `&&` or `|`, maybe after
# VAR=value assignments; its arguments end at the next shell operator.
COMMAND = re.compile(r"(?:^|[;&|(]\s*)(?:\w+=\S*\s+)*milvus-profiles((?:[ \t]+[^\s;&|()<>]+)*)", flags=re.M)


def command_lines(page: Path) -> list[str]:
    found: list[str] = []
    for _indent, kind, body in BLOCK.findall(page.read_text(encoding="utf-8")):
        lines = [line.strip() for line in body.replace("\\\n", " ").splitlines()]
        if kind == "console":  # only the lines after a prompt are commands
            lines = [line[2:] for line in lines if line.startswith("$ ")]
        for line in lines:
            found += [m.group(1).strip() for m in COMMAND.finditer(line.split(" #", 1)[0])]
    return found


DOCUMENTED = [(page.relative_to(ROOT).as_posix(), line) for page in PAGES for line in command_lines(page)]


def test_the_pages_show_commands_to_check() -> None:
    assert len(DOCUMENTED) > 40
    assert {page for page, _ in DOCUMENTED} >= {"docs/quickstart.md", "docs/cli/profiles.md", "README.md"}


@pytest.mark.parametrize(("page", "line"), DOCUMENTED, ids=[f"{p}: {line}" for p, line in DOCUMENTED])
def test_a_documented_command_line_is_one_the_command_accepts(page: str, line: str) -> None:
    """Parsed as the command parses it, up to `--help` (which stops before the values are checked, after
    every command and option name is)."""
    args = shlex.split(line)
    if "--" in args:  # `exec NAME -- PROGRAM`: its arguments end at NAME, where `--help` must go first
        args = args[: args.index("--")]
        args.insert(args.index(next(a for a in reversed(args) if not a.startswith("-"))), "--help")
    else:
        args.append("--help")
    result = CliRunner().invoke(main, args, prog_name="milvus-profiles")
    assert result.exit_code == 0, f"{page}: milvus-profiles {line}\n{result.output}"
    assert result.output.startswith("Usage: milvus-profiles"), result.output


def page_blocks(name: str) -> list[tuple[str, str]]:
    """The (language, text) of each fenced block of a page, in order."""
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    return [
        (kind, body) for _, kind, body in re.findall(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```", text, re.M | re.S)
    ]


def test_the_quick_start_runs_in_a_new_project_as_the_page_shows(tmp_path: Path) -> None:
    pytest.importorskip("milvus_lite", reason="the quick start's profile is a Milvus Lite file")
    project = tmp_path / "app"
    project.mkdir()
    (project / ".git").mkdir()  # a repository, as the page's project is
    blocks = page_blocks("quickstart.md")
    checked = []
    for (kind, body), (next_kind, shown) in itertools.pairwise(blocks):
        if kind != "sh" or next_kind != "text" or not body.startswith("milvus-profiles "):
            continue
        args = shlex.split(body)[1:]
        if "--ask-secret" in args or (args[:1] == ["test"] and len(args) > 1):
            break  # from here on the page needs a terminal for a password and a server of yours
        done = run_clean([entry_point(), *args], project, tmp_path / "config")
        assert done.returncode == 0, done.stderr
        printed = done.stdout.replace(str(project.resolve()), "/home/me/app").replace(
            str(project), "/home/me/app"
        )
        # what differs from machine to machine: the Milvus Lite version and the time a check took
        printed, expected = (
            re.sub(r"milvus_lite-\S+|\d+ ms", "#", re.sub(r" +", " ", text)) for text in (printed, shown)
        )
        assert printed == expected, f"milvus-profiles {body}"
        checked.append(args[0])
    assert checked == ["init", "list", "test"]
