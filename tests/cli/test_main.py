"""The main command: global options, error lines, exit codes and shell completion."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from milvus_profiles import __version__
from milvus_profiles.cli.exitcodes import EXIT_CODES

from ..helpers import Run, entry_point, run_entry_point, write

ROOT = Path(__file__).resolve().parents[2]
TWO = '[profiles.local]\nuri = "./a.db"\n\n[profiles.dev]\nuri = "http://dev:19530"\n'


def test_version(cli: Run) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output == f"milvus-profiles {__version__}\n"


def test_help_lists_every_command(cli: Run) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    commands = re.findall(r"^  ([a-z-]+)  ", result.output.split("Commands:")[1], flags=re.M)
    assert commands == [
        "add", "check", "copy", "current", "doctor", "env", "exec", "import", "init", "list", "remove",
        "rename", "schema", "secret", "set", "set-default", "shell", "show", "test", "trust", "unset",
        "untrust",
    ]  # fmt: skip
    assert "_MILVUS_PROFILES_COMPLETE=bash_source milvus-profiles" in result.output


def test_an_unknown_command_is_a_usage_error(cli: Run) -> None:
    result = cli("frobnicate")
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.stderr


@pytest.mark.parametrize(
    ("typed", "meant"), [("lsit", "'list'"), ("lst", "'list' or 'set'"), ("curent", "'current' or 'secret'")]
)
def test_a_mistyped_command_names_the_close_ones(cli: Run, typed: str, meant: str) -> None:
    result = cli(typed)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: no such command '{typed}'; did you mean {meant}?\n")


def test_an_error_is_one_error_line_and_one_hint_line(cli: Run) -> None:
    write(Path("milvus.toml"), TWO)
    result = cli("show", "nope")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: no profile named 'nope'; known profiles: local, dev; files searched: "
        f"{Path.cwd() / 'milvus.local.toml'}, {Path.cwd() / 'milvus.toml'}, "
        f"{Path.cwd().parent / 'config' / 'milvus-profiles' / 'profiles.toml'}",
        "hint: create it with `milvus-profiles add nope --uri URI`, or pick a known profile",
    ]


def test_debug_adds_the_traceback(cli: Run) -> None:
    write(Path("milvus.toml"), TWO)
    result = cli("--debug", "show", "nope")
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "ProfileNotFoundError" in result.stderr
    assert "\nerror: no profile named 'nope'" in result.stderr


def test_file_replaces_discovery(cli: Run, tmp_path: Path) -> None:
    write(Path("milvus.toml"), TWO)
    other = write(tmp_path / "elsewhere.toml", '[profiles.far]\nuri = "http://far:19530"\n')
    result = cli("--file", str(other), "list", "--json")
    assert result.exit_code == 0
    assert '"far"' in result.stdout
    assert '"local"' not in result.stdout


def test_a_missing_file_is_a_config_error(cli: Run, tmp_path: Path) -> None:
    result = cli("--file", str(tmp_path / "nope.toml"), "list")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == f"error: {tmp_path / 'nope.toml'}: profile file not found"


def test_the_global_profile_option_and_the_argument_must_agree(cli: Run) -> None:
    write(Path("milvus.toml"), TWO)
    assert cli("--profile", "dev", "show").stdout.startswith("profile: dev ")
    assert cli("--profile", "dev", "show", "dev").exit_code == 0
    result = cli("--profile", "dev", "show", "local")
    assert result.exit_code == 2
    assert "Error: two profiles given (dev, local); give one" in result.stderr


def on_terminal(args: list[str], cwd: Path, config: Path, **env: str) -> str:
    """What the installed command prints when its output is a terminal (a pseudo-terminal here)."""
    import pty

    master, slave = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_") and k != "NO_COLOR"}
    environ.update(XDG_CONFIG_HOME=str(config), TERM="xterm", **env)
    process = subprocess.Popen(
        [entry_point(), *args], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=environ
    )
    os.close(slave)
    out = b""
    try:
        while chunk := os.read(master, 65536):
            out += chunk
    except OSError:  # the terminal's other end is closed once the command exits
        pass
    finally:
        os.close(master)
    assert process.wait(timeout=60) == 0, out
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(os.name == "nt", reason="a pseudo-terminal is POSIX")
def test_colour_on_a_terminal_only_and_never_with_no_color(isolated: Path, tmp_path: Path) -> None:
    write(isolated / "milvus.toml", TWO)
    config = tmp_path / "config"
    assert "\x1b[1m" in on_terminal(["list"], isolated, config)  # bold headers: colour is on
    assert "\x1b[" not in on_terminal(["--no-color", "list"], isolated, config)
    assert "\x1b[" not in on_terminal(["list"], isolated, config, NO_COLOR="1")
    piped = run_entry_point(["list"], isolated, config)
    assert piped.stdout.startswith("  NAME ")
    assert "\x1b[" not in piped.stdout


def test_shell_completion_lists_profile_names(cli: Run) -> None:
    write(Path("milvus.toml"), TWO)
    env = {
        "_MILVUS_PROFILES_COMPLETE": "bash_complete",
        "COMP_WORDS": "milvus-profiles show d",
        "COMP_CWORD": "2",
    }
    result = cli(env=env)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["plain,dev"]
    env["COMP_WORDS"] = "milvus-profiles test "
    assert cli(env=env).stdout.splitlines() == ["plain,local", "plain,dev"]


def test_completion_never_offers_a_name_that_may_not_be_printed(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles."dev\\u001b[2J"]\nuri = "./a.db"\n[profiles.dev]\nuri = "./b.db"\n')
    env = {
        "_MILVUS_PROFILES_COMPLETE": "bash_complete",
        "COMP_WORDS": "milvus-profiles show d",
        "COMP_CWORD": "2",
    }
    assert cli(env=env).stdout.splitlines() == ["plain,dev"]


def test_completion_with_a_broken_file_completes_nothing(cli: Run) -> None:
    write(Path("milvus.toml"), "[profiles.local\n")
    env = {
        "_MILVUS_PROFILES_COMPLETE": "bash_complete",
        "COMP_WORDS": "milvus-profiles show ",
        "COMP_CWORD": "2",
    }
    result = cli(env=env)
    assert result.exit_code == 0
    assert result.output.strip() == ""


def test_every_exit_code_is_documented() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert re.search(rf"^\| {code.code} \| `{code.status}` \|", docs, flags=re.M), code
