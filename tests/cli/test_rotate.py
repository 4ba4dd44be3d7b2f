"""`secret rotate` run as a user runs it, against a recording server on loopback: what a server that
refuses says, and nothing else (no pymilvus log line, no traceback)."""

from __future__ import annotations

import base64
from pathlib import Path

from ..helpers import run_entry_point, write
from ..oracles.grpc_recorder import RecordingServer

OLD = "Old-Pass-1"


def rotate(server: RecordingServer, work: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    path = write(work / "team.toml", f'[profiles.app]\nuri = "{server.uri()}"\nuser = "bob"\ntimeout = 5\n')
    config = work.parent / "config"
    done = run_entry_point(
        ["--file", str(path), "secret", "rotate", "app", *args],
        work,
        config,
        stdin=stdin,
        env={"MILVUS_PASSWORD": OLD},
    )
    return done.returncode, done.stdout + done.stderr


def test_rotate_on_a_server_without_users_says_so_in_two_lines(isolated: Path) -> None:
    with RecordingServer() as server:  # UpdateCredential is UNIMPLEMENTED, as Milvus Lite answers
        code, output = rotate(server, isolated)
    assert (code, output) == (
        3,
        f"error: profile app: this server has no users (Milvus Lite?), so user 'bob' at {server.uri()} "
        "has no password to change\n"
        "hint: nothing was stored; the current password still works; a server without users needs none: "
        "`milvus-profiles unset app user`\n",
    )


def test_a_new_password_the_server_refuses_is_named_with_the_servers_reason(isolated: Path) -> None:
    with RecordingServer(min_password_length=6) as server:
        code, output = rotate(server, isolated, "--stdin", stdin="ab\n")
        assert len(server.calls_to("UpdateCredential")) == 1
    assert (code, output) == (
        6,
        f"error: the server refused the new password of user 'bob' at {server.uri()}: "
        "The length of password must be great than 6 and less than 256 characters.\n"
        "hint: nothing was stored; the current password still works\n",
    )


def test_a_new_password_the_server_accepts_reaches_it_and_the_command_says_so(isolated: Path) -> None:
    from pymilvus.grpc_gen import milvus_pb2

    with RecordingServer(min_password_length=6) as server:
        code, output = rotate(server, isolated, "--stdin", stdin="Long-enough-1\n")
        (call,) = server.calls_to("UpdateCredential")
    request = milvus_pb2.UpdateCredentialRequest.FromString(call.request)
    assert (request.username, request.newPassword) == ("bob", base64.b64encode(b"Long-enough-1").decode())
    assert code == 0, output
    assert output.startswith(f"changed the password of user 'bob' at {server.uri()}\n")
    assert (
        f"warning: whoever else logs in as user 'bob' at {server.uri()} with the old password (a teammate, "
        "a CI secret, another machine) now fails until given the new one\n"
        "hint: give them the new password\n"
    ) in output


def test_a_generated_password_says_who_else_fails_and_how_to_see_it(isolated: Path) -> None:
    with RecordingServer(min_password_length=6) as server:
        code, output = rotate(server, isolated)
    assert code == 0, output
    assert "warning: whoever else logs in as user 'bob' at " in output
    assert "hint: `milvus-profiles show app --reveal` prints it\n" in output
