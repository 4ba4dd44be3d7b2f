"""Machines without a safe keyring: `add` says how to finish, and a plain-text keyring is named."""

from __future__ import annotations

import base64
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from ..helpers import SENTINEL, Run


def test_add_without_a_keyring_keeps_the_profile_and_says_how_to_finish(cli: Run) -> None:
    Path("milvus.toml").write_text("")
    keyring.set_keyring(fail.Keyring())  # what keyring picks when no backend works
    result = cli("add", "prod", "--uri", "http://127.0.0.1:19530", "--user", "app", "--secret-stdin",
                 input=SENTINEL + "\n")  # fmt: skip
    assert result.exit_code == 4
    assert result.stdout == "added profile 'prod' to milvus.toml\n"
    error, hint = result.stderr.splitlines()
    assert error == (
        "error: profile 'prod' is saved in milvus.toml, but its secret is not: cannot store a secret: "
        "no keyring backend is available"
    )
    assert hint.startswith(  # then what the keyring misses on this machine (test_headless_terminal.py)
        "hint: finish with `milvus-profiles secret set prod` once a keyring works, or set MILVUS_PASSWORD "
        "where the profile is used (do not run `add` again: the profile exists); for the keyring: "
    )
    assert SENTINEL not in Path("milvus.toml").read_text()


def test_add_without_uri_off_a_terminal_is_a_usage_error(cli: Run) -> None:
    result = cli("add", "prod")
    assert result.exit_code == 2
    assert "--uri is required when not on a terminal (on one, each field is asked for)" in result.stderr
    assert not Path("milvus.toml").exists()


@pytest.fixture
def plaintext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from keyrings.alt.file import PlaintextKeyring

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    return Path(backend.file_path)


def test_secret_set_and_doctor_name_a_plain_text_keyring_file(cli: Run, plaintext: Path) -> None:
    Path("milvus.toml").write_text('[profiles.prod]\nuri = "http://127.0.0.1:19530"\nuser = "app"\n')
    result = cli("secret", "set", "prod", "--stdin", input=SENTINEL)
    assert result.exit_code == 0
    warning = (
        f"the keyring backend keyrings.alt.file.PlaintextKeyring stores secrets in plain text in {plaintext}"
    )
    assert result.stderr.splitlines()[0] == f"warning: {warning}"
    assert base64.b64encode(SENTINEL.encode()).decode() in plaintext.read_text()  # readable by anyone
    assert f"  warn  {warning}\n" in cli("doctor").stdout
