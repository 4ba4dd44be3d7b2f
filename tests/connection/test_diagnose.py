"""classify() and diagnose(): what gRPC and pymilvus raise becomes the typed error a user reads, and
anything that is not a failed connection is left alone.

The errors are real: gRPC errors come from calls to servers on loopback ports (one that answers every
call with a chosen status, one that closes every connection, one that never answers), pymilvus errors are
pymilvus's own exception types, chained as pymilvus chains them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException, ParamError

from milvus_profiles import (
    AuthenticationError,
    DatabaseNotFoundError,
    ResolvedProfile,
    ServerUnreachableError,
    resolve,
)
from milvus_profiles.connection.client import classify

from ..helpers import SENTINEL, write

DETAILS = {
    "UNAUTHENTICATED": "auth check failure, please check username and password are correct",
    "PERMISSION_DENIED": "PrivilegeShowCollections: permission deny to alice in the `analytics` database",
}


class StatusHandler(grpc.GenericRpcHandler):  # type: ignore[misc]
    """Answers ``/test/<CODE>`` with gRPC status CODE."""

    def service(self, handler_call_details: Any) -> Any:
        code = handler_call_details.method.rsplit("/", 1)[-1]

        def answer(request: bytes, context: grpc.ServicerContext) -> bytes:
            context.abort(getattr(grpc.StatusCode, code), DETAILS.get(code, code))
            raise AssertionError("abort() raises")  # pragma: no cover

        return grpc.unary_unary_rpc_method_handler(answer)


@pytest.fixture(scope="module")
def status_server() -> Iterator[int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((StatusHandler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(None)


def failed_call(port: int, method: str = "/test/UNAVAILABLE", timeout: float = 5) -> grpc.RpcError:
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        channel.unary_unary(method)(b"", timeout=timeout)
    except grpc.RpcError as e:
        return e
    finally:
        channel.close()
    raise AssertionError("the call succeeded")


def wrapped(error: BaseException) -> MilvusException:
    """``error`` inside a pymilvus exception, as pymilvus's decorators chain it."""
    try:
        try:
            raise error
        except grpc.RpcError as e:
            raise MilvusException(code=2, message="Fail connecting to server on 127.0.0.1:19530") from e
    except MilvusException as outer:
        return outer


@pytest.fixture
def profile(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> ResolvedProfile:
    path = write(
        isolated / "milvus.toml",
        '[profiles.prod]\nuri = "http://127.0.0.1:19530"\nuser = "alice"\n'
        'db_name = "analytics"\ntimeout = 2\n',
    )
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    return resolve("prod", files=[path])  # a file named by the user: the password is sent


def verdict(error: BaseException, cfg: ResolvedProfile) -> Any:
    found = classify(error, cfg)
    assert found is not None
    assert SENTINEL not in str(found)
    return found


@pytest.mark.parametrize("wrap", [False, True], ids=["grpc", "pymilvus"])
def test_unauthenticated_is_an_authentication_error(
    status_server: int, profile: ResolvedProfile, wrap: bool
) -> None:
    error = failed_call(status_server, "/test/UNAUTHENTICATED")
    found = verdict(wrapped(error) if wrap else error, profile)
    assert isinstance(found, AuthenticationError)
    assert found.message == (
        "profile prod: the server at 127.0.0.1:19530 refused the credentials of user 'alice' "
        f"({DETAILS['UNAUTHENTICATED']})"
    )
    assert (
        found.hint == "store the right secret with `milvus-profiles secret set prod`, or fix MILVUS_PASSWORD"
    )


def test_permission_denied_is_an_authentication_error_that_names_roles(
    status_server: int, profile: ResolvedProfile
) -> None:
    found = verdict(failed_call(status_server, "/test/PERMISSION_DENIED"), profile)
    assert isinstance(found, AuthenticationError)
    assert found.message.startswith(
        "profile prod: the server at 127.0.0.1:19530 accepted user 'alice' but denied access to database "
        "'analytics'"
    )
    assert found.hint == "grant the user a role on that database, or use another user or db_name"


@pytest.fixture
def closing_port() -> Iterator[int]:
    """A port whose listener closes every connection at once, as a TLS server does to a plain client."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def close_all() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                # end our side first and read until the client ends its own: a close with unread bytes
                # would reset the connection instead of closing it
                connection.shutdown(socket.SHUT_WR)
                connection.settimeout(5)
                try:
                    while connection.recv(65536):
                        pass
                except OSError:
                    pass

    threading.Thread(target=close_all, daemon=True).start()
    yield int(listener.getsockname()[1])
    listener.close()


def test_a_socket_closed_without_tls_suggests_tls(closing_port: int, profile: ResolvedProfile) -> None:
    found = verdict(failed_call(closing_port), profile)
    assert isinstance(found, ServerUnreachableError)
    assert found.message.startswith("profile prod: cannot reach the Milvus server at 127.0.0.1:19530 (")
    assert "Socket closed" in found.message
    assert found.hint == "the server may expect TLS: use an https:// URI or set `secure = true` in [tls]"


def test_a_silent_server_is_a_deadline(profile: ResolvedProfile) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        error = failed_call(int(silent.getsockname()[1]), timeout=0.5)
    assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    found = verdict(wrapped(error), profile)
    assert isinstance(found, ServerUnreachableError)
    assert found.message == "profile prod: the Milvus server at 127.0.0.1:19530 did not answer within 2 s"


def test_a_closed_port_is_unreachable(profile: ResolvedProfile) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    found = verdict(failed_call(port), profile)
    assert isinstance(found, ServerUnreachableError)
    assert "Connection refused" in found.message
    assert str(found.hint).startswith("check that the server runs")


@pytest.mark.parametrize(
    ("code", "message"),
    [(800, "database not found[database=analytics]"), (1, "database 'analytics' does not exist")],
    ids=["milvus", "milvus-lite"],
)
def test_a_missing_database(profile: ResolvedProfile, code: int, message: str) -> None:
    found = verdict(MilvusException(code=code, message=message), profile)
    assert isinstance(found, DatabaseNotFoundError)
    assert found.message == "profile prod: database 'analytics' does not exist on 127.0.0.1:19530"


def test_a_type_error_from_inside_pymilvus_is_not_a_verdict(profile: ResolvedProfile) -> None:
    with pytest.raises(TypeError) as caught:
        MilvusClient("http://127.0.0.1:1", timeout="soon")  # type: ignore[arg-type, unused-ignore]
    assert classify(caught.value, profile) is None


def test_arguments_pymilvus_refuses_are_not_a_verdict(profile: ResolvedProfile) -> None:
    assert classify(ParamError(message="invalid timeout"), profile) is None
    assert classify(KeyError("uri"), profile) is None


def test_an_exception_pymilvus_wrapped_is_not_a_verdict(profile: ResolvedProfile, isolated: Path) -> None:
    client = MilvusClient(str(isolated / "lite.db"))
    try:
        # pymilvus turns a TypeError of its own code into MilvusException("Unexpected error") from it
        with pytest.raises(MilvusException) as caught:
            client.list_collections(timeout="soon")  # type: ignore[arg-type, unused-ignore]
    finally:
        client.close()
    assert isinstance(caught.value.__cause__, TypeError)
    assert classify(caught.value, profile) is None
