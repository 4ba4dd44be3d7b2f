"""`add NAME` without --uri, as a person runs it: the installed command in a pseudo-terminal asks for each
field in turn (as `aws configure` does), writes the profile, and puts the secret in the keyring only,
never on the screen or in a file. Off a terminal it is a usage error."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import SENTINEL, entry_point, files_containing, write
from ..terminal import Terminal

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals (the pty module) are POSIX")

FORMS = [
    "  http://localhost:19530            a Milvus server (standalone, or on Kubernetes via a port-forward)",
    "  https://HOST:443                  a server behind TLS, or Zilliz Cloud's public endpoint",
    "  ./data/milvus.db                  Milvus Lite: a local file, no server",
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of the command: this test's folders, and a file keyring every process shares."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where PlaintextKeyring keeps its file
    return {**os.environ, "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "TERM": "xterm"}


@pytest.fixture
def terminal(env: dict[str, str], isolated: Path) -> Iterator[list[Terminal]]:
    """Started terminals, closed at the end of the test."""
    started: list[Terminal] = []
    yield started
    for term in started:
        term.close()


def add(terminal: list[Terminal], env: dict[str, str], cwd: Path, *args: str) -> Terminal:
    term = Terminal([entry_point(), "add", *args], env=env, cwd=cwd)
    terminal.append(term)
    return term


def stored(account: str) -> str | None:
    """The secret the keyring holds for ``account``, read back through keyring's own backend."""
    from keyrings.alt.file import PlaintextKeyring

    return PlaintextKeyring().get_password("milvus-profiles", account)  # type: ignore[no-any-return]


def test_each_field_is_asked_for_and_the_secret_goes_to_the_keyring_only(
    terminal: list[Terminal], env: dict[str, str], isolated: Path, user_file: Path, tmp_path: Path
) -> None:
    term = add(terminal, env, isolated, "prod")
    term.expect("New profile 'prod'. The URI takes one of these forms:\n")
    term.expect("URI [http://localhost:19530]: ")
    term.type("https://127.0.0.1:443")
    term.expect("Database [default]: ")
    term.type("analytics")
    term.expect("Timeout in seconds [10.0]: ")
    term.type("5")
    term.expect("User (empty for none: a token): ")
    term.type("app")
    term.expect("Password for user 'app' (empty to store none now; it goes to the keyring): ")
    term.type(SENTINEL)
    term.expect("Repeat for confirmation: ")
    term.type(SENTINEL)
    term.expect("Test profile 'prod' now? [Y/n]: ")
    term.type("n")
    assert term.wait() == 0, term.shown

    shown = term.shown.splitlines()
    assert shown[1:4] == FORMS  # each form on a line of its own
    assert shown[-3:-1] == [
        f"added profile 'prod' to {user_file}",
        "stored the secret in the keyring (account app@https://127.0.0.1:443)",
    ]
    # outside a project, the user file: created private, holding the fields typed and no secret
    assert tomllib.loads(user_file.read_text()) == {
        "profiles": {
            "prod": {"uri": "https://127.0.0.1:443", "db_name": "analytics", "timeout": 5.0, "user": "app"}
        }
    }
    assert user_file.stat().st_mode & 0o777 == 0o600
    assert stored("app@https://127.0.0.1:443") == SENTINEL
    # the password was typed twice and never echoed; no file holds it as text
    assert SENTINEL not in term.shown
    assert files_containing(tmp_path, SENTINEL) == []


def test_a_token_without_a_user_is_stored_for_the_endpoint(
    terminal: list[Terminal], env: dict[str, str], isolated: Path, user_file: Path
) -> None:
    term = add(terminal, env, isolated, "cloud", "--timeout", "30")
    term.expect("URI [http://localhost:19530]: ")
    term.type("https://127.0.0.1:443")
    term.expect("Database [default]: ")
    term.type("")
    term.expect("User (empty for none: a token): ")  # --timeout was given: not asked again
    term.type("")
    term.expect("Token (empty to store none now; it goes to the keyring): ")
    term.type(SENTINEL)
    term.expect("Repeat for confirmation: ")
    term.type(SENTINEL)
    term.expect("Test profile 'cloud' now? [Y/n]: ")
    term.type("n")
    assert term.wait() == 0, term.shown
    assert "Timeout" not in term.shown
    assert tomllib.loads(user_file.read_text()) == {
        "profiles": {"cloud": {"uri": "https://127.0.0.1:443", "timeout": 30.0}}
    }
    assert stored("https://127.0.0.1:443") == SENTINEL
    assert SENTINEL not in term.shown


def test_milvus_lite_takes_the_defaults_and_asks_for_no_secret(
    terminal: list[Terminal], env: dict[str, str], isolated: Path
) -> None:
    project = write(isolated / "milvus.toml", "")
    (isolated / "app").mkdir()
    term = add(terminal, env, isolated / "app", "local")  # from a subfolder of the project
    term.expect("URI [http://localhost:19530]: ")
    term.type("../data/milvus.db")
    term.expect("Database [default]: ")
    term.type("")
    term.expect("Timeout in seconds [10.0]: ")
    term.type("")
    term.expect("Test profile 'local' now? [Y/n]: ")
    term.type("")  # yes, the default
    assert term.wait() == 0, term.shown
    assert "User" not in term.shown
    assert "keyring" not in term.shown
    assert term.shown.splitlines()[-1].startswith("profile 'local' is ready (server version ")
    # the defaults are not written; the path is written from the file's folder, where it is read from
    assert tomllib.loads(project.read_text()) == {"profiles": {"local": {"uri": "data/milvus.db"}}}


def test_a_database_that_does_not_exist_is_found_by_the_test_offered_at_the_end(
    terminal: list[Terminal], env: dict[str, str], isolated: Path
) -> None:
    project = write(isolated / "milvus.toml", "")
    term = add(terminal, env, isolated, "local")
    term.expect("URI [http://localhost:19530]: ")
    term.type("./data/milvus.db")
    term.expect("Database [default]: ")
    term.type("analytcs")
    term.expect("Timeout in seconds [10.0]: ")
    term.type("")
    term.expect("Test profile 'local' now? [Y/n]: ")
    term.type("y")
    assert term.wait() == 7, term.shown
    assert "error: profile local: database 'analytcs' does not exist on " in term.shown
    assert "hint: create it with `client.create_database(...)`" in term.shown
    # the profile stays as typed: the message says what to change
    assert tomllib.loads(project.read_text())["profiles"]["local"]["db_name"] == "analytcs"


def test_a_secret_typed_differently_the_second_time_is_asked_again(
    terminal: list[Terminal], env: dict[str, str], isolated: Path
) -> None:
    term = add(terminal, env, isolated, "prod", "--db-name", "analytics", "--timeout", "5", "--user", "app")
    term.expect("URI [http://localhost:19530]: ")
    term.type("http://127.0.0.1:19530")
    term.expect("Password for user 'app'")
    term.type(SENTINEL)
    term.expect("Repeat for confirmation: ")
    term.type(SENTINEL + "x")
    term.expect("Error: The two entered values do not match.")
    term.expect("Password for user 'app'")
    term.type(SENTINEL)
    term.expect("Repeat for confirmation: ")
    term.type(SENTINEL)
    term.expect("Test profile 'prod' now? [Y/n]: ")
    term.type("n")
    assert term.wait() == 0, term.shown
    assert stored("app@http://127.0.0.1:19530") == SENTINEL
    assert SENTINEL not in term.shown


def test_off_a_terminal_the_uri_is_required(isolated: Path, user_file: Path) -> None:
    done = subprocess.run(
        [entry_point(), "add", "prod"], cwd=isolated, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "Usage: milvus-profiles add [OPTIONS] NAME\n"
        "Try 'milvus-profiles add --help' for help.\n\n"
        "Error: --uri is required when not on a terminal (on one, each field is asked for)\n"
    )
    assert not user_file.exists()


def test_on_a_terminal_a_secret_from_stdin_still_needs_the_uri(
    terminal: list[Terminal], env: dict[str, str], isolated: Path, user_file: Path
) -> None:
    term = add(terminal, env, isolated, "prod", "--secret-stdin")
    assert term.wait() == 2
    assert "Error: --uri is required when not on a terminal (on one, each field is asked for)" in term.shown
    assert "URI [" not in term.shown
    assert not user_file.exists()
