"""A readiness probe on grpcio alone, for ``milvus-profiles test``: no pymilvus (most of a second, pandas).

``GetVersion`` with the profile's credentials (the server authenticates every call), then ``ShowCollections``
on its database, as connect() proves it; it follows the profile's ``wire`` and its failures go through
``diagnose``, as connect()'s do. The few protobuf fields are encoded by hand, keeping protobuf out."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Hashable
from typing import Any
from urllib.parse import urlparse

from ..resolution.resolved import ResolvedProfile, Wire
from .client import quiet_pymilvus_logs
from .diagnose import diagnose, preflight, tls_file, verdicts
from .imports import import_grpc, import_pymilvus

SERVICE = "/milvus.proto.milvus.MilvusService/"


class Channels(contextlib.ExitStack):
    """The channels of one command probing many profiles (``test --all``), closed with it: one per target,
    TLS and options, as each call carries its own credentials."""

    def __init__(self) -> None:
        super().__init__()
        self._open: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, cfg: ResolvedProfile, wire: Wire) -> Any:
        key = (wire.target, wire.secure, tuple(sorted(wire.tls_files.items())), tuple(wire.channel_options))
        with self._lock:
            if key not in self._open:
                self._open[key] = self.enter_context(_channel(cfg, wire))
            return self._open[key]


def probe(cfg: ResolvedProfile, *, channels: Channels | None = None) -> tuple[str, float]:
    """Prove a server profile (not Milvus Lite) is ready, or raise the typed error that says why not;
    the server's version and the round-trip time of the version call in milliseconds."""
    preflight(cfg)
    wire = primary(cfg) if cfg.address.is_global else cfg.wire
    metadata = wire.metadata()
    with Channels() if channels is None else contextlib.nullcontext(channels) as opened:
        channel = opened.get(cfg, wire)
        with verdicts(cfg):  # a gRPC error becomes connect()'s verdict
            started = time.perf_counter()
            raw = channel.unary_unary(SERVICE + "GetVersion")(b"", timeout=cfg.timeout, metadata=metadata)
            latency = (time.perf_counter() - started) * 1000
            version = _answer(cfg, raw).get(2, b"").decode("utf-8", "replace")
            db = wire.db_name.encode()
            request = b"\x12" + _varint(len(db)) + db  # ShowCollectionsRequest.db_name: field 2, bytes
            show = channel.unary_unary(SERVICE + "ShowCollections")
            _answer(cfg, show(request, timeout=cfg.timeout, metadata=metadata))
        return version, latency


def primary(cfg: ResolvedProfile) -> Wire:
    """The wire to a Zilliz Cloud global cluster's primary, found with pymilvus's own function as connect()
    finds it (``GET <uri>/global-cluster/topology``, in every pymilvus we support)."""
    wire = cfg.wire
    topology = import_pymilvus("pymilvus.client.global_topology")
    if not topology.is_global_endpoint(wire.address.base):
        return wire
    token = wire.credential
    with verdicts(cfg), quiet_pymilvus_logs():
        endpoint = topology.fetch_topology(
            wire.address.base, token.get_secret_value() if token else ""
        ).primary.endpoint
    # what pymilvus's GrpcHandler dials for the primary's endpoint URI
    return dataclasses.replace(wire, target=urlparse(endpoint).netloc)


def _channel(cfg: ResolvedProfile, wire: Wire) -> Any:
    grpc = import_grpc()
    if not wire.secure:
        return grpc.insecure_channel(wire.target, options=wire.channel_options)
    files = {key: tls_file(cfg, key) for key in wire.tls_files}  # regular files of bounded size only
    credentials = grpc.ssl_channel_credentials(
        root_certificates=files.get("server_pem_path") or files.get("ca_pem_path"),
        private_key=files.get("client_key_path"),
        certificate_chain=files.get("client_pem_path"),
    )
    return grpc.secure_channel(wire.target, credentials, options=wire.channel_options)


def _answer(cfg: ResolvedProfile, raw: bytes) -> dict[int, Any]:
    """The top-level fields of a Milvus response whose ``status`` (field 1) says success."""
    fields = _decode(raw)
    status = _decode(fields.get(1, b""))
    error_code, code = int(status.get(1, 0)), int(status.get(3, 0))
    if error_code or code:
        reason = bytes(status.get(2, b"")).decode("utf-8", "replace")
        raise diagnose(cfg, grpc_code=None, milvus_code=code or error_code, detail=reason)
    return fields


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out) + bytes([value])


def _decode(raw: bytes) -> dict[int, Any]:
    """The top-level fields of a protobuf message: varints as int, length-delimited as bytes."""
    fields: dict[int, Any] = {}
    pos = 0
    while pos < len(raw):
        key, pos = _read_varint(raw, pos)
        number, kind = key >> 3, key & 7
        if kind == 0:
            fields[number], pos = _read_varint(raw, pos)
        elif kind == 2:
            size, pos = _read_varint(raw, pos)
            fields.setdefault(number, raw[pos : pos + size])
            pos += size
        elif kind in (1, 5):
            pos += 8 if kind == 1 else 4
        else:
            break
    return fields


def _read_varint(raw: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = raw[pos]
        result |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if not byte & 0x80:
            return result, pos
