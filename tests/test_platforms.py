"""What differs between Linux, macOS and Windows, tested here on whichever platform runs the tests:
each platform's answer is computed on any of them (platformdirs is asked for the other platforms'
folders, `os.pathsep` is the Windows one), and what cannot be computed is said in docs/testing.md."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path, PureWindowsPath

import platformdirs
import platformdirs.macos
import platformdirs.unix
import platformdirs.windows
import pytest
from click.testing import CliRunner

from milvus_profiles.cli import main
from milvus_profiles.config import discovery, locks, permissions

from .helpers import write

ROOT = Path(__file__).resolve().parents[1]
POSIX_HOME = pytest.mark.skipif(
    sys.platform == "win32", reason="Windows does not find the home folder by HOME"
)


# MILVUS_PROFILES_FILE: paths separated by os.pathsep, `;` on Windows, where `:` follows a drive letter


def test_windows_paths_in_milvus_profiles_file_are_split_on_semicolons(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "pathsep", ";")
    named = r"C:\Users\me\app\milvus.toml;D:\shared\milvus profiles\team.toml;"
    paths, explicit = discovery.discover(environ={"MILVUS_PROFILES_FILE": named})
    # two files, each whole (on this POSIX machine they are then made absolute below the working folder)
    assert [str(p).removeprefix(f"{Path.cwd()}/") for p in paths] == [
        r"C:\Users\me\app\milvus.toml",
        r"D:\shared\milvus profiles\team.toml",
    ]
    assert explicit is True


def test_posix_paths_in_milvus_profiles_file_are_split_on_colons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "pathsep", ":")
    paths, _ = discovery.discover(environ={"MILVUS_PROFILES_FILE": "/app/milvus.toml:/etc/team.toml"})
    assert [p.as_posix() for p in paths] == ["/app/milvus.toml", "/etc/team.toml"]


# The user config folder on each platform, as docs/profiles.md states it


def use_platform(monkeypatch: pytest.MonkeyPatch, cls: type[platformdirs.PlatformDirsABC]) -> None:
    """platformdirs answers as it would on the platform of `cls`."""
    monkeypatch.setattr(platformdirs, "PlatformDirs", cls)


def test_on_windows_the_user_folder_is_in_the_roaming_appdata(monkeypatch: pytest.MonkeyPatch) -> None:
    # The shell's known folders, as SHGetKnownFolderPath gives them on Windows
    known = {
        "CSIDL_APPDATA": r"C:\Users\me\AppData\Roaming",
        "CSIDL_LOCAL_APPDATA": r"C:\Users\me\AppData\Local",
    }
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", known.__getitem__)
    use_platform(monkeypatch, platformdirs.windows.Windows)
    folder = PureWindowsPath(str(discovery.user_config_dir()))
    # roaming: the profiles follow the user to other machines of the domain; no author folder
    assert folder == PureWindowsPath(r"C:\Users\me\AppData\Roaming\milvus-profiles")
    assert r"`%APPDATA%\milvus-profiles\`" in (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")


@POSIX_HOME
def test_on_macos_the_user_folder_is_in_application_support(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", "/Users/me")
    use_platform(monkeypatch, platformdirs.macos.MacOS)
    assert discovery.user_config_dir() == Path("/Users/me/Library/Application Support/milvus-profiles")
    docs = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    assert "`~/Library/Application Support/milvus-profiles/` on macOS" in docs


@POSIX_HOME
def test_on_linux_the_user_folder_follows_xdg_config_home(monkeypatch: pytest.MonkeyPatch) -> None:
    use_platform(monkeypatch, platformdirs.unix.Unix)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/home/me/dotfiles")
    assert discovery.user_config_dir() == Path("/home/me/dotfiles/milvus-profiles")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", "/home/me")
    assert discovery.user_config_dir() == Path("/home/me/.config/milvus-profiles")
    docs = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    assert "`$XDG_CONFIG_HOME/milvus-profiles/` on Linux" in docs


def test_the_write_lock_lives_in_the_user_folder_of_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    known = {
        "CSIDL_APPDATA": r"C:\Users\me\AppData\Roaming",
        "CSIDL_LOCAL_APPDATA": r"C:\Users\me\AppData\Local",
    }
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", known.__getitem__)
    use_platform(monkeypatch, platformdirs.windows.Windows)
    lock = PureWindowsPath(str(locks.lock_path(Path("milvus.toml"))))
    assert lock.parent == PureWindowsPath(r"C:\Users\me\AppData\Roaming\milvus-profiles\locks")


# Line endings: files are read and written as bytes, so no platform translates them


CRLF_FILE = 'default = "a"\r\n\r\n# the first profile\r\n[profiles.a]\r\nuri = "./a.db"\r\n'


def test_a_crlf_file_keeps_its_line_endings_through_the_commands(isolated: Path) -> None:
    path = isolated / "milvus.toml"
    path.write_bytes(CRLF_FILE.encode("utf-8"))
    runner = CliRunner()
    for args in (
        ["add", "b", "--uri", "./b.db"],
        ["set-default", "b", "--scope", "project"],
        ["remove", "a"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.count(b"\r\n") >= 3
    assert b'[profiles.b]\r\nuri = "./b.db"\r\n' in data


def test_an_lf_file_keeps_lf_on_every_platform(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.a]\nuri = "./a.db"\n')
    result = CliRunner().invoke(main, ["add", "b", "--uri", "./b.db"])
    assert result.exit_code == 0, result.output
    assert b"\r" not in path.read_bytes()


# Permissions: Windows files have no group and other mode bits; the checks do nothing there


def test_without_mode_bits_nothing_is_refused_or_changed(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(isolated / "milvus.toml", '[profiles.a]\nuri = "./a.db"\n')
    path.chmod(stat.S_IRWXU | stat.S_IWGRP | stat.S_IWOTH)
    monkeypatch.setattr(permissions, "CHECKED", False)  # as on Windows
    assert permissions.problems(path) == []
    assert permissions.readable_by_others(path) is None
    assert permissions.fix_files([path], private=set()) == []
    security = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert "## On Windows" in security
    assert "the permission checks above do nothing there" in security


def test_the_checks_are_off_exactly_on_windows() -> None:
    assert permissions.CHECKED is (os.name != "nt")


# The write lock: released by the system when its holder dies, on every platform


HOLDER = """
import sys
from pathlib import Path
from milvus_profiles.config.locks import locked

with locked(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_holder_killed_without_posix_signals_leaves_no_stale_lock(isolated: Path) -> None:
    # Popen.kill() is TerminateProcess on Windows and SIGKILL elsewhere: no cleanup code runs either way
    # `with` closes the pipes at the end
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(isolated / "milvus.toml")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline() == "held\n"
            holder.kill()
            holder.wait(timeout=10)
            started = time.monotonic()
            with locks.locked(isolated / "milvus.toml", timeout=5):
                pass
            assert time.monotonic() - started < 2
        finally:
            if holder.poll() is None:
                holder.kill()
            holder.wait(timeout=10)
