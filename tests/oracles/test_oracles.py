"""The loopback oracles themselves: the recording server sees what pymilvus sends and answers as Milvus
does; the CONNECT proxy tunnels gRPC and keeps every byte."""

from __future__ import annotations

import base64
import socket

import grpc
import pytest
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from ..integration.servers import Certificates
from .connect_proxy import ConnectProxy
from .grpc_recorder import AUTH_FAILURE, RecordingServer

GET_VERSION = "/milvus.proto.milvus.MilvusService/GetVersion"


def test_the_recorder_sees_pymilvus_credentials_and_database(recorder: RecordingServer) -> None:
    client = MilvusClient(uri=recorder.uri(path="/mydb"), token="root:Milvus", timeout=5, dedicated=True)
    try:
        assert client.list_collections() == []
    finally:
        client.close()
    assert [c.method for c in recorder.calls] == ["Connect", "ShowCollections"]
    show = recorder.calls_to("ShowCollections")[0]
    assert show.header("authorization") == base64.b64encode(b"root:Milvus").decode()
    assert show.header("dbname") == "mydb"


def test_the_recorder_refuses_a_wrong_authorization_as_milvus_does() -> None:
    expected = base64.b64encode(b"root:Milvus").decode()
    with (
        RecordingServer(authorization=expected) as server,
        grpc.insecure_channel(f"127.0.0.1:{server.port}") as ch,
    ):
        call = ch.unary_unary(GET_VERSION)
        with pytest.raises(grpc.RpcError) as refused:
            call(b"", timeout=5, metadata=[("authorization", "d3Jvbmc=")])
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert refused.value.details() == AUTH_FAILURE
        assert call(b"", timeout=5, metadata=[("authorization", expected)])  # a version answer


def test_the_recorder_answers_an_unknown_database_with_milvus_status_800(recorder: RecordingServer) -> None:
    client = MilvusClient(uri=recorder.uri(), db_name="nowhere", timeout=5, dedicated=True)
    try:
        with pytest.raises(MilvusException) as missing:
            client.list_collections()
    finally:
        client.close()
    assert missing.value.code == 800


def test_the_tls_recorder_takes_only_tls_clients_that_trust_its_ca(
    tls_recorder: RecordingServer, certificates: Certificates
) -> None:
    trusted = grpc.ssl_channel_credentials(root_certificates=certificates.ca.read_bytes())
    with grpc.secure_channel(f"127.0.0.1:{tls_recorder.port}", trusted) as ch:
        assert ch.unary_unary(GET_VERSION)(b"", timeout=5)
    with grpc.insecure_channel(f"127.0.0.1:{tls_recorder.port}") as ch, pytest.raises(grpc.RpcError):
        ch.unary_unary(GET_VERSION)(b"", timeout=2)
    assert len(tls_recorder.calls_to("GetVersion")) == 1


def test_the_proxy_tunnels_grpc_and_records_the_bytes(recorder: RecordingServer, proxy: ConnectProxy) -> None:
    options = [("grpc.http_proxy", proxy.url)]
    with grpc.insecure_channel(f"127.0.0.1:{recorder.port}", options=options) as ch:
        ch.unary_unary(GET_VERSION)(b"", timeout=5, metadata=[("dbname", "tunnelled-db-name")])
    assert [t.target for t in proxy.tunnels] == [f"127.0.0.1:{recorder.port}"]
    assert proxy.tunnels[0].request.startswith(f"CONNECT 127.0.0.1:{recorder.port} ".encode())
    assert proxy.tunnels[0].upstream.startswith(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    assert recorder.calls_to("GetVersion")[0].header("dbname") == "tunnelled-db-name"
    assert len(proxy.everything()) > len(proxy.tunnels[0].request)


def test_the_proxy_refuses_to_leave_loopback(proxy: ConnectProxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
        s.sendall(b"CONNECT milvus.example.com:443 HTTP/1.1\r\nHost: milvus.example.com:443\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 403")
    assert proxy.tunnels == []
    assert proxy.refused[0].startswith(b"CONNECT milvus.example.com:443")
