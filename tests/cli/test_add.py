"""milvus-profiles add."""

from __future__ import annotations

import stat
from pathlib import Path

from ..helpers import SENTINEL, MemoryKeyring, Run, files_containing, write

HAND_WRITTEN = """\
# Our team's profiles.
default = "local"   # the one for tests

# Milvus Lite, for tests
[profiles.local]
uri = "./data/milvus.db"

# Staging: ask ops for access
[profiles.staging]
uri = "https://staging.example.com:443"  # behind the VPN
user = "app"

# [profiles.old]
# uri = "http://old:19530"
"""


def project(text: str = HAND_WRITTEN) -> Path:
    return write(Path("milvus.toml"), text)


def test_add_appends_to_the_project_file_and_keeps_everything_else(cli: Run) -> None:
    project()
    result = cli("add", "dev", "--uri", "http://localhost:19530", "--user", "root", "--db-name", "analytics",
                 "--timeout", "5")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == "added profile 'dev' to milvus.toml\n"
    assert Path("milvus.toml").read_text(encoding="utf-8") == HAND_WRITTEN + (
        '\n[profiles.dev]\nuri = "http://localhost:19530"\ndb_name = "analytics"\n'
        'timeout = 5.0\nuser = "root"\n'
    )


def test_outside_a_project_the_user_file_is_created_private(cli: Run, user_file: Path) -> None:
    result = cli("add", "dev", "--uri", "http://localhost:19530")
    assert result.exit_code == 0, result.output
    assert result.output == f"added profile 'dev' to {user_file}\n"
    assert user_file.read_text(encoding="utf-8") == '[profiles.dev]\nuri = "http://localhost:19530"\n'
    assert stat.S_IMODE(user_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(user_file.parent.stat().st_mode) == 0o700


def test_an_existing_file_keeps_its_mode(cli: Run) -> None:
    project().chmod(0o640)
    assert cli("add", "dev", "--uri", "http://h:19530").exit_code == 0
    assert stat.S_IMODE(Path("milvus.toml").stat().st_mode) == 0o640
    assert [p.name for p in Path.cwd().iterdir() if p.name.endswith(".tmp")] == []


def test_scope_local_and_user(cli: Run, user_file: Path) -> None:
    project()
    assert cli("add", "mine", "--uri", "http://me:19530", "--scope", "local").exit_code == 0
    assert (
        Path("milvus.local.toml").read_text(encoding="utf-8") == '[profiles.mine]\nuri = "http://me:19530"\n'
    )
    assert cli("add", "far", "--uri", "http://far:19530", "--scope", "user").exit_code == 0
    assert "[profiles.far]" in user_file.read_text(encoding="utf-8")


def test_scope_project_needs_a_project(cli: Run) -> None:
    result = cli("add", "dev", "--uri", "http://h:19530", "--scope", "project")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: --scope project: no milvus.toml in this folder or above it (up to the repository root)",
        "hint: create one with `milvus-profiles init`, or use --scope user",
    ]


def test_an_existing_name_is_refused_without_force(cli: Run) -> None:
    project()
    result = cli("add", "staging", "--uri", "http://h:19530")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: milvus.toml already has a profile named 'staging'",
        "hint: change one key with `milvus-profiles set staging KEY VALUE`; --force replaces the whole "
        "profile",
    ]
    assert Path("milvus.toml").read_text(encoding="utf-8") == HAND_WRITTEN


def test_force_replaces_the_profile_where_it_stands(cli: Run) -> None:
    project()
    result = cli("add", "staging", "--uri", "https://new.example.com:443", "--force")
    assert result.exit_code == 0, result.output
    assert Path("milvus.toml").read_text(encoding="utf-8") == HAND_WRITTEN.replace(
        'uri = "https://staging.example.com:443"  # behind the VPN\nuser = "app"\n',
        'uri = "https://new.example.com:443"\n',
    )


def test_default_sets_the_files_default(cli: Run) -> None:
    project()
    assert cli("add", "dev", "--uri", "http://h:19530", "--default").output == (
        "added profile 'dev' to milvus.toml as its default\n"
    )
    assert (
        Path("milvus.toml").read_text(encoding="utf-8").splitlines()[1]
        == 'default = "dev"   # the one for tests'
    )


def test_an_invalid_uri_is_refused_before_writing(cli: Run) -> None:
    project()
    result = cli("add", "dev", "--uri", "ftp://x")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: profile 'dev' not added to milvus.toml: profiles.dev.uri: 'ftp://x' is not a Milvus URI: "
        "use http://HOST:19530, https://HOST:443, tcp://HOST:19530, unix:/path/to/milvus.sock, "
        "or a Milvus Lite file ending in .db such as ./milvus.db"
    ]
    assert Path("milvus.toml").read_text(encoding="utf-8") == HAND_WRITTEN


def test_a_password_in_the_uri_is_refused_and_not_repeated(cli: Run, tmp_path: Path) -> None:
    project()
    result = cli("add", "dev", "--uri", f"http://root:{SENTINEL}@h:19530")
    assert result.exit_code == 3
    assert "the URI contains credentials" in result.stderr
    assert SENTINEL not in result.output
    assert files_containing(tmp_path, SENTINEL) == []


def test_a_broken_extends_is_refused(cli: Run) -> None:
    project()
    result = cli("add", "dev", "--uri", "http://h:19530", "--extends", "nope")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: profile 'dev' not added to milvus.toml: profiles.dev.extends: extends 'nope', which is "
        "not a profile; known profiles: local, staging",
        "hint: fix the name, or add that profile",
    ]


def test_extends_takes_the_parent_values(cli: Run) -> None:
    project()
    assert cli("add", "stage-b", "--extends", "staging", "--uri", "https://b.example.com:443").exit_code == 0
    assert cli("show", "stage-b").stdout.splitlines()[-1] == "user     app"


def test_a_name_must_be_plain(cli: Run) -> None:
    result = cli("add", "a b", "--uri", "http://h:19530")
    assert result.exit_code == 2
    assert "Invalid value for 'NAME': 'a b' is not a valid profile name" in result.stderr


def test_a_secret_is_never_an_argument(cli: Run) -> None:
    for option in ("--password", "--token", "--secret"):
        result = cli("add", "dev", "--uri", "http://h:19530", option, SENTINEL)
        assert result.exit_code == 2
        assert f"No such option '{option}'" in result.stderr


def test_ask_secret_prompts_without_echo_and_stores_in_the_keyring(
    cli: Run, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    project()
    result = cli("add", "dev", "--uri", "http://h:19530", "--user", "root", "--ask-secret",
                 input=f"{SENTINEL}\n{SENTINEL}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert memory_keyring.store == {("milvus-profiles", "root@http://h:19530"): SENTINEL}
    assert "Password for user 'root'" in result.stderr
    assert result.stdout.splitlines()[-1] == "stored the secret in the keyring (account root@http://h:19530)"
    assert SENTINEL not in result.output
    assert files_containing(tmp_path, SENTINEL) == []


def test_secret_stdin_stores_a_token_without_the_newline(
    cli: Run, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    project()
    result = cli(
        "add", "cloud", "--uri", "https://c.example.com:443", "--secret-stdin", input=SENTINEL + "\n"
    )
    assert result.exit_code == 0, result.output
    assert memory_keyring.store == {("milvus-profiles", "https://c.example.com:443"): SENTINEL}
    assert SENTINEL not in result.output
    assert files_containing(tmp_path, SENTINEL) == []


def test_the_secret_goes_to_the_new_profile_even_when_a_higher_file_shadows_it(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    project()
    result = cli("add", "staging", "--scope", "user", "--uri", "http://mine:19530", "--user", "me",
                 "--secret-stdin", input=SENTINEL)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "warning: profile 'staging' in " in result.stderr
    assert "is shadowed by the one in milvus.toml, which wins key by key" in result.stderr
    assert memory_keyring.store == {("milvus-profiles", "me@http://mine:19530"): SENTINEL}


def test_secret_options_conflict_and_lite_takes_none(cli: Run) -> None:
    project()
    both = cli("add", "dev", "--uri", "http://h:19530", "--ask-secret", "--secret-stdin")
    assert both.exit_code == 2
    assert "Error: --ask-secret and --secret-stdin cannot be used together" in both.stderr
    lite = cli("add", "lite", "--uri", "./x.db", "--secret-stdin", input=SENTINEL)
    assert lite.exit_code == 3
    assert lite.stderr.splitlines() == [
        "error: profile lite is a Milvus Lite database (./x.db), which takes no secret",
        "hint: drop --ask-secret/--secret-stdin; secrets are for Milvus servers",
    ]
    assert "lite" not in Path("milvus.toml").read_text(encoding="utf-8")


def test_empty_stdin_is_refused(cli: Run) -> None:
    project()
    result = cli("add", "dev", "--uri", "http://h:19530", "--secret-stdin", input="\n")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: no secret on standard input"
    assert "dev" not in Path("milvus.toml").read_text(encoding="utf-8")


def test_tls_paths_are_written_relative_to_the_file(cli: Run, user_file: Path) -> None:
    project()
    Path("certs").mkdir()
    Path("certs/ca.pem").write_text("x", encoding="utf-8")
    sub = Path("sub")
    sub.mkdir()
    result = cli("add", "secure", "--uri", "https://s.example.com:443", "--tls-server-pem", "certs/ca.pem",
                 "--tls-server-name", "milvus.internal")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        Path("milvus.toml")
        .read_text(encoding="utf-8")
        .endswith(
            '[profiles.secure]\nuri = "https://s.example.com:443"\n\n'
            '[profiles.secure.tls]\nserver_pem_path = "certs/ca.pem"\nserver_name = "milvus.internal"\n'
        )
    )
    far = cli("add", "far", "--scope", "user", "--uri", "https://f:443", "--tls-ca-pem", "certs/missing.pem")
    assert far.exit_code == 0
    assert f'ca_pem_path = "{Path.cwd() / "certs" / "missing.pem"}"' in user_file.read_text(encoding="utf-8")
    assert (
        f"warning: tls.ca_pem_path: {Path.cwd() / 'certs' / 'missing.pem'} does not exist (yet)" in far.stderr
    )
