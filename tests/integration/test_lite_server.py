"""An http:// profile without authentication, served by Milvus Lite on a loopback port."""

from __future__ import annotations

from pathlib import Path

import pytest

from milvus_profiles import DatabaseNotFoundError, connect

from ..helpers import write
from .servers import LiteServer


def test_http_profile_without_authentication(isolated: Path, lite_server: LiteServer) -> None:
    write(isolated / "milvus.toml", f'default = "lite"\n[profiles.lite]\nuri = "{lite_server.uri}"\n')
    client = connect()
    assert client.get_server_version().startswith("milvus_lite")
    client.close()
    with pytest.raises(
        DatabaseNotFoundError, match=r"^profile lite: database 'nope' does not exist on 127\."
    ):
        connect(db_name="nope")


def test_a_client_works_again_after_the_server_restarts(isolated: Path, tmp_path: Path) -> None:
    (tmp_path / "restarting").mkdir()
    server = LiteServer(tmp_path / "restarting")
    try:
        write(isolated / "milvus.toml", f'[profiles.lite]\nuri = "{server.uri}"\ntimeout = 5\n')
        client = connect("lite")
        client.create_collection("survives", dimension=2)
        server.restart()
        assert "survives" in client.list_collections()
        client.close()
    finally:
        server.stop()
