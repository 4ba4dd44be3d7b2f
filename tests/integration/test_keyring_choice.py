"""With the Secret Service running, the backend secrets go to is still the one keyring itself picks."""

from __future__ import annotations

import platform
from pathlib import Path

import keyring.backend

from ..secrets.keyring_choice import base_env, choice


def test_the_secret_service_is_chosen_as_keyring_chooses_it(
    tmp_path: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    env = base_env(tmp_path, session_bus=True)
    ours, theirs = choice("ours", env, tmp_path), choice("keyring", env, tmp_path)
    assert ours["backend"] == theirs["backend"] == "keyring.backends.SecretService.Keyring"
    assert ours["keyring agrees"]
    if platform.system() != "Darwin":
        assert not ours["imported ctypes.util"]
    assert not ours["left a mark in sys.modules"]


def test_a_keyringrc_outranks_the_secret_service(
    tmp_path: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    folder = tmp_path / "config" / "python_keyring"
    folder.mkdir(parents=True)
    (folder / "keyringrc.cfg").write_text("[backend]\ndefault-keyring = keyring.backends.null.Keyring\n")
    env = base_env(tmp_path, session_bus=True)
    ours, theirs = choice("ours", env, tmp_path), choice("keyring", env, tmp_path)
    assert ours["backend"] == theirs["backend"] == "keyring.backends.null.Keyring"
