"""What `milvus-profiles env` exports reaches the same server, database and credential as the profile:
checked against pymilvus on a recording server on loopback."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pymilvus import MilvusClient

from milvus_profiles.uri import has_credentials

from ..helpers import SENTINEL, Run
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
