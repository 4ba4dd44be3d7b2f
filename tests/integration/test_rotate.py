"""`secret rotate` and the default-password warning against Milvus with authentication, the passwords in
the real Secret Service, and a keyring that fails at the worst moment: after the server took the change."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest
from click.testing import CliRunner, Result

from milvus_profiles import AuthenticationError, connect
from milvus_profiles.cli import main
from milvus_profiles.secrets import keyring_store

from ..helpers import write
from .servers import ROOT_PASSWORD, MilvusServer

_USERS = itertools.count()
FIRST_PASSWORD = "First-Pass-1"


def cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, prog_name="milvus-profiles")


@pytest.fixture
def account(
    isolated: Path, auth_server: MilvusServer, secret_service: keyring.backend.KeyringBackend
) -> Iterator[tuple[Path, str]]:
    """A user of its own on the server (root's password stays as the other tests expect it), a profile
    file for it named with --file, and its first password in the Secret Service."""
    from pymilvus import MilvusClient

    user = f"rotator{os.getpid()}_{next(_USERS)}"
    admin = MilvusClient(uri=auth_server.uri, user="root", password=ROOT_PASSWORD)
    admin.create_user(user, FIRST_PASSWORD)
    path = write(
        isolated / "team.toml",
        f'[profiles.app]\nuri = "{auth_server.uri}"\nuser = "{user}"\ntimeout = 5\n\n'
        f'[profiles.admin]\nuri = "{auth_server.uri}"\nuser = "root"\ntimeout = 5\n',
    )
    result = cli("--file", str(path), "secret", "set", "app", "--stdin", input=FIRST_PASSWORD)
    assert result.exit_code == 0, result.output
    try:
        yield path, user
    finally:
        admin.drop_user(user)
        admin.close()


def logs_in(uri: str, user: str, password: str) -> bool:
    try:
        connect(uri=uri, user=user, password=password, timeout=5).close()
    except AuthenticationError:
        return False
    return True


def stored(uri: str, user: str) -> str | None:
    return keyring_store.get_secret(uri, user, secure=False)


def test_rotate_changes_the_password_on_the_server_and_in_the_keyring(
    account: tuple[Path, str], auth_server: MilvusServer
) -> None:
    path, user = account
    result = cli("--file", str(path), "secret", "rotate", "app")
    assert result.exit_code == 0, result.output
    new = stored(auth_server.uri, user)
    assert new is not None
    assert new != FIRST_PASSWORD
    assert len(new) == 32
    assert new not in result.output  # generated, and not asked to be shown
    assert result.stdout.splitlines() == [
        f"changed the password of user '{user}' at {auth_server.uri}",
        f"stored the new password in the keyring (account {user}@{auth_server.uri})",
    ]
    assert logs_in(auth_server.uri, user, new)
    assert not logs_in(auth_server.uri, user, FIRST_PASSWORD)
    connect("app", files=[path]).close()  # the profile works as it is, with what the keyring holds now


def test_show_prints_the_generated_password_and_stdin_sets_a_chosen_one(
    account: tuple[Path, str], auth_server: MilvusServer
) -> None:
    path, user = account
    shown = cli("--file", str(path), "secret", "rotate", "app", "--show")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[-1] == stored(auth_server.uri, user)
    chosen = cli("--file", str(path), "secret", "rotate", "app", "--stdin", input="Chosen-Pass-9\n")
    assert chosen.exit_code == 0, chosen.output
    assert stored(auth_server.uri, user) == "Chosen-Pass-9"
    assert logs_in(auth_server.uri, user, "Chosen-Pass-9")


def test_a_password_the_server_refuses_is_stored_nowhere(
    account: tuple[Path, str], auth_server: MilvusServer
) -> None:
    path, user = account
    result = cli("--file", str(path), "secret", "rotate", "app", "--stdin", input="ab\n")  # too short
    assert result.exit_code != 0
    assert result.stderr.startswith(f"error: the server refused the new password of user '{user}'")
    assert "Traceback" not in result.output
    assert "hint: nothing was stored; the current password still works" in result.stderr
    assert stored(auth_server.uri, user) == FIRST_PASSWORD
    assert logs_in(auth_server.uri, user, FIRST_PASSWORD)


class FailsOnWrite(keyring.backend.KeyringBackend):
    """The Secret Service for reading; every write fails, as a keyring that locks itself or loses its
    D-Bus connection between the lookup and the store would."""

    priority = 1  # type: ignore[assignment, unused-ignore]

    def __init__(self, real: keyring.backend.KeyringBackend) -> None:
        super().__init__()  # type: ignore[no-untyped-call, unused-ignore]
        self.real = real

    def get_password(self, service: str, username: str) -> str | None:
        return self.real.get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        self.real.delete_password(service, username)


def test_a_keyring_that_fails_after_the_server_changed_shows_the_new_password_once(
    account: tuple[Path, str], auth_server: MilvusServer, secret_service: keyring.backend.KeyringBackend
) -> None:
    path, user = account
    keyring.set_keyring(FailsOnWrite(secret_service))
    result = cli("--file", str(path), "secret", "rotate", "app")
    assert result.exit_code == 4
    lines = result.stdout.splitlines()
    prefix = "the new password, shown once as it is stored nowhere else: "
    assert lines[0] == f"changed the password of user '{user}' at {auth_server.uri}"
    assert lines[1].startswith(prefix)
    new = lines[1].removeprefix(prefix)
    assert result.stderr.splitlines() == [
        "warning: the server has the new password, but it was not stored: cannot store a secret: the keyring "
        "failed (PasswordSetError)",
        "hint: store it with `milvus-profiles secret set app` once the keyring works, or keep it in "
        "MILVUS_PASSWORD",
    ]
    assert logs_in(auth_server.uri, user, new)  # the user is never left without a working password
    assert stored(auth_server.uri, user) == FIRST_PASSWORD


def test_test_and_doctor_warn_about_the_default_root_password(
    account: tuple[Path, str], auth_server: MilvusServer
) -> None:
    path, _ = account
    stored_root = cli("--file", str(path), "secret", "set", "admin", "--stdin", input=ROOT_PASSWORD)
    assert stored_root.exit_code == 0, stored_root.output
    warning = (
        "warning: profile admin logs in as 'root' with Milvus's built-in default password, which must be "
        "changed before production"
    )
    hint = "hint: change it on the server and in the keyring with `milvus-profiles secret rotate admin`"
    tested = cli("--file", str(path), "test", "admin", "app")
    assert tested.exit_code == 0, tested.output
    assert tested.stderr.splitlines() == [warning, hint]
    doctor = cli("--file", str(path), "doctor")
    assert f"  warn  {warning.removeprefix('warning: ')}\n        {hint}\n" in doctor.stdout
    assert "profile app logs in" not in doctor.stdout
