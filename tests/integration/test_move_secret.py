"""`set ... --move-secret` with the real Secret Service, read back by another program (`secret-tool`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import keyring.backend

from ..helpers import SENTINEL
from .conftest import require
from .test_cli import run

OLD = "app@https://milvus.example.com:443"
NEW = "app@https://milvus2.example.com:443"


def stored(account: str) -> str | None:
    """The secret `secret-tool` finds for ``account``, or None."""
    require(shutil.which("secret-tool") is not None, "secret-tool", "libsecret-tools is not installed")
    found = subprocess.run(
        ["secret-tool", "lookup", "service", "milvus-profiles", "username", account],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return found.stdout if found.returncode == 0 else None


def test_a_new_uri_leaves_the_secret_until_move_secret_takes_it_along(
    isolated: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    (isolated / "milvus.toml").write_text(
        '[profiles.prod]\nuri = "https://milvus.example.com:443"\nuser = "app"\n'
    )
    assert run(["trust"], isolated).returncode == 0
    assert run(["secret", "set", "prod", "--stdin"], isolated, stdin=SENTINEL + "\n").returncode == 0

    moved_away = run(["set", "prod", "uri", "https://milvus2.example.com:443"], isolated)
    assert moved_away.returncode == 0, moved_away.stderr
    assert f"the password stored for {OLD} is no longer used by profile 'prod'" in moved_away.stderr
    assert (stored(OLD), stored(NEW)) == (SENTINEL, None)

    assert run(["set", "prod", "uri", "https://milvus.example.com:443"], isolated).returncode == 0
    moved = run(["set", "prod", "uri", "https://milvus2.example.com:443", "--move-secret"], isolated)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.splitlines()[-1] == f"moved the password stored for {OLD} to {NEW}"
    assert (stored(OLD), stored(NEW)) == (None, SENTINEL)
    assert SENTINEL not in moved_away.stdout + moved_away.stderr + moved.stdout + moved.stderr
