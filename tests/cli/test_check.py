"""milvus-profiles check, and the pre-commit hook that runs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..helpers import MemoryKeyring, Run, write

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
default = "local"

[profiles.local]
uri = "./data/milvus.db"

[profiles.secure]
uri = "https://s.example.com:443"

[profiles.secure.tls]
server_pem_path = "certs/ca.pem"
"""

BAD = """\
default = "prod"

[profiles.local]
uri = "./data/milvus.db"
password = "hunter2"

[profiles.dev]
url = "http://dev:19530"
extends = "nowhere"

[profiles.secure]
uri = "https://s.example.com:443"

[profiles.secure.tls]
server_pem_path = "certs/missing.pem"
"""


def test_good_files_pass(cli: Run, memory_keyring: MemoryKeyring) -> None:
    write(Path("milvus.toml"), GOOD)
    write(Path("certs/ca.pem"), "-----BEGIN CERTIFICATE-----\n")
    result = cli("check")
    assert result.exit_code == 0, result.output
    assert result.output == "ok: 1 file, 2 profiles\n"
    assert memory_keyring.lookups == []


def test_every_problem_is_a_file_line_message(cli: Run) -> None:
    write(Path("milvus.toml"), BAD)
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "milvus.toml:1: default 'prod' names no profile; known profiles: local, dev, secure",
        "    hint: fix the name, or set another with `milvus-profiles set-default NAME`",
        "milvus.toml:5: profiles.local.password: a password does not belong in a profile file; "
        "secrets never go in files",
        "    hint: remove it, then store it with `milvus-profiles secret set local`, set MILVUS_PASSWORD "
        'in the environment, or refer to where it is kept: password = { env = "VARIABLE" }, '
        'password = { command = ["program", "arg"] } or password = { file = "/path" }',
        "milvus.toml:8: unknown key 'url' in profiles.dev",
        "    hint: did you mean 'uri'?",
        "milvus.toml:9: profiles.dev.extends: extends 'nowhere', which is not a profile; known profiles: "
        "local, secure",
        "    hint: fix the name, or add that profile",
        "milvus.toml:15: profiles.secure.tls.server_pem_path: certs/missing.pem does not exist",
        "    hint: fix the path; a relative path is relative to the profile file's folder",
        "5 problems in 1 file",
    ]
    assert "hunter2" not in result.output


def test_files_given_are_checked_with_the_discovered_ones_as_context(cli: Run, user_file: Path) -> None:
    write(user_file, '[profiles.base]\nuri = "http://base:19530"\n')
    write(Path("milvus.toml"), '[profiles.child]\nextends = "base"\n')
    write(Path("other.toml"), '[profiles.x]\nextends = "missing"\n')
    assert cli("check", "milvus.toml").output == "ok: 1 file, 1 profile\n"
    result = cli("check", "milvus.toml", "other.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "other.toml:2: profiles.x.extends: extends 'missing', which is not a profile; known profiles: "
        "base, child"
    )


def test_a_cycle_in_extends(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.a]\nextends = "b"\n\n[profiles.b]\nextends = "a"\n')
    result = cli("check")
    assert result.exit_code == 1
    assert (
        result.stdout.splitlines()[0]
        == "milvus.toml:2: profiles.a.extends: extends forms a cycle: b -> a -> b"
    )


def test_a_file_that_is_not_toml(cli: Run) -> None:
    write(Path("milvus.toml"), "[profiles.local\nuri = 1\n")
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("milvus.toml:1: not valid TOML: ")


def test_a_missing_file_given(cli: Run) -> None:
    result = cli("check", "nope.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "nope.toml: profile file not found",
        "    hint: create it with `milvus-profiles init`, or fix the path given by --file or "
        "MILVUS_PROFILES_FILE",
        "1 problem in 1 file",
    ]


def test_nothing_to_check(cli: Run) -> None:
    result = cli("check")
    assert result.exit_code == 0
    assert result.output == "ok: no profile files found\n"


def test_the_pre_commit_hook() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: milvus-profiles-check\n" in hooks
    assert "  entry: milvus-profiles check\n" in hooks
    pattern = re.search(r"^  files: (.+)$", hooks, flags=re.M)
    assert pattern is not None
    files = re.compile(pattern.group(1))
    for name in ("milvus.toml", "app/milvus.toml", "milvus.local.toml", "x/y/profiles.toml"):
        assert files.search(name), name
    for name in ("pyproject.toml", "notmilvus.toml", "milvus.toml.bak", "myprofiles.toml"):
        assert not files.search(name), name


COMMAND_REFERENCE = (
    '[profiles.prod]\nuri = "http://127.0.0.1:19530"\nuser = "svc"\n'
    'password = { command = ["pass", "milvus"] }\n'
)


def test_check_refuses_a_variable_resolving_refuses_wherever_it_runs(
    cli: Run, repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repository / "milvus.toml").write_text(
        '[profiles.a]\nuri = "http://${MILVUS_HOST}:19530"\ndb_name = "${HOME}"\n'
        '[profiles.b]\nuri = "http://${MILVUS_HOST}:1"\n'
    )
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("milvus.toml:3: profiles.a.db_name: ${HOME} cannot be expanded")
    assert "profiles.b" not in result.stdout  # its variables are allowed; their values are not known yet
    monkeypatch.setenv("MILVUS_HOST", "127.0.0.1")
    assert cli("check").stdout == result.stdout  # the environment changes nothing


def test_check_reports_what_connect_refuses_whoever_wrote_the_file(cli: Run) -> None:
    write(
        Path("milvus.toml"),
        '[profiles.a]\nuri = "https://h.example:443"\n[profiles.a.tls]\nsecure = false\n'
        '[profiles.b]\nuri = "http://h.example:1"\n[profiles.b.grpc]\n"grpc.http_proxy" = "http://p:1"\n'
        '[profiles.c]\nuri = "http://h.example:1"\ntoken = { command = ["bin/get-token"] }\n',
    )
    result = cli("check")
    assert result.exit_code == 1
    out = result.stdout
    assert (
        "milvus.toml:4: profiles.a.tls.secure: secure = false cannot turn TLS off for an https:// URI" in out
    )
    assert (
        "milvus.toml:7: profiles.b.grpc: 'grpc.http_proxy' is not a gRPC option a profile file may set" in out
    )
    assert "milvus.toml:11: profiles.c.token.command: the program 'bin/get-token' is a relative path" in out


def test_a_broken_profile_is_reported_and_the_others_checked_as_usual(cli: Run) -> None:
    write(
        Path("milvus.toml"),
        '[profiles.local]\nuri = "./a.db"\n[profiles.prod]\nuri = "http://h:19530"\ndbname = "x"\n'
        '[profiles.child]\nextends = "prod"\n[profiles.lost]\nextends = "gone"\n',
    )
    result = cli("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "milvus.toml:5: unknown key 'dbname' in profiles.prod",
        "    hint: did you mean 'db_name'?",
        "milvus.toml:9: profiles.lost.extends: extends 'gone', which is not a profile; known profiles: "
        "local, prod, child",
        "    hint: fix the name, or add that profile",
        "2 problems in 1 file",
    ]


def test_a_certificate_of_a_linked_file_is_looked_for_where_connect_looks(cli: Run, tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    (team / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    write(
        team / "milvus.toml",
        '[profiles.s]\nuri = "https://h:443"\n[profiles.s.tls]\nca_pem_path = "ca.pem"\n',
    )
    Path("milvus.toml").symlink_to(team / "milvus.toml")  # beside the real file, not beside the link
    assert cli("check").output == "ok: 1 file, 1 profile\n"
