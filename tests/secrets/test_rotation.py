"""A secret rotated by another process reaches a running one: the next `connect()` of a process that
connected before uses the new secret, whether it comes from the keyring or from a command reference.

The server is the recording Milvus stand-in on loopback, which refuses a wrong `authorization` as Milvus
does; tests/integration/test_rotation.py proves the same against Milvus with authentication and the real
Secret Service, `secret rotate` running in another process.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from milvus_profiles import AuthenticationError, connect

from ..helpers import MemoryKeyring, write
from ..oracles.grpc_recorder import RecordingServer

PY = sys.executable.replace("\\", "\\\\")


def authorization(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer(authorization=authorization("app", "first-password")) as recorder:
        yield recorder


def rotate_on_the_server(server: RecordingServer, password: str) -> None:
    """The server now takes only ``password``, as after `ALTER USER`: the old one is refused."""
    server.authorization = authorization("app", password)


def sent(server: RecordingServer) -> str | None:
    return server.calls_to("ShowCollections")[-1].header("authorization")


def test_a_password_rotated_in_the_keyring_is_used_by_the_next_connect(
    user_file: Path, memory_keyring: MemoryKeyring, server: RecordingServer
) -> None:
    write(user_file, f'[profiles.rot]\nuri = "{server.uri()}"\nuser = "app"\ntimeout = 5\n').chmod(0o600)
    account = ("milvus-profiles", f"app@{server.uri()}")
    memory_keyring.store[account] = "first-password"
    connect("rot").close()

    rotate_on_the_server(server, "second-password")
    memory_keyring.store[account] = "second-password"  # what `secret rotate` in another process leaves
    connect("rot").close()
    assert sent(server) == authorization("app", "second-password")


def test_a_command_reference_whose_output_changed_is_run_again_by_the_next_connect(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring, server: RecordingServer
) -> None:
    vault = write(isolated.parent / "vault.txt", "first-password")  # a password manager's answer
    code = f"print(open(r'{vault}').read())"
    write(
        user_file,
        f'[profiles.rot]\nuri = "{server.uri()}"\nuser = "app"\ntimeout = 5\n'
        f'password = {{ command = ["{PY}", "-c", "{code}"] }}\n',
    ).chmod(0o600)
    connect("rot").close()
    assert sent(server) == authorization("app", "first-password")

    rotate_on_the_server(server, "second-password")
    vault.write_text("second-password")
    connect("rot").close()
    assert sent(server) == authorization("app", "second-password")
    assert memory_keyring.lookups == []  # the reference answered; the keyring was never asked


def test_the_old_password_is_refused_once_the_server_has_rotated(
    user_file: Path, memory_keyring: MemoryKeyring, server: RecordingServer
) -> None:
    """The stand-in refuses as Milvus does, so the tests above could fail: a kept secret would be refused."""
    write(user_file, f'[profiles.rot]\nuri = "{server.uri()}"\nuser = "app"\ntimeout = 5\n').chmod(0o600)
    memory_keyring.store[("milvus-profiles", f"app@{server.uri()}")] = "first-password"
    connect("rot").close()
    rotate_on_the_server(server, "second-password")
    with pytest.raises(AuthenticationError):
        connect("rot")
