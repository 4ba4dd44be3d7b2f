"""milvus-profiles import: profiles from MILVUS_* variables, a .env file and milvus_cli's connections.

Every secret here is the sentinel: it must reach the keyring, and appear in no output and no profile file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..helpers import SENTINEL, MemoryKeyring, Run, files_containing, write

SERVICE = "milvus-profiles"


@pytest.fixture(autouse=True)
def project(repository: Path) -> Path:
    return write(repository / "milvus.toml", '[profiles.local]\nuri = "./data/milvus.db"\n')


def milvus_cli_file(tmp_path: Path, connections: dict[str, object]) -> Path:
    return write(tmp_path / "home" / ".milvus_cli_connections.json", json.dumps(connections, indent=2))


def no_sentinel_outside(root: Path, *allowed: Path) -> None:
    assert files_containing(root, SENTINEL) == [p.absolute() for p in allowed]


def test_env_user_and_password(cli: Run, memory_keyring: MemoryKeyring, repository: Path) -> None:
    env = {
        "MILVUS_URI": "https://milvus.example.com:443",
        "MILVUS_USER": "app",
        "MILVUS_PASSWORD": SENTINEL,
        "MILVUS_DB_NAME": "analytics",
        "MILVUS_TIMEOUT": "2.5",
    }
    result = cli("import", "--from", "env", "--name", "prod", env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "imported profile 'prod' into milvus.toml from the environment",
        "stored the password of 'prod' in the keyring (account app@https://milvus.example.com:443)",
    ]
    assert result.stderr.splitlines() == [
        "warning: the password is still set in the environment (MILVUS_PASSWORD), where it wins over the "
        "keyring: unset it, and remove it from where it is set (a shell startup file, CI settings)",
    ]
    assert (
        Path("milvus.toml")
        .read_text(encoding="utf-8")
        .endswith(
            '[profiles.prod]\nuri = "https://milvus.example.com:443"\ndb_name = "analytics"\ntimeout = 2.5\n'
            'user = "app"\n'
        )
    )
    assert memory_keyring.store[(SERVICE, "app@https://milvus.example.com:443")] == SENTINEL
    no_sentinel_outside(repository)
    assert cli("check").exit_code == 0


def test_env_token_user_colon_password_becomes_user_and_password(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    env = {"MILVUS_URI": "http://localhost:19530", "MILVUS_TOKEN": f"root:{SENTINEL}"}
    result = cli("import", "--from", "env", "--name", "dev", env=env)
    assert result.exit_code == 0, result.output
    assert 'user = "root"' in Path("milvus.toml").read_text(encoding="utf-8")
    assert memory_keyring.store[(SERVICE, "root@http://localhost:19530")] == SENTINEL
    assert "(MILVUS_TOKEN)" in result.stderr
    assert SENTINEL not in result.output


def test_env_needs_a_name_and_a_uri(cli: Run) -> None:
    result = cli("import", "--from", "env")
    assert result.exit_code == 2
    assert "Error: --from env needs --name NAME, the name of the new profile" in result.stderr
    result = cli("import", "--from", "env", "--name", "prod", env={"MILVUS_TOKEN": SENTINEL})
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: MILVUS_URI is not set in the environment, so there is no server to import",
        "hint: set MILVUS_URI, or add a profile with `milvus-profiles add prod --uri URI`",
    ]
    assert SENTINEL not in result.output


def test_env_with_a_bad_timeout(cli: Run) -> None:
    env = {"MILVUS_URI": "http://h:19530", "MILVUS_TIMEOUT": "soon"}
    result = cli("import", "--from", "env", "--name", "dev", env=env)
    assert result.exit_code == 3
    assert (
        result.stderr
        == "error: MILVUS_TIMEOUT in the environment: 'soon' is not a number of seconds greater than 0 "
        "and at most 3600\n"
    )


def test_dotenv_token(cli: Run, memory_keyring: MemoryKeyring, repository: Path) -> None:
    dotenv = write(
        repository / ".env",
        f"# settings\nMILVUS_URI=https://in01-abc.zillizcloud.com:19530\nMILVUS_TOKEN='{SENTINEL}'\n",
    )
    result = cli("import", "--from", "dotenv", "--name", "cloud")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "imported profile 'cloud' into milvus.toml from .env",
        "stored the token of 'cloud' in the keyring (account https://in01-abc.zillizcloud.com:19530)",
    ]
    assert result.stderr == (
        "warning: the token is still in plain text in .env (MILVUS_TOKEN): delete it there, now that the "
        "keyring holds it\n"
    )
    assert memory_keyring.store[(SERVICE, "https://in01-abc.zillizcloud.com:19530")] == SENTINEL
    no_sentinel_outside(repository, dotenv)


def test_dotenv_credentials_in_the_uri_are_taken_out(
    cli: Run, memory_keyring: MemoryKeyring, repository: Path, tmp_path: Path
) -> None:
    dotenv = write(tmp_path / "elsewhere" / "prod.env", f"MILVUS_URI=http://root:{SENTINEL}@db:19530\n")
    result = cli("import", "--from", "dotenv", "--path", str(dotenv), "--name", "dev")
    assert result.exit_code == 0, result.output
    assert (
        Path("milvus.toml")
        .read_text(encoding="utf-8")
        .endswith('[profiles.dev]\nuri = "http://db:19530"\nuser = "root"\n')
    )
    assert memory_keyring.store[(SERVICE, "root@http://db:19530")] == SENTINEL
    assert f"still in plain text in {dotenv} (MILVUS_URI)" in result.stderr
    no_sentinel_outside(repository)


def test_dotenv_missing(cli: Run) -> None:
    result = cli("import", "--from", "dotenv", "--name", "dev")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: .env: no such file",
        "hint: give the file with --path",
    ]


def test_a_lite_path_is_written_relative_to_the_file_and_takes_no_secret(
    cli: Run, memory_keyring: MemoryKeyring, repository: Path
) -> None:
    sub = repository / "service"
    sub.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        env = {"MILVUS_URI": "./lite.db", "MILVUS_TOKEN": SENTINEL}
        result = cli("import", "--from", "env", "--name", "mine", env=env)
    assert result.exit_code == 0, result.output
    assert 'uri = "service/lite.db"' in (repository / "milvus.toml").read_text(encoding="utf-8")
    assert result.stderr == "warning: the token is not imported: Milvus Lite takes no secret\n"
    assert memory_keyring.store == {}


CONNECTIONS = {
    "http://localhost:19530": {
        "uri": "http://localhost:19530",
        "token": f"root:{SENTINEL}",
        "tlsmode": 0,
        "cert": None,
        "last_used": "2025-05-01T10:00:00",
    },
    "cloud": {
        "uri": "https://in01-abc.zillizcloud.com:19530",
        "token": SENTINEL,
        "tlsmode": 1,
        "cert": None,
        "last_used": "2025-05-02T10:00:00",
    },
    "internal": {"uri": "milvus.internal:19530", "token": None, "tlsmode": 1, "cert": "/etc/ssl/ca.pem"},
}


def test_milvus_cli_connections(
    cli: Run, memory_keyring: MemoryKeyring, repository: Path, tmp_path: Path
) -> None:
    saved = milvus_cli_file(tmp_path, CONNECTIONS)
    result = cli("import", "--from", "milvus-cli", "--path", str(saved))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"imported profile 'localhost-19530' into milvus.toml from {saved} [http://localhost:19530]",
        f"imported profile 'cloud' into milvus.toml from {saved} [cloud]",
        f"imported profile 'internal' into milvus.toml from {saved} [internal]",
        "stored the password of 'localhost-19530' in the keyring (account root@http://localhost:19530)",
        "stored the token of 'cloud' in the keyring (account https://in01-abc.zillizcloud.com:19530)",
    ]
    assert result.stderr.splitlines() == [
        f"warning: the {kind} is still in plain text in {saved}: "
        "delete it there, now that the keyring holds it"
        for kind in ("password", "token")
    ]
    assert (
        Path("milvus.toml")
        .read_text(encoding="utf-8")
        .endswith(
            '[profiles.localhost-19530]\nuri = "http://localhost:19530"\nuser = "root"\n\n'
            '[profiles.cloud]\nuri = "https://in01-abc.zillizcloud.com:19530"\n\n'
            '[profiles.internal]\nuri = "http://milvus.internal:19530"\n\n'
            '[profiles.internal.tls]\nsecure = true\nserver_pem_path = "/etc/ssl/ca.pem"\n'
        )
    )
    assert memory_keyring.store == {
        (SERVICE, "root@http://localhost:19530"): SENTINEL,
        (SERVICE, "https://in01-abc.zillizcloud.com:19530"): SENTINEL,
    }
    no_sentinel_outside(repository)
    assert cli("check").exit_code == 1  # only because /etc/ssl/ca.pem does not exist here
    assert "ca.pem" in cli("check").output


def test_milvus_cli_default_file_is_in_the_home_folder(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    milvus_cli_file(tmp_path, {"dev": {"uri": "http://dev:19530", "token": None}})
    result = cli("import", "--from", "milvus-cli")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == "imported profile 'dev' into milvus.toml from ~/.milvus_cli_connections.json [dev]\n"
    )


def test_milvus_cli_takes_no_name_and_a_broken_file_is_refused(cli: Run, tmp_path: Path) -> None:
    assert cli("import", "--from", "milvus-cli", "--name", "x").exit_code == 2
    broken = write(tmp_path / "c.json", "[1, 2]")
    result = cli("import", "--from", "milvus-cli", "--path", str(broken))
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {broken}: not a milvus_cli connections file (expected an object of connections)\n"
    )


def test_existing_names_need_force(cli: Run, memory_keyring: MemoryKeyring) -> None:
    env = {"MILVUS_URI": "http://new:19530"}
    result = cli("import", "--from", "env", "--name", "local", env=env)
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: milvus.toml already has a profile named 'local'",
        "hint: use --force to replace it, or --name to choose another name",
    ]
    result = cli("import", "--from", "env", "--name", "local", "--force", "--default", env=env)
    assert result.exit_code == 0, result.output
    assert Path("milvus.toml").read_text(encoding="utf-8") == (
        'default = "local"\n\n[profiles.local]\nuri = "http://new:19530"\n'
    )
    assert result.stdout.splitlines()[-1] == "'local' is now the default of milvus.toml"


def test_dry_run_changes_nothing_and_prints_no_secret(
    cli: Run, memory_keyring: MemoryKeyring, repository: Path
) -> None:
    before = Path("milvus.toml").read_text(encoding="utf-8")
    env = {"MILVUS_URI": "https://h:443", "MILVUS_USER": "app", "MILVUS_PASSWORD": SENTINEL}
    result = cli("import", "--from", "env", "--name", "prod", "--dry-run", env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "would add profile 'prod' to milvus.toml from the environment:",
        "[profiles.prod]",
        'uri = "https://h:443"',
        'user = "app"',
        "would store the password in the keyring (account app@https://h:443)",
        "",
        "dry run: nothing was written or stored",
    ]
    assert SENTINEL not in result.output
    assert Path("milvus.toml").read_text(encoding="utf-8") == before
    assert memory_keyring.store == {}


def test_a_secret_is_not_stored_for_an_endpoint_the_environment_overrides(
    cli: Run, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    saved = milvus_cli_file(tmp_path, {"cloud": {"uri": "https://a.example:443", "token": SENTINEL}})
    env = {"MILVUS_URI": "https://b.example:443"}
    result = cli("import", "--from", "milvus-cli", "--path", str(saved), env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: the token of 'cloud' was not stored: the profile resolves to https://b.example:443, not "
        "https://a.example:443, because MILVUS_URI is set in the environment",
        "hint: unset it, then run `milvus-profiles secret set cloud`",
    ]
    assert memory_keyring.store == {}
    assert SENTINEL not in result.output
