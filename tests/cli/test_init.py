"""milvus-profiles init."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from milvus_profiles.cli.init import TEMPLATE
from milvus_profiles.config.toml import parse_text

from ..helpers import Run, write


def test_init_writes_a_lite_default_and_ignores_the_local_file(cli: Run) -> None:
    result = cli("init")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "created milvus.toml with profile 'local' (Milvus Lite, ./data/milvus.db)",
        "created milvus.schema.json for editors (see `#:schema`)",
        "added milvus.local.toml and /data/ to .gitignore",
        "next: `milvus-profiles test` checks that the profile is ready",
    ]
    assert Path("milvus.toml").read_text(encoding="utf-8") == TEMPLATE
    data = parse_text(TEMPLATE.encode(), Path("milvus.toml")).data
    assert data == {"default": "local", "profiles": {"local": {"uri": "./data/milvus.db"}}}
    assert "# [profiles.dev]" in TEMPLATE
    assert Path(".gitignore").read_text(encoding="utf-8") == "milvus.local.toml\n/data/\n"
    assert cli("check").exit_code == 0


def test_the_gitignore_of_the_repository_root_gets_one_line_once(cli: Run) -> None:
    Path(".gitignore").write_text("*.pyc", encoding="utf-8")
    root = Path.cwd()
    sub = root / "service"
    sub.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        first = cli("init")
        again = cli("init", "--force")
    assert first.exit_code == again.exit_code == 0
    assert (sub / "milvus.toml").exists()
    assert f"added milvus.local.toml and /service/data/ to {root / '.gitignore'}" in first.stdout
    assert "gitignore" not in again.stdout
    assert Path(".gitignore").read_text(encoding="utf-8") == "*.pyc\nmilvus.local.toml\n/service/data/\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_ignores_the_lite_database_and_the_local_file_and_keeps_milvus_toml(cli: Run) -> None:
    shutil.rmtree(".git")
    subprocess.run(["git", "init", "-q"], check=True)
    sub = Path("service")
    sub.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        assert cli("init").exit_code == 0
        assert cli("test").exit_code == 0  # creates data/milvus.db
    assert (sub / "data" / "milvus.db").exists()

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], check=False).returncode == 0

    assert ignored("service/data/milvus.db")
    assert ignored("service/milvus.local.toml")
    assert not ignored("service/milvus.toml")
    assert not ignored("data/other.db")  # only the folder init configured


def test_an_equivalent_gitignore_line_is_enough(cli: Run) -> None:
    Path(".gitignore").write_text("/milvus.local.toml\ndata/\n", encoding="utf-8")
    result = cli("init")
    assert "gitignore" not in result.stdout
    assert Path(".gitignore").read_text(encoding="utf-8") == "/milvus.local.toml\ndata/\n"


def test_outside_a_repository_the_gitignore_is_written_here_for_the_repository_to_come(
    cli: Run, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(plain)
        result = cli("init")
    assert result.exit_code == 0
    assert "added milvus.local.toml and /data/ to .gitignore" in result.stdout
    assert (plain / ".gitignore").read_text(encoding="utf-8") == "milvus.local.toml\n/data/\n"
    assert (plain / "milvus.toml").exists()


def test_init_refuses_to_overwrite(cli: Run) -> None:
    Path("milvus.toml").write_text("# mine\n", encoding="utf-8")
    result = cli("init")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: milvus.toml already exists",
        "hint: use --force to overwrite it with the template",
    ]
    assert Path("milvus.toml").read_text(encoding="utf-8") == "# mine\n"


def test_init_force_overwrites_and_keeps_the_mode(cli: Run) -> None:
    Path("milvus.toml").write_text("# mine\n", encoding="utf-8")
    Path("milvus.toml").chmod(0o640)
    result = cli("init", "--force")
    assert result.exit_code == 0
    assert Path("milvus.toml").read_text(encoding="utf-8") == TEMPLATE
    assert Path("milvus.toml").stat().st_mode & 0o777 == 0o640


def test_init_never_writes_through_a_symlink_a_repository_ships(cli: Run, tmp_path: Path) -> None:
    victim = write(tmp_path / "home" / ".bashrc", "# my shell\n")
    Path("milvus.schema.json").symlink_to(victim)
    result = cli("init")
    assert result.exit_code == 3
    assert "milvus.schema.json: is a symbolic link" in result.stderr
    assert victim.read_text() == "# my shell\n"
    assert not Path("milvus.toml").exists()
    Path("milvus.schema.json").unlink()
    Path(".gitignore").symlink_to(victim)
    result = cli("init")
    assert result.exit_code == 3
    assert ".gitignore: is a symbolic link" in result.stderr
    assert victim.read_text() == "# my shell\n"


def test_the_first_run_works_with_umask_002(cli: Run) -> None:
    """umask 002 is what normal users get on Debian, Ubuntu and Fedora (and what `git clone` then gives)."""
    previous = os.umask(0o002)
    try:
        assert cli("init").exit_code == 0
        assert stat.S_IMODE(Path("milvus.toml").stat().st_mode) == 0o644  # whatever the umask
        result = cli("test")
        assert result.exit_code == 0, result.output
        Path("milvus.toml").chmod(0o664)  # as a later `git checkout` with umask 002 leaves it
        result = cli("test")
        assert result.exit_code == 0, result.output  # Milvus Lite takes no secret: nothing to withhold
    finally:
        os.umask(previous)


def test_the_file_init_writes_is_trusted_as_written(cli: Run) -> None:
    assert cli("init").exit_code == 0
    listed = cli("trust", "--list", "--json")
    entries = json.loads(listed.stdout)["trusted"]
    assert [(Path(e["path"]).name, e["status"]) for e in entries] == [("milvus.toml", "trusted")]
