"""What the pages say about the commands, checked by running the commands: a page and the tool cannot
drift apart without a test failing."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from milvus_profiles.cli import COMMANDS, main
from milvus_profiles.cli.exitcodes import EXIT_CODES, OK, UNEXPECTED, USAGE
from milvus_profiles.config.model import SecretReference

from .helpers import trusted, write

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def run(*args: str) -> Result:

    return CliRunner().invoke(main, list(args), prog_name="milvus-profiles")


def test_the_summary_table_of_cli_md_names_every_command() -> None:
    table = page("cli.md").split("## Global options")[0]
    named = {
        name
        for cell in re.findall(r"^\| ([^|]+) \|", table, flags=re.M)
        for name in re.findall(r"`([\w-]+)", cell)
    }
    assert sorted(set(COMMANDS) - named) == []


def test_test_help_lists_every_exit_code_a_profile_can_fail_with() -> None:
    text = " ".join(run("test", "--help").stdout.split())
    for code in EXIT_CODES:
        if code not in (OK, UNEXPECTED, USAGE):
            assert f"{code.code} " in text, code


def test_doctor_exits_as_its_page_says(isolated: Path) -> None:
    (isolated / ".git").mkdir()
    assert "`doctor` exits 1 when a line says\n`fail`" in page("cli/checks.md")
    assert run("doctor").exit_code == 0
    write(isolated / "milvus.toml", "[profiles.a\n")
    result = run("doctor")
    assert "  fail  " in result.stdout
    assert result.exit_code == 1


@pytest.mark.skipif(sys.platform == "win32", reason="permission bits are not checked on Windows")
def test_a_file_others_can_write_is_what_the_test_page_says(isolated: Path) -> None:
    (isolated / ".git").mkdir()
    assert "one that needs a\nsecret is `untrusted` (exit 8" in page("cli/checks.md")
    path = trusted(write(isolated / "milvus.toml", '[profiles.s]\nuri = "http://127.0.0.1:9"\nuser = "u"\n'))
    path.chmod(0o666)  # writable by others
    result = run("test", "s", "--json")
    assert result.exit_code == 8
    assert '"status": "untrusted"' in result.stdout
    assert "chmod o-w" in result.stdout


def test_the_pages_name_every_kind_of_secret_reference() -> None:
    for kind in SecretReference.model_fields:
        assert f"{{ {kind} = " in page("secrets.md"), kind
        assert f"`{kind}`" in page("editors.md"), kind
    assert "exactly one of env or command" not in page("editors.md").replace("`", "")


def test_the_testing_page_names_the_tests_of_exec() -> None:
    text = page("testing.md")
    assert "there is no `exec`" not in text
    assert "tests/cli/test_exec.py" in text
    assert (ROOT / "tests" / "cli" / "test_exec.py").is_file()
    assert run("exec", "--help").exit_code == 0


def test_the_quick_start_installs_from_a_checkout_and_activates_before_the_first_command() -> None:
    before_first_command = page("quickstart.md").split("milvus-profiles init")[0]
    assert "pip install '.[lite]'" in before_first_command
    assert ". .venv/bin/activate" in before_first_command
    assert ". .venv-quickstart/bin/activate" in before_first_command
    assert "activate" in (ROOT / "scripts" / "quickstart").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hint names Linux's Secret Service")
def test_the_troubleshooting_page_shows_the_hint_of_a_machine_without_a_dbus_session(tmp_path: Path) -> None:
    from milvus_profiles.secrets.keyring_store import no_backend_hint

    daemon = write(tmp_path / "gnome-keyring-daemon", "#!/bin/sh\n")
    daemon.chmod(0o755)
    hint = no_backend_hint({"PATH": str(tmp_path)})  # installed, and no DBUS_SESSION_BUS_ADDRESS
    assert f"\nhint: {hint}\n" in page("troubleshooting.md")
