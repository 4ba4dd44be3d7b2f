"""milvus-profiles show."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..helpers import SENTINEL, MemoryKeyring, Run, trusted, write

PROJECT = """\
default = "local"

[profiles.local]
uri = "./data/milvus.db"

[profiles.dev]
uri = "http://dev.example.com:19530"
user = "root"
timeout = 3
"""


def cells(text: str) -> list[list[str]]:
    return [re.split(r" {2,}", line.rstrip()) for line in text.splitlines()]


def test_show_the_default_profile(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    result = cli("show")
    assert result.exit_code == 0, result.output
    assert cells(result.stdout) == [
        ["profile: local", f"(selected by file {Path.cwd() / 'milvus.toml'}:1)"],
        ["FIELD", "VALUE"],
        ["uri", str(Path.cwd() / "data" / "milvus.db")],
        ["db_name", "default"],
        ["timeout", "10"],
    ]


def test_explain_adds_origins_and_secrets_are_masked(cli: Run, memory_keyring: MemoryKeyring) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    memory_keyring.store[("milvus-profiles", "root@http://dev.example.com:19530")] = SENTINEL
    result = cli("show", "dev", "--explain", env={"MILVUS_DB_NAME": "reports"})
    assert result.exit_code == 0, result.output
    toml = Path.cwd() / "milvus.toml"
    assert cells(result.stdout) == [
        ["profile: dev", "(selected by argument profile=)"],
        ["FIELD", "VALUE", "ORIGIN"],
        ["uri", "http://dev.example.com:19530", f"file {toml}:7 [profiles.dev]"],
        ["db_name", "reports", "env MILVUS_DB_NAME"],
        ["timeout", "3", f"file {toml}:9 [profiles.dev]"],
        ["user", "root", f"file {toml}:8 [profiles.dev]"],
        ["password", "********", "keyring (root@http://dev.example.com:19530)"],
    ]
    assert SENTINEL not in result.output


def test_reveal_shows_the_secret(cli: Run, memory_keyring: MemoryKeyring) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    memory_keyring.store[("milvus-profiles", "root@http://dev.example.com:19530")] = SENTINEL
    result = cli("show", "dev", "--reveal")
    assert ["password", SENTINEL] in cells(result.stdout)


def test_json_has_values_and_origins(cli: Run, memory_keyring: MemoryKeyring) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    memory_keyring.store[("milvus-profiles", "root@http://dev.example.com:19530")] = SENTINEL
    result = cli("show", "--profile", "dev", "--json")
    assert result.exit_code == 0
    assert SENTINEL not in result.output
    toml = Path.cwd() / "milvus.toml"
    assert json.loads(result.stdout) == {
        "profile": "dev",
        "selected_by": "argument profile=",
        "values": {
            "uri": "http://dev.example.com:19530",
            "db_name": "default",
            "timeout": 3.0,
            "user": "root",
            "password": "********",
            "token": None,
            "tls": {},
            "grpc_options": {},
        },
        "origins": {
            "uri": f"file {toml}:7 [profiles.dev]",
            "user": f"file {toml}:8 [profiles.dev]",
            "timeout": f"file {toml}:9 [profiles.dev]",
            "db_name": "default",
            "password": "keyring (root@http://dev.example.com:19530)",
        },
        "files": [str(Path.cwd() / "milvus.local.toml"), str(toml), str(Path.cwd().parent / "config" /
                  "milvus-profiles" / "profiles.toml")],
    }  # fmt: skip
    revealed = json.loads(cli("show", "dev", "--json", "--reveal").stdout)
    assert revealed["values"]["password"] == SENTINEL


def test_credentials_in_an_environment_uri_are_redacted(cli: Run) -> None:
    result = cli("show", "--json", env={"MILVUS_URI": f"http://root:{SENTINEL}@h:19530"})
    assert result.exit_code == 0
    assert json.loads(result.stdout)["values"]["uri"] == "http://***@h:19530"
    assert SENTINEL not in result.output


def test_a_user_without_password_is_warned_about(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    result = cli("show", "dev")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "warning: user 'root' has no password: none in the keyring and MILVUS_PASSWORD is not set",
        "hint: store it with `milvus-profiles secret set dev`",
    ]


def test_an_unknown_profile(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    result = cli("show", "prod")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: no profile named 'prod'; known profiles: local, dev; files searched: "
    )


def test_no_files_at_all_shows_the_built_in_defaults(cli: Run) -> None:
    result = cli("show")
    assert result.exit_code == 0
    assert cells(result.stdout)[0] == [
        "profile: (none: built-in defaults and MILVUS_* variables)",
        "(selected by default)",
    ]
    assert ["uri", "http://localhost:19530"] in cells(result.stdout)
