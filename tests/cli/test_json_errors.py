"""Every command that prints JSON prints a JSON error object on standard output when it fails, with the
fields a failed profile of ``test --json`` has, so a script always has JSON to read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..helpers import Run


def error_object(stdout: str) -> dict[str, object]:
    found: dict[str, object] = json.loads(stdout)
    return found


@pytest.mark.parametrize(
    "args",
    [["show", "nosuch", "--json"], ["env", "nosuch", "--format", "json"], ["test", "nosuch", "--json"]],
)
def test_an_unknown_profile(cli: Run, repository: Path, args: list[str]) -> None:
    (repository / "milvus.toml").write_text('[profiles.dev]\nuri = "http://127.0.0.1:19530"\n')
    result = cli("--file", "milvus.toml", *args)
    assert result.exit_code == 3
    searched = repository / "milvus.toml"
    message = f"no profile named 'nosuch'; known profiles: dev; files searched: {searched}"
    hint = "create it with `milvus-profiles add nosuch --uri URI`, or pick a known profile"
    if args[0] == "test":  # one result per profile, each with the same error fields
        assert error_object(result.stdout)["profiles"] == [
            {
                "profile": "nosuch",
                "status": "config-error",
                "exit_code": 3,
                "uri": None,
                "db_name": None,
                "server_version": None,
                "latency_ms": None,
                "error": message,
                "hint": hint,
                "warnings": [],
            }
        ]
    else:
        assert error_object(result.stdout) == {"ok": False, "exit_code": 3, "error": message, "hint": hint}
        assert result.stderr == f"error: {message}\nhint: {hint}\n"


def test_list_of_a_broken_file(cli: Run, repository: Path) -> None:
    path = repository / "milvus.toml"
    path.write_text("[profiles.dev\n")
    result = cli("list", "--json")
    assert result.exit_code == 3
    found = error_object(result.stdout)
    assert found["ok"] is False
    assert found["exit_code"] == 3
    assert str(found["error"]).startswith(f"{path}:1: not valid TOML: ")
    assert found["hint"] == "fix the syntax; `milvus-profiles check` lists every problem"


def test_test_all_without_profiles(cli: Run, repository: Path) -> None:
    result = cli("test", "--all", "--json")
    assert result.exit_code == 3
    assert error_object(result.stdout) == {
        "ok": False,
        "exit_code": 3,
        "error": "there are no profiles to test",
        "hint": "create one with `milvus-profiles init`",
    }


def test_a_usage_error(cli: Run, repository: Path) -> None:
    result = cli("test", "a", "--all", "--json")
    assert result.exit_code == 2
    assert error_object(result.stdout) == {
        "ok": False,
        "exit_code": 2,
        "error": "give profile names or --all, not both",
        "hint": None,
    }


def test_without_json_nothing_goes_to_standard_output(cli: Run, repository: Path) -> None:
    result = cli("show", "nosuch")
    assert (result.exit_code, result.stdout) == (3, "")
