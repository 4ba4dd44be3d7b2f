"""connect() against a real Milvus Lite: no mocked client anywhere."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest

from milvus_profiles import (
    ConfigError,
    DatabaseNotFoundError,
    SecretNotFoundError,
    ServerUnreachableError,
    connect,
    connect_async,
    resolve,
)

from ..helpers import SENTINEL, run_clean, run_entry_point, trusted, write

FILE = """\
default = "local"
[profiles.local]
uri = "./data/milvus.db"

[profiles.analytics]
extends = "local"
db_name = "analytics"

[profiles.server]
uri = "http://127.0.0.1:{port}"
user = "root"
timeout = 1
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def project(isolated: Path) -> Path:
    return trusted(write(isolated / "milvus.toml", FILE.format(port=closed_port())))


def test_connect_returns_a_ready_client_and_creates_the_folder(project: Path) -> None:
    client = connect()
    try:
        assert (project.parent / "data").is_dir()
        assert client.list_collections() == []
    finally:
        client.close()


def test_the_profile_database_is_the_one_used(project: Path) -> None:
    admin = connect("local")
    try:
        admin.create_database("analytics")
        analytics = connect("analytics")
        analytics.create_collection("only_in_analytics", dimension=2)
        assert analytics.list_collections() == ["only_in_analytics"]
        assert admin.list_collections() == []
        analytics.close()
        # db_name= overrides the profile
        default_db = connect("analytics", db_name="default")
        assert default_db.list_collections() == []
        default_db.close()
    finally:
        admin.close()


def test_closing_one_client_never_breaks_another(project: Path) -> None:
    first = connect("local")
    second = connect("local")
    first.close()
    assert second.list_collections() == []
    second.close()


def test_missing_database_is_raised_by_connect_itself(project: Path) -> None:
    with pytest.raises(DatabaseNotFoundError) as e:
        connect("analytics")
    uri = project.parent / "data" / "milvus.db"
    assert str(e.value) == (
        f"profile analytics: database 'analytics' does not exist on {uri}\n"
        "hint: create it with `client.create_database(...)` on the default database, "
        "or set db_name to an existing database\n"
        f"values used: uri={uri} (file {project}:3 [profiles.local]); "
        f"db_name=analytics (file {project}:7 [profiles.analytics]); timeout=10 (default)"
    )


def test_a_user_without_a_password_fails_before_connecting(project: Path) -> None:
    with pytest.raises(SecretNotFoundError) as e:
        connect("server")
    assert str(e.value).splitlines()[:2] == [
        "profile server: user 'root' has no password: none in the keyring for "
        f"root@http://127.0.0.1:{_port(project)}, and MILVUS_PASSWORD is not set",
        "hint: store it with `milvus-profiles secret set server`, or set MILVUS_PASSWORD",
    ]


def _port(project: Path) -> str:
    return project.read_text().split("127.0.0.1:")[1].split('"')[0]


def test_closed_port_is_unreachable_at_once(project: Path) -> None:
    with pytest.raises(ServerUnreachableError) as e:
        connect("server", password=SENTINEL)
    message = str(e.value)
    port = _port(project)
    assert message.startswith(
        f"profile server: cannot reach the Milvus server at 127.0.0.1:{port} (failed to connect to all "
        "addresses; last error: UNKNOWN: ipv4:127.0.0.1:"
    )
    assert "Connection refused" in message
    assert "\nhint: check that the server runs and the URI is right;" in message
    assert "password=******** (argument password=)" in message
    assert SENTINEL not in message
    assert SENTINEL not in repr(e.value)


def test_connect_async(project: Path) -> None:
    async def main() -> None:
        client = await connect_async("local")
        try:
            assert await client.list_collections() == []
        finally:
            await client.close()
        with pytest.raises(DatabaseNotFoundError):
            await connect_async("local", db_name="nope")
        with pytest.raises(ServerUnreachableError):
            await connect_async("server", password=SENTINEL)

    asyncio.run(main())


def test_profiles_that_differ_in_grpc_options_never_share_a_channel(project: Path) -> None:
    write(
        project.parent / "milvus.local.toml",
        '[profiles.tuned]\nextends = "local"\n[profiles.tuned.grpc]\n"grpc.keepalive_time_ms" = 60000\n',
    )
    plain, again, tuned = connect("local"), connect("local"), connect("tuned")
    try:
        # pymilvus keys shared channels by address and token only; a plain channel may be shared,
        # one with options must not be
        assert plain._handler is again._handler
        assert tuned._handler is not plain._handler
        again.close()
        assert plain.list_collections() == []
    finally:
        plain.close()
        tuned.close()


def test_a_bug_inside_pymilvus_propagates_as_it_is(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pymilvus import MilvusClient
    from pymilvus.exceptions import MilvusException

    real = MilvusClient.list_collections

    def changed_api(self: MilvusClient, **kwargs: object) -> object:  # as if pymilvus took timeouts apart
        return real(self, timeout="soon")  # type: ignore[arg-type, unused-ignore]

    monkeypatch.setattr(MilvusClient, "list_collections", changed_api)
    with pytest.raises(MilvusException) as caught:
        connect("local")
    assert "Unexpected error" in caught.value.message
    assert isinstance(caught.value.__cause__, TypeError)


def test_a_lite_database_below_a_file_is_a_config_error(isolated: Path) -> None:
    write(isolated / "data", "not a folder")
    project = write(isolated / "milvus.toml", '[profiles.local]\nuri = "./data/sub/milvus.db"\n')
    with pytest.raises(ConfigError) as caught:
        connect("local")
    assert caught.value.message == (
        f"uri (file {project}:2 [profiles.local]): cannot make the folder {isolated / 'data' / 'sub'} of the "
        "Milvus Lite database: a file stands where a folder is needed"
    )


def test_the_kwargs_of_a_new_lite_profile_open_it_in_a_plain_milvus_client(tmp_path: Path) -> None:
    """`init`, then a script hands `client_kwargs()` to pymilvus itself (as LangChain and LlamaIndex do),
    before `connect()` ever ran: the `data/` folder does not exist yet."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    assert run_entry_point(["init"], project, tmp_path / "config").returncode == 0
    assert not (project / "data").exists()
    script = (
        "from pymilvus import MilvusClient\n"
        "from milvus_profiles import resolve\n"
        "client = MilvusClient(**resolve('local').client_kwargs())\n"
        "print(client.list_collections())\n"
        "client.close()\n"
    )
    done = run_clean([sys.executable, "-c", script], project, tmp_path / "config")
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
    assert (project / "data" / "milvus.db").exists()


def test_the_kwargs_of_a_lite_database_below_a_file_are_a_config_error(isolated: Path) -> None:
    write(isolated / "data", "not a folder")
    write(isolated / "milvus.toml", '[profiles.local]\nuri = "./data/sub/milvus.db"\n')
    needed = r"cannot make the folder .* a file stands where a folder is needed\n"
    with pytest.raises(ConfigError, match=needed):
        resolve("local").client_kwargs()


class _Closed(Exception):
    """An RPC error as grpc raises it: its words come from ``details()``."""

    def __init__(self, details: str) -> None:
        super().__init__(details)
        self._details = details

    def details(self) -> str:
        return self._details


@pytest.mark.parametrize(
    ("error", "closed"),
    [
        (_Closed("Too many pings"), True),
        (_Closed("GOAWAY received; Error code: 11"), True),
        (_Closed("failed to connect to all addresses; Connection refused"), False),
        (_Closed("Deadline Exceeded"), False),
    ],
)
def test_a_channel_the_server_closed_is_told_from_a_server_that_is_not_there(
    error: Exception, closed: bool
) -> None:
    from milvus_profiles.connection.client import closed_by_server

    wrapped = RuntimeError("pymilvus's words")
    wrapped.__cause__ = error
    assert closed_by_server(wrapped) is closed
