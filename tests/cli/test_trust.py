"""`milvus-profiles trust`, `trust --list` and `untrust` as a user runs them: what the file decides is
printed before it is trusted, and the list says of each file whether it changed since."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ..helpers import Run, write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")

TEAM = (
    'default = "local"\n'
    "[profiles.local]\n"
    'uri = "./data/milvus.db"\n'
    "[profiles.prod]\n"
    'uri = "https://app:pa55@milvus.example.com:443"\n'
    'user = "app"\n'
    'password = { env = "PROD_PASSWORD" }\n'
    "[profiles.prod.tls]\n"
    'ca_pem_path = "certs/ca.pem"\n'
    "[profiles.next]\n"
    'extends = "prod"\n'
    "timeout = 5\n"
    "[profiles.next.grpc]\n"
    '"grpc.keepalive_time_ms" = 10000\n'
    "[profiles.empty]\n"
    'db_name = "x"\n'
)


def test_trust_prints_what_each_profile_decides_with_the_uri_redacted(cli: Run) -> None:
    write(Path("milvus.toml"), TEAM)
    result = cli("trust")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "trusted milvus.toml:",
        "  local: ./data/milvus.db",
        "  prod: https://***@milvus.example.com:443; user app; [tls] ca_pem_path; password from env "
        "PROD_PASSWORD",
        "  next: extends prod; [grpc] grpc.keepalive_time_ms",
        "  empty: (no server settings)",
        "  default: local",
    ]
    assert "pa55" not in result.output


def test_trust_list_says_which_files_changed_since(cli: Run) -> None:
    project = write(Path("milvus.toml"), '[profiles.a]\nuri = "http://a:19530"\n')
    env = write(Path(".env"), "MILVUS_DB_NAME=x\n")
    assert cli("trust").exit_code == 0
    assert cli("trust", ".env").exit_code == 0
    write(project, '[profiles.a]\nuri = "http://evil:19530"\n')
    env.unlink()
    listed = json.loads(cli("trust", "--list", "--json").stdout)["trusted"]
    assert [(Path(e["path"]).name, e["status"]) for e in listed] == [
        (".env", "does not exist"),
        ("milvus.toml", "changed since you trusted it: profiles.a.uri changed (now http://evil:19530)"),
    ]
    table = cli("trust", "--list")
    assert table.exit_code == 0, table.output
    assert "changed since you trusted it" in table.stdout


def test_trust_list_with_paths_is_a_usage_error(cli: Run) -> None:
    result = cli("trust", "--list", "milvus.toml")
    assert result.exit_code == 2
    assert "give paths or --list, not both" in result.output


def test_trust_without_a_project_file_says_how_to_name_one(cli: Run) -> None:
    result = cli("trust")
    assert result.exit_code != 0
    assert "no milvus.toml or milvus.local.toml here or in a folder above" in result.output
    assert "`milvus-profiles trust PATH`" in result.output


def test_untrust_of_a_file_not_trusted_changes_nothing(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.a]\nuri = "http://a:19530"\n')
    result = cli("untrust")
    assert result.exit_code == 0, result.output
    assert "milvus.toml was not trusted; nothing to do" in result.stdout
    assert cli("trust", "--list").stdout.strip() == "no project file is trusted"
