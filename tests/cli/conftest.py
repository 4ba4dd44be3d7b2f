"""Fixtures of the command-line tests: the working folder is a repository root, and `cli` runs the real
command in-process with CliRunner (tests/helpers.py runs it as the installed entry point)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from milvus_profiles.cli import main
from milvus_profiles.config import toml

from ..helpers import Run, entry_point, files_containing, run_clean, run_entry_point

# The helpers live in tests/helpers.py; these names stay importable from here for tests written before.
__all__ = ["Run", "entry_point", "files_containing", "run_clean", "run_entry_point"]


@pytest.fixture(autouse=True)
def repository(isolated: Path) -> Path:
    """The working folder is the root of a git repository, so project discovery stops there."""
    (isolated / ".git").mkdir()
    return isolated


@pytest.fixture
def cli() -> Run:
    """``cli("list", "--json")``: the command, as a user runs it (each run starts with no parsed file kept,
    as a new process does)."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        toml.clear_cache()
        runner = CliRunner()
        return runner.invoke(main, list(args), input=input, env=env, prog_name="milvus-profiles")

    return run
