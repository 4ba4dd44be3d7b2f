"""The write lock: writers of one file take turns, a dead writer never leaves the file locked, and the
lock lives outside the project."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from milvus_profiles.config import locks, trust
from milvus_profiles.config.locks import write_atomic
from milvus_profiles.errors import ConfigError
from milvus_profiles.write.editor import ProfileEditor

HOLDER = """
import sys
from pathlib import Path
from milvus_profiles.config.locks import locked

with locked(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def holder(isolated: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the lock of milvus.toml until its standard input is closed."""
    # `with` closes the pipes at the end
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(isolated / "milvus.toml")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "held\n"
        yield process
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_the_lock_lives_in_the_user_folder_named_after_the_real_file(isolated: Path, tmp_path: Path) -> None:
    target = isolated / "milvus.toml"
    lock = locks.lock_path(target)
    assert lock.parent == tmp_path / "config" / "milvus-profiles" / "locks"
    assert lock.name.startswith("milvus.toml.")
    assert lock.name.endswith(".lock")
    (isolated / "sub").mkdir()
    assert locks.lock_path(isolated / "sub" / ".." / "milvus.toml") == lock
    (isolated / "link.toml").symlink_to(target)
    assert locks.lock_path(isolated / "link.toml") == lock
    assert locks.lock_path(isolated / "sub" / "milvus.toml") != lock


def test_taking_the_lock_leaves_nothing_beside_the_file(isolated: Path, tmp_path: Path) -> None:
    target = isolated / "milvus.toml"
    with locks.locked(target):
        editor = ProfileEditor.open(target)
        editor.set_profile("dev", {"uri": "http://dev:19530"})
        editor.save()
    assert sorted(p.name for p in isolated.iterdir()) == ["milvus.toml"]
    folder = tmp_path / "config" / "milvus-profiles" / "locks"
    # the file this edit created is recorded as trusted, under the record's own lock
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [locks.lock_path(target).name, locks.lock_path(trust.store_path()).name]
    )
    assert (folder.stat().st_mode & 0o777, folder.parent.stat().st_mode & 0o777) == (0o700, 0o700)


def test_a_writer_waits_for_the_holder_then_gives_up_with_a_message(
    isolated: Path, holder: subprocess.Popen[str]
) -> None:
    target = isolated / "milvus.toml"
    started = time.monotonic()
    with pytest.raises(ConfigError) as caught, locks.locked(target, timeout=0.3):
        pass
    assert time.monotonic() - started >= 0.3
    assert str(caught.value) == (
        f"{target}: another milvus-profiles command has been changing this file for 0.3 s\n"
        "hint: wait until it is done, then run the command again"
    )
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=10)
    with locks.locked(target, timeout=5):
        pass


def test_a_killed_holder_leaves_no_stale_lock(isolated: Path, holder: subprocess.Popen[str]) -> None:
    holder.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no cleanup code runs either way
    holder.wait(timeout=10)
    started = time.monotonic()
    with locks.locked(isolated / "milvus.toml", timeout=5):
        pass
    assert time.monotonic() - started < 2


def test_a_lock_that_cannot_be_taken_names_the_file_and_the_lock_folder(
    isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    target = isolated / "milvus.toml"
    with pytest.raises(ConfigError) as caught, locks.locked(target):
        pass
    lock = locks.lock_path(target)
    assert str(caught.value) == (
        f"{target}: cannot take the write lock {lock}: File exists\n"
        f"hint: check that {lock.parent} is a folder you can write to"
    )


def test_temporary_files_of_killed_writers_are_removed_when_the_lock_is_taken(isolated: Path) -> None:
    target = isolated / "milvus.toml"
    target.write_text("")
    leftovers = [".milvus.toml.write-abcd1234.tmp", ".milvus.toml.write-zz_9zz_9.tmp"]
    kept = [
        ".milvus.toml.backup.tmp",  # not one of ours
        ".milvus.toml.write-abc.tmp",
        ".other.toml.write-abcd1234.tmp",  # another file's writer may be midway
        "notes.tmp",
    ]
    for name in leftovers + kept:
        (isolated / name).write_text("partial")
    with locks.locked(target):
        pass
    assert sorted(p.name for p in isolated.iterdir()) == sorted([*kept, "milvus.toml"])


def test_leftovers_beside_the_real_file_of_a_symlink_are_removed(isolated: Path) -> None:
    real = isolated / "shared" / "team.toml"
    real.parent.mkdir()
    real.write_text("")
    (real.parent / ".team.toml.write-abcd1234.tmp").write_text("partial")
    (isolated / "milvus.toml").symlink_to(real)
    with locks.locked(isolated / "milvus.toml"):
        pass
    assert [p.name for p in real.parent.iterdir()] == ["team.toml"]


def test_write_atomic_names_its_temporary_file_as_the_cleanup_expects(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from milvus_profiles.config import locks as edit

    seen: list[str] = []
    replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(Path(src).name)
        replace(src, dst)

    monkeypatch.setattr(edit.os, "replace", spy)  # type: ignore[attr-defined]
    edit.write_atomic(isolated / "milvus.toml", "")
    assert len(seen) == 1
    assert seen[0].startswith(".milvus.toml.write-")
    assert seen[0].endswith(".tmp")
    (isolated / seen[0]).write_text("partial")
    with locks.locked(isolated / "milvus.toml"):
        pass
    assert not (isolated / seen[0]).exists()


def test_a_write_through_a_link_out_of_the_files_folder_is_refused_before_anything_is_made(
    isolated: Path, tmp_path: Path
) -> None:
    nowhere = tmp_path / "outside" / "deeper" / "team.toml"
    (isolated / "milvus.local.toml").symlink_to(nowhere)
    link = isolated / "milvus.local.toml"
    message = f"{link}: is a symbolic link to {nowhere}, outside {isolated}; nothing is written through it"
    with pytest.raises(ConfigError) as refused:
        locks.destination(link)
    assert refused.value.message == message
    assert refused.value.hint == (
        f"remove the link if it is not yours; to change {nowhere}, name it: --file {nowhere}"
    )
    with pytest.raises(ConfigError, match="nothing is written through it"):
        write_atomic(link, "new\n")
    with pytest.raises(ConfigError, match="nothing is written through it"), locks.locked(link):
        pass
    assert not (tmp_path / "outside").exists()


def test_a_link_that_stays_in_the_files_folder_lands_on_its_real_file(isolated: Path) -> None:
    (isolated / "config").mkdir()
    (isolated / "milvus.local.toml").symlink_to(Path("config") / "local.toml")
    assert locks.destination(isolated / "milvus.local.toml") == isolated / "config" / "local.toml"
    write_atomic(isolated / "milvus.local.toml", "new\n")
    assert (isolated / "config" / "local.toml").read_text() == "new\n"
