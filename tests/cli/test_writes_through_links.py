"""No command writes, chmods or creates a folder through a symbolic link that leads out of the folder of the
file it changes (the project, or the user's folder), and none carries a trust over to a file out there.

A cloned repository can ship `milvus.local.toml` or `milvus.toml` as a link to another project's trusted
file, to a file of yours in /tmp, or through a folder link (`conf -> /elsewhere`); every command that
writes a profile file is run against each of them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from milvus_profiles.config import trust

from ..helpers import Run, trusted, write

OTHER = """\
# another project's file, trusted there
default = "shared"

[profiles.shared]
uri = "http://other.example.com:19530"
user = "app"
db_name = "analytics"
"""
PROJECT = '[profiles.mine]\nuri = "http://mine.example.com:19530"\n'

# How the repository's link leads out: the link's name, and where it points.
LINKS = {
    "milvus.local.toml to another trusted project": ("milvus.local.toml", "other/milvus.toml"),
    "milvus.toml to a file in tmp": ("milvus.toml", "tmp/victim.toml"),
    "milvus.local.toml through a folder link": ("milvus.local.toml", "conf/local.toml"),
}

# Every command that writes a profile file, aimed at the linked one (SCOPE: local or project); `init` has
# its own test (test_init.py), `doctor --fix` below.
COMMANDS = {
    "add": ("add", "new", "--uri", "http://new.example.com:19530", "--scope", "SCOPE"),
    "set": ("set", "shared", "uri", "http://attacker.example.com:19530"),
    "set --scope": ("set", "mine", "db_name", "x", "--scope", "SCOPE"),
    "unset": ("unset", "shared", "db_name"),
    "set-default": ("set-default", "mine", "--scope", "SCOPE"),
    "rename": ("rename", "shared", "renamed"),
    "copy": ("copy", "shared", "copied"),
    "copy --scope": ("copy", "mine", "copied", "--scope", "SCOPE"),
    "remove": ("remove", "shared"),
    "import": ("import", "--from", "dotenv", "--name", "new", "--scope", "SCOPE"),
}


def _outside(tmp_path: Path, link: str, points: str) -> tuple[Path, Path]:
    """The file out of the project the link leads to, and the folder it is in (the project is the
    working folder, ``tmp_path / "work"``)."""
    if points.startswith("other/"):
        victim = trusted(write(tmp_path / "other" / "milvus.toml", OTHER))
        (tmp_path / "other" / ".git").mkdir()
        Path(link).symlink_to(Path("..") / "other" / "milvus.toml")
    elif points.startswith("tmp/"):
        victim = write(tmp_path / "tmp" / "victim.toml", OTHER)
        Path(link).symlink_to(victim)
    else:
        victim = write(tmp_path / "elsewhere" / "local.toml", OTHER)
        Path("conf").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
        Path(link).symlink_to(Path("conf") / "local.toml")
    write(Path(".env"), "MILVUS_URI=http://new.example.com:19530\n")
    trusted(write(Path("milvus.local.toml" if link == "milvus.toml" else "milvus.toml"), PROJECT))
    return victim, victim.parent


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and folder below ``folder``: its bytes (a folder's are empty) and mode."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        st = path.lstat()
        found[str(path)] = (path.read_bytes() if path.is_file() else b"", stat.S_IMODE(st.st_mode))
    return found


def _record() -> bytes | None:
    path = trust.store_path()
    return path.read_bytes() if path.exists() else None


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize(("link", "points"), LINKS.values(), ids=LINKS.keys())
def test_no_command_writes_through_a_link_out_of_the_project(
    cli: Run, tmp_path: Path, link: str, points: str, command: tuple[str, ...]
) -> None:
    victim, folder = _outside(tmp_path, link, points)
    if link == "milvus.toml" and command[0] == "set-default":
        command = ("set-default", "shared", "--scope", "SCOPE")
    scope = "local" if link == "milvus.local.toml" else "project"
    before, record = _snapshot(folder), _record()
    result = cli(*(scope if part == "SCOPE" else part for part in command))
    assert result.exit_code == 3, result.output
    assert f"{Path.cwd() / link}: is a symbolic link to " in result.stderr
    assert f"{victim}, outside {Path.cwd()}; nothing is written through it" in result.stderr
    assert _snapshot(folder) == before
    assert _record() == record


def test_no_folder_is_created_where_a_dangling_link_points(cli: Run, tmp_path: Path) -> None:
    write(Path("milvus.toml"), PROJECT)
    nowhere = tmp_path / "new" / "deeper" / "local.toml"
    Path("milvus.local.toml").symlink_to(nowhere)
    for command in (
        ("add", "new", "--uri", "http://new.example.com:19530", "--scope", "local"),
        ("set", "mine", "db_name", "x", "--scope", "local"),
        ("set-default", "mine", "--scope", "local"),
        ("copy", "mine", "copied", "--scope", "local"),
    ):
        result = cli(*command)
        assert result.exit_code == 3, result.output
        assert f"milvus.local.toml: is a symbolic link to {nowhere}" in result.stderr
        assert not (tmp_path / "new").exists()
    assert _record() is None


def test_the_user_file_is_not_written_through_a_link_out_of_the_users_folder(
    cli: Run, tmp_path: Path, user_file: Path
) -> None:
    victim = write(tmp_path / "tmp" / "victim.toml", OTHER)
    user_file.parent.mkdir(parents=True)
    user_file.symlink_to(victim)
    result = cli("add", "new", "--uri", "http://new.example.com:19530", "--scope", "user")
    assert result.exit_code == 3, result.output
    assert f"{user_file}: is a symbolic link to {victim}" in result.stderr
    assert f"hint: remove the link if it is not yours; to change {victim}, name it: --file {victim}" in (
        result.stderr
    )
    assert victim.read_text(encoding="utf-8") == OTHER
    result = cli("--file", str(victim), "add", "new", "--uri", "http://new.example.com:19530")
    assert result.exit_code == 0, result.output  # named as itself, the file is the user's to change


def test_a_link_that_stays_in_the_project_is_followed(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT)
    real = write(Path("config") / "local.toml", OTHER)
    Path("milvus.local.toml").symlink_to(Path("config") / "local.toml")
    result = cli("set", "shared", "db_name", "reports")
    assert result.exit_code == 0, result.output
    assert Path("milvus.local.toml").is_symlink()
    assert real.read_text(encoding="utf-8") == OTHER.replace('"analytics"', '"reports"')


def test_a_rename_that_would_leave_the_project_changes_no_file(cli: Run, tmp_path: Path) -> None:
    """Checked for every file before the first is written: a rename is whole or not at all."""
    write(Path("milvus.toml"), OTHER)
    victim = write(tmp_path / "tmp" / "victim.toml", OTHER)
    Path("milvus.local.toml").symlink_to(victim)
    result = cli("rename", "shared", "renamed")
    assert result.exit_code == 3, result.output
    assert Path("milvus.toml").read_text(encoding="utf-8") == OTHER
    assert victim.read_text(encoding="utf-8") == OTHER


@pytest.mark.skipif(os.name == "nt", reason="modes are POSIX")
def test_doctor_fix_never_changes_a_mode_out_of_the_project(cli: Run, tmp_path: Path) -> None:
    write(Path("milvus.toml"), PROJECT).chmod(0o666)
    victim = write(tmp_path / "tmp" / "victim.toml", OTHER)
    victim.chmod(0o666)
    Path("milvus.local.toml").symlink_to(victim)
    result = cli("doctor", "--fix")
    assert f"  warn  not fixed: {Path.cwd() / 'milvus.local.toml'}: is a symbolic link to {victim}" in (
        result.stdout
    )
    assert f"  fixed  chmod 644 {Path.cwd() / 'milvus.toml'}  (was 666)" in result.stdout
    assert stat.S_IMODE(victim.stat().st_mode) == 0o666
    assert stat.S_IMODE(Path("milvus.toml").stat().st_mode) == 0o644
