"""milvus-profiles list: the files only, never the keyring or the network."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..helpers import BROKEN_PROD, MemoryKeyring, Run, write

PROJECT = """\
default = "local"

[profiles.local]
uri = "./data/milvus.db"

[profiles.dev]
uri = "http://dev.example.com:19530"
user = "root"
db_name = "analytics"

[profiles.child]
extends = "dev"
db_name = "reports"
"""
LOCAL = '[profiles.dev]\nuri = "http://localhost:19530"\n'
USER = (
    '[profiles.dev]\nuri = "http://user-dev:19530"\n\n[profiles.far]\nuri = "https://far.example.com:443"\n'
)


def cells(text: str) -> list[list[str]]:
    """A printed table, cell by cell (columns are two or more spaces apart)."""
    return [re.split(r" {2,}", line.rstrip()) for line in text.splitlines()]


def three_files(user_file: Path) -> None:
    write(Path("milvus.toml"), PROJECT)
    write(Path("milvus.local.toml"), LOCAL)
    write(user_file, USER)


def test_list_shows_files_the_default_and_shadowed_names(
    cli: Run, user_file: Path, memory_keyring: MemoryKeyring
) -> None:
    three_files(user_file)
    result = cli("list")
    assert result.exit_code == 0, result.output
    user = str(user_file)
    assert cells(result.stdout) == [
        ["", "NAME", "URI", "DATABASE", "USER", "FILE", "ALSO IN"],
        ["", "dev", "http://localhost:19530", "analytics", "root", "milvus.local.toml",
         f"milvus.toml, {user} (shadowed)"],
        ["", "far", "https://far.example.com:443", "default", "-", user],
        ["*", "local", "./data/milvus.db", "default", "-", "milvus.toml"],
        ["", "child", "http://localhost:19530", "reports", "root", "milvus.toml"],
        ["* default, set in milvus.toml"],
    ]  # fmt: skip
    assert memory_keyring.lookups == []


def test_list_json(cli: Run, user_file: Path, memory_keyring: MemoryKeyring) -> None:
    three_files(user_file)
    result = cli("list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    cwd = Path.cwd()
    assert data["default"] == "local"
    assert data["default_file"] == str(cwd / "milvus.toml")
    assert data["files"] == [str(cwd / "milvus.local.toml"), str(cwd / "milvus.toml"), str(user_file)]
    assert [p["name"] for p in data["profiles"]] == ["dev", "far", "local", "child"]
    assert data["profiles"][0] == {
        "name": "dev",
        "uri": "http://localhost:19530",
        "db_name": "analytics",
        "user": "root",
        "extends": None,
        "file": str(cwd / "milvus.local.toml"),
        "line": 1,
        "default": False,
        "also_in": [str(cwd / "milvus.toml"), str(user_file)],
        "problem": None,
    }
    assert data["profiles"][3]["extends"] == "dev"
    assert data["profiles"][2]["default"] is True
    assert memory_keyring.lookups == []


def test_no_profiles(cli: Run, user_file: Path) -> None:
    result = cli("list")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"no profiles (searched: {user_file})",
        "create one with `milvus-profiles init` or `milvus-profiles add NAME --uri URI`",
    ]
    assert json.loads(cli("list", "--json").stdout) == {
        "default": None,
        "default_file": None,
        "files": [],
        "profiles": [],
    }


def test_a_broken_extends_is_listed_with_its_problem(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.child]\nextends = "gone"\nuri = "http://c:19530"\n')
    result = cli("list", "--json")
    assert result.exit_code == 0
    problem = json.loads(result.stdout)["profiles"][0]["problem"]
    assert problem == (
        f"{Path.cwd() / 'milvus.toml'}:2: profiles.child.extends: extends 'gone', which is not a profile; "
        "known profiles: none (fix the name, or add that profile)"
    )
    assert "warning: profile 'child': " in cli("list").stderr


def test_a_default_naming_no_profile_is_flagged(cli: Run) -> None:
    write(Path("milvus.toml"), 'default = "gone"\n[profiles.local]\nuri = "./a.db"\n')
    result = cli("list")
    assert result.exit_code == 0
    assert "warning: the default 'gone' names no profile" in result.stderr


def test_list_shows_files_as_written_and_check_validates_them(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.local]\nurl = "./a.db"\n')
    assert cli("list").exit_code == 0
    checked = cli("check")
    assert checked.exit_code == 1
    assert checked.stdout.startswith("milvus.toml:2: unknown key 'url' in profiles.local\n")


def test_a_file_of_the_wrong_shape_is_a_config_error(cli: Run) -> None:
    write(Path("milvus.toml"), 'profiles = "local"\n')
    result = cli("list")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"error: {Path.cwd() / 'milvus.toml'}:1: profiles must be a table of profiles",
        "hint: write each profile as a table [profiles.NAME]",
    ]


def test_milvus_profile_is_mentioned(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT)
    result = cli("list", env={"MILVUS_PROFILE": "dev"})
    assert result.stdout.splitlines()[-1] == "MILVUS_PROFILE is set and selects 'dev' before the default"


def test_a_problem_belongs_to_the_profile_that_has_it(cli: Run) -> None:
    path = write(Path("milvus.toml"), BROKEN_PROD).absolute()
    result = cli("list", "--json")
    assert result.exit_code == 0, result.output
    listed = {
        p["name"]: (p["uri"], p["db_name"], p["problem"]) for p in json.loads(result.stdout)["profiles"]
    }
    said = f"{path}:6: unknown key 'dbname' in profiles.prod (did you mean 'db_name'?)"
    assert listed == {
        "local": ("./data/milvus.db", "default", None),
        "prod": ("http://prod.example.com:19530", None, said),  # no `default` for the database it means
        "child": (None, None, said),  # it extends prod, so prod's problem is its own
    }
    shown = cli("list")
    assert shown.exit_code == 0
    assert cells(shown.stdout) == [
        ["", "NAME", "URI", "DATABASE", "USER", "FILE", "ALSO IN"],
        ["*", "local", "./data/milvus.db", "default", "-", "milvus.toml"],
        ["!", "prod", "http://prod.example.com:19530", "-", "-", "milvus.toml"],
        ["!", "child", "-", "-", "-", "milvus.toml"],
        ["* default, set in milvus.toml"],
        ["! cannot be used until its problem (below) is fixed"],
    ]
    assert shown.stderr == f"warning: profile 'prod': {said}\nwarning: profile 'child': {said}\n"


def test_a_problem_of_the_file_itself_still_stops_the_listing(cli: Run) -> None:
    path = write(Path("milvus.toml"), '[dev]\nuri = "http://h:19530"\n[profiles.local]\nuri = "./a.db"\n')
    result = cli("list")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == f"error: {path.absolute()}:1: unknown key 'dev' in the top level"
