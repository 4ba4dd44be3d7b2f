"""The installed ``milvus-profiles`` script in real processes: start-up imports, a whole workflow, and a
secret given on standard input that shows up nowhere."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ..helpers import SENTINEL, files_containing, run_clean, run_entry_point

HEAVY = ("pymilvus", "pandas", "grpc", "keyring", "pydantic_settings")
PROBE = """\
import sys
from milvus_profiles.cli import main
try:
    main({args!r}, standalone_mode=False)
except SystemExit:
    pass
print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)
"""


def python_c(code: str, cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in a clean environment (python-dotenv then reads ./.env, as in a notebook)."""
    return run_clean([sys.executable, "-c", code], cwd, config)


def imported_by(args: list[str], cwd: Path, config: Path) -> list[str]:
    done = python_c(PROBE.format(args=args, heavy=HEAVY), cwd, config)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1].replace("'", '"'))
    return loaded


@pytest.fixture
def project(isolated: Path) -> Path:
    (isolated / "milvus.toml").write_text(
        'default = "local"\n[profiles.local]\nuri = "./data/milvus.db"\n'
        '[profiles.dev]\nuri = "http://dev.example.com:19530"\nuser = "root"\n',
        encoding="utf-8",
    )
    return isolated


@pytest.mark.parametrize("args", [["list"], ["--help"], ["--version"], ["list", "--json"]])
def test_reading_commands_import_nothing_heavy(args: list[str], project: Path, tmp_path: Path) -> None:
    assert imported_by(args, project, tmp_path / "config") == []


def test_check_resolves_as_connect_does_without_keyring_or_network(project: Path, tmp_path: Path) -> None:
    # check runs the resolver's own checks of every profile (pydantic-settings), and nothing more
    assert imported_by(["check"], project, tmp_path / "config") == ["pydantic_settings"]


@pytest.mark.parametrize("args", [["show", "dev"], ["env", "dev"], ["show", "--explain"]])
def test_resolving_commands_never_import_pymilvus(args: list[str], project: Path, tmp_path: Path) -> None:
    loaded = imported_by(args, project, tmp_path / "config")
    assert not {"pymilvus", "pandas", "grpc"} & set(loaded)


def test_a_workflow(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "config"
    version = run_entry_point(["--version"], project, config)
    assert version.returncode == 0
    assert version.stdout.startswith("milvus-profiles ")
    listed = run_entry_point(["list", "--json"], project, config)
    assert [p["name"] for p in json.loads(listed.stdout)["profiles"]] == ["local", "dev"]
    assert run_entry_point(["check"], project, config).stdout == "ok: 1 file, 2 profiles\n"
    tested = run_entry_point(["test", "local"], project, config)
    assert tested.returncode == 0, tested.stderr
    assert "ready" in tested.stdout
    untrusted = run_entry_point(["test", "dev"], project, config)
    assert untrusted.returncode == 8  # a cloned project's server gets no stored secret until trusted
    assert "milvus-profiles trust milvus.toml" in untrusted.stderr
    trusting = run_entry_point(["trust"], project, config)
    assert trusting.returncode == 0, trusting.stderr
    missing = run_entry_point(["test", "dev"], project, config)
    assert missing.returncode == 4
    unknown = run_entry_point(["show", "prod"], project, config)
    assert unknown.returncode == 3
    assert unknown.stderr.startswith("error: no profile named 'prod'")
    assert "Traceback" not in unknown.stderr


def test_a_secret_on_standard_input_appears_nowhere(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "config"
    # a keyring that really stores (in a file of its own, base64-encoded): the secret travels the whole
    # way, from standard input to the keyring and back into the resolved profile, and the sweep below
    # looks for it wherever it went
    keyring_env = {
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }

    def run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_entry_point(args, project, config, stdin=stdin, env=keyring_env)

    args = ["add", "prod", "--uri", "https://prod.example.com:443", "--user", "app", "--secret-stdin"]
    added = run(args, stdin=SENTINEL + "\n")
    assert added.returncode == 0, added.stderr
    assert SENTINEL not in added.stdout + added.stderr
    assert all(SENTINEL not in a for a in args)
    stored = run(["secret", "set", "prod", "--stdin"], stdin=SENTINEL)
    assert stored.returncode == 0, stored.stderr
    read_back = run_clean(
        [
            sys.executable,
            "-c",
            "import keyring; print(keyring.get_password('milvus-profiles', 'app@https://prod.example.com:443'))",
        ],
        project,
        config,
        env=keyring_env,
    )
    assert read_back.stdout.strip() == SENTINEL  # stored for real, where the next commands find it
    assert run(["trust"]).returncode == 0
    shown = run(["show", "prod", "--explain"])
    assert re.search(
        r"^password +\*{8} +keyring \(app@https://prod.example.com:443\)$", shown.stdout, re.M
    ), shown.stdout + shown.stderr  # the secret was loaded, so the commands below had it in hand
    for command in (["show", "prod", "--explain"], ["env", "prod"], ["list"], ["doctor"], ["check"]):
        done = run(command)
        assert SENTINEL not in done.stdout + done.stderr, command
    assert files_containing(tmp_path, SENTINEL) == []
    encoded = base64.encodebytes(SENTINEL.encode()).decode().strip()
    assert files_containing(tmp_path, encoded) == [tmp_path / "data" / "python_keyring" / "keyring_pass.cfg"]


def test_pymilvus_dotenv_loading_does_not_change_what_test_tests(project: Path, tmp_path: Path) -> None:
    (project / ".env").write_text("MILVUS_DB_NAME=missing\n", encoding="utf-8")
    tested = python_c(
        "from milvus_profiles.cli import main; main(['test', 'local'])", project, tmp_path / "c"
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    doctor = python_c("from milvus_profiles.cli import main; main(['doctor'])", project, tmp_path / "c")
    assert "  warn  .env sets MILVUS_DB_NAME: importing pymilvus in your own code loads them" in doctor.stdout
    # a process that imported pymilvus itself has the variable; doctor names it
    loaded = python_c(
        "import pymilvus; from milvus_profiles.cli import main; main(['doctor'])", project, tmp_path / "c"
    )
    assert "  warn  MILVUS_DB_NAME in this environment holds the value .env sets" in loaded.stdout


def test_testing_a_server_profile_does_not_import_pymilvus(project: Path, tmp_path: Path) -> None:
    (project / "milvus.local.toml").write_text(
        '[profiles.closed]\nuri = "http://127.0.0.1:9"\ntimeout = 1\n', encoding="utf-8"
    )
    loaded = imported_by(["test", "closed"], project, tmp_path / "config")
    assert "grpc" in loaded  # the probe speaks gRPC itself
    assert not {"pymilvus", "pandas"} & set(loaded)
