"""One sweep for the sentinel secret: through the keyring, the environment, arguments and secret
references, into every command and output format, failure paths and --debug included, every error, every
repr and str, and DEBUG-level logs. It may only appear where --reveal or --include-secrets asked for it."""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from milvus_profiles import MilvusProfilesError, connect, resolve, save_secret
from milvus_profiles.cli import main
from milvus_profiles.connection.probe import probe

from .helpers import SENTINEL, MemoryKeyring, trusted, write

REVEALING = {("show", "--reveal"), ("env", "--include-secrets")}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def profiles(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    (isolated / ".git").mkdir()
    port = closed_port()
    write(
        isolated / "milvus.toml",
        f"""\
default = "keyring"
[profiles.keyring]
uri = "http://127.0.0.1:{port}"
user = "root"
timeout = 1
[profiles.envref]
uri = "http://127.0.0.1:{port}"
token = {{ env = "SWEEP_MILVUS_TOKEN" }}
timeout = 1
[profiles.lite]
uri = "./data/milvus.db"
db_name = "missing"
[profiles.nopass]
uri = "http://127.0.0.1:{port}"
user = "nobody"
""",
    )
    trusted(isolated / "milvus.toml")
    # not trusted: its server gets no stored secret (the keyring has root's)
    write(
        isolated / "milvus.local.toml",
        f'[profiles.untrusted]\nuri = "http://127.0.0.1:{closed_port()}"\nuser = "root"\ntimeout = 1\n',
    )
    py = sys.executable.replace("\\", "\\\\")
    write(
        user_file,
        f'[profiles.cmdref]\nuri = "https://127.0.0.1:{port}"\ntimeout = 1\n'
        # the command prints the sentinel without spelling it out, so its text may be shown
        f'token = {{ command = ["{py}", "-c", "print(\'{SENTINEL[:5]}\' + \'{SENTINEL[5:]}\')"] }}\n',
    )
    user_file.chmod(0o600)
    save_secret("keyring", SENTINEL)
    monkeypatch.setenv("SWEEP_MILVUS_TOKEN", SENTINEL)
    return ["keyring", "envref", "cmdref", "lite", "nopass", "untrusted"]


def commands(names: list[str]) -> Iterator[list[str]]:
    yield from (["list"], ["list", "--json"], ["check"], ["doctor"], ["--help"], ["--version"])
    yield from (["test", "--all"], ["test", "--all", "--json"], ["--debug", "test", "--all"])
    for name in names:
        yield from (
            ["show", name],
            ["show", name, "--explain"],
            ["show", name, "--json"],
            ["show", name, "--explain", "--json"],
            ["show", name, "--reveal"],
            ["test", name],
            ["test", name, "--json"],
            ["--debug", "test", name],
            ["secret", "status", name],
            ["env", name, "--include-secrets"],
            *(["env", name, "--format", f] for f in ("sh", "fish", "powershell", "dotenv", "json")),
        )
    yield from (["show", "nope"], ["--debug", "show", "nope"], ["env", "nope"], ["secret", "delete", "lite"])


def test_the_sentinel_appears_only_where_asked_for(
    profiles: list[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PYDANTIC_SETTINGS_DEBUG", "1")
    caplog.set_level(logging.DEBUG)
    revealed = []
    for environment in ({}, {"MILVUS_PASSWORD": SENTINEL}):
        for args in commands(profiles):
            result = CliRunner().invoke(main, args, env=environment)
            asked = any((args[0] == c and flag in args) for c, flag in REVEALING)
            where = f"{args} with {sorted(environment)}"
            assert "Traceback" not in result.output or "--debug" in args, where
            if asked:
                revealed.append(SENTINEL in result.output)
            else:
                assert SENTINEL not in result.output, where
    assert any(revealed)  # --reveal and --include-secrets do show it where the profile has it
    assert SENTINEL not in caplog.text


def test_errors_reprs_and_logs_never_hold_it(
    profiles: list[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    shown: list[str] = []
    errors: list[BaseException] = []
    for name in profiles:
        for overrides in ({}, {"password": SENTINEL}, {"token": SENTINEL}):
            cfg = resolve(name, **overrides)
            shown += [repr(cfg), str(cfg), cfg.explain(), cfg.summary(), repr(dict(cfg.origins))]
            shown += [str(o) for o in cfg.origins.values()] + [repr(o) for o in cfg.origins.values()]
            try:
                connect(name, **overrides).close()
            except MilvusProfilesError as e:
                errors.append(e)
            if not cfg.is_lite:  # probe() is for servers; Milvus Lite goes through connect()
                try:
                    probe(cfg)
                except MilvusProfilesError as e:
                    errors.append(e)
    assert {type(e).__name__ for e in errors} >= {
        "ServerUnreachableError",
        "DatabaseNotFoundError",
        "SecretNotFoundError",
        "SecretWithheldError",
    }
    for error in errors:
        shown += [str(error), repr(error), str(error.args)]
    for text in shown:
        assert SENTINEL not in text
    assert SENTINEL not in caplog.text
