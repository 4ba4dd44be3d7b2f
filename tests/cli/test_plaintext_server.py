"""An https:// profile pointed at a server that speaks no TLS, tested as a user tests it: the verdict names
the cause, and gRPC's own log lines stay off the terminal unless the user asked for them."""

from __future__ import annotations

from pathlib import Path

from ..helpers import run_entry_point, write
from ..oracles.grpc_recorder import RecordingServer


def test_https_to_a_plaintext_server_says_try_http_and_nothing_else(isolated: Path) -> None:
    with RecordingServer() as server:
        write(isolated / "team.toml", f'[profiles.p]\nuri = "{server.uri("https")}"\ntimeout = 5\n')
        done = run_entry_point(["--file", "team.toml", "test", "p"], isolated, isolated.parent / "config")
    address = f"127.0.0.1:{server.port}"
    assert done.returncode == 5
    assert done.stderr == (
        f"error: profile p: the server at {address} does not speak TLS: try http://{address}\n"
        "hint: a plaintext server answered the TLS handshake (gRPC says WRONG_VERSION_NUMBER); "
        "if it should speak TLS, check the port\n"
    )


def test_grpc_logs_what_the_user_asked_it_to_log(isolated: Path) -> None:
    with RecordingServer() as server:
        write(isolated / "team.toml", f'[profiles.p]\nuri = "{server.uri("https")}"\ntimeout = 5\n')
        done = run_entry_point(
            ["--file", "team.toml", "test", "p"],
            isolated,
            isolated.parent / "config",
            env={"GRPC_VERBOSITY": "INFO"},
        )
    assert done.returncode == 5
    assert "Handshake failed with" in done.stderr  # "with fatal error" in grpcio 1.66
