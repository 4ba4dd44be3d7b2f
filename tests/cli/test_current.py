"""`current`: the profile connect() would use here and why; and the did-you-mean of a mistyped name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milvus_profiles import ProfileNotFoundError, connect, resolve

from ..helpers import Run, write

FILE = 'default = "local"\n\n[profiles.local]\nuri = "./data/milvus.db"\n\n[profiles.prod]\nuri = "http://127.0.0.1:1"\n'


@pytest.fixture
def project() -> Path:
    return write(Path("milvus.toml"), FILE)


def test_current_is_the_files_default(cli: Run, project: Path) -> None:
    result = cli("current")
    assert result.exit_code == 0
    assert result.stdout == "local\n"
    assert result.stderr == f"because it is the default in {project.absolute()}:1 (defined in milvus.toml)\n"
    assert resolve().name == "local"  # what connect() uses


def test_current_names_the_variable_and_the_argument(
    cli: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_PROFILE", "prod")
    data = json.loads(cli("current", "--json").stdout)
    assert data == {
        "profile": "prod",
        "selected_by": "environment",
        "detail": "MILVUS_PROFILE",
        "reason": "MILVUS_PROFILE is set",
        "file": str(project.absolute()),
        "files": [str(project.absolute())],
    }
    assert resolve().name == "prod"
    assert json.loads(cli("--profile", "local", "current", "--json").stdout)["selected_by"] == "argument"


def test_current_without_any_profile(cli: Run) -> None:
    result = cli("current", "--json")
    assert json.loads(result.stdout)["profile"] is None
    assert cli("current").stdout.startswith("no profile: connect() uses the built-in defaults")


def test_a_mistyped_name_in_code_suggests_the_close_one(project: Path) -> None:
    with pytest.raises(ProfileNotFoundError) as e:
        connect("prdo")
    assert e.value.message.startswith(
        "no profile named 'prdo' (did you mean 'prod'?); known profiles: local, prod"
    )
    assert e.value.hint == "use 'prod', or create 'prdo' with `milvus-profiles add prdo --uri URI`"


def test_a_mistyped_milvus_profile_names_the_variable(
    cli: Run, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_PROFILE", "prdo")
    result = cli("show")
    assert result.exit_code == 3
    error, hint = result.stderr.splitlines()
    assert error.startswith(
        "error: no profile named 'prdo' (from MILVUS_PROFILE) (did you mean 'prod'?); known profiles: local, "
        "prod; files searched: "
    )
    assert hint == "hint: set MILVUS_PROFILE to a known profile, or unset it"
    assert cli("current").exit_code == 3


def test_show_of_a_mistyped_name(cli: Run, project: Path) -> None:
    result = cli("show", "prdo")
    assert result.exit_code == 3
    assert "(did you mean 'prod'?)" in result.stderr
