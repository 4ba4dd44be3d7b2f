"""Fixtures of the command-line tests: run the real command in-process with CliRunner, or as the installed
entry point in a subprocess, and look for a secret in everything the command could have left behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from milvus_profiles.cli import main
from milvus_profiles.resolution import cache as resolver

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def repository(isolated: Path) -> Path:
    """The working folder is the root of a git repository, so project discovery stops there."""
    (isolated / ".git").mkdir()
    return isolated


@pytest.fixture
def cli() -> Run:
    """``cli("list", "--json")``: the command, as a user runs it (each run starts with empty caches, as a
    new process does)."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        resolver.clear_cache()
        runner = CliRunner()
        return runner.invoke(main, list(args), input=input, env=env, prog_name="milvus-profiles")

    return run


def entry_point() -> str:
    """The installed ``milvus-profiles`` script of the Python running the tests."""
    beside = Path(sys.executable).parent / "milvus-profiles"
    found = str(beside) if beside.exists() else shutil.which("milvus-profiles")
    assert found, "milvus-profiles is not installed; pip install -e ."
    return found


def run_clean(
    argv: Sequence[str],
    cwd: Path,
    config: Path,
    *,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``argv`` in a new process without MILVUS_* variables, the user folder in ``config``, and a null
    keyring (the in-memory one does not cross processes); ``env`` adds or replaces variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    environ.update(
        XDG_CONFIG_HOME=str(config),
        XDG_STATE_HOME=str(config.parent / "state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    environ.update(env or {})
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_entry_point(
    args: Sequence[str],
    cwd: Path,
    config: Path,
    *,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real command in a new process."""
    return run_clean([entry_point(), *args], cwd, config, stdin=stdin, env=env)


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and needle.encode() in path.read_bytes():
            found.append(path)
    return found
