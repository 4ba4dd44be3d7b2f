"""The pre-commit hooks of the project's own development run the checks of scripts/test on the files it
checks, and the project's own `milvus-profiles check` hook on the example profile file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def hooks() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def check_example(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check-example"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_hooks_are_ruff_ruff_format_mypy_and_the_projects_own_check() -> None:
    assert sorted(hooks()) == ["milvus-profiles-check", "mypy", "ruff", "ruff-format"]
    assert hooks()["mypy"]["entry"] == "mypy --strict"


def test_ruff_hooks_check_the_folders_the_test_command_checks() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    folders = re.search(r"^\.venv/bin/ruff check (.*)$", script, flags=re.M)
    extra = re.search(r"^python_scripts=\((.*)\)$", script, flags=re.M)
    assert folders is not None
    assert extra is not None
    paths = [p for p in [*folders.group(1).split(), *extra.group(1).split()] if not p.startswith('"')]
    assert {"src", "tests", "bench", "scripts/check-example"} <= set(paths)
    for hook in (hooks()["ruff"], hooks()["ruff-format"]):
        for path in paths:
            assert re.search(hook["files"], f"{path}/x.py" if "/" not in path else path), (hook["id"], path)


def test_the_check_hook_accepts_the_example_file() -> None:
    hook = hooks()["milvus-profiles-check"]
    assert re.search(hook["files"], "profiles.example.toml")
    assert hook["entry"] == "python scripts/check-example"
    done = check_example(ROOT / "profiles.example.toml")
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok: 1 file, 4 profiles\n", "")


def test_the_check_hook_reports_a_broken_example_under_its_own_name(tmp_path: Path) -> None:
    text = (ROOT / "profiles.example.toml").read_text(encoding="utf-8")
    broken = tmp_path / "profiles.example.toml"
    broken.write_text(text.replace('db_name = "analytics"', "db_name = 5", 1), encoding="utf-8")
    done = check_example(broken)
    assert done.returncode == 1
    assert f"{broken}:26: profiles.prod.db_name: Input should be a valid string\n" in done.stdout
    assert "1 problem in 1 file" in done.stdout
