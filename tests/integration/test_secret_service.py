"""Secrets in the real Secret Service keyring, read back by another process as `secret-tool` would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import keyring.backend
import pytest

from milvus_profiles import delete_secret, resolve, save_secret

from ..helpers import SENTINEL, trusted, write
from ..secret_store_contract import SecretStoreContract
from .conftest import require


class TestSecretServiceContract(SecretStoreContract):
    @pytest.fixture
    def store(self, secret_service: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
        return secret_service


def secret_tool(*args: str) -> subprocess.CompletedProcess[str]:
    require(shutil.which("secret-tool") is not None, "secret-tool", "libsecret-tools is not installed")
    return subprocess.run(["secret-tool", *args], capture_output=True, text=True, check=False)


def test_stored_under_the_documented_service_and_account(
    isolated: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    text = '[profiles.dev]\nuri = "http://Milvus.Example:19530"\nuser = "alice"\n'
    trusted(write(isolated / "milvus.toml", text))
    save_secret("dev", SENTINEL)
    looked_up = secret_tool(
        "lookup", "service", "milvus-profiles", "username", "alice@http://milvus.example:19530"
    )
    assert (looked_up.returncode, looked_up.stdout) == (0, SENTINEL)
    found = secret_tool("search", "--all", "service", "milvus-profiles")
    assert "attribute.username = alice@http://milvus.example:19530" in found.stdout + found.stderr

    # read back from the Secret Service: the process keeps nothing
    password = resolve("dev").password
    assert password is not None
    assert password.get_secret_value() == SENTINEL

    assert delete_secret("dev") is True
    gone = secret_tool(
        "lookup", "service", "milvus-profiles", "username", "alice@http://milvus.example:19530"
    )
    assert (gone.returncode, gone.stdout) == (1, "")
