"""milvus-profiles secret set|delete|status."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers import SENTINEL, MemoryKeyring, Run, files_containing, trusted, write

PROJECT = """\
default = "dev"

[profiles.local]
uri = "./data/milvus.db"

[profiles.dev]
uri = "http://dev.example.com:19530"
user = "root"

[profiles.cloud]
uri = "https://cloud.example.com"
"""
ROOT = ("milvus-profiles", "root@http://dev.example.com:19530")
CLOUD = ("milvus-profiles", "https://cloud.example.com:443")


@pytest.fixture(autouse=True)
def project() -> Path:
    return trusted(write(Path("milvus.toml"), PROJECT))


def test_set_prompts_twice_without_echo(cli: Run, memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    result = cli("secret", "set", input=f"{SENTINEL}\n{SENTINEL}\n")
    assert result.exit_code == 0, result.output
    assert memory_keyring.store == {ROOT: SENTINEL}
    assert result.stderr == (
        "Password for user 'root' at http://dev.example.com:19530: \nRepeat for confirmation: \n"
    )
    assert result.stdout == "stored the password in the keyring (account root@http://dev.example.com:19530)\n"
    assert SENTINEL not in result.output
    assert files_containing(tmp_path, SENTINEL) == []


def test_set_asks_again_when_the_two_differ(cli: Run, memory_keyring: MemoryKeyring) -> None:
    result = cli("secret", "set", "dev", input=f"{SENTINEL}\nother\n{SENTINEL}\n{SENTINEL}\n")
    assert result.exit_code == 0
    assert "Error: The two entered values do not match." in result.stderr
    assert memory_keyring.store == {ROOT: SENTINEL}
    assert SENTINEL not in result.output


def test_set_from_stdin_stores_a_token(cli: Run, memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    result = cli("secret", "set", "cloud", "--stdin", input=SENTINEL + "\r\n")
    assert result.exit_code == 0, result.output
    assert memory_keyring.store == {CLOUD: SENTINEL}
    assert result.output == "stored the token in the keyring (account https://cloud.example.com:443)\n"
    assert files_containing(tmp_path, SENTINEL) == []


def test_set_warns_when_the_environment_wins(cli: Run, memory_keyring: MemoryKeyring) -> None:
    result = cli("secret", "set", "dev", "--stdin", input="new", env={"MILVUS_PASSWORD": SENTINEL})
    assert result.exit_code == 0
    assert (
        result.stderr
        == "warning: MILVUS_PASSWORD is set in the environment and is used instead of the keyring\n"
    )
    assert memory_keyring.store == {ROOT: "new"}
    assert SENTINEL not in result.output


def test_lite_takes_no_secret(cli: Run) -> None:
    result = cli("secret", "set", "local", input="x\nx\n")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"error: profile local is a Milvus Lite database ({Path.cwd() / 'data' / 'milvus.db'}), "
        "which takes no secret",
        "hint: secrets are for Milvus servers; Milvus Lite ignores credentials",
    ]


def test_rotate_refuses_a_lite_profile_before_asking_anything(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    result = cli("secret", "rotate", "local", "--ask")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"error: profile local is a Milvus Lite database ({Path.cwd() / 'data' / 'milvus.db'}), "
        "which takes no secret",
        "hint: passwords are for Milvus servers",
    ]
    assert memory_keyring.store == {}


def test_status_reports_the_keyring_and_the_environment(cli: Run, memory_keyring: MemoryKeyring) -> None:
    missing = cli("secret", "status", "dev")
    assert missing.exit_code == 4
    assert missing.stdout.splitlines() == [
        "profile:      dev",
        "endpoint:     http://dev.example.com:19530",
        "takes:        a password for user 'root'",
        "keyring:      nothing stored (account root@http://dev.example.com:19530)",
        "environment:  MILVUS_PASSWORD and MILVUS_TOKEN unset",
        "in use:       none",
    ]
    assert missing.stderr.splitlines() == [
        "warning: user 'root' has no password",
        "hint: store it with `milvus-profiles secret set dev`",
    ]
    memory_keyring.store[ROOT] = SENTINEL
    stored = cli("secret", "status", "dev")
    assert stored.exit_code == 0
    assert "keyring:      stored (account root@http://dev.example.com:19530)" in stored.stdout
    assert stored.stdout.splitlines()[-1] == "in use:       keyring (root@http://dev.example.com:19530)"
    env = cli("secret", "status", "dev", env={"MILVUS_PASSWORD": "from-env"})
    assert env.stdout.splitlines()[-2:] == [
        "environment:  MILVUS_PASSWORD is set",
        "in use:       env MILVUS_PASSWORD",
    ]
    for result in (missing, stored, env):
        assert SENTINEL not in result.output
        assert "from-env" not in result.output


def test_status_of_a_token_profile_needs_nothing(cli: Run) -> None:
    result = cli("secret", "status", "cloud")
    assert result.exit_code == 0
    assert "takes:        a token (optional)" in result.stdout


def test_delete(cli: Run, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[ROOT] = SENTINEL
    result = cli("secret", "delete", "dev")
    assert result.exit_code == 0
    assert result.output == "deleted the password of root@http://dev.example.com:19530 from the keyring\n"
    assert memory_keyring.store == {}
    again = cli("secret", "delete", "dev")
    assert again.exit_code == 0
    assert again.output == "no password was stored for root@http://dev.example.com:19530; nothing to delete\n"


def test_an_unknown_profile(cli: Run) -> None:
    result = cli("secret", "status", "nope")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no profile named 'nope'")
