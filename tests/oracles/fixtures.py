"""Fixtures of the loopback oracles: a recording Milvus stand-in, its TLS certificates, a CONNECT proxy.

A test module uses them by importing them: ``from .oracles.fixtures import recorder``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..integration.servers import Certificates
from .connect_proxy import ConnectProxy
from .grpc_recorder import RecordingServer, ServerTls


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """A CA, and a server certificate it signed for 127.0.0.1 and localhost (made with openssl)."""
    return Certificates.create(tmp_path_factory.mktemp("certs"))


def server_tls(certificates: Certificates) -> ServerTls:
    return ServerTls(certificate=certificates.server_pem, key=certificates.server_key)


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    with RecordingServer(databases=("default", "mydb")) as server:
        yield server


@pytest.fixture
def tls_recorder(certificates: Certificates) -> Iterator[RecordingServer]:
    with RecordingServer(databases=("default", "mydb"), tls=server_tls(certificates)) as server:
        yield server


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    with ConnectProxy() as running:
        yield running
