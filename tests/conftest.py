"""Every test runs isolated from the real machine: no MILVUS_* variables, a user config folder inside
tmp_path, the working directory in tmp_path, and an in-memory keyring (the real Secret Service is used by
the integration tests only)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from milvus_profiles.resolution import cache as resolver

from .helpers import SENTINEL, trusted, write

__all__ = ["SENTINEL", "MemoryKeyring", "trusted", "write"]


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict: for unit tests of our own logic only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.lookups: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.lookups.append((service, username))
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith("MILVUS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    resolver.clear_cache()
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
