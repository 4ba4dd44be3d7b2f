"""An HTTP CONNECT proxy on loopback that records what goes through it.

gRPC (and so pymilvus and the probe) reaches a server through a proxy with ``CONNECT host:port``, then
speaks through the tunnel. The proxy keeps the CONNECT request (its headers would carry any
``Proxy-Authorization``) and every byte tunnelled each way, so a test can show what a proxy operator sees.
It only tunnels to loopback addresses, so no test can reach beyond the machine.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from types import TracebackType

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass
class Tunnel:
    """One CONNECT: the request as sent, the target, and the bytes each way."""

    request: bytes
    target: str
    upstream: bytearray = field(default_factory=bytearray)
    """Client to server."""
    downstream: bytearray = field(default_factory=bytearray)
    """Server to client."""


class ConnectProxy:
    """``with ConnectProxy() as proxy:`` a proxy at ``proxy.url`` (``http://127.0.0.1:PORT``)."""

    def __init__(self) -> None:
        self.tunnels: list[Tunnel] = []
        self.refused: list[bytes] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def everything(self) -> bytes:
        """Every byte the proxy saw: CONNECT requests, refused requests and both directions of each tunnel."""
        with self._lock:
            parts = [*self.refused]
            for t in self.tunnels:
                parts += [t.request, bytes(t.upstream), bytes(t.downstream)]
        return b"".join(parts)

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                return
            head += chunk
            if len(head) > 65536:
                return
        request, _, early = head.partition(b"\r\n\r\n")
        words = request.split(b"\r\n", 1)[0].split()
        target = words[1].decode("ascii", "replace") if len(words) > 1 else ""
        host, _, port = target.rpartition(":")
        if len(words) < 2 or words[0] != b"CONNECT" or host not in LOOPBACK or not port.isdigit():
            with self._lock:
                self.refused.append(head)
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        tunnel = Tunnel(request=request + b"\r\n\r\n", target=target)
        with self._lock:
            self.tunnels.append(tunnel)
        try:
            server = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        tunnel.upstream += early
        if early:
            server.sendall(early)
        with server:
            back = threading.Thread(target=self._pipe, args=(server, client, tunnel.downstream), daemon=True)
            back.start()
            self._pipe(client, server, tunnel.upstream)
            back.join(timeout=5)

    def _pipe(self, source: socket.socket, sink: socket.socket, record: bytearray) -> None:
        source.settimeout(None)
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                with self._lock:
                    record += chunk
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def __enter__(self) -> ConnectProxy:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


__all__ = ["ConnectProxy", "Tunnel"]
