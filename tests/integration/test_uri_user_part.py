"""A MILVUS_URI carrying the credentials and the database, against Milvus standalone with authentication:
connect() and the probe of `test` use both, as pymilvus does with the same URI."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from pymilvus import MilvusClient

from milvus_profiles import AuthenticationError, DatabaseNotFoundError, connect

from .servers import ROOT_PASSWORD, MilvusServer


def test_the_uri_user_part_and_path_reach_the_server_as_with_pymilvus(
    auth_server: MilvusServer, monkeypatch: pytest.MonkeyPatch, ready: Callable[..., None]
) -> None:
    base = auth_server.uri.replace("http://", f"http://root:{ROOT_PASSWORD}@")
    admin = MilvusClient(uri=base, timeout=10)
    try:
        if "by_path" not in admin.list_databases():
            admin.create_database("by_path")
        name = f"only_in_by_path_{int(time.time() * 1000)}"
        in_db = MilvusClient(uri=f"{base}/by_path", timeout=10)
        in_db.create_collection(name, dimension=2)
        expected = sorted(in_db.list_collections())
        in_db.close()
    finally:
        admin.close()
    assert name in expected

    monkeypatch.setenv("MILVUS_URI", f"{base}/by_path")
    ready(None)
    client = connect()
    try:
        assert sorted(client.list_collections()) == expected
    finally:
        client.close()

    monkeypatch.setenv("MILVUS_URI", f"{base}/no_such_db")
    with pytest.raises(DatabaseNotFoundError):
        ready(None)
    monkeypatch.setenv("MILVUS_URI", auth_server.uri.replace("http://", "http://root:wrong@"))
    with pytest.raises(AuthenticationError):
        ready(None)
