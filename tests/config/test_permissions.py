"""Profile files that others can change (or replace, through a folder) are never trusted with a secret;
everything else they say still works. doctor --fix repairs a file's mode."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from milvus_profiles import ProfileWarning, SecretWithheldError, connect
from milvus_profiles.cli import main
from milvus_profiles.config import permissions
from milvus_profiles.connection.probe import probe
from milvus_profiles.resolution.resolver import resolve

from ..helpers import MemoryKeyring, trusted, write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")


@pytest.fixture
def project(isolated: Path, memory_keyring: MemoryKeyring) -> Path:
    path = trusted(
        write(
            isolated / "milvus.toml",
            '[profiles.local]\nuri = "./data/milvus.db"\n'
            '[profiles.srv]\nuri = "http://127.0.0.1:9"\nuser = "u"\n',
        )
    )
    memory_keyring.store[("milvus-profiles", "u@http://127.0.0.1:9")] = "stored"
    return path


def test_a_file_others_can_write_gets_no_secret_and_says_how_to_fix_it(
    project: Path, memory_keyring: MemoryKeyring
) -> None:
    project.chmod(0o666)
    memory_keyring.lookups.clear()
    cfg = resolve("srv")
    assert cfg.password is None
    assert memory_keyring.lookups == []
    with pytest.raises(SecretWithheldError) as e:
        connect("srv")
    assert str(e.value) == (
        f"profile srv: no stored secret is sent to this connection, because its uri comes from {project}:4 "
        "(profiles.srv.uri), the file is writable by other users, so whoever can change it could send "
        "your secret elsewhere\n"
        f"hint: chmod o-w {project}; or choose the server yourself with MILVUS_URI or uri=, or pass the "
        "secret as an argument"
    )
    with pytest.raises(SecretWithheldError):
        probe(cfg)
    project.chmod(0o644)
    password = resolve("srv").password
    assert password is not None
    assert password.get_secret_value() == "stored"


def test_a_file_others_can_write_still_opens_milvus_lite(project: Path) -> None:
    project.chmod(0o666)
    client = connect("local")  # no secret involved: nothing to withhold
    client.close()


def test_a_folder_others_can_write_counts_too(project: Path) -> None:
    folder = project.parent
    folder.chmod(0o777)
    try:
        cfg = resolve("srv")
        assert cfg.password is None
        assert isinstance(cfg.secret_error, SecretWithheldError)
        assert "the folder is writable by other users" in cfg.secret_error.message
        assert cfg.secret_error.hint is not None
        assert cfg.secret_error.hint.startswith(f"chmod o-w {folder}")
        folder.chmod(0o1777)  # the sticky bit: others cannot replace what is yours
        assert resolve("srv").password is not None
    finally:
        folder.chmod(0o755)


def test_a_group_writable_file_is_fine_when_the_group_is_yours_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.chmod(0o664)  # what umask 002 gives, the default of Debian, Ubuntu and Fedora users
    monkeypatch.setattr(permissions, "group_has_others", lambda gid, owner: False)
    assert resolve("srv").password is not None
    monkeypatch.setattr(permissions, "group_has_others", lambda gid, owner: True)
    error = resolve("srv").secret_error
    assert isinstance(error, SecretWithheldError)
    assert "is writable by its group" in error.message


def test_no_group_that_an_accounts_scan_finds_shared_is_taken_as_private() -> None:
    """The oracle is getent's full scan of this machine's accounts: a group is shared when it lists
    someone or is the primary group of someone other than the owner. Every private group named after its
    user is found private, and no shared one is."""

    def getent(database: str) -> list[list[str]]:
        return [
            line.split(":") for line in subprocess.check_output(["getent", database], text=True).splitlines()
        ]

    accounts = getent("passwd")
    groups = {int(g[2]): g for g in getent("group")}
    private_found = 0
    for name, _, uid, gid, *_ in accounts:
        group = groups.get(int(gid))
        if group is None:
            continue
        shared = set(filter(None, group[3].split(","))) - {name} or any(
            a[3] == gid and a[0] != name for a in accounts
        )
        assert permissions.group_has_others(int(gid), int(uid)) is (bool(shared) or group[0] != name), name
        private_found += not shared and group[0] == name
    assert private_found > 0  # root's group is root's alone everywhere


def test_a_file_owned_by_another_user_is_not_trusted(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.getuid() == 0:
        os.chown(project, 4242, 4242)
    else:  # without root no file can be given away: see what the check makes of another owner
        monkeypatch.setattr(os, "getuid", lambda: 4242)
    error = resolve("srv").secret_error
    assert isinstance(error, SecretWithheldError)
    assert "is owned by another user" in error.message


def test_a_relative_file_path_is_checked_like_any_other(
    isolated: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(isolated / "team.toml", '[profiles.srv]\nuri = "http://127.0.0.1:9"\nuser = "u"\n')
    memory_keyring.store[("milvus-profiles", "u@http://127.0.0.1:9")] = "stored"
    path.chmod(0o666)
    monkeypatch.setenv("MILVUS_PROFILES_FILE", "team.toml")
    assert isinstance(resolve("srv").secret_error, SecretWithheldError)
    assert isinstance(resolve("srv", files=["team.toml"]).secret_error, SecretWithheldError)


def test_test_reports_the_withheld_secret(project: Path) -> None:
    from click.testing import CliRunner

    project.chmod(0o666)
    result = CliRunner().invoke(main, ["test", "srv"])
    assert result.exit_code == 8
    assert "the file is writable by other users" in result.output


def test_doctor_fix_repairs_permissions(project: Path, user_file: Path) -> None:
    from click.testing import CliRunner

    project.chmod(0o664)
    write(user_file, '[profiles.mine]\nuri = "http://m.example:1"\n').chmod(0o644)
    result = CliRunner().invoke(main, ["doctor", "--fix"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(project.stat().st_mode) == 0o644
    assert stat.S_IMODE(user_file.stat().st_mode) == 0o600
    assert f"fixed  chmod 644 {project}  (was 664)" in result.output
    assert f"fixed  chmod 600 {user_file}  (was 644)" in result.output
    client = connect("local")
    client.close()


def test_a_user_file_readable_by_others_gives_a_warning(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.mine]\nuri = "./m.db"\n').chmod(0o644)
    with pytest.warns(ProfileWarning, match=r"the user profile file is readable by other users"):
        client = connect("mine")
    client.close()
