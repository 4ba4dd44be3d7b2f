"""A Zilliz Cloud global cluster: `milvus-profiles test` reaches the primary that connect() and pymilvus
reach, asking the global endpoint for the topology as pymilvus asks it.

pymilvus itself is the oracle: given the same URI and token, it asks the loopback topology endpoint
(tests/oracles/topology_server.py) and dials one of the recording servers; `test` and connect() must ask
the same and dial the same one, with the same credentials and database.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from pymilvus import MilvusClient

from milvus_profiles import ServerUnreachableError, connect
from milvus_profiles.cli import main

from ..helpers import run_clean, write
from ..oracles.grpc_recorder import RecordingServer
from ..oracles.topology_server import PRIMARY, READABLE, TopologyRequest, TopologyServer

TOKEN = "tok-0123456789abcdef"
# Never looked up: requests reaches it through the proxy, and gRPC never dials it.
GLOBAL = "http://in01-{}.global-cluster.example:19530"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "HTTPS_PROXY", "grpc_proxy", "all_proxy", "ALL_PROXY")


@pytest.fixture
def through(monkeypatch: pytest.MonkeyPatch) -> Callable[[TopologyServer], None]:
    """Send requests' HTTP to a topology server (``HTTP_PROXY``: gRPC reads only the lower-case names)."""
    for name in (*PROXY_VARIABLES, "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return lambda server: monkeypatch.setenv("HTTP_PROXY", server.url)


def shown(server: RecordingServer) -> tuple[str | None, str]:
    """The authorization and database of the last ShowCollections call ("" is Milvus's ``default``)."""
    calls = server.calls_to("ShowCollections")
    assert calls, [c.method for c in server.calls]
    return calls[-1].header("authorization"), calls[-1].header("dbname") or "default"


def test_test_and_connect_dial_the_primary_pymilvus_finds_for_a_global_cluster(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, through: Callable[[TopologyServer], None]
) -> None:
    uri = GLOBAL.format("primary")
    profiles = write(tmp_path / "profiles.toml", f'[profiles.g]\nuri = "{uri}"\ndb_name = "mydb"\n')
    monkeypatch.setenv("MILVUS_TOKEN", TOKEN)
    with (
        RecordingServer(databases=("default", "mydb")) as primary,
        RecordingServer(databases=("default", "mydb")) as readable,
        TopologyServer([(readable.uri(), READABLE), (primary.uri(), PRIMARY)]) as topology,
    ):
        through(topology)
        client = MilvusClient(uri=uri, token=TOKEN, db_name="mydb", timeout=5, dedicated=True)
        try:
            client.list_collections()
        finally:
            client.close()
        # the oracle agrees with this test's reading: one topology request, the primary dialled
        asked = TopologyRequest(f"{uri}/global-cluster/topology", f"Bearer {TOKEN}")
        assert topology.requests == [asked]
        by_pymilvus = shown(primary)
        assert by_pymilvus[1] == "mydb"

        topology.requests.clear()
        primary.clear()
        result = CliRunner().invoke(main, ["--file", str(profiles), "test", "g", "--json"])
        assert result.exit_code == 0, result.output
        assert topology.requests == [asked]
        assert shown(primary) == by_pymilvus
        assert json.loads(result.output)["profiles"][0]["server_version"] == primary.version

        topology.requests.clear()
        primary.clear()
        connect("g", files=[profiles]).close()
        assert topology.requests == [asked]
        assert shown(primary) == by_pymilvus
        assert readable.calls == []


def test_a_topology_refused_by_the_global_endpoint_is_the_same_verdict_from_test_and_connect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, through: Callable[[TopologyServer], None]
) -> None:
    profiles = write(tmp_path / "profiles.toml", f'[profiles.g]\nuri = "{GLOBAL.format("refused")}"\n')
    monkeypatch.setenv("MILVUS_TOKEN", TOKEN)
    with TopologyServer([], code=80001, message=f"invalid token {TOKEN}") as topology:
        through(topology)
        result = CliRunner().invoke(main, ["--file", str(profiles), "test", "g", "--json"])
        with pytest.raises(ServerUnreachableError) as refused:
            connect("g", files=[profiles])
    assert result.exit_code == 5, result.output
    assert json.loads(result.output)["profiles"][0]["error"] == refused.value.message
    assert refused.value.message == (
        "profile g: cannot reach the Milvus server at in01-refused.global-cluster.example:19530 "
        "(invalid token ********)"
    )
    assert TOKEN not in result.output


PROBE = """\
import sys
from milvus_profiles import resolve
from milvus_profiles.connection.probe import probe
probe(resolve("p"))
print("pymilvus" in sys.modules)
"""


def test_the_probe_imports_pymilvus_only_for_a_global_cluster(
    isolated: Path, through: Callable[[TopologyServer], None]
) -> None:
    with RecordingServer() as server, TopologyServer([(server.uri(), PRIMARY)]) as topology:
        through(topology)
        for uri, imported in ((server.uri(), "False"), (GLOBAL.format("cold"), "True")):
            write(isolated / "config" / "milvus-profiles" / "profiles.toml", f'[profiles.p]\nuri = "{uri}"\n')
            done = run_clean([sys.executable, "-c", PROBE], isolated, isolated / "config")
            assert done.returncode == 0, done.stderr
            assert done.stdout.split() == [imported]
        assert len(topology.requests) == 1
        assert len(server.calls_to("ShowCollections")) == 2
