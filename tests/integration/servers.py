"""The real components the integration tests run against: Milvus standalone (authentication, one-way and
mutual TLS), a Milvus Lite server on a loopback port, and test certificates."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT_PASSWORD = "Milvus"  # the default password of Milvus's root user
COMPONENTS = ("rootCoord", "proxy", "queryCoord", "queryNode", "indexNode", "dataCoord", "dataNode")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, deadline: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server did not open port {port}:\n{tail(log)}")


def wait_answering(
    kwargs: Mapping[str, object], deadline: float, proc: subprocess.Popen[bytes], log: Path
) -> None:
    """Until the server answers a call (its port opens seconds before, and a client that waits on a server
    still starting sends keepalive pings that Milvus Lite answers with GOAWAY "too many pings")."""
    code = (
        "import json, sys\n"
        "from pymilvus import MilvusClient\n"
        "kw = json.loads(sys.argv[1])\n"
        "MilvusClient(**kw).list_collections(timeout=5)\n"
    )
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail(log)}")
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(kwargs)], capture_output=True, text=True, check=False
        )
        if out.returncode == 0:
            return
        last = out.stderr[-3000:]
        time.sleep(1)
    raise RuntimeError(f"server did not answer in time: {last}\n{tail(log)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM to the whole process group, then SIGKILL after ``timeout``: nothing is left running."""
    if proc.poll() is None or _group_alive(proc.pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _group_alive(proc.pid):
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    out = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True, text=True, check=False)
    return any(not s.startswith("Z") for s in out.stdout.split())


@dataclass(frozen=True)
class Certificates:
    """A CA, a server certificate for localhost/127.0.0.1, a client certificate, and a foreign CA."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def server_pem(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"

    @property
    def client_pem(self) -> Path:
        return self.folder / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.folder / "client.key"

    @property
    def other_ca(self) -> Path:
        return self.folder / "other-ca.pem"

    @classmethod
    def create(cls, folder: Path) -> Certificates:
        folder.mkdir(parents=True, exist_ok=True)

        def openssl(*args: str) -> None:
            subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

        for ca in ("ca", "other-ca"):
            openssl(
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", f"/CN=test {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
            )  # fmt: skip
        for name, ext in (
            ("server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
            ("client", "extendedKeyUsage=clientAuth\n"),
        ):
            (folder / f"{name}.ext").write_text(ext)
            openssl(
                "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN=milvus-{name}.test",
                "-keyout", f"{name}.key", "-out", f"{name}.csr",
            )  # fmt: skip
            openssl(
                "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
            )  # fmt: skip
        return cls(folder)


class MilvusServer:
    """Milvus standalone (the ``milvus`` package's ``milvus-server``) with authentication, in one TLS mode
    at a time: 0 (none), 1 (one-way) or 2 (mutual). Restarted in a fresh data folder on a mode change."""

    def __init__(self, binary: str, base: Path, certs: Certificates) -> None:
        self.binary = binary
        self.base = base
        self.certs = certs
        self.mode: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = base / "milvus.log"
        self.starts = 0
        self.port = 0

    @property
    def uri(self) -> str:
        scheme = "https" if self.mode else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def ensure(self, mode: int) -> MilvusServer:
        if self.mode != mode or self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start(mode)
        return self

    def start(self, mode: int) -> None:
        self.starts += 1
        data = self.base / f"data-{self.starts}"
        shutil.rmtree(data, ignore_errors=True)
        # A new port each start: the last server's port lingers in TIME_WAIT and cannot be bound again.
        self.port = free_port()
        args = [self.binary, "--data", str(data), "--proxy-port", str(self.port)]
        args += ["--authorization-enabled", "true"]
        for component in COMPONENTS:
            args += ["--extra-config", f"{component}.ip=127.0.0.1"]
        if mode:
            args += ["--tls-mode", str(mode), "--server-pem-path", str(self.certs.server_pem)]
            args += ["--server-key-path", str(self.certs.server_key), "--ca-pem-path", str(self.certs.ca)]
        env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True,
            )  # fmt: skip
        self.mode = mode
        self.data = data
        deadline = time.monotonic() + 180
        try:
            wait_for_port(self.port, deadline, self.proc, self.log)
            self._wait_answering(deadline)
        except RuntimeError as e:
            logs = "\n".join(f"== {f.name}\n{tail(f)}" for f in sorted((data / "logs").glob("*.log")))
            raise RuntimeError(f"{e}\n{logs}") from None

    def tls_kwargs(self) -> dict[str, str | bool]:
        if self.mode == 1:
            return {"secure": True, "server_pem_path": str(self.certs.ca), "server_name": "localhost"}
        if self.mode == 2:
            return {
                "secure": True,
                "client_pem_path": str(self.certs.client_pem),
                "client_key_path": str(self.certs.client_key),
                "ca_pem_path": str(self.certs.ca),
                "server_name": "localhost",
            }
        return {}

    def _wait_answering(self, deadline: float) -> None:
        """Until the server answers an authenticated call (the port opens seconds before)."""
        assert self.proc is not None
        kwargs = {"uri": self.uri, "token": f"root:{ROOT_PASSWORD}", "timeout": 5, **self.tls_kwargs()}
        wait_answering(kwargs, deadline, self.proc, self.log)

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None
        self.mode = None
        for data in self.base.glob("data-*"):
            shutil.rmtree(data, ignore_errors=True)


class LiteServer:
    """Milvus Lite served on a loopback port: ``http://`` profiles without authentication."""

    def __init__(self, base: Path) -> None:
        self.port = free_port()
        self.base = base
        self.log = base / "lite.log"
        self.start()

    def start(self) -> None:
        binary = Path(sys.executable).with_name("milvus-lite")
        args = [str(binary), "server", "--data-dir", str(self.base / "lite-data")]
        args += ["--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        deadline = time.monotonic() + 120
        wait_for_port(self.port, deadline, self.proc, self.log)
        wait_answering({"uri": self.uri, "timeout": 5}, deadline, self.proc, self.log)

    def restart(self) -> None:
        """Stop the server, then start it again on the same port and data."""
        stop_group(self.proc)
        self.start()

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_group(self.proc)
