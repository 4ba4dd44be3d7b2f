"""`set` and `unset` that give profiles another server or user: the stored secret is never left behind
unsaid, and goes to the new server only with --move-secret."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from ..helpers import SENTINEL, MemoryKeyring, Run, write

FILE = """\
[profiles.prod]
uri = "https://milvus.example.com:443"
user = "app"

[profiles.reports]
extends = "prod"
db_name = "reports"
"""
OLD = ("milvus-profiles", "app@https://milvus.example.com:443")
NEW = ("milvus-profiles", "app@https://milvus2.example.com:443")


@pytest.fixture(autouse=True)
def project() -> Path:
    return write(Path("milvus.toml"), FILE)


def test_a_new_uri_says_the_stored_password_stays_behind_and_sends_it_nowhere(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.store[OLD] = SENTINEL
    result = cli("set", "prod", "uri", "https://milvus2.example.com:443")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: the password stored for app@https://milvus.example.com:443 is no longer used by profile "
        "'prod', 'reports': it now uses app@https://milvus2.example.com:443, where none is stored",
        "hint: another server: store its own with `milvus-profiles secret set prod`; the same server under "
        "a new name: undo this change, then make it again with --move-secret",
    ]
    assert memory_keyring.store == {OLD: SENTINEL}
    assert SENTINEL not in result.output


def test_move_secret_takes_it_to_the_new_account(cli: Run, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[OLD] = SENTINEL
    result = cli("set", "prod", "uri", "https://milvus2.example.com:443", "--move-secret")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "moved the password stored for app@https://milvus.example.com:443 to app@https://milvus2.example.com:443"
    )
    assert result.stderr == ""
    assert memory_keyring.store == {NEW: SENTINEL}
    assert SENTINEL not in result.output


def test_move_secret_leaves_it_for_a_profile_still_on_the_old_server(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    write(
        Path("milvus.toml"),
        FILE + '\n[profiles.legacy]\nuri = "https://milvus.example.com:443"\nuser = "app"\n',
    )
    memory_keyring.store[OLD] = SENTINEL
    result = cli("set", "prod", "uri", "https://milvus2.example.com:443", "--move-secret")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith(
        "; it stays for app@https://milvus.example.com:443 too, which profile 'legacy' uses"
    )
    assert memory_keyring.store == {OLD: SENTINEL, NEW: SENTINEL}


@pytest.mark.parametrize(
    ("args", "stored"),
    [
        (("set", "prod", "timeout", "5"), {OLD: SENTINEL}),  # the same account
        (("set", "prod", "uri", "https://milvus2.example.com:443"), {}),  # nothing stored
        (("set", "prod", "uri", "https://milvus2.example.com:443"), {OLD: SENTINEL, NEW: "its own"}),
    ],
)
def test_no_word_when_no_secret_is_left_behind(
    cli: Run, memory_keyring: MemoryKeyring, args: tuple[str, ...], stored: dict[tuple[str, str], str]
) -> None:
    memory_keyring.store.update(stored)
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert memory_keyring.store == stored


def test_unset_user_names_the_password_the_token_account_lacks(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.store[OLD] = SENTINEL
    result = cli("unset", "prod", "user")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "warning: the password stored for app@https://milvus.example.com:443 is no longer used by profile "
        "'prod', 'reports': it now uses https://milvus.example.com:443, where none is stored\n"
    )
    assert memory_keyring.store == {OLD: SENTINEL}


def test_move_secret_without_a_keyring_is_refused_before_the_file_changes(cli: Run, project: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        result = cli("set", "prod", "uri", "https://milvus2.example.com:443", "--move-secret")
        assert result.exit_code == 4, result.output
        assert result.stderr.startswith("error: cannot store a secret: no keyring backend is available")
        assert project.read_text(encoding="utf-8") == FILE
        assert cli("set", "prod", "uri", "https://milvus2.example.com:443").exit_code == 0
    finally:
        keyring.set_keyring(previous)


def test_move_secret_with_nothing_to_move_says_so(cli: Run, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[OLD] = SENTINEL
    result = cli("set", "prod", "timeout", "5", "--move-secret")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "no stored secret needed moving"
    assert memory_keyring.store == {OLD: SENTINEL}
