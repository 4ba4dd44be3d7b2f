"""Fixtures for the real components. Outside CI a missing component skips its tests with the reason;
under CI=true it fails them: the test command is expected to have installed and started everything."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from milvus_profiles import connect, resolve
from milvus_profiles.connection.probe import probe
from milvus_profiles.secrets import keyring_store as secrets

from .servers import Certificates, LiteServer, MilvusServer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `integration`, so `pytest -m integration` selects them (pytest reads
    `pytestmark` in test modules only, not in a conftest.py)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.integration)


def require(available: bool, component: str, reason: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{component} is required when CI=true, but {reason}", pytrace=False)
    # scripts/test fails the run on a skip worded so, unless MILVUS_PROFILES_SKIP_INTEGRATION=1
    pytest.skip(f"{component} is not available: {reason}")


def private_network() -> bool:
    """True inside a network namespace of our own (only the loopback interface exists)."""
    try:
        return [name for _, name in socket.if_nameindex()] == ["lo"]
    except OSError:
        return False


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    require(shutil.which("openssl") is not None, "openssl", "the openssl command is not installed")
    return Certificates.create(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory, certs: Certificates) -> Iterator[MilvusServer]:
    binary = os.environ.get("MILVUS_SERVER_BIN") or shutil.which("milvus-server")
    require(binary is not None, "Milvus standalone", "milvus-server is missing (pip install milvus==2.3.5)")
    # milvus-server 2.3.5 binds every interface whatever `<component>.ip` says; its default root password
    # must not be reachable from outside, so it only runs in a private network namespace.
    require(
        private_network(),
        "Milvus standalone",
        "this is not a private network namespace (scripts/test runs pytest under `unshare --net`)",
    )
    assert binary is not None
    server = MilvusServer(binary, tmp_path_factory.mktemp("milvus"), certs)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def auth_server(milvus_server: MilvusServer) -> MilvusServer:
    """Milvus with authentication, no TLS."""
    return milvus_server.ensure(0)


@pytest.fixture
def tls_server(milvus_server: MilvusServer) -> MilvusServer:
    """Milvus with authentication and one-way TLS."""
    return milvus_server.ensure(1)


@pytest.fixture
def mtls_server(milvus_server: MilvusServer) -> MilvusServer:
    """Milvus with authentication and mutual TLS."""
    return milvus_server.ensure(2)


@pytest.fixture(scope="session")
def lite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteServer]:
    server = LiteServer(tmp_path_factory.mktemp("lite"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["connect", "probe"])
def ready(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Proves a profile ready through connect() (pymilvus) or through the grpcio probe of `test`:
    both must reach the same verdict."""

    def via_connect(profile: str, **overrides: Any) -> None:
        connect(profile, **overrides).close()

    def via_probe(profile: str, **overrides: Any) -> None:
        probe(resolve(profile, **overrides))

    return via_connect if request.param == "connect" else via_probe


@pytest.fixture
def secret_service(isolated: Path) -> Iterator[keyring.backend.KeyringBackend]:
    """The real Secret Service keyring (GNOME Keyring in the test command's D-Bus session)."""
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    try:
        viable = SecretService.Keyring.priority > 0  # raises when no Secret Service answers
        reason = "no Secret Service"
    except Exception as e:
        viable, reason = False, f"{type(e).__name__}: {e}"
    require(viable, "Secret Service keyring", f"{reason} (scripts/with-keyring starts one)")
    keyring.set_keyring(backend)
    secrets.clear_cache()
    yield backend
    secrets.clear_cache()
