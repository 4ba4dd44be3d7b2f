"""A light readiness probe on grpcio alone: reachable, TLS accepted, credentials accepted, database exists.

``milvus-profiles test`` uses it so a verdict costs a gRPC channel and two small calls instead of importing
pymilvus (most of a second, and pandas). It speaks the Milvus gRPC service directly: ``GetVersion`` with the
profile's credentials (the server authenticates every call), then ``ShowCollections`` on the profile's
database, the same call :func:`milvus_profiles.connect` uses to prove the database exists. The address,
TLS, channel options and call metadata come from :func:`milvus_profiles.resolution.wire.plan`, as
connect()'s do, so both send the same thing. Failures go
through :func:`milvus_profiles.connection.diagnose.diagnose`, so both paths give the same verdicts.

The messages are encoded by hand (a few protobuf fields), which keeps protobuf and the generated stubs out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ..errors import MilvusProfilesError
from ..resolution.resolved import ResolvedProfile
from ..resolution.wire import Wire, plan
from .imports import import_grpc

SERVICE = "/milvus.proto.milvus.MilvusService/"


@dataclass(frozen=True)
class ProbeResult:
    """A ready server: its version and the round-trip time of the version call."""

    version: str
    latency_ms: float


class Channels:
    """The gRPC channels of one command that probes many profiles (``test --all``): profiles that reach
    the same target with the same TLS and channel options share one connection, as every call carries its
    own credentials and database. Closed with the command (a ``with`` block)."""

    def __init__(self) -> None:
        self._open: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, cfg: ResolvedProfile, wire: Wire) -> Any:
        key = (wire.target, wire.secure, tuple(sorted(wire.tls_files.items())), tuple(wire.channel_options))
        with self._lock:
            channel = self._open.get(key)
            if channel is None:
                channel = self._open[key] = _channel(cfg, wire)
        return channel

    def __enter__(self) -> Channels:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with self._lock:
            for channel in self._open.values():
                channel.close()
            self._open.clear()


def probe(cfg: ResolvedProfile, *, channels: Channels | None = None) -> ProbeResult:
    """Prove a server profile is ready, or raise the typed error that says why it is not.

    Milvus Lite paths are not served over the network; use :func:`milvus_profiles.connect` for them.
    ``channels`` shares connections among the probes of one command; without it the probe opens its own.
    """
    from .diagnose import diagnose, preflight

    if cfg.is_lite:
        raise ValueError("probe() takes a server profile; Milvus Lite is checked with connect()")
    preflight(cfg)
    grpc = import_grpc()
    wire = plan(cfg)
    metadata = wire.metadata()
    channel = _channel(cfg, wire) if channels is None else channels.get(cfg, wire)
    try:
        version_call = channel.unary_unary(SERVICE + "GetVersion")
        show_call = channel.unary_unary(SERVICE + "ShowCollections")
        try:
            started = time.perf_counter()
            raw = version_call(b"", timeout=cfg.timeout, metadata=metadata)
            latency = (time.perf_counter() - started) * 1000
            status, fields = _response(raw)
            _raise_for_status(cfg, status)
            request = _field(2, wire.db_name.encode())  # ShowCollectionsRequest.db_name
            status, _ = _response(show_call(request, timeout=cfg.timeout, metadata=metadata))
            _raise_for_status(cfg, status)
        except grpc.RpcError as e:
            code = e.code().name if hasattr(e, "code") else None
            detail = e.details() if hasattr(e, "details") else str(e)
            raise diagnose(cfg, grpc_code=code, milvus_code=None, detail=detail or "") from None
        version = fields.get(2, b"").decode("utf-8", "replace")
        return ProbeResult(version=version, latency_ms=latency)
    finally:
        if channels is None:
            channel.close()


def _channel(cfg: ResolvedProfile, wire: Wire) -> Any:
    grpc = import_grpc()
    if not wire.secure:
        return grpc.insecure_channel(wire.target, options=wire.channel_options)
    from .diagnose import tls_file

    files = {key: tls_file(cfg, key) for key in wire.tls_files}  # regular files of bounded size only
    credentials = grpc.ssl_channel_credentials(
        root_certificates=files.get("server_pem_path") or files.get("ca_pem_path"),
        private_key=files.get("client_key_path"),
        certificate_chain=files.get("client_pem_path"),
    )
    return grpc.secure_channel(wire.target, credentials, options=wire.channel_options)


def _raise_for_status(cfg: ResolvedProfile, status: dict[int, Any]) -> None:
    from .diagnose import diagnose

    error_code = int(status.get(1, 0))
    code = int(status.get(3, 0))
    if error_code == 0 and code == 0:
        return
    reason = bytes(status.get(2, b"")).decode("utf-8", "replace")
    error: MilvusProfilesError = diagnose(cfg, grpc_code=None, milvus_code=code or error_code, detail=reason)
    raise error


def _response(raw: bytes) -> tuple[dict[int, Any], dict[int, Any]]:
    """The ``status`` (field 1) of a Milvus response, and its other top-level fields."""
    fields = _decode(raw)
    return _decode(fields.get(1, b"")), fields


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _decode(raw: bytes) -> dict[int, Any]:
    """The top-level fields of a protobuf message: varints as int, length-delimited as bytes."""
    fields: dict[int, Any] = {}
    pos = 0

    def varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            byte = raw[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7

    while pos < len(raw):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            fields[number] = varint()
        elif wire == 2:
            size = varint()
            fields.setdefault(number, raw[pos : pos + size])
            pos += size
        elif wire == 5:
            pos += 4
        elif wire == 1:
            pos += 8
        else:
            break
    return fields
