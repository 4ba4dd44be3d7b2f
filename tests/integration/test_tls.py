"""The [tls] table of a profile against Milvus in one-way and mutual TLS mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from milvus_profiles import ServerUnreachableError

from ..helpers import write
from .servers import ROOT_PASSWORD, Certificates, MilvusServer

TLS_HINT = "hint: check the [tls] table: server_pem_path (or ca_pem_path) must hold the CA"


def profile(isolated: Path, server: MilvusServer, certs: Certificates, tls: str) -> None:
    write(
        isolated / "milvus.toml",
        f'[profiles.p]\nuri = "{server.uri}"\nuser = "root"\ntimeout = 5\n[profiles.p.tls]\n{tls}',
    )
    # certificates are given relative to the profile file
    for pem in certs.folder.glob("*.pem"):
        (isolated / pem.name).write_bytes(pem.read_bytes())
    (isolated / "client.key").write_bytes(certs.client_key.read_bytes())


def test_one_way_tls(
    isolated: Path, tls_server: MilvusServer, certs: Certificates, ready: Callable[..., None]
) -> None:
    profile(isolated, tls_server, certs, 'server_pem_path = "ca.pem"\nserver_name = "localhost"\n')
    ready("p", password=ROOT_PASSWORD)


def test_one_way_tls_with_a_wrong_ca(
    isolated: Path, tls_server: MilvusServer, certs: Certificates, ready: Callable[..., None]
) -> None:
    profile(isolated, tls_server, certs, 'server_pem_path = "other-ca.pem"\nserver_name = "localhost"\n')
    with pytest.raises(ServerUnreachableError) as e:
        ready("p", password=ROOT_PASSWORD)
    message = str(e.value)
    assert message.startswith(f"profile p: the TLS handshake with 127.0.0.1:{tls_server.port} failed (")
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert TLS_HINT in message


def test_mutual_tls(
    isolated: Path, mtls_server: MilvusServer, certs: Certificates, ready: Callable[..., None]
) -> None:
    tls = 'client_pem_path = "client.pem"\nclient_key_path = "client.key"\nca_pem_path = "ca.pem"\n'
    profile(isolated, mtls_server, certs, tls + 'server_name = "localhost"\n')
    ready("p", password=ROOT_PASSWORD)


def test_mutual_tls_without_a_client_certificate(
    isolated: Path, mtls_server: MilvusServer, certs: Certificates, ready: Callable[..., None]
) -> None:
    profile(isolated, mtls_server, certs, 'server_pem_path = "ca.pem"\nserver_name = "localhost"\n')
    with pytest.raises(ServerUnreachableError) as e:
        ready("p", password=ROOT_PASSWORD)
    message = str(e.value)
    assert message.startswith(f"profile p: the TLS handshake with 127.0.0.1:{mtls_server.port} failed (")
    assert TLS_HINT in message


def test_a_certificate_for_another_name(
    isolated: Path, tls_server: MilvusServer, certs: Certificates, ready: Callable[..., None]
) -> None:
    profile(isolated, tls_server, certs, 'server_pem_path = "ca.pem"\nserver_name = "milvus.elsewhere"\n')
    with pytest.raises(ServerUnreachableError) as e:
        ready("p", password=ROOT_PASSWORD)
    message = str(e.value)
    assert message.startswith(f"profile p: the TLS handshake with 127.0.0.1:{tls_server.port} failed (")
    assert "Hostname Verification Check failed" in message
    assert TLS_HINT in message
