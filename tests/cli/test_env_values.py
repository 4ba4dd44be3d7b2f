"""What `milvus-profiles env` exports reaches the same server, database and credential as the profile:
checked against pymilvus on a recording server on loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pymilvus import MilvusClient

from milvus_profiles import resolve
from milvus_profiles.secrets.keyring_store import account
from milvus_profiles.uri import has_credentials

from ..helpers import SENTINEL, Run, write
from ..oracles.grpc_recorder import RecordingServer


def sent_by_pymilvus(server: RecordingServer, **kwargs: Any) -> tuple[str | None, str]:
    server.clear()
    client = MilvusClient(**kwargs, timeout=5, dedicated=True)
    try:
        client.list_collections()
    finally:
        client.close()
    call = server.calls_to("ShowCollections")[-1]
    return call.header("authorization"), call.header("dbname") or "default"


@pytest.mark.parametrize(
    ("user_part", "path"),
    [
        (f"root:{SENTINEL}", "/mydb"),
        (f"root:{SENTINEL}", ""),
        (f"key-{SENTINEL}", "/mydb/"),
        ("", "/mydb"),
    ],
)
def test_the_exported_variables_reach_what_pymilvus_reaches_with_the_uri(
    cli: Run, user_part: str, path: str
) -> None:
    with RecordingServer(databases=("default", "mydb")) as server:
        uri = server.uri(user_part=user_part, path=path)
        shown = cli("env", "--format", "json", env={"MILVUS_URI": uri})
        assert shown.exit_code == 0, shown.output
        assert SENTINEL not in shown.output
        result = cli("env", "--format", "json", "--include-secrets", env={"MILVUS_URI": uri})
        assert result.exit_code == 0, result.output
        variables = json.loads(result.stdout)

        # what every SDK reads: no user part and no path
        assert variables["MILVUS_URI"] == f"http://127.0.0.1:{server.port}"
        assert not has_credentials(variables["MILVUS_URI"])
        exported = {
            "uri": variables["MILVUS_URI"],
            "db_name": variables["MILVUS_DB_NAME"],
            "token": variables.get("MILVUS_TOKEN", ""),
            "user": variables.get("MILVUS_USER", ""),
            "password": variables.get("MILVUS_PASSWORD", ""),
        }
        assert sent_by_pymilvus(server, **exported) == sent_by_pymilvus(server, uri=uri)
        without_secrets = json.loads(shown.stdout)
        assert {k: v for k, v in variables.items() if k not in without_secrets} == {
            k: v for k, v in variables.items() if k in ("MILVUS_TOKEN", "MILVUS_USER", "MILVUS_PASSWORD")
        }


def test_a_uri_pair_for_another_user_than_milvus_user_is_exported_whole_as_the_token(cli: Run) -> None:
    result = cli(
        "env",
        "--format",
        "json",
        "--include-secrets",
        env={"MILVUS_URI": f"http://root:{SENTINEL}@127.0.0.1:19530", "MILVUS_USER": "alice"},
    )
    assert json.loads(result.stdout) == {
        "MILVUS_URI": "http://127.0.0.1:19530",
        "MILVUS_DB_NAME": "default",
        "MILVUS_TIMEOUT": "10",
        "MILVUS_USER": "alice",
        "MILVUS_TOKEN": f"root:{SENTINEL}",
    }


def pymilvus_reading(uri: str, **kwargs: Any) -> tuple[str, bool]:
    """The address and TLS that ``MilvusClient(uri=uri, **kwargs)`` would dial with."""
    from pymilvus.client.connection_manager import ConnectionConfig

    config = ConnectionConfig.from_uri(uri, **kwargs)
    return config.address, bool(config.get_handler_kwargs().get("secure", False))


def test_a_tls_profile_on_an_http_uri_is_exported_as_https(cli: Run) -> None:
    uri = "http://milvus.example:19531"
    write(
        Path("milvus.toml"),
        f'[profiles.tls]\nuri = "{uri}"\n[profiles.tls.tls]\nsecure = true\n\n'
        f'[profiles.plain]\nuri = "{uri}"\n',
    )
    exported = {}
    for name in ("tls", "plain"):
        result = cli("env", name, "--format", "json")
        assert result.exit_code == 0, result.output
        exported[name] = json.loads(result.stdout)["MILVUS_URI"]
    assert exported == {"tls": "https://milvus.example:19531", "plain": uri}
    # pymilvus reads the variable as the same address with TLS, as the profile connects
    assert (
        pymilvus_reading(exported["tls"])
        == pymilvus_reading(uri, secure=True)
        == ("milvus.example:19531", True)
    )
    assert pymilvus_reading(exported["plain"]) == ("milvus.example:19531", False)
    # and back through the environment, the variable is the same route, with the same keyring account
    with_tls, back = resolve("tls"), resolve(None, uri=exported["tls"])
    assert (back.wire.target, back.wire.secure) == (with_tls.wire.target, True)
    assert account(back.uri, "u", secure=back.secure) == account(with_tls.uri, "u", secure=with_tls.secure)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('[profiles.p.tls]\nsecure = true\nserver_pem_path = "/etc/ca.pem"\n', "tls.server_pem_path"),
        (
            '[profiles.p.tls]\nsecure = true\nclient_pem_path = "/c.pem"\nclient_key_path = "/c.key"\n'
            'ca_pem_path = "/ca.pem"\n',
            "tls.client_pem_path",
        ),
        ('[profiles.p.tls]\nsecure = true\nserver_name = "milvus.internal"\n', "tls.server_name"),
        ('[profiles.p.grpc]\n"grpc.keepalive_time_ms" = 5000\n', "grpc.grpc.keepalive_time_ms"),
    ],
)
def test_a_transport_setting_no_variable_carries_is_refused_by_name(cli: Run, table: str, key: str) -> None:
    path = write(Path("milvus.toml"), f'[profiles.p]\nuri = "https://milvus.example"\n{table}').absolute()
    expected = f"profile p: {key} (file {path}:"
    shell = cli("env", "p")
    assert shell.exit_code == 3, shell.output
    assert shell.stdout == ""
    assert shell.stderr.startswith(f"error: {expected}")
    assert "cannot be passed in MILVUS_* variables" in shell.stderr
    as_json = cli("env", "p", "--format", "json", "--include-secrets")
    assert as_json.exit_code == 3
    assert json.loads(as_json.stdout)["error"].startswith(expected)
