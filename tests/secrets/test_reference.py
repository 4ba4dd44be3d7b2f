"""Secret references in profile files: `{ env = "..." }`, `{ command = [...] }` and `{ file = "..." }`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from milvus_profiles import (
    ConfigError,
    SecretNotFoundError,
    SecretWithheldError,
    ServerUnreachableError,
    connect,
    resolve,
    save_secret,
)
from milvus_profiles.cli import main
from milvus_profiles.config.toml import clear_cache
from milvus_profiles.secrets import reference as references

from ..helpers import SENTINEL, MemoryKeyring, trusted, write

PY = sys.executable.replace("\\", "\\\\")
URI = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once


def command(code: str) -> str:
    return f'["{PY}", "-c", "{code}"]'


def touch(marker: Path) -> str:
    """A command that leaves ``marker`` behind when it runs."""
    return command(f"open(r'{marker}', 'w'); print('token-value')")


def profile(name: str, reference: str, *, user: str | None = None) -> str:
    lines = [f"[profiles.{name}]", 'uri = "https://p.example"']
    if user:
        lines.append(f'user = "{user}"')
    lines.append(reference)
    return "\n".join(lines) + "\n"


def test_env_reference(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = trusted(
        write(
            isolated / "milvus.toml",
            '[profiles.prod]\nuri = "https://p.example"\ntoken = { env = "PROD_MILVUS_TOKEN" }\n',
        )
    )
    monkeypatch.setenv("PROD_MILVUS_TOKEN", SENTINEL)
    cfg = resolve("prod")
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == SENTINEL
    assert str(cfg.origins["token"]) == f"reference env PROD_MILVUS_TOKEN ({path}:3 [profiles.prod])"
    assert cfg.explain().splitlines()[-2].split()[:4] == ["token", "********", "reference", "env"]
    monkeypatch.setenv("PROD_MILVUS_TOKEN", "rotated")  # read again by every resolve
    token = resolve("prod").token
    assert token is not None
    assert token.get_secret_value() == "rotated"


def test_an_untrusted_file_reads_no_variable(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        isolated / "milvus.toml",
        '[profiles.evil]\nuri = "https://attacker.example"\ntoken = { env = "AWS_SECRET_ACCESS_KEY" }\n',
    )
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SENTINEL)
    cfg = resolve("evil")
    assert cfg.token is None
    assert isinstance(cfg.secret_error, SecretWithheldError)
    assert str(cfg.secret_error) == (
        "profile evil: the token reference (env AWS_SECRET_ACCESS_KEY) is not followed: it is written in "
        f"{path}, a project file you have not trusted yet (one you wrote, or a cloned repository's)\n"
        "hint: read it, then run `milvus-profiles trust milvus.toml`"
    )
    assert SENTINEL not in repr(cfg) + cfg.explain()


def test_a_trusted_file_may_name_any_variable(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        user_file, '[profiles.cloud]\nuri = "https://c.example"\ntoken = { env = "ZILLIZ_CLOUD_API_KEY" }\n'
    )
    monkeypatch.setenv("ZILLIZ_CLOUD_API_KEY", SENTINEL)
    token = resolve("cloud").token
    assert token is not None
    assert token.get_secret_value() == SENTINEL


def test_a_reference_with_both_or_neither_source(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\ntoken = { env = "MILVUS_T", command = ["x"] }\n')
    with pytest.raises(ConfigError) as e:
        resolve("p")
    assert str(e.value) == (
        f'{path}:2: profiles.p.token: give exactly one of env = "VARIABLE", command = ["program", "arg"] '
        'or file = "/path"'
    )


def test_an_unset_variable_is_reported_when_the_secret_is_needed(isolated: Path) -> None:
    trusted(
        write(
            isolated / "milvus.toml",
            '[profiles.p]\nuri = "http://127.0.0.1:9"\nuser = "u"\npassword = { env = "P_MILVUS_PW" }\n',
        )
    )
    cfg = resolve("p")  # resolving never needs the secret
    assert cfg.password is None
    with pytest.raises(SecretNotFoundError) as e:
        connect("p")
    assert str(e.value) == (
        "profile p: password refers to the environment variable P_MILVUS_PW, which is not set\n"
        "hint: set P_MILVUS_PW, or change the reference in the profile file"
    )


def test_command_reference_in_the_user_file(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring
) -> None:
    runs = isolated / "runs.txt"
    code = f"open(r'{runs}', 'a').write('x'); print('  {SENTINEL}  ')"
    write(
        user_file,
        f'[profiles.p]\nuri = "https://p.example"\nuser = "u"\npassword = {{ command = {command(code)} }}\n',
    )
    cfg = resolve("p")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == SENTINEL  # trimmed
    assert str(cfg.origins["password"]).startswith(f"reference command {sys.executable} -c ")
    assert SENTINEL not in cfg.explain().replace(code, "")
    resolve("p", db_name="other")
    assert runs.read_text() == "xx"  # run for every resolve: its output is never kept
    assert memory_keyring.lookups == []  # a reference comes before the keyring


def test_command_reference_in_an_untrusted_project_file_never_runs(isolated: Path) -> None:
    marker = isolated / "ran"
    path = write(
        isolated / "milvus.toml", profile("p", f"password = {{ command = {touch(marker)} }}", user="u")
    )
    cfg = resolve("p")
    assert isinstance(cfg.secret_error, SecretWithheldError)
    assert cfg.secret_error.message.startswith("profile p: the password reference (command ")
    assert cfg.secret_error.message.endswith(
        f"is not followed: it is written in {path}, a project file you have not trusted "
        "yet (one you wrote, or a cloned repository's)"
    )
    with pytest.raises(SecretWithheldError) as e:
        connect("p")
    assert e.value.path == path
    assert e.value.hint == "read it, then run `milvus-profiles trust milvus.toml`"
    assert not marker.exists()
    # trusting the file, or naming it, lets it run
    trusted(path)
    assert resolve("p").password is not None
    assert marker.exists()
    marker.unlink()
    assert resolve("p", files=[path], db_name="x").password is not None


@pytest.mark.parametrize("program", ["bin/get-token", "./get-token", "tools\\\\get-token"])
def test_a_command_given_by_a_relative_path_is_refused(isolated: Path, user_file: Path, program: str) -> None:
    path = write(user_file, profile("p", f'token = {{ command = ["{program}"] }}'))
    with pytest.raises(ConfigError) as e:
        resolve("p")
    assert e.value.path == path
    assert e.value.line == 3
    assert "is a relative path, which would run a file of whatever folder you are in" in e.value.reason


def test_file_reference(isolated: Path, user_file: Path) -> None:
    secret = write(isolated / "run" / "token", SENTINEL + "\n")
    secret.chmod(0o644)  # as Kubernetes mounts a Secret
    write(user_file, profile("p", f'token = {{ file = "{secret}" }}'))
    cfg = resolve("p")
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == SENTINEL
    assert str(cfg.origins["token"]) == f"reference file {secret} ({user_file}:3 [profiles.p])"


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and mode bits are POSIX")
def test_file_reference_refuses_what_is_not_a_private_regular_file(isolated: Path, user_file: Path) -> None:
    import os

    fifo = isolated / "fifo"
    os.mkfifo(fifo)
    shared = write(isolated / "shared", "x")
    shared.chmod(0o666)
    relative = "run/token"
    for target, expected in (
        (fifo, f"refers to {fifo}, which is not a regular file"),
        (shared, f"refers to {shared}, but the file is writable by other users, so it is not read"),
        (isolated / "missing", f"refers to the file {isolated / 'missing'}, which does not exist"),
    ):
        write(user_file, profile("p", f'token = {{ file = "{target}" }}'))
        error = resolve("p").secret_error
        assert isinstance(error, SecretNotFoundError), target
        assert expected in error.message
    write(user_file, profile("p", f'token = {{ file = "{relative}" }}'))
    with pytest.raises(ConfigError, match="must be an absolute path"):
        resolve("p")


def test_a_failing_command_reports_status_and_stderr_but_never_its_output(isolated: Path) -> None:
    code = f"import sys; print('{SENTINEL}'); sys.stderr.write('vault is locked'); sys.exit(3)"
    path = write(
        isolated / "p.toml",
        f'[profiles.p]\nuri = "https://p.example"\ntoken = {{ command = {command(code)} }}\n',
    )
    cfg = resolve("p", files=[path])
    assert isinstance(cfg.secret_error, SecretNotFoundError)
    message = str(cfg.secret_error)
    assert message.startswith(f"profile p: token runs `{sys.executable} -c ")
    assert message.endswith(
        "`, which exited with status 3: vault is locked\n"
        "hint: run the command yourself to fix it; its output is never shown here"
    )
    assert SENTINEL not in message.replace(code, "")
    with pytest.raises(SecretNotFoundError):
        connect("p", files=[path])


def test_a_command_that_hangs_is_stopped(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(references, "COMMAND_TIMEOUT", 0.5)
    hang = command("import time; time.sleep(30)")
    path = write(isolated / "p.toml", profile("p", f"token = {{ command = {hang} }}"))
    error = resolve("p", files=[path]).secret_error
    assert error is not None
    assert "which did not finish within 0.5 s" in str(error)


def test_a_missing_program(isolated: Path) -> None:
    path = write(
        isolated / "p.toml",
        '[profiles.p]\nuri = "https://p.example"\ntoken = { command = ["no-such-program-x"] }\n',
    )
    error = resolve("p", files=[path]).secret_error
    assert str(error) == (
        "profile p: token runs `no-such-program-x`, but 'no-such-program-x' is not installed or not on PATH\n"
        "hint: install it, or change the reference in the profile file (only PATH's absolute folders are "
        "searched)"
    )


def test_environment_and_arguments_win_over_a_reference(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = isolated / "ran"
    path = write(isolated / "p.toml", profile("p", f"token = {{ command = {touch(marker)} }}"))
    monkeypatch.setenv("MILVUS_TOKEN", "from-env")
    assert str(resolve("p", files=[path]).origins["token"]) == "env MILVUS_TOKEN"
    assert str(resolve("p", files=[path], token="arg").origins["token"]) == "argument token="
    assert not marker.exists()


def test_a_reference_comes_before_the_keyring(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trusted(
        write(
            isolated / "milvus.toml",
            '[profiles.p]\nuri = "https://p.example"\ntoken = { env = "P_MILVUS_T" }\n',
        )
    )
    save_secret("p", "from-keyring")
    monkeypatch.setenv("P_MILVUS_T", "from-reference")
    token = resolve("p").token
    assert token is not None
    assert token.get_secret_value() == "from-reference"


def script(path: Path, code: str) -> Path:
    """An executable Python program at ``path``."""
    write(path, f"#!{sys.executable}\n{code}\n").chmod(0o755)
    return path


@pytest.fixture
def planted(isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A repository's ``./op-milvus`` that leaves a canary when it runs, the real ``op-milvus`` in an
    absolute folder of PATH, and a PATH whose empty and ``.`` entries come first; returns the canary and
    the real program."""
    canary = tmp_path / "canary"
    script(isolated / "op-milvus", f"open(r'{canary}', 'w'); print('from-the-repository')")
    real = script(tmp_path / "bin" / "op-milvus", f"print('{SENTINEL}')")
    monkeypatch.setenv("PATH", os.pathsep.join(["", ".", "bin", str(real.parent), os.environ["PATH"]]))
    return canary, real


@pytest.mark.skipif(sys.platform == "win32", reason="a program found by its #! line")
def test_a_bare_command_name_is_never_found_in_the_working_folder(
    isolated: Path, user_file: Path, planted: tuple[Path, Path]
) -> None:
    canary, real = planted
    write(user_file, profile("p", 'token = { command = ["op-milvus"] }').replace("https://p.example", URI))
    user_file.chmod(0o600)
    cfg = resolve("p")
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == SENTINEL  # the program of PATH's absolute folder
    assert references.program("op-milvus", environ=os.environ) == str(real)
    with pytest.raises(ServerUnreachableError):
        connect("p", timeout=2)
    assert not canary.exists()
    real.unlink()  # only the repository's program is left, where PATH's empty and relative entries lead
    clear_cache()
    error = resolve("p").secret_error
    assert isinstance(error, SecretNotFoundError)
    assert "'op-milvus' is not installed or not on PATH" in error.message
    with pytest.raises(SecretNotFoundError):
        connect("p", timeout=2)
    result = CliRunner().invoke(main, ["test", "p"])
    assert "'op-milvus' is not installed or not on PATH" in result.output
    assert not canary.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a program found by its #! line")
def test_show_doctor_and_secret_status_run_no_command_reference(
    isolated: Path, user_file: Path, planted: tuple[Path, Path]
) -> None:
    canary, real = planted
    real.unlink()
    ran = isolated.parent / "ran"
    write(
        user_file,
        profile("p", f"password = {{ command = {touch(ran)} }}", user="u")
        + profile("q", 'token = { command = ["op-milvus"] }').replace("[profiles.p]", "[profiles.q]"),
    )
    for args in (["show", "p"], ["show", "p", "--explain"], ["show", "p", "--json"], ["doctor"],
                 ["secret", "status", "p"], ["show", "q"], ["secret", "status", "q"], ["list"]):  # fmt: skip
        clear_cache()
        result = CliRunner().invoke(main, args)
        assert result.exit_code in (0, 1), (args, result.output)
        assert not ran.exists(), args
        assert not canary.exists(), args
    clear_cache()
    shown = CliRunner().invoke(main, ["show", "p", "--explain"]).output
    assert "password  (a command, not run)  reference command " in shown
    assert "hint: the password command is not run here: it runs for a connection" in shown
    as_json = json.loads(CliRunner().invoke(main, ["show", "p", "--json"]).stdout)
    assert as_json["values"]["password"] == "(a command, not run)"
    from milvus_profiles.resolution.resolver import inspect

    error = inspect("p").secret_error
    assert error is not None
    assert error.message.startswith("profile p: password comes from a command reference (not run): ")
    assert as_json["origins"]["password"].startswith(f"reference command {sys.executable} -c ")
    status = CliRunner().invoke(main, ["secret", "status", "p"])
    assert status.exit_code == 0
    assert f"in use:       reference command {sys.executable} -c " in status.output
    assert status.output.rstrip().endswith("[profiles.p]), not run")
    # asked for, it runs
    revealed = CliRunner().invoke(main, ["show", "p", "--reveal"])
    assert "token-value" in revealed.output
    assert ran.exists()
    assert not canary.exists()
