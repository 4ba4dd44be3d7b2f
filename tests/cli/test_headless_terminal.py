"""A headless Linux machine with gnome-keyring installed and no D-Bus session, as a person meets it in a
terminal: no password is asked for that cannot be stored, and the hint names what is missing."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from milvus_profiles.secrets.keyring_store import HEADLESS_DOCS, no_backend_hint

from ..helpers import entry_point, write
from ..terminal import Terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals (the pty module) are POSIX")

NO_DBUS = (
    "hint: gnome-keyring-daemon is installed but there is no D-Bus session, which it needs: start a shell "
    "in one with `dbus-run-session -- sh` and unlock the keyring there, or set MILVUS_PASSWORD or "
    f"MILVUS_TOKEN in the environment instead (Headless Linux: {HEADLESS_DOCS})"
)


@pytest.fixture
def headless(tmp_path: Path) -> dict[str, str]:
    """The command's environment: no keyring backend works, gnome-keyring is on PATH, no D-Bus session."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    daemon = write(bin_dir / "gnome-keyring-daemon", "#!/bin/sh\nexit 1\n")
    daemon.chmod(daemon.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MILVUS_", "DBUS_"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        TERM="xterm",
    )
    return env


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    started: list[Terminal] = []
    yield started
    for term in started:
        term.close()


def run(terminals: list[Terminal], env: dict[str, str], cwd: Path, *args: str) -> Terminal:
    term = Terminal([entry_point(), *args], env=env, cwd=cwd)
    terminals.append(term)
    return term


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hint names Linux's Secret Service")
def test_secret_set_asks_nothing_and_names_the_missing_dbus_session(
    terminals: list[Terminal], headless: dict[str, str], isolated: Path
) -> None:
    write(isolated / "milvus.toml", '[profiles.prod]\nuri = "http://127.0.0.1:19530"\nuser = "app"\n')
    term = run(terminals, headless, isolated, "secret", "set", "prod")
    assert term.wait() == 4, term.shown
    assert "Password" not in term.shown
    assert term.shown.splitlines() == [
        "error: cannot store a secret: no keyring backend is available",
        NO_DBUS,
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hint names Linux's Secret Service")
def test_add_ask_secret_adds_the_profile_without_asking_and_says_how_to_finish(
    terminals: list[Terminal], headless: dict[str, str], isolated: Path
) -> None:
    project = write(isolated / "milvus.toml", "")
    args = ("add", "prod", "--uri", "http://127.0.0.1:19530", "--user", "app", "--ask-secret")
    term = run(terminals, headless, isolated, *args)
    assert term.wait() == 4, term.shown
    assert "Password" not in term.shown
    assert term.shown.splitlines()[:2] == [
        "added profile 'prod' to milvus.toml",
        "error: profile 'prod' is saved in milvus.toml, but its secret is not: cannot store a secret: "
        "no keyring backend is available",
    ]
    assert "finish with `milvus-profiles secret set prod` once a keyring works" in term.shown
    assert "`dbus-run-session -- sh`" in term.shown
    assert "[profiles.prod]" in project.read_text()


def test_interactive_add_asks_the_fields_but_no_secret_it_cannot_store(
    terminals: list[Terminal], headless: dict[str, str], isolated: Path
) -> None:
    project = write(isolated / "milvus.toml", "")
    term = run(terminals, headless, isolated, "add", "prod")
    term.expect("URI [http://localhost:19530]: ")
    term.type("http://127.0.0.1:19530")
    term.expect("Database [default]: ")
    term.type("")
    term.expect("Timeout in seconds [10.0]: ")
    term.type("")
    term.expect("User (empty for none: a token): ")
    term.type("app")
    term.expect("Test profile 'prod' now? [Y/n]: ")
    term.type("n")
    assert term.wait() == 0, term.shown
    assert "Password" not in term.shown
    assert (
        "warning: cannot store a secret: no keyring backend is available, so none is asked for; the profile "
        "is added without it\n"
    ) in term.shown
    assert "added profile 'prod' to milvus.toml" in term.shown
    assert 'user = "app"' in project.read_text()


@pytest.mark.parametrize(
    ("installed", "environ", "missing"),
    [
        (False, {}, "install a Secret Service (gnome-keyring or KWallet), or set MILVUS_PASSWORD"),
        (True, {}, "gnome-keyring-daemon is installed but there is no D-Bus session, which it needs: "),
        (
            True,
            {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"},
            "gnome-keyring-daemon is installed but does not run in this D-Bus session: start and unlock it, ",
        ),
    ],
    ids=["nothing-installed", "no-dbus-session", "not-running"],
)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the hint names Linux's Secret Service")
def test_the_hint_says_what_is_missing(
    tmp_path: Path, installed: bool, environ: dict[str, str], missing: str
) -> None:
    if installed:
        daemon = write(tmp_path / "gnome-keyring-daemon", "#!/bin/sh\n")
        daemon.chmod(0o755)
    hint = no_backend_hint({"PATH": str(tmp_path), **environ})
    assert hint.startswith(missing)
    assert hint.endswith(f"(Headless Linux: {HEADLESS_DOCS})")
