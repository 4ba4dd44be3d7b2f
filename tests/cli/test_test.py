"""milvus-profiles test, against a real Milvus Lite and a closed port."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from ..helpers import SENTINEL, MemoryKeyring, Run, trusted, write


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def profiles() -> Path:
    return trusted(
        write(
            Path("milvus.toml"),
            f"""\
default = "local"

[profiles.local]
uri = "./data/milvus.db"

[profiles.nodb]
uri = "./data/milvus.db"
db_name = "missing"

[profiles.down]
uri = "http://127.0.0.1:{closed_port()}"

[profiles.secured]
uri = "http://127.0.0.1:{closed_port()}"
user = "root"
""",
        )
    )


def rows(text: str) -> list[list[str]]:
    return [re.split(r" {2,}", line.rstrip()) for line in text.splitlines()]


def test_a_lite_profile_is_ready_with_its_version(cli: Run, profiles: Path) -> None:
    result = cli("test")
    assert result.exit_code == 0, result.output
    header, row = rows(result.stdout)
    assert header == ["PROFILE", "STATUS", "VERSION", "LATENCY", "URI"]
    assert row[:2] == ["local", "ready"]
    assert re.fullmatch(r"milvus_lite-\d+\.\d+\.\d+", row[2])
    assert re.fullmatch(r"\d+ ms", row[3])
    assert row[4] == str(Path.cwd() / "data" / "milvus.db")
    assert result.stderr == ""


def test_a_missing_database_exits_7(cli: Run, profiles: Path) -> None:
    result = cli("test", "nodb")
    assert result.exit_code == 7
    assert rows(result.stdout)[1][:2] == ["nodb", "database-missing"]
    assert result.stderr.splitlines() == [
        f"error: profile nodb: database 'missing' does not exist on {Path.cwd() / 'data' / 'milvus.db'}",
        "hint: create it with `client.create_database(...)` on the default database, "
        "or set db_name to an existing database",
    ]


def test_an_unreachable_server_exits_5(cli: Run, profiles: Path) -> None:
    result = cli("test", "down", "--timeout", "1")
    assert result.exit_code == 5
    assert rows(result.stdout)[1][:2] == ["down", "unreachable"]
    assert result.stderr.startswith("error: profile down: cannot reach the Milvus server at 127.0.0.1:")


def test_a_user_without_password_exits_4(cli: Run, profiles: Path) -> None:
    result = cli("test", "secured")
    assert result.exit_code == 4
    assert rows(result.stdout)[1][:2] == ["secured", "secret-missing"]
    assert (
        result.stderr.splitlines()[1]
        == "hint: store it with `milvus-profiles secret set secured`, or set MILVUS_PASSWORD"
    )


def test_an_unknown_profile_exits_3(cli: Run, profiles: Path) -> None:
    result = cli("test", "nope")
    assert result.exit_code == 3
    assert rows(result.stdout)[1][:2] == ["nope", "config-error"]


def test_several_profiles_exit_with_the_first_failure_in_the_order_given(cli: Run, profiles: Path) -> None:
    result = cli("test", "local", "secured", "nodb", "down", "--timeout", "1")
    assert result.exit_code == 4
    assert [r[:2] for r in rows(result.stdout)[1:]] == [
        ["local", "ready"],
        ["secured", "secret-missing"],
        ["nodb", "database-missing"],
        ["down", "unreachable"],
    ]
    assert cli("test", "nodb", "secured", "--timeout", "1").exit_code == 7


def test_all_as_json(cli: Run, profiles: Path) -> None:
    result = cli("test", "--all", "--json", "--timeout", "1")
    assert result.exit_code == 7
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["exit_code"] == 7
    assert [(p["profile"], p["status"], p["exit_code"]) for p in data["profiles"]] == [
        ("local", "ready", 0),
        ("nodb", "database-missing", 7),
        ("down", "unreachable", 5),
        ("secured", "secret-missing", 4),
    ]
    local = data["profiles"][0]
    assert set(local) == {"profile", "status", "exit_code", "uri", "db_name", "server_version", "latency_ms",
                          "error", "hint", "warnings"}  # fmt: skip
    assert local["warnings"] == []
    assert local["error"] is None
    assert local["server_version"].startswith("milvus_lite-")
    assert local["latency_ms"] > 0
    assert data["profiles"][1]["error"].startswith("profile nodb: database 'missing' does not exist")


def test_the_password_is_used_and_never_printed(
    cli: Run, profiles: Path, memory_keyring: MemoryKeyring
) -> None:
    port = profiles.read_text(encoding="utf-8").split("127.0.0.1:")[2].split('"')[0]
    memory_keyring.store[("milvus-profiles", f"root@http://127.0.0.1:{port}")] = SENTINEL
    result = cli("test", "secured", "--timeout", "1", "--json")
    assert result.exit_code == 5
    assert SENTINEL not in result.output


def test_names_and_all_conflict(cli: Run, profiles: Path) -> None:
    result = cli("test", "local", "--all")
    assert result.exit_code == 2
    assert "Error: give profile names or --all, not both" in result.stderr


def test_all_without_profiles(cli: Run) -> None:
    result = cli("test", "--all")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: there are no profiles to test",
        "hint: create one with `milvus-profiles init`",
    ]


def test_an_untrusted_project_exits_8_and_names_the_file_and_the_fix(cli: Run) -> None:
    write(
        Path("milvus.toml"), f'[profiles.secured]\nuri = "http://127.0.0.1:{closed_port()}"\nuser = "root"\n'
    )
    result = cli("test", "secured")
    assert result.exit_code == 8
    assert "profile secured: no stored secret is sent to this connection, because its uri comes from " in (
        result.stderr
    )
    assert "(profiles.secured.uri), a project file you have not trusted" in result.stderr
    assert "hint: read it, then run `milvus-profiles trust milvus.toml`" in result.stderr


def test_all_without_a_keyring_says_it_once_and_names_each_profile(cli: Run) -> None:
    import keyring
    from keyring.backends import fail

    profile = '[profiles.{}]\nuri = "http://127.0.0.1:{}"\nuser = "app"\n'
    body = "".join(profile.format(n, closed_port()) for n in "abcd")
    trusted(write(Path("milvus.toml"), body))
    keyring.set_keyring(fail.Keyring())  # what keyring picks when no backend works
    result = cli("test", "--all")
    assert result.exit_code == 4
    assert [row[:2] for row in rows(result.stdout)[1:]] == [[n, "secret-missing"] for n in "abcd"]
    assert result.stderr.splitlines()[0] == (
        "error: profiles a, b, c, d: cannot read a secret: no keyring backend is available"
    )
    assert result.stderr.count("error:") == 1


@pytest.mark.parametrize("password", ["e", "1", "o"])
def test_a_short_password_leaves_the_servers_words_and_address_whole(cli: Run, password: str) -> None:
    port = closed_port()
    write(Path("ci.toml"), f'[profiles.p]\nuri = "http://127.0.0.1:{port}"\nuser = "app"\n')
    result = cli("--file", "ci.toml", "test", "p", env={"MILVUS_PASSWORD": password})
    assert result.exit_code == 5
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: profile p: cannot reach the Milvus server at 127.0.0.1:{port} (")
    assert f"ipv4:127.0.0.1:{port}: " in first  # gRPC's words around it vary with its version
    assert "Connection refused" in first  # gRPC words the end differently across versions
    assert "*" not in result.stderr


def test_variables_overriding_a_profile_named_explicitly_are_named(cli: Run, profiles: Path) -> None:
    # as after `eval "$(milvus-profiles env prod)"`: `test local` reaches what the variables say
    down = f"http://127.0.0.1:{closed_port()}"
    result = cli("test", "local", env={"MILVUS_URI": down, "MILVUS_DB_NAME": "analytics"})
    assert result.exit_code == 5
    assert rows(result.stdout)[1][:2] == ["local", "unreachable"]  # not the Lite file of the profile
    assert (
        "warning: MILVUS_URI, MILVUS_DB_NAME are set in the environment, and win over profile local's uri, "
        "db_name: unset MILVUS_URI MILVUS_DB_NAME to use profile local as written\n"
    ) in result.stderr
    selected = cli("test", env={"MILVUS_URI": down})  # the selected profile, named by no one: no warning
    assert "warning:" not in selected.stderr
    as_json = cli("test", "local", "--json", env={"MILVUS_URI": down})  # said beside the JSON, not in it
    assert (
        "warning: MILVUS_URI is set in the environment, and wins over profile local's uri" in as_json.stderr
    )


def test_profiles_on_one_server_are_each_tested_with_their_own_credentials_and_database(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    import base64

    from ..oracles.grpc_recorder import RecordingServer

    with RecordingServer(databases=("default", "analytics")) as server:
        trusted(
            write(
                Path("milvus.toml"),
                f'[profiles.a]\nuri = "{server.uri()}"\nuser = "alice"\n\n'
                f'[profiles.b]\nuri = "{server.uri()}"\nuser = "bob"\ndb_name = "analytics"\n\n'
                f'[profiles.c]\nuri = "{server.uri()}"\ndb_name = "missing"\n',
            )
        )
        for user, secret in (("alice", "alice-pw"), ("bob", "bob-pw")):
            memory_keyring.store[("milvus-profiles", f"{user}@{server.uri()}")] = secret
        result = cli("test", "--all", "--json")
        seen = {
            (base64.b64decode(call.header("authorization") or "").decode(), call.header("dbname"))
            for call in server.calls_to("ShowCollections")
        }
    assert result.exit_code == 7, result.output
    verdicts = {p["profile"]: p["status"] for p in json.loads(result.stdout)["profiles"]}
    assert verdicts == {"a": "ready", "b": "ready", "c": "database-missing"}
    assert seen == {("alice:alice-pw", "default"), ("bob:bob-pw", "analytics"), ("", "missing")}


def test_a_profile_is_tested_while_another_profile_of_its_file_is_broken(cli: Run) -> None:
    path = trusted(
        write(
            Path("milvus.toml"),
            'default = "local"\n[profiles.local]\nuri = "./data/milvus.db"\n'
            '[profiles.prod]\nuri = "http://prod.example.com:19530"\ndbname = "analytics"\n'
            '[profiles.child]\nextends = "prod"\n',
        )
    ).absolute()
    ready = cli("test", "local")
    assert ready.exit_code == 0, ready.output
    assert rows(ready.stdout)[1][:2] == ["local", "ready"]
    broken = cli("test", "prod")
    assert broken.exit_code == 3
    assert broken.stderr.splitlines() == [
        f"error: {path}:6: unknown key 'dbname' in profiles.prod",
        "hint: did you mean 'db_name'?",
    ]
    every = cli("test", "--all", "--json")
    assert every.exit_code == 3  # the first failure in the order of the files: prod
    verdicts = {p["profile"]: (p["status"], p["error"]) for p in json.loads(every.stdout)["profiles"]}
    said = f"{path}:6: unknown key 'dbname' in profiles.prod"
    assert verdicts == {
        "local": ("ready", None),
        "prod": ("config-error", said),
        "child": ("config-error", said),
    }
