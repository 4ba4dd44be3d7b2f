"""milvus-profiles env: the same profile for programs in any language."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from ..helpers import SENTINEL, MemoryKeyring, Run, trusted, write

PROJECT = """\
[profiles.dev]
uri = "http://dev.example.com:19530"
db_name = "it's \\"odd\\" $HOME `x` \\\\ here"
user = "root"
timeout = 2.5

[profiles.dev.tls]
server_name = "dev.internal"
"""
ODD = 'it\'s "odd" $HOME `x` \\ here'
ACCOUNT = ("milvus-profiles", "root@http://dev.example.com:19530")


@pytest.fixture(autouse=True)
def project(memory_keyring: MemoryKeyring) -> Path:
    memory_keyring.store[ACCOUNT] = SENTINEL
    return trusted(write(Path("milvus.toml"), PROJECT))


NOTES = [
    "# milvus-profiles: profile dev",
    "# MILVUS_PASSWORD is not printed: the password comes from keyring (root@http://dev.example.com:19530); "
    "add --include-secrets to print it",
    "# tls settings have no environment variables and are not exported: server_name",
]


def test_sh(cli: Run) -> None:
    result = cli("env", "dev")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        *NOTES,
        "export MILVUS_URI='http://dev.example.com:19530'",
        "export MILVUS_DB_NAME='it'\\''s \"odd\" $HOME `x` \\ here'",
        "export MILVUS_TIMEOUT='2.5'",
        "export MILVUS_USER='root'",
        "export MILVUS_PROFILES_EXPORTED='dev'",
    ]
    assert SENTINEL not in result.output


def test_fish_powershell_dotenv_json(cli: Run) -> None:
    fish = cli("env", "dev", "--format", "fish").stdout.splitlines()
    assert fish[len(NOTES) + 1] == "set -gx MILVUS_DB_NAME 'it\\'s \"odd\" $HOME `x` \\\\ here'"
    ps = cli("env", "dev", "--format", "powershell").stdout.splitlines()
    assert ps[len(NOTES)] == "$env:MILVUS_URI = 'http://dev.example.com:19530'"
    assert ps[len(NOTES) + 1] == "$env:MILVUS_DB_NAME = 'it''s \"odd\" $HOME `x` \\ here'"
    dotenv = cli("env", "dev", "--format", "dotenv").stdout.splitlines()
    assert dotenv[len(NOTES)] == "MILVUS_URI='http://dev.example.com:19530'"
    # a quote of each kind and a backslash: only unquoted do the three dotenv readers agree on it
    assert dotenv[len(NOTES) + 1] == 'MILVUS_DB_NAME=it\'s "odd" $HOME `x` \\ here'
    assert json.loads(cli("env", "dev", "--format", "json").stdout) == {
        "MILVUS_URI": "http://dev.example.com:19530",
        "MILVUS_DB_NAME": ODD,
        "MILVUS_TIMEOUT": "2.5",
        "MILVUS_USER": "root",
        "MILVUS_PROFILES_EXPORTED": "dev",
    }


def test_include_secrets(cli: Run) -> None:
    result = cli("env", "dev", "--include-secrets", "--format", "json")
    assert json.loads(result.stdout)["MILVUS_PASSWORD"] == SENTINEL
    sh = cli("env", "dev", "--include-secrets").stdout
    assert f"export MILVUS_PASSWORD='{SENTINEL}'" in sh
    assert "not printed" not in sh


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_sh_output_round_trips_through_a_shell(cli: Run) -> None:
    script = cli("env", "dev").stdout + 'printf "%s\\n%s" "$MILVUS_DB_NAME" "$MILVUS_TIMEOUT"\n'
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == f"{ODD}\n2.5"


@pytest.mark.skipif(shutil.which("fish") is None, reason="needs fish")
def test_fish_output_round_trips_through_fish(cli: Run) -> None:
    script = cli("env", "dev", "--format", "fish").stdout + "printf '%s' $MILVUS_DB_NAME\n"
    done = subprocess.run(["fish", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == ODD


def test_dotenv_output_round_trips_through_python_dotenv(cli: Run) -> None:
    values = dotenv_values(stream=io.StringIO(cli("env", "dev", "--format", "dotenv").stdout))
    assert values["MILVUS_DB_NAME"] == ODD
    assert values["MILVUS_URI"] == "http://dev.example.com:19530"


def test_credentials_in_the_uri_are_not_printed(cli: Run) -> None:
    result = cli("env", env={"MILVUS_URI": f"http://root:{SENTINEL}@h:19530"})
    assert "export MILVUS_URI='http://h:19530'" in result.stdout
    assert "export MILVUS_USER" not in result.stdout
    assert "export MILVUS_PASSWORD" not in result.stdout
    assert (
        "# MILVUS_PASSWORD is not printed: the password comes from the user part of http://***@h:19530 "
        "(env MILVUS_URI); add --include-secrets to print it"
    ) in result.stdout
    assert SENTINEL not in result.output


def test_an_unknown_profile(cli: Run) -> None:
    result = cli("env", "nope")
    assert result.exit_code == 3
    assert result.stdout == ""
