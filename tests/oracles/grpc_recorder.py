"""A Milvus stand-in on loopback that records what clients send: every call's method and metadata.

It answers the calls a client makes to connect and list collections (``Connect``, ``GetVersion``,
``ShowCollections``) with pymilvus's own generated messages, so pymilvus, the readiness probe and any
other client can be pointed at it and their wire traffic compared. It can refuse calls without the
expected ``authorization`` (as Milvus does: UNAUTHENTICATED), know only some databases (status 800, as
Milvus), and serve TLS. Only a server given ``min_password_length`` has users whose passwords change
(``UpdateCredential``); without it the call is UNIMPLEMENTED, as Milvus Lite answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import grpc

SERVICE = "milvus.proto.milvus.MilvusService"
AUTH_FAILURE = "auth check failure, please check username and password are correct"
DATABASE_NOT_FOUND = 800


@dataclass(frozen=True)
class Call:
    """One call the server received: the method name and the metadata as the server saw it."""

    method: str
    metadata: tuple[tuple[str, str], ...]
    request: bytes = field(repr=False)

    def header(self, key: str) -> str | None:
        """The value of one metadata key, or None."""
        return next((v for k, v in self.metadata if k == key), None)


@dataclass(frozen=True)
class ServerTls:
    """The server's certificate and key (PEM files); ``client_ca`` asks for a client certificate."""

    certificate: Path
    key: Path
    client_ca: Path | None = None


class RecordingServer:
    """``with RecordingServer() as server:`` a Milvus stand-in on ``127.0.0.1:server.port``."""

    def __init__(
        self,
        *,
        databases: Iterable[str] = ("default",),
        authorization: str | None = None,
        tls: ServerTls | None = None,
        version: str = "v2.3.5",
        min_password_length: int | None = None,
    ) -> None:
        self.databases = set(databases)
        self.authorization = authorization
        """The base64 ``authorization`` value to demand; None accepts every call."""
        self.tls = tls
        self.version = version
        self.min_password_length = min_password_length
        """Users' passwords change, and a shorter new one is refused as Milvus refuses it; None: no users."""
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        self._server.add_generic_rpc_handlers((_Handler(self),))
        if tls is None:
            self.port = self._server.add_insecure_port("127.0.0.1:0")
        else:
            credentials = grpc.ssl_server_credentials(
                [(tls.key.read_bytes(), tls.certificate.read_bytes())],
                root_certificates=tls.client_ca.read_bytes() if tls.client_ca else None,
                require_client_auth=tls.client_ca is not None,
            )
            self.port = self._server.add_secure_port("127.0.0.1:0", credentials)

    def uri(self, scheme: str = "http", *, user_part: str = "", path: str = "") -> str:
        """A URI for this server: ``scheme://[user_part@]127.0.0.1:PORT[path]``."""
        at = f"{user_part}@" if user_part else ""
        return f"{scheme}://{at}127.0.0.1:{self.port}{path}"

    def calls_to(self, method: str) -> list[Call]:
        """The calls received for one method (``"ShowCollections"``)."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def clear(self) -> None:
        """Forget the calls recorded so far."""
        with self._lock:
            self.calls.clear()

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def __enter__(self) -> RecordingServer:
        self._server.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.stop(grace=None)


class _Handler(grpc.GenericRpcHandler):  # type: ignore[misc]
    def __init__(self, server: RecordingServer) -> None:
        self.server = server

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        service, _, method = details.method.lstrip("/").partition("/")
        if service != SERVICE:
            return None
        answer = ANSWERS.get(method)
        if method == "UpdateCredential" and self.server.min_password_length is None:
            answer = None

        def behaviour(request: bytes, context: grpc.ServicerContext) -> bytes:
            metadata = tuple(
                (str(k), v if isinstance(v, str) else v.decode()) for k, v in context.invocation_metadata()
            )
            call = Call(method, metadata, request)
            self.server._record(call)
            expected = self.server.authorization
            if expected is not None and call.header("authorization") != expected:
                context.abort(grpc.StatusCode.UNAUTHENTICATED, AUTH_FAILURE)
            if answer is None:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not recorded by this server")
            return answer(self.server, call)  # type: ignore[misc]

        return grpc.unary_unary_rpc_method_handler(behaviour)


def _connect(server: RecordingServer, call: Call) -> bytes:
    from pymilvus.grpc_gen import common_pb2, milvus_pb2

    info = common_pb2.ServerInfo(build_tags=server.version)
    return milvus_pb2.ConnectResponse(  # type: ignore[no-any-return]
        status=common_pb2.Status(), server_info=info, identifier=7
    ).SerializeToString()


def _get_version(server: RecordingServer, call: Call) -> bytes:
    from pymilvus.grpc_gen import common_pb2, milvus_pb2

    return milvus_pb2.GetVersionResponse(  # type: ignore[no-any-return]
        status=common_pb2.Status(), version=server.version
    ).SerializeToString()


def _show_collections(server: RecordingServer, call: Call) -> bytes:
    from pymilvus.grpc_gen import common_pb2, milvus_pb2

    request = milvus_pb2.ShowCollectionsRequest.FromString(call.request)
    database = request.db_name or call.header("dbname") or "default"
    if database not in server.databases:
        status = common_pb2.Status(
            error_code=common_pb2.UnexpectedError,
            code=DATABASE_NOT_FOUND,
            reason=f"database not found[database={database}]",
        )
        return milvus_pb2.ShowCollectionsResponse(status=status).SerializeToString()  # type: ignore[no-any-return]
    return milvus_pb2.ShowCollectionsResponse(status=common_pb2.Status()).SerializeToString()  # type: ignore[no-any-return]


def _update_credential(server: RecordingServer, call: Call) -> bytes:
    import base64

    from pymilvus.grpc_gen import common_pb2, milvus_pb2

    request = milvus_pb2.UpdateCredentialRequest.FromString(call.request)
    shortest = server.min_password_length or 0
    status = common_pb2.Status()
    if len(base64.b64decode(request.newPassword)) < shortest:
        # Milvus 2.3's words (proxy/util.go, ValidatePassword) with its default bounds
        reason = f"The length of password must be great than {shortest} and less than 256 characters."
        status = common_pb2.Status(error_code=common_pb2.IllegalArgument, reason=reason)
    return status.SerializeToString()  # type: ignore[no-any-return]


ANSWERS: dict[str, Callable[[RecordingServer, Call], bytes]] = {
    "Connect": _connect,
    "GetVersion": _get_version,
    "ShowCollections": _show_collections,
    "UpdateCredential": _update_credential,
}

__all__ = ["AUTH_FAILURE", "Call", "RecordingServer", "ServerTls"]
