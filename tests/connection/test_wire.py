"""`milvus-profiles test` (the grpcio probe), connect() and plain pymilvus, pointed at a recording server on
loopback, send the same credentials and database for every shape of profile."""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from pymilvus import MilvusClient

from milvus_profiles import ConfigError, connect, resolve
from milvus_profiles.cli import main
from milvus_profiles.config import toml
from milvus_profiles.resolution.resolved import ResolvedProfile

from ..helpers import write
from ..integration.servers import Certificates
from ..oracles.fixtures import certificates, recorder, server_tls, tls_recorder
from ..oracles.grpc_recorder import RecordingServer

__all__ = ["certificates", "recorder", "tls_recorder"]  # fixtures, used by name

TOKEN = "tok-0123456789abcdef"
PASSWORD = "Milvus-pw:/?#@x"

# Variables that win over a profile named explicitly are warned about (tests/resolution); here they are
# the shape under test.
pytestmark = pytest.mark.filterwarnings("ignore:MILVUS_.* set in the environment")


@dataclass(frozen=True)
class Shape:
    """A profile: its file, its environment, and what plain pymilvus is given for the same server."""

    name: str
    profile: Callable[[RecordingServer, Certificates], str]
    env: Callable[[RecordingServer], dict[str, str]]
    pymilvus: Callable[[RecordingServer, Certificates], dict[str, Any]]
    authorization: str | None
    dbname: str
    tls: bool = False
    kwargs: dict[str, str] = field(default_factory=dict)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


SHAPES = [
    Shape(
        "token",
        lambda s, c: f'uri = "{s.uri()}"\n',
        lambda s: {"MILVUS_TOKEN": TOKEN},
        lambda s, c: {"uri": s.uri(), "token": TOKEN},
        b64(TOKEN),
        "default",
    ),
    Shape(
        "user-and-password",
        lambda s, c: f'uri = "{s.uri()}"\nuser = "root"\ndb_name = "mydb"\n',
        lambda s: {"MILVUS_PASSWORD": PASSWORD},
        lambda s, c: {"uri": s.uri(), "user": "root", "password": PASSWORD, "db_name": "mydb"},
        b64(f"root:{PASSWORD}"),
        "mydb",
    ),
    Shape(
        "token-in-the-uri-user-part",
        lambda s, c: f'uri = "{s.uri()}"\n',
        lambda s: {"MILVUS_URI": s.uri(user_part=TOKEN)},
        lambda s, c: {"uri": s.uri(user_part=TOKEN)},
        b64(TOKEN),
        "default",
    ),
    Shape(
        "user-and-password-in-the-uri-with-a-database-in-its-path",
        lambda s, c: f'uri = "{s.uri()}"\n',
        lambda s: {"MILVUS_URI": s.uri(user_part="root:Milvus", path="/mydb")},
        lambda s, c: {"uri": s.uri(user_part="root:Milvus", path="/mydb")},
        b64("root:Milvus"),
        "mydb",
    ),
    Shape(
        "database-in-the-file-uri-path",
        lambda s, c: f'uri = "{s.uri(path="/mydb/")}"\n',
        lambda s: {},
        lambda s, c: {"uri": s.uri(path="/mydb/")},
        None,
        "mydb",
    ),
    Shape(
        "an-argument-token-beats-the-uri-user-part",
        lambda s, c: f'uri = "{s.uri()}"\n',
        lambda s: {"MILVUS_URI": s.uri(user_part="root:Milvus")},
        lambda s, c: {"uri": s.uri(user_part="root:Milvus"), "token": TOKEN},
        b64(TOKEN),
        "default",
        kwargs={"token": TOKEN},
    ),
    Shape(
        "one-way-tls-with-a-ca",
        lambda s, c: f'uri = "{s.uri("https")}"\n[profiles.p.tls]\nserver_pem_path = "{c.ca}"\n',
        lambda s: {"MILVUS_TOKEN": TOKEN},
        lambda s, c: {"uri": s.uri("https"), "token": TOKEN, "server_pem_path": str(c.ca)},
        b64(TOKEN),
        "default",
        tls=True,
    ),
]


def show_collections(server: RecordingServer) -> tuple[str | None, str | None]:
    """What the last ShowCollections call carried: its authorization and database.

    Milvus reads an empty ``dbname`` (what pymilvus sends when given no database) as ``default``.
    """
    calls = server.calls_to("ShowCollections")
    assert calls, [c.method for c in server.calls]
    return calls[-1].header("authorization"), calls[-1].header("dbname") or "default"


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_the_probe_connect_and_pymilvus_send_the_same_credentials_and_database(
    shape: Shape, certificates: Certificates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = server_tls(certificates) if shape.tls else None
    with RecordingServer(databases=("default", "mydb"), tls=tls) as server:
        check_shape(shape, server, certificates, tmp_path, monkeypatch)


def check_shape(
    shape: Shape,
    server: RecordingServer,
    certificates: Certificates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profiles = write(tmp_path / "profiles.toml", "[profiles.p]\n" + shape.profile(server, certificates))
    for name, value in shape.env(server).items():
        monkeypatch.setenv(name, value)

    client = MilvusClient(**shape.pymilvus(server, certificates), timeout=5, dedicated=True)
    try:
        client.list_collections()
    finally:
        client.close()
    by_pymilvus = show_collections(server)
    assert by_pymilvus == (shape.authorization, shape.dbname)  # the oracle agrees with this test's reading

    server.clear()
    toml.clear_cache()
    args = [f"--{k.replace('_', '-')}={v}" for k, v in shape.kwargs.items()]
    if not args:
        result = CliRunner().invoke(main, ["--file", str(profiles), "test", "p", "--json"])
        assert result.exit_code == 0, result.output
        assert show_collections(server) == by_pymilvus

    server.clear()
    ours = connect("p", files=[profiles], **shape.kwargs)
    try:
        assert show_collections(server) == by_pymilvus
    finally:
        ours.close()

    wire = resolve("p", files=[profiles], **shape.kwargs).wire
    assert wire.secure is shape.tls
    assert wire.target == f"127.0.0.1:{server.port}"
    for secret in (TOKEN, PASSWORD, "Milvus"):
        assert secret not in repr(wire)


def test_a_probe_with_an_argument_token_sends_it_over_the_uri_user_part(
    recorder: RecordingServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `test` takes no token argument; the probe is called as the CLI calls it, with an argument token.
    from milvus_profiles.connection.probe import probe

    profiles = write(tmp_path / "profiles.toml", f'[profiles.p]\nuri = "{recorder.uri()}"\n')
    monkeypatch.setenv("MILVUS_URI", recorder.uri(user_part="root:Milvus", path="/mydb"))
    probe(resolve("p", files=[profiles], token=TOKEN))
    assert show_collections(recorder) == (b64(TOKEN), "mydb")


def test_https_means_tls_even_when_the_profile_says_secure_false(
    tls_recorder: RecordingServer, certificates: Certificates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = write(
        tmp_path / "profiles.toml",
        f'[profiles.p]\nuri = "{tls_recorder.uri("https")}"\n'
        f'[profiles.p.tls]\nsecure = false\nserver_pem_path = "{certificates.ca}"\n',
    )
    monkeypatch.setenv("MILVUS_TOKEN", TOKEN)
    # no file can turn TLS off for https://: the profile is refused, naming the key, before any connection
    with pytest.raises(ConfigError) as e:
        resolve("p", files=[profiles])
    assert e.value.path == profiles
    assert e.value.line == 4
    assert e.value.reason == "profiles.p.tls.secure: secure = false cannot turn TLS off for an https:// URI"
    result = CliRunner().invoke(main, ["--file", str(profiles), "test", "p"])
    assert result.exit_code == 3, result.output
    with pytest.raises(ConfigError):
        connect("p", files=[profiles])
    assert tls_recorder.calls == []
    # and the wire plan alone, given such a profile, still says TLS
    cfg = resolve(
        "p", files=[write(tmp_path / "ok.toml", profiles.read_text().replace("secure = false", ""))]
    )
    assert dataclasses.replace(cfg, tls={**cfg.tls, "secure": False}).client_kwargs()["secure"] is True


def test_a_refused_credential_is_the_same_verdict_from_the_probe_and_connect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RecordingServer(authorization=b64("root:Milvus")) as server:
        profiles = write(tmp_path / "profiles.toml", f'[profiles.p]\nuri = "{server.uri()}"\n')
        monkeypatch.setenv("MILVUS_URI", server.uri(user_part="root:wrong"))
        result = CliRunner().invoke(main, ["--file", str(profiles), "test", "p"])
        assert result.exit_code != 0
        assert "wrong" not in result.output
        from milvus_profiles import AuthenticationError

        with pytest.raises(AuthenticationError) as refused:
            connect("p", files=[profiles])
        assert "wrong" not in str(refused.value)
        monkeypatch.setenv("MILVUS_URI", server.uri(user_part="root:Milvus"))
        toml.clear_cache()
        assert CliRunner().invoke(main, ["--file", str(profiles), "test", "p"]).exit_code == 0
        connect("p", files=[profiles]).close()


def test_an_empty_token_counts_as_none_as_in_pymilvus(recorder: RecordingServer) -> None:
    # The resolver refuses an empty token; a profile built by hand can still hold one.
    cfg = ResolvedProfile(
        name="p",
        uri=recorder.uri(),
        db_name="default",
        timeout=5,
        user="root",
        password=SecretStr(PASSWORD),
        token=SecretStr(""),
    )
    client = MilvusClient(uri=recorder.uri(), user="root", password=PASSWORD, token="", dedicated=True)
    client.list_collections()
    client.close()
    assert cfg.wire.metadata() == [("dbname", "default"), ("authorization", show_collections(recorder)[0])]


@pytest.mark.parametrize("db_name", ["other", "", "default"])
def test_connect_sends_the_database_pymilvus_sends_for_a_uri_path_and_db_name(db_name: str) -> None:
    with RecordingServer(databases=("default", "mydb", "other")) as server:
        uri = server.uri(path="/mydb")
        client = MilvusClient(uri=uri, db_name=db_name, timeout=5, dedicated=True)
        try:
            client.list_collections()
        finally:
            client.close()
        by_pymilvus = show_collections(server)
        assert by_pymilvus[1] == (db_name or "mydb")  # the oracle agrees with this test's reading
        server.clear()
        ours = connect(uri=uri, db_name=db_name, timeout=5)
        ours.close()
        assert show_collections(server) == by_pymilvus
