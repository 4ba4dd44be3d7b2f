"""connect() against Milvus standalone with authentication, the password in the real Secret Service."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring.backend
import pytest

from milvus_profiles import (
    AuthenticationError,
    DatabaseNotFoundError,
    MilvusProfilesError,
    ServerUnreachableError,
    connect,
    connect_async,
    save_secret,
)

from ..helpers import SENTINEL, trusted, write
from .servers import ROOT_PASSWORD, MilvusServer, free_port

FILE = """\
[profiles.server]
uri = "{uri}"
user = "root"
timeout = 5

[profiles.analytics]
extends = "server"
db_name = "analytics"

[profiles.missing-db]
extends = "server"
db_name = "no_such_db"

[profiles.token]
uri = "{token_uri}"

[profiles.wrong]
uri = "{wrong_uri}"
user = "root"

[profiles.closed]
uri = "http://127.0.0.1:{closed}"
user = "root"
timeout = 5

[profiles.silent]
uri = "http://127.0.0.1:{silent}"
user = "root"
timeout = 2
"""


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A TCP listener that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield int(s.getsockname()[1])


@pytest.fixture
def project(
    isolated: Path,
    auth_server: MilvusServer,
    secret_service: keyring.backend.KeyringBackend,
    silent_listener: int,
) -> Path:
    # "localhost" and "tcp://" name the same server under other endpoints, so each holds its own secret
    path = write(
        isolated / "milvus.toml",
        FILE.format(
            uri=auth_server.uri,
            token_uri=auth_server.uri.replace("127.0.0.1", "localhost"),
            wrong_uri=auth_server.uri.replace("http://127.0.0.1", "tcp://localhost"),
            closed=free_port(),
            silent=silent_listener,
        ),
    )
    trusted(path)  # the team's file, read and trusted (`milvus-profiles trust`)
    save_secret("server", ROOT_PASSWORD)
    save_secret("token", f"root:{ROOT_PASSWORD}")
    save_secret("wrong", SENTINEL)
    save_secret("closed", SENTINEL)
    save_secret("silent", SENTINEL)
    return path


def test_password_from_the_real_keyring_reaches_the_server(project: Path) -> None:
    client = connect("server")
    try:
        assert isinstance(client.list_collections(), list)
        assert client.get_server_version().startswith("v2.3")
    finally:
        client.close()


def test_ready_with_password_and_with_token(project: Path, ready: Callable[..., None]) -> None:
    ready("server")
    ready("token")


def test_wrong_password_is_an_authentication_error(
    project: Path, auth_server: MilvusServer, ready: Callable[..., None]
) -> None:
    with pytest.raises(AuthenticationError) as e:
        ready("wrong")
    message = str(e.value)
    assert message.startswith(
        f"profile wrong: the server at localhost:{auth_server.port} refused the credentials of user 'root' "
        "(auth check failure, please check username and password are correct)"
    )
    assert (
        "hint: store the right secret with `milvus-profiles secret set wrong`, or fix MILVUS_PASSWORD"
        in message
    )
    assert SENTINEL not in message
    assert SENTINEL not in repr(e.value)


def test_closed_port_is_unreachable(project: Path, ready: Callable[..., None]) -> None:
    with pytest.raises(ServerUnreachableError) as e:
        ready("closed")
    assert "Connection refused" in str(e.value)
    assert SENTINEL not in str(e.value)


def test_silent_listener_fails_after_the_profile_timeout(
    project: Path, silent_listener: int, ready: Callable[..., None]
) -> None:
    started = time.monotonic()
    with pytest.raises(ServerUnreachableError) as e:
        ready("silent")
    elapsed = time.monotonic() - started
    assert str(e.value).startswith(
        f"profile silent: the Milvus server at 127.0.0.1:{silent_listener} did not answer within 2 s"
    )
    assert elapsed < 10  # pymilvus's own default would wait 10 s
    assert SENTINEL not in str(e.value)


def test_missing_database_is_found_before_returning(
    project: Path, auth_server: MilvusServer, ready: Callable[..., None]
) -> None:
    with pytest.raises(DatabaseNotFoundError) as e:
        ready("missing-db")
    assert str(e.value).startswith(
        f"profile missing-db: database 'no_such_db' does not exist on 127.0.0.1:{auth_server.port}"
    )


def test_the_profile_database_is_used(project: Path) -> None:
    admin = connect("server")
    try:
        if "analytics" not in admin.list_databases():
            admin.create_database("analytics")
        analytics = connect("analytics")
        name = f"only_in_analytics_{int(time.time() * 1000)}"
        analytics.create_collection(name, dimension=2)
        assert name in analytics.list_collections()
        assert name not in admin.list_collections()
        analytics.close()
        overridden = connect("analytics", db_name="default")
        assert name not in overridden.list_collections()
        overridden.close()
    finally:
        admin.close()


def test_connect_async(project: Path) -> None:
    async def main() -> None:
        client = await connect_async("server")
        assert isinstance(await client.list_collections(), list)
        await client.close()
        for name, error in (
            ("wrong", AuthenticationError),
            ("closed", ServerUnreachableError),
            ("silent", ServerUnreachableError),
            ("missing-db", DatabaseNotFoundError),
        ):
            with pytest.raises(error) as e:
                await connect_async(name)
            assert SENTINEL not in str(e.value)

    asyncio.run(main())


def test_no_error_message_contains_the_secret(
    project: Path, monkeypatch: pytest.MonkeyPatch, ready: Callable[..., None]
) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    for name in ("server", "missing-db", "closed", "silent"):
        with pytest.raises(MilvusProfilesError) as e:
            ready(name)
        assert SENTINEL not in str(e.value)
        assert SENTINEL not in repr(e.value)
