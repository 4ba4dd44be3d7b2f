"""A password rotated by `milvus-profiles secret rotate` in one process reaches a process that was already
running: its next `connect()` logs in with the new password, read from the real Secret Service, against
Milvus with authentication (the old password is refused there from the moment it changed)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring.backend
import pytest

from milvus_profiles import AuthenticationError, connect

from ..helpers import run_entry_point, write
from .servers import ROOT_PASSWORD, MilvusServer

FIRST_PASSWORD = "First-Pass-1"
_USERS = itertools.count()

# Every process these tests start uses the Secret Service of the test command's D-Bus session.
SECRET_SERVICE = {"PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}

# A long-running service: one `connect("rot")` and a listing per line read, its outcome printed.
SERVICE = """
import sys
from milvus_profiles import connect
for _ in sys.stdin:
    try:
        client = connect("rot")
        client.list_collections()
        client.close()
        print("connected", flush=True)
    except Exception as e:
        print(type(e).__name__, flush=True)
"""


class Service:
    """The running process: ``connect()`` asks it to connect once more and returns what it printed."""

    def __init__(self, cwd: Path) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")} | SECRET_SERVICE
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVICE],
            cwd=cwd,
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def connect(self) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("connect\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()  # waits for the answer, however long it takes

    def stop(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()  # the end of its input ends it
        self.process.wait(timeout=60)
        self.process.stdout.close()


@pytest.fixture
def rot(
    isolated: Path,
    user_file: Path,
    auth_server: MilvusServer,
    secret_service: keyring.backend.KeyringBackend,
) -> Iterator[str]:
    """A user of its own on the server, the profile `rot` for it in the user file, and its first
    password in the Secret Service, stored by `secret set` in a process of its own."""
    from pymilvus import MilvusClient

    user = f"rot{os.getpid()}_{next(_USERS)}"
    admin = MilvusClient(uri=auth_server.uri, user="root", password=ROOT_PASSWORD)
    admin.create_user(user, FIRST_PASSWORD)
    profile = f'[profiles.rot]\nuri = "{auth_server.uri}"\nuser = "{user}"\ntimeout = 5\n'
    write(user_file, profile).chmod(0o600)
    stored = cli(isolated, user_file, "secret", "set", "rot", "--stdin", stdin=FIRST_PASSWORD)
    assert stored.returncode == 0, stored.stderr
    try:
        yield user
    finally:
        cli(isolated, user_file, "secret", "delete", "rot")
        admin.drop_user(user)
        admin.close()


def cli(cwd: Path, user_file: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_entry_point(args, cwd, user_file.parent.parent, stdin=stdin, env=SECRET_SERVICE)


def logs_in(uri: str, user: str, password: str) -> bool:
    try:
        connect(uri=uri, user=user, password=password, timeout=5).close()
    except AuthenticationError:
        return False
    return True


def test_a_running_process_connects_with_the_password_another_process_rotated(
    rot: str, isolated: Path, user_file: Path, auth_server: MilvusServer
) -> None:
    service = Service(isolated)
    try:
        assert service.connect() == "connected"

        rotated = cli(isolated, user_file, "secret", "rotate", "rot")
        assert rotated.returncode == 0, rotated.stderr
        assert not logs_in(auth_server.uri, rot, FIRST_PASSWORD)  # the password it connected with is dead

        assert service.connect() == "connected"
    finally:
        service.stop()
    fresh = Service(isolated)
    try:
        assert fresh.connect() == "connected"
    finally:
        fresh.stop()
