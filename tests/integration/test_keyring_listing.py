"""`doctor` lists the secrets the real Secret Service holds for no profile, by account: the accounts it
finds are the ones `secret-tool` finds under the service name."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import keyring.backend
from click.testing import CliRunner

from milvus_profiles import delete_secret, save_secret
from milvus_profiles.cli import main
from milvus_profiles.secrets.keyring_store import stored_accounts

from ..helpers import SENTINEL, trusted, write
from .conftest import require

PROFILE = '[profiles.dev]\nuri = "http://milvus.example:19530"\nuser = "alice"\n'


def secret_tool(*args: str, secret: str | None = None) -> str:
    require(shutil.which("secret-tool") is not None, "secret-tool", "libsecret-tools is not installed")
    done = subprocess.run(
        ["secret-tool", *args], input=secret, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout + done.stderr


def test_doctor_lists_what_the_secret_service_holds_for_no_profile(
    isolated: Path, secret_service: keyring.backend.KeyringBackend
) -> None:
    trusted(write(isolated / "milvus.toml", PROFILE))
    save_secret("dev", SENTINEL)
    # left by another process: a profile since pointed elsewhere; and another application's entry
    old = "bob@http://old.example:19530"
    secret_tool("store", "--label", "old", "service", "milvus-profiles", "username", old, secret="old-secret")
    secret_tool("store", "--label", "theirs", "service", "another-application", "username", "x", secret="x")
    try:
        found = secret_tool("search", "--all", "service", "milvus-profiles")
        stored = stored_accounts()
        result = CliRunner().invoke(main, ["doctor"])
    finally:
        delete_secret("dev")
        secret_tool("clear", "service", "milvus-profiles", "username", old)
        secret_tool("clear", "service", "another-application", "username", "x")

    assert stored == sorted(re.findall(r"^attribute\.username = (.*)$", found, flags=re.M))
    assert {"alice@http://milvus.example:19530", old} <= set(stored or ())
    assert "x" not in (stored or ())  # another application's
    lines = result.stdout.splitlines()
    at = lines.index(
        f"  info  stored secret {old}: no profile read here uses it (left by a change of uri or user, or "
        "another project's)"
    )
    assert lines[at + 1] == f"        hint: if no project uses it: keyring del milvus-profiles {old}"
    assert not [line for line in lines if "stored secret alice@" in line]  # profile dev uses it
    assert SENTINEL not in result.output
    assert "old-secret" not in result.output
