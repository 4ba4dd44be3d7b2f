"""The keyring contract with the backend the `keyring` package picks on this platform by itself: the
Secret Service on Linux, the login Keychain on macOS, the Credential Locker on Windows. CI runs this file
on all three; on Linux, inside scripts/with-keyring."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import keyring
import keyring.backend
import pytest

from ..secret_store_contract import SecretStoreContract
from .conftest import require

NATIVE = {
    "linux": ("keyring.backends.SecretService", "Keyring", "the Secret Service"),
    "darwin": ("keyring.backends.macOS", "Keyring", "the macOS Keychain"),
    "win32": ("keyring.backends.Windows", "WinVaultKeyring", "the Windows Credential Locker"),
}


def native_class() -> type[keyring.backend.KeyringBackend]:
    if sys.platform not in NATIVE:
        pytest.skip(f"no native keyring is known for {sys.platform}")
    module, name, _ = NATIVE[sys.platform]
    cls: type[keyring.backend.KeyringBackend] = getattr(importlib.import_module(module), name)
    return cls


def viable(cls: type[keyring.backend.KeyringBackend]) -> tuple[bool, str]:
    try:
        return cls.priority > 0, "its priority is 0"  # a backend raises here when it cannot work
    except Exception as e:
        return False, f"{type(e).__name__}: {e}"


@pytest.fixture
def native(isolated: Path) -> keyring.backend.KeyringBackend:
    cls = native_class()
    works, reason = viable(cls)
    require(works, NATIVE[sys.platform][2], reason)
    backend = cls()
    keyring.set_keyring(backend)
    return backend


class TestNativeKeyringContract(SecretStoreContract):
    @pytest.fixture
    def store(self, native: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
        return native


def test_keyring_picks_the_native_backend_by_itself(native: keyring.backend.KeyringBackend) -> None:
    # What keyring.core does without configuration: the viable backend of the highest priority. The
    # chainer (which wraps the same backends) and the test suite's own in-memory keyring are left out.
    from keyring.backends.chainer import ChainerBackend

    candidates = [
        b
        for b in keyring.backend.get_all_keyring()
        if not isinstance(b, ChainerBackend) and not type(b).__module__.startswith("tests")
    ]
    chosen = max(candidates, key=lambda b: b.priority)
    assert isinstance(chosen, type(native)), f"keyring would pick {type(chosen).__module__}"
