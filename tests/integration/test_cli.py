"""The installed `milvus-profiles` command end to end: secrets into the real Secret Service, and `test`
against Milvus with authentication."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import keyring.backend

from ..helpers import SENTINEL, entry_point, files_containing
from .servers import ROOT_PASSWORD, MilvusServer, free_port


def run(args: list[str], cwd: Path, *, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command in a new process, with this session's D-Bus (so the same Secret Service)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env["XDG_CONFIG_HOME"] = str(cwd.parent / "config")
    env["XDG_STATE_HOME"] = str(cwd.parent / "state")
    return subprocess.run(
        [entry_point(), *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_add_with_a_secret_on_stdin_then_test_all(
    isolated: Path, auth_server: MilvusServer, secret_service: keyring.backend.KeyringBackend
) -> None:
    (isolated / "milvus.toml").write_text("")
    assert run(["trust"], isolated).returncode == 0  # our own project's file
    other_name = auth_server.uri.replace("127.0.0.1", "localhost")  # the same server, another endpoint
    added = [
        run(["add", "ready", "--uri", auth_server.uri, "--user", "root", "--secret-stdin"], isolated,
            stdin=ROOT_PASSWORD + "\n"),
        run(["add", "refused", "--uri", other_name, "--user", "root", "--secret-stdin"],
            isolated, stdin=SENTINEL + "\n"),
        run(["add", "down", "--uri", f"http://127.0.0.1:{free_port()}", "--user", "root", "--timeout", "2",
             "--secret-stdin"], isolated, stdin=SENTINEL + "\n"),
    ]  # fmt: skip
    for done in added:
        assert done.returncode == 0, done.stderr
    # the secrets are in the OS keyring, where another program finds them
    looked_up = subprocess.run(
        ["secret-tool", "lookup", "service", "milvus-profiles", "username", f"root@{auth_server.uri}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert looked_up.stdout == ROOT_PASSWORD

    tested = run(["test", "--all", "--json"], isolated)
    assert tested.returncode == 6, tested.stderr  # the first failure in order: refused credentials
    report = json.loads(tested.stdout)
    assert report["ok"] is False
    assert report["exit_code"] == 6
    assert [(p["profile"], p["status"], p["exit_code"]) for p in report["profiles"]] == [
        ("ready", "ready", 0),
        ("refused", "auth-failed", 6),
        ("down", "unreachable", 5),
    ]
    assert report["profiles"][0]["server_version"].startswith("v2.3")

    one = run(["test", "ready"], isolated)
    assert one.returncode == 0, one.stderr
    assert "ready" in one.stdout
    assert run(["test", "down"], isolated).returncode == 5

    for done in [*added, tested, one]:
        assert SENTINEL not in done.stdout + done.stderr
    assert files_containing(isolated.parent, SENTINEL) == []


def test_a_cloned_project_works_once_trusted(
    isolated: Path, auth_server: MilvusServer, secret_service: keyring.backend.KeyringBackend
) -> None:
    """The honest workflow of a team: someone else's milvus.toml names the server; you store your password,
    the first `test` says the file is not trusted yet, you trust it, and it is ready."""
    (isolated / ".git").mkdir()
    (isolated / "milvus.toml").write_text(
        f'default = "team"\n[profiles.team]\nuri = "{auth_server.uri}"\nuser = "root"\ntimeout = 10\n'
        '[profiles.team.grpc]\n"grpc.keepalive_time_ms" = 30000\n'
    )
    stored = run(["secret", "set", "team", "--stdin"], isolated, stdin=ROOT_PASSWORD)
    assert stored.returncode == 0, stored.stderr
    first = run(["test"], isolated)
    assert first.returncode == 8, first.stderr
    assert "milvus-profiles trust milvus.toml" in first.stderr
    trusting = run(["trust"], isolated)
    assert trusting.returncode == 0, trusting.stderr
    assert f"team: {auth_server.uri}; user root; [grpc] grpc.keepalive_time_ms" in trusting.stdout
    ready = run(["test"], isolated)
    assert ready.returncode == 0, ready.stderr
    assert "ready" in ready.stdout
    # a pull that changes the database keeps the trust; one that changes the server ends it
    text = (isolated / "milvus.toml").read_text()
    (isolated / "milvus.toml").write_text(text.replace("timeout = 10", 'timeout = 10\ndb_name = "default"'))
    assert run(["test"], isolated).returncode == 0
    (isolated / "milvus.toml").write_text(text.replace("127.0.0.1", "localhost"))
    moved = run(["test"], isolated)
    assert moved.returncode == 8
    assert "changed since you trusted it: profiles.team.uri changed" in moved.stderr


def test_init_then_add_is_trusted_from_the_start(
    isolated: Path, auth_server: MilvusServer, secret_service: keyring.backend.KeyringBackend
) -> None:
    (isolated / ".git").mkdir()
    assert run(["init"], isolated).returncode == 0
    added = run(
        ["add", "prod", "--uri", auth_server.uri, "--user", "root", "--secret-stdin"],
        isolated,
        stdin=ROOT_PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    ready = run(["test", "prod"], isolated)
    assert ready.returncode == 0, ready.stderr
