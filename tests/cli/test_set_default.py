"""milvus-profiles set-default."""

from __future__ import annotations

from pathlib import Path

from ..helpers import Run, write

PROJECT = """\
# Team profiles.
default = "local"  # fast

[profiles.local]
uri = "./data/milvus.db"

[profiles.dev]
uri = "http://dev.example.com:19530"
"""


def test_your_default_goes_to_your_local_file_and_leaves_the_teams_alone(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT)
    result = cli("set-default", "dev")
    assert result.exit_code == 0, result.output
    assert result.output == "the default of milvus.local.toml is now 'dev'\n"
    assert Path("milvus.local.toml").read_text(encoding="utf-8") == 'default = "dev"\n'
    assert Path("milvus.toml").read_text(encoding="utf-8") == PROJECT  # the team's file, as committed
    assert cli("show").stdout.startswith("profile: dev ")


def test_scope_project_replaces_the_teams_default_value_only(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT)
    result = cli("set-default", "dev", "--scope", "project")
    assert result.exit_code == 0, result.output
    assert result.output == "the default of milvus.toml is now 'dev' (was 'local')\n"
    assert Path("milvus.toml").read_text(encoding="utf-8") == PROJECT.replace(
        '"local"  # fast', '"dev"  # fast'
    )


def test_a_file_without_default_gets_one_above_its_tables(cli: Run) -> None:
    text = PROJECT.replace('default = "local"  # fast\n', "")
    write(Path("milvus.toml"), text)
    assert cli("set-default", "dev", "--scope", "project").exit_code == 0
    assert Path("milvus.toml").read_text(encoding="utf-8") == text.replace(
        "# Team profiles.\n\n", '# Team profiles.\n\ndefault = "dev"\n\n'
    )


def test_the_name_must_be_a_profile(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT)
    result = cli("set-default", "prod")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no profile named 'prod'; known profiles: local, dev;")
    assert Path("milvus.toml").read_text(encoding="utf-8") == PROJECT


def test_user_scope_creates_the_user_file_and_warns_when_shadowed(cli: Run, user_file: Path) -> None:
    write(Path("milvus.toml"), PROJECT)
    result = cli("set-default", "dev", "--scope", "user")
    assert result.exit_code == 0, result.output
    assert user_file.read_text(encoding="utf-8") == 'default = "dev"\n'
    assert user_file.stat().st_mode & 0o777 == 0o600
    assert result.stderr.splitlines() == [
        "warning: the default 'local' of milvus.toml takes precedence over it",
        f"warning: 'dev' is not defined in {user_file} or a file below it, so where that file is read "
        "without the one defining it, its default names no profile",
    ]


def test_milvus_profile_is_mentioned(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT)
    result = cli("set-default", "dev", env={"MILVUS_PROFILE": "local"})
    assert result.stderr == "warning: MILVUS_PROFILE is set and selects a profile before any default\n"
