"""Who else can change a profile file: the members of its group, by the account database (a controlled
one, and the system's own through ``getent``), and files the system itself owns."""

from __future__ import annotations

import functools
import grp
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from milvus_profiles.config import permissions

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")


@functools.cache
def getent(database: str) -> list[list[str]]:
    if shutil.which("getent") is None:
        pytest.skip("getent is not installed")  # pragma: no cover - every glibc system has it
    out = subprocess.run(["getent", database], capture_output=True, text=True, check=True).stdout
    return [line.split(":") for line in out.splitlines() if line]


# An account database: alice (1000) and bob (1001) each with a group of their own; carol's primary group
# is `shared` (2000); `team` lists alice only; `dev` lists alice and bob; dave and erin share the primary
# group `users` (100), as on openSUSE.
USERS = {
    1000: ("alice", 1000),
    1001: ("bob", 1001),
    1002: ("carol", 2000),
    1003: ("dave", 100),
    1004: ("erin", 100),
}
GROUPS = {
    100: ("users", []),
    1000: ("alice", []),
    1001: ("bob", []),
    2000: ("shared", []),
    3000: ("team", ["alice"]),
    3001: ("dev", ["alice", "bob"]),
}


@pytest.fixture
def accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    def user(uid: int, name: str, gid: int) -> pwd.struct_passwd:
        return pwd.struct_passwd((name, "x", uid, gid, "", "/home/" + name, "/bin/sh"))

    def getgrgid(gid: int) -> grp.struct_group:
        name, members = GROUPS[gid]
        return grp.struct_group((name, "x", gid, members))

    def getpwuid(uid: int) -> pwd.struct_passwd:
        name, gid = USERS[uid]
        return user(uid, name, gid)

    monkeypatch.setattr(grp, "getgrgid", getgrgid)
    monkeypatch.setattr(pwd, "getpwuid", getpwuid)


@pytest.mark.usefixtures("accounts")
@pytest.mark.parametrize(
    ("group", "owner", "others"),
    [
        (1000, 1000, False),  # the owner's private group
        (3000, 1000, True),  # it lists the owner only, but another account may have it as primary group
        (3001, 1000, True),  # it lists bob too
        (100, 1003, True),  # dave's primary group, which erin has too: it is not named after dave
        (3000, 1001, True),  # it lists alice, who is not the owner
        (1001, 1000, True),  # bob's primary group: bob is in it without being listed
        (2000, 1000, True),  # carol's primary group
        (9999, 1000, True),  # a group the database cannot name: taken as shared
        (3000, 4242, True),  # an owner the database cannot name: alice is someone else
    ],
)
def test_a_group_is_the_owners_alone_only_when_it_is_their_private_group(
    group: int, owner: int, others: bool
) -> None:
    assert permissions.group_has_others(group, owner) is others


def test_a_group_with_listed_members_has_others() -> None:
    listed = [g for g in getent("group") if g[3]]
    if not listed:
        pytest.skip("no group of this machine lists members")  # pragma: no cover
    name, _, gid, members = listed[0]
    users = {int(u[2]): u[0] for u in getent("passwd")}
    owner = next(uid for uid, user in users.items() if user not in members.split(","))

    assert permissions.group_has_others(int(gid), owner), name


def test_a_group_this_machine_cannot_name_is_taken_as_shared() -> None:
    unused = max(int(g[2]) for g in getent("group")) + 12345

    assert permissions.group_has_others(unused, os.getuid()) is True


def test_a_file_owned_by_root_is_trusted_like_ones_own(monkeypatch: pytest.MonkeyPatch) -> None:
    system = Path("/etc/hosts")
    if system.stat().st_uid != 0 or system.stat().st_mode & 0o022:
        pytest.skip("/etc/hosts is not a root-owned file others cannot write")  # pragma: no cover
    monkeypatch.setattr(os, "getuid", lambda: 4242)  # someone who is not root
    assert permissions.problems(system, boundary=Path("/etc")) == []


def test_a_missing_file_has_no_problem(tmp_path: Path) -> None:
    assert permissions.problems(tmp_path / "missing.toml") == []


def test_a_problem_reads_as_the_path_and_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "milvus.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0o666)
    [problem] = permissions.problems(path)
    assert str(problem) == f"{path}: the file is writable by other users"
    assert problem.fix == f"chmod o-w {path}"


root_only = pytest.mark.skipif(os.name == "nt" or os.getuid() != 0, reason="giving a file away needs root")


@root_only
@pytest.mark.parametrize("uid", [1, 54321], ids=["a user", "no user"])
def test_a_file_owned_by_another_user_names_the_owner(tmp_path: Path, uid: int) -> None:
    import pwd

    path = tmp_path / "milvus.toml"
    path.write_text("", encoding="utf-8")
    os.chown(path, uid, -1)
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = f"uid {uid}"
    [problem] = permissions.problems(path)
    assert problem.problem == f"is owned by another user ({name}), who can change it"
    assert problem.fix == f"sudo chown root {path}  (or copy it to a file of your own)"


@root_only
def test_a_group_writable_file_names_the_group(tmp_path: Path) -> None:
    import grp

    listed = [g for g in getent("group") if g[3] and "root" not in g[3].split(",")]
    if not listed:
        pytest.skip("no group of this machine lists members")  # pragma: no cover
    path = tmp_path / "milvus.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0o664)
    unknown = max(int(g[2]) for g in getent("group")) + 12345
    for gid, name in (
        (int(listed[0][2]), grp.getgrgid(int(listed[0][2])).gr_name),
        (unknown, f"gid {unknown}"),
    ):
        os.chown(path, -1, gid)
        [problem] = permissions.problems(path)
        assert problem.problem == f"the file is writable by its group {name}, which others may be in"
        assert problem.fix == f"chmod g-w {path}"


def test_without_mode_bits_nothing_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "profiles.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0o666)
    assert permissions.readable_by_others(path) is not None
    assert permissions.problems(path) != []
    monkeypatch.setattr(permissions, "CHECKED", False)  # as on Windows
    assert permissions.readable_by_others(path) is None
    assert permissions.problems(path) == []
    assert permissions.fix_files([path], private={path}) == []


def test_fixing_skips_a_file_that_is_gone(tmp_path: Path) -> None:
    gone = tmp_path / "gone.toml"
    path = tmp_path / "milvus.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0o666)
    assert permissions.fix_files([gone, path], private=set()) == [f"chmod 644 {path}  (was 666)"]
