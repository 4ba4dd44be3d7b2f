"""The isolation every test runs in (tests/conftest.py) holds on each platform: the user folders that
milvus-profiles writes to (profiles, trust records, write locks) are inside the test's tmp_path, also where
platformdirs answers as it does on Windows, from the shell's known folders rather than the environment."""

from __future__ import annotations

import os
from pathlib import Path, PureWindowsPath

import platformdirs
import platformdirs.windows
import pytest

from milvus_profiles.config import discovery, locks, trust

# platformdirs' own lookup, as imported before the isolation replaced it for the test
WINDOWS_FOLDER = platformdirs.windows.get_win_folder


def test_every_user_folder_is_inside_tmp_path(tmp_path: Path) -> None:
    written = [
        discovery.user_file(),
        trust.store_path(),
        locks.lock_path(Path("milvus.toml")),
        discovery.user_state_dir(),
    ]
    assert [p for p in written if not p.is_relative_to(tmp_path)] == []


def test_as_on_windows_every_user_folder_is_in_the_tests_appdata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    roaming = tmp_path / "AppData" / "Roaming" / "milvus-profiles"
    assert discovery.user_config_dir() == roaming
    assert discovery.user_state_dir() == roaming
    assert discovery.user_file() == roaming / "profiles.toml"
    assert trust.store_path().parent == roaming
    assert locks.lock_path(Path("milvus.toml")).parent == roaming / "locks"


def test_commands_the_tests_start_get_the_same_appdata_by_a_variable_platformdirs_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child process imports platformdirs afresh: only the environment reaches it."""
    assert os.environ["WIN_PD_OVERRIDE_APPDATA"] == str(tmp_path / "AppData" / "Roaming")
    assert os.environ["WIN_PD_OVERRIDE_LOCAL_APPDATA"] == str(tmp_path / "AppData" / "Local")
    assert os.environ["APPDATA"] == os.environ["WIN_PD_OVERRIDE_APPDATA"]
    # platformdirs' real lookup takes the variable before it asks Windows; a drive-letter path, as a
    # Windows tmp_path is, for the lookup refuses a path that is not fully qualified there
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", r"C:\Users\me\pytest-1\AppData\Roaming")
    assert PureWindowsPath(WINDOWS_FOLDER("CSIDL_APPDATA")) == PureWindowsPath(
        r"C:\Users\me\pytest-1\AppData\Roaming"
    )
