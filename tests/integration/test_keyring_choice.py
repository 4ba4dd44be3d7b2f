"""With the Secret Service running, the backend secrets go to is still the one keyring itself picks."""

from __future__ import annotations

import sys
from pathlib import Path

import keyring.backend

from ..secrets.keyring_choice import base_env, choice, keyringrc


def test_the_secret_service_is_chosen_as_keyring_chooses_it(
    tmp_path: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    env = base_env(tmp_path, session_bus=True)
    ours, theirs = choice("ours", env, tmp_path), choice("keyring", env, tmp_path)
    assert (ours["backend"], ours["chained"]) == (theirs["backend"], theirs["chained"])
    # alone, or first in a chain with whatever else is installed (keyrings.alt's file backends)
    secret_service = "keyring.backends.SecretService.Keyring"  # type: ignore[assignment]
    assert secret_service in (ours["backend"], *ours["chained"][:1])
    assert ours["keyring agrees"]
    if sys.platform.startswith("linux"):
        assert not ours["imported ctypes.util"]
    assert not ours["left a mark in sys.modules"]


def test_a_keyringrc_outranks_the_secret_service(
    tmp_path: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    keyringrc(tmp_path, "[backend]\ndefault-keyring = keyring.backends.null.Keyring\n")
    env = base_env(tmp_path, session_bus=True)
    ours, theirs = choice("ours", env, tmp_path), choice("keyring", env, tmp_path)
    assert ours["backend"] == theirs["backend"] == "keyring.backends.null.Keyring"
