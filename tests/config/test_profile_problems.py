"""A problem belongs to the profile that has it: the other profiles of its file resolve and connect, and
only a problem of the file itself (its TOML, its top level, its `default`) stops them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from milvus_profiles import connect, resolve
from milvus_profiles.errors import ConfigError

from ..helpers import BROKEN_PROD, trusted, write


@pytest.fixture
def project(isolated: Path) -> Path:
    (isolated / ".git").mkdir()
    return trusted(write(isolated / "milvus.toml", BROKEN_PROD))


def test_the_other_profiles_of_the_file_resolve_and_connect(project: Path) -> None:
    assert resolve("local").uri == str(project.parent / "data" / "milvus.db")
    assert resolve().name == "local"  # the file's default is no problem of prod's
    client = connect("local")
    try:
        assert client.list_collections() == []
    finally:
        client.close()


@pytest.mark.parametrize("name", ["prod", "child"])
def test_the_broken_profile_and_one_extending_it_fail_naming_file_line_and_key(
    project: Path, name: str
) -> None:
    with pytest.raises(ConfigError) as e:
        resolve(name)
    assert (e.value.path, e.value.line) == (project, 6)
    assert (
        str(e.value) == f"{project}:6: unknown key 'dbname' in profiles.prod\nhint: did you mean 'db_name'?"
    )
    with pytest.raises(ConfigError):
        connect(name)


@pytest.mark.parametrize(
    ("head", "said"),
    [
        ('default = "local"\nhost = "h"\n', "2: unknown key 'host' in the top level"),
        ("default = 5\n", "1: default: Input should be a valid string"),
        ('default = "a b"\n', "1: default: 'a b' is not a valid profile name"),
        ('default = "local\n', "1: not valid TOML: "),
        ('[profiles."a b"]\nuri = "./x.db"\n', "1: profiles.\"a b\": 'a b' is not a valid profile name"),
        ("[profiles]\nlost = 1\n", "2: profiles.lost must be a table"),
    ],
)
def test_a_problem_of_the_file_itself_stops_every_profile(isolated: Path, head: str, said: str) -> None:
    path = write(isolated / "milvus.toml", head + '[profiles.local]\nuri = "./data/milvus.db"\n')
    with pytest.raises(ConfigError) as e:
        resolve("local", files=[path])
    assert str(e.value).startswith(f"{path}:{said}")
