from __future__ import annotations

import os
from pathlib import Path

import pytest

from milvus_profiles.config.discovery import discover, find_project_dir
from milvus_profiles.config.toml import locate_keys, read_file
from milvus_profiles.errors import ConfigError

from ..helpers import write


def test_discovery_prefers_local_then_project_then_user(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = isolated / "repo"
    (project / ".git").mkdir(parents=True)
    write(project / "milvus.toml", "")
    sub = project / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    paths, explicit = discover()
    assert paths == [project / "milvus.local.toml", project / "milvus.toml", user_file]
    assert explicit is False


def test_discovery_stops_at_the_git_root(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(isolated / "milvus.toml", "")  # above the repository: not this project's
    repo = isolated / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_project_dir(repo) is None
    monkeypatch.chdir(repo)
    assert discover()[0] == [user_file]


def test_nearest_project_folder_wins(isolated: Path) -> None:
    write(isolated / "milvus.toml", "")
    inner = isolated / "inner"
    write(inner / "milvus.toml", "")
    (inner / "deeper").mkdir()
    assert find_project_dir(inner / "deeper") == inner


def test_env_variable_replaces_discovery(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(isolated / "milvus.toml", "")
    monkeypatch.setenv("MILVUS_PROFILES_FILE", os.pathsep.join(["/a/one.toml", "/b/two.toml"]))
    assert discover() == ([Path("/a/one.toml"), Path("/b/two.toml")], True)


def test_files_argument_replaces_discovery_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PROFILES_FILE", "/a/one.toml")
    assert discover(["x.toml"]) == ([Path.cwd() / "x.toml"], True)  # made absolute once, here


def test_broken_toml_names_file_and_line(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.dev]\nuri = "http://x:1"\ntimeout = \n')
    with pytest.raises(ConfigError) as e:
        read_file(path)
    assert e.value.path == path
    assert e.value.line == 3
    assert str(e.value).startswith(f"{path}:3: not valid TOML: Invalid value")


def test_invalid_utf8_names_the_line(isolated: Path) -> None:
    path = isolated / "milvus.toml"
    path.write_bytes(b'default = "a"\n[profiles.a]\nuri = "\xff.db"\n')
    with pytest.raises(ConfigError) as e:
        read_file(path)
    assert e.value.line == 3
    assert "not valid UTF-8" in str(e.value)


def test_a_folder_named_like_the_file_is_a_clear_error(isolated: Path) -> None:
    (isolated / "milvus.toml").mkdir()
    with pytest.raises(ConfigError, match="is a folder, not a profile file"):
        read_file(isolated / "milvus.toml")


def test_missing_explicit_file(isolated: Path) -> None:
    with pytest.raises(ConfigError) as e:
        read_file(isolated / "nope.toml")
    assert str(e.value) == (
        f"{isolated / 'nope.toml'}: profile file not found\n"
        "hint: create it with `milvus-profiles init`, or fix the path given by --file or MILVUS_PROFILES_FILE"
    )


def test_parsed_files_are_reused_until_they_change(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.a]\nuri = "http://a:1"\n')
    first = read_file(path)
    assert read_file(path) is first
    write(path, '[profiles.a]\nuri = "http://bb:22"\n')
    second = read_file(path)
    assert second is not first
    assert second.data["profiles"]["a"]["uri"] == "http://bb:22"


def test_key_lines() -> None:
    text = "\n".join(
        [
            'default = "dev"',  # 1
            "# comment",  # 2
            "[profiles.dev]",  # 3
            'uri = "http://x:1"',  # 4
            'notes = """',  # 5
            "fake = 1",  # 6
            '"""',  # 7
            "timeout = 3",  # 8
            '[profiles."my prod".tls]',  # 9
            "  server_name = 'a'  # trailing",  # 10
            "[profiles]",  # 11
            'inline = { uri = "a.db", db_name = "x" }',  # 12
            'profiles.dotted.uri = "b.db"',  # 13
        ]
    )
    lines = locate_keys(text)
    assert lines[("default",)] == 1
    assert lines[("profiles", "dev")] == 3
    assert lines[("profiles", "dev", "uri")] == 4
    assert ("profiles", "dev", "fake") not in lines
    assert lines[("profiles", "dev", "timeout")] == 8
    assert lines[("profiles", "my prod", "tls", "server_name")] == 10
    assert lines[("profiles", "inline", "db_name")] == 12
    assert lines[("profiles", "profiles", "dotted", "uri")] == 13
