"""A Zilliz Cloud global cluster's topology endpoint on loopback, reached as an HTTP proxy.

pymilvus treats a URI with ``global-cluster`` in it as a global cluster: before any gRPC it asks
``GET <uri>/global-cluster/topology`` (``Authorization: Bearer <token>``, with ``requests``) and dials the
primary of the clusters the answer lists (``pymilvus.client.global_topology``). A host name with
``global-cluster`` in it does not resolve here, so the server is given to ``requests`` as its HTTP proxy
(``HTTP_PROXY``, which gRPC does not read): every request for ``http://ANY-HOST/...`` comes to it, whole.
It records each request and answers with the clusters it was given, in pymilvus's format.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

READABLE, PRIMARY = 0b01, 0b11  # pymilvus's ClusterCapability


@dataclass(frozen=True)
class TopologyRequest:
    """One request as the server saw it: the URL asked for and its ``Authorization`` header."""

    url: str
    authorization: str | None


class TopologyServer:
    """``with TopologyServer(clusters) as server:`` a proxy at ``server.url`` answering every GET with the
    topology of ``clusters`` (endpoint, capability); ``code`` other than 0 is an API error instead."""

    def __init__(self, clusters: list[tuple[str, int]], *, code: int = 0, message: str = "") -> None:
        self.requests: list[TopologyRequest] = []
        data = {
            "version": 1,
            "clusters": [
                {"clusterId": f"in01-{i}", "endpoint": endpoint, "capability": capability}
                for i, (endpoint, capability) in enumerate(clusters)
            ],
        }
        body = json.dumps({"code": code, "message": message, "data": data}).encode()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(TopologyRequest(self.path, self.headers.get("Authorization")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    def __enter__(self) -> TopologyServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


__all__ = ["PRIMARY", "READABLE", "TopologyRequest", "TopologyServer"]
