"""Every test runs isolated from the real machine: no MILVUS_* variables, a user config folder inside
tmp_path, the working directory in tmp_path, and an in-memory keyring (the real Secret Service is used by
the integration tests only)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from milvus_profiles.config import toml

from .helpers import SENTINEL, MemoryKeyring, trusted, write

# The helpers live in tests/helpers.py; these names stay importable from here for tests written before.
__all__ = ["SENTINEL", "MemoryKeyring", "trusted", "write"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_newgateway(gateway: Any) -> None:
    """Under `coverage run -m pytest -n N`, each xdist worker is measured too, from its first line (the
    package is imported before any conftest.py of the worker could start a measurement). The worker writes
    its own data file (`parallel = true`), which `coverage combine` adds up."""
    import coverage

    if coverage.Coverage.current() is not None:
        code = "import coverage; coverage.Coverage(data_suffix=True).start()"
        gateway.remote_exec(code).waitclose()


def pytest_unconfigure(config: pytest.Config) -> None:
    """An xdist worker saves what it measured (its process ends without running atexit handlers)."""
    if hasattr(config, "workerinput"):
        import coverage

        measured = coverage.Coverage.current()
        if measured is not None:
            measured.stop()
            measured.save()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("MILVUS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    import platformdirs.windows

    from milvus_profiles.config import discovery

    # Windows: platformdirs asks the shell (SHGetKnownFolderPath) for AppData instead of reading the
    # environment, so the folders are replaced where it looks them up, in this process; the commands the
    # tests start read WIN_PD_OVERRIDE_* (newer platformdirs releases). Elsewhere platformdirs never asks.
    roaming, local = tmp_path / "AppData" / "Roaming", tmp_path / "AppData" / "Local"
    appdata = {"CSIDL_APPDATA": str(roaming), "CSIDL_LOCAL_APPDATA": str(local)}
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", appdata.__getitem__)
    for csidl, folder in appdata.items():
        name = csidl.removeprefix("CSIDL_")
        monkeypatch.setenv(f"WIN_PD_OVERRIDE_{name}", folder)
        monkeypatch.setenv(name.replace("_", ""), folder)  # %APPDATA%, %LOCALAPPDATA%
    for user_folder in (discovery.user_config_dir(), discovery.user_state_dir()):
        assert user_folder.is_relative_to(tmp_path), (
            f"tests would write to {user_folder} (pip install -U platformdirs)"
        )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    toml.clear_cache()
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    umask = os.umask(0o022)  # files the tests write are not writable by others, whatever the shell says
    yield work
    os.umask(umask)
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    return backend


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    """The user-level profile file's path (not created)."""
    return tmp_path / "config" / "milvus-profiles" / "profiles.toml"
