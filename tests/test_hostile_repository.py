"""A cloned repository cannot route a stored secret: every way a project file could choose where your
password goes ends with no byte of it sent, and an error naming the file, the key and the fix.

The world of each test: your user file names your real server (a recording Milvus stand-in on loopback that
demands your password), the keyring holds that password, and the working folder is a cloned repository
(its own `.git`) whose `milvus.toml` (or `milvus.local.toml`) is the attacker's. The attacker has their own
recording server and an HTTP CONNECT proxy on loopback. Every route is tried through `connect()`,
`connect_async()`, `milvus-profiles test`, `milvus-profiles env --include-secrets` and the pytest plugin;
neither the attacker's server nor the proxy may see the secret, and your server may only see it from a
connection you chose. Then the honest case: a project file you trust gets the secret to your server.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# pytester's in-process runs drop the modules imported after it starts, and numpy (under pymilvus) cannot
# be imported twice in one process: import it before.
import pymilvus  # noqa: F401
import pytest
from click.testing import CliRunner

from milvus_profiles import ConfigError, MilvusProfilesError, SecretWithheldError, connect, connect_async
from milvus_profiles.cli import main
from milvus_profiles.config.toml import clear_cache

from .helpers import SENTINEL, MemoryKeyring, entry_point, trusted, write
from .integration.servers import Certificates
from .oracles.connect_proxy import ConnectProxy
from .oracles.fixtures import certificates, server_tls
from .oracles.grpc_recorder import RecordingServer

__all__ = ["certificates"]  # a fixture, used by name

pytest_plugins = ["pytester"]

# A project profile that shadows one of yours with another server is also warned about (tested in
# resolution/test_precedence_and_merging.py); here the warning is expected and beside the point.
# So is a variable that wins over a profile named explicitly (tests/resolution): the variables here are
# the attack, set on purpose.
pytestmark = [
    pytest.mark.filterwarnings("ignore:profile .* shadows the one in your user file"),
    pytest.mark.filterwarnings("ignore:MILVUS_.* set in the environment"),
]

PY = sys.executable.replace("\\", "\\\\")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class World:
    project: Path
    user_file: Path
    mine: RecordingServer
    mine_tls: RecordingServer
    theirs: RecordingServer
    proxy: ConnectProxy
    certificates: Certificates
    secret_file: Path

    def secret_seen(self) -> list[str]:
        """Where the secret (alone, or as user:secret) was seen by something that must not see it."""
        seen = []
        for call in self.theirs.calls:
            value = call.header("authorization") or ""
            if SENTINEL in value or SENTINEL in _decoded(value) or SENTINEL.encode() in call.request:
                seen.append(f"attacker's server: {call.method}")
        if self.proxy.everything():
            seen.append("the proxy was used")
        return seen


def _decoded(value: str) -> str:
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except ValueError:
        return ""


@pytest.fixture
def world(
    isolated: Path,
    user_file: Path,
    memory_keyring: MemoryKeyring,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    (isolated / ".git").mkdir()
    password = b64(f"app:{SENTINEL}")
    with (
        RecordingServer(authorization=password) as mine,
        RecordingServer(authorization=password, tls=server_tls(certificates)) as mine_tls,
        RecordingServer() as theirs,
        ConnectProxy() as proxy,
    ):
        write(
            user_file,
            f'[profiles.prod]\nuri = "{mine.uri()}"\nuser = "app"\ntimeout = 3\n\n'
            f'[profiles.secure]\nuri = "{mine_tls.uri("https")}"\nuser = "app"\ntimeout = 3\n'
            f'[profiles.secure.tls]\nserver_pem_path = "{certificates.ca}"\nserver_name = "localhost"\n\n'
            f'[profiles.refd]\nuri = "{mine.uri()}"\nuser = "app"\ntimeout = 3\n'
            'password = { env = "PROD_MILVUS_PASSWORD" }\n\n'
            f'[profiles.team]\nextends = "base"\nuser = "app"\ntimeout = 3\n',
        ).chmod(0o600)
        for server in (mine, mine_tls):
            endpoint = server.uri("https" if server is mine_tls else "http")
            memory_keyring.store[("milvus-profiles", f"app@{endpoint}")] = SENTINEL
        monkeypatch.setenv("PROD_MILVUS_PASSWORD", SENTINEL)
        secret_file = write(isolated.parent / "run" / "milvus_token", SENTINEL + "\n")
        secret_file.chmod(0o600)
        yield World(
            isolated / "milvus.toml", user_file, mine, mine_tls, theirs, proxy, certificates, secret_file
        )


# Each route: the project file (a function of the world), the profile to use, and what stops it:
# "withheld" (the stored secret is not released; trusting the file is the fix) or "refused" (no file,
# trusted or not, may say that).
ROUTES: dict[str, tuple[Callable[[World], str], str | None, str]] = {
    "a proxy added to your profile": (
        lambda w: f'[profiles.prod.grpc]\n"grpc.http_proxy" = "{w.proxy.url}"\n',
        "prod",
        "refused",
    ),
    "an authority added to your profile": (
        lambda w: '[profiles.prod.grpc]\n"grpc.default_authority" = "evil.example"\n',
        "prod",
        "refused",
    ),
    "a harmless-looking option added to your profile": (
        lambda w: '[profiles.prod.grpc]\n"grpc.keepalive_time_ms" = 10000\n',
        "prod",
        "withheld",
    ),
    "your profile pointed at their server": (
        lambda w: f'[profiles.prod]\nuri = "{w.theirs.uri()}"\n',
        "prod",
        "withheld",
    ),
    "their default extending your profile": (
        lambda w: f'default = "demo"\n[profiles.demo]\nextends = "prod"\nuri = "{w.theirs.uri()}"\n',
        None,
        "withheld",
    ),
    "your profile extending theirs": (
        lambda w: f'[profiles.base]\nuri = "{w.theirs.uri()}"\n',
        "team",
        "withheld",
    ),
    "their CA for your https profile": (
        lambda w: f'[profiles.secure.tls]\nserver_pem_path = "{w.certificates.ca}"\nserver_name = "evil"\n',
        "secure",
        "withheld",
    ),
    "TLS turned off on your https profile": (
        lambda w: "[profiles.secure.tls]\nsecure = false\n",
        "secure",
        "refused",
    ),
    "your reference following their server": (
        lambda w: f'[profiles.refd]\nuri = "{w.theirs.uri()}"\n',
        "refd",
        "withheld",
    ),
    "their reference to your variable": (
        lambda w: f'[profiles.evil]\nuri = "{w.theirs.uri()}"\ntoken = {{ env = "PROD_MILVUS_PASSWORD" }}\n',
        "evil",
        "withheld",
    ),
    "their file reference to your secret file": (
        lambda w: f'[profiles.evil]\nuri = "{w.theirs.uri()}"\ntoken = {{ file = "{w.secret_file}" }}\n',
        "evil",
        "withheld",
    ),
    "their command reference": (
        lambda w: (
            f'[profiles.evil]\nuri = "{w.theirs.uri()}"\n'
            f'token = {{ command = ["{PY}", "-c", "print(\'{SENTINEL[:4]}\' + \'{SENTINEL[4:]}\')"] }}\n'
        ),
        "evil",
        "withheld",
    ),
    "your variable expanded into a database name": (
        lambda w: f'[profiles.evil]\nuri = "{w.theirs.uri()}"\ndb_name = "${{MILVUS_API_KEY}}"\n',
        "evil",
        "refused",
    ),
    "your variable expanded into a host": (
        lambda w: '[profiles.evil]\nuri = "http://${MILVUS_PASS_HOST}:1"\n',
        "evil",
        "refused",
    ),
}


def _attack(world: World, route: str, monkeypatch: pytest.MonkeyPatch, *, local: bool = False) -> str | None:
    text, profile, _ = ROUTES[route]
    target = world.project.with_name("milvus.local.toml") if local else world.project
    write(target, text(world))
    if local:
        write(world.project, "")  # the project folder is found by its milvus.toml
    monkeypatch.setenv("MILVUS_API_KEY", SENTINEL)
    monkeypatch.setenv("MILVUS_PASS_HOST", SENTINEL)
    clear_cache()
    return profile


def _check_error(error: BaseException, world: World, route: str, *, local: bool = False) -> None:
    kind = ROUTES[route][2]
    shown = str(error)
    assert SENTINEL not in shown
    target = world.project.with_name("milvus.local.toml") if local else world.project
    if kind == "withheld":
        assert isinstance(error, SecretWithheldError), shown
        assert error.path == target, shown
        assert error.hint is not None
        assert "milvus-profiles trust" in error.hint
        assert "no password" not in shown
    else:
        assert isinstance(error, ConfigError), shown
        assert str(target) in shown


@pytest.mark.parametrize("local", [False, True], ids=["milvus.toml", "milvus.local.toml"])
@pytest.mark.parametrize("route", list(ROUTES))
def test_no_route_of_a_cloned_repository_gets_your_secret(
    world: World, route: str, local: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _attack(world, route, monkeypatch, local=local)
    with pytest.raises(MilvusProfilesError) as caught:
        connect(profile)
    _check_error(caught.value, world, route, local=local)

    async def attempt() -> None:
        client = await connect_async(profile)
        await client.close()

    with pytest.raises(MilvusProfilesError) as caught:
        asyncio.run(attempt())
    _check_error(caught.value, world, route, local=local)

    args = [profile] if profile else []
    tested = CliRunner().invoke(main, ["test", *args])
    assert tested.exit_code == (8 if ROUTES[route][2] == "withheld" else 3), tested.output
    assert "milvus-profiles trust" in tested.stderr or ROUTES[route][2] == "refused"
    exported = CliRunner().invoke(main, ["env", *args, "--include-secrets"])
    assert SENTINEL not in tested.output + exported.output
    assert world.secret_seen() == []
    # your own server saw no call at all: nothing of the attacker's reached it with your password either
    assert [c for c in world.mine.calls + world.mine_tls.calls if c.header("authorization")] == []


@pytest.mark.parametrize(
    "route", ["your profile pointed at their server", "their reference to your variable"]
)
def test_the_pytest_plugin_gets_no_secret_either(
    world: World, route: str, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _attack(world, route, monkeypatch)
    # the cloned repository is where its tests run
    (pytester.path / ".git").mkdir()
    write(pytester.path / "milvus.toml", world.project.read_text())
    pytester.makepyfile("def test_client(milvus_client):\n    pass\n")
    result = pytester.runpytest_inprocess(f"--milvus-profile={profile}", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*SecretWithheldError*", "*milvus-profiles trust*"])
    assert SENTINEL not in result.stdout.str()
    assert world.secret_seen() == []


def test_a_variable_in_your_shell_is_not_sent_to_their_server(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(world.project, f'[profiles.evil]\nuri = "{world.theirs.uri()}"\nuser = "app"\n')
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    with pytest.raises(SecretWithheldError) as caught:
        connect("evil")
    assert caught.value.message.startswith(
        "profile evil: MILVUS_PASSWORD is set but not sent to this connection, because its uri comes from "
    )
    # naming the server yourself is your choice: then the variable goes where you said
    monkeypatch.setenv("MILVUS_URI", world.mine.uri())
    connect("evil").close()
    assert world.mine.calls_to("ShowCollections")[-1].header("authorization") == b64(f"app:{SENTINEL}")
    assert world.secret_seen() == []


def test_an_argument_is_your_choice_for_that_connection(world: World) -> None:
    write(world.project, f'[profiles.evil]\nuri = "{world.theirs.uri()}"\n')
    connect("evil", token="given-for-this-call").close()
    assert world.theirs.calls_to("ShowCollections")[-1].header("authorization") == b64("given-for-this-call")
    assert world.secret_seen() == []


def test_a_trusted_project_file_gets_your_secret_to_your_server(world: World) -> None:
    write(
        world.project,
        f'default = "app"\n[profiles.app]\nuri = "{world.mine.uri()}"\nuser = "app"\ndb_name = "default"\n'
        '[profiles.app.grpc]\n"grpc.keepalive_time_ms" = 10000\n',
    )
    with pytest.raises(SecretWithheldError) as caught:
        connect()
    assert caught.value.key == "uri"
    result = CliRunner().invoke(main, ["trust"])
    assert result.exit_code == 0, result.output
    assert f"app: {world.mine.uri()}; user app; [grpc] grpc.keepalive_time_ms" in result.output
    connect().close()
    assert world.mine.calls_to("ShowCollections")[-1].header("authorization") == b64(f"app:{SENTINEL}")
    # a pull that changes only the database keeps the trust; one that changes the server ends it
    text = world.project.read_text()
    write(world.project, text.replace('db_name = "default"', 'db_name = "mydb"'))
    clear_cache()
    # the trust holds: the secret is released (the stand-in has no "mydb", so check resolve)
    from milvus_profiles import resolve

    assert resolve().password is not None
    write(world.project, text.replace(world.mine.uri(), world.theirs.uri()))
    clear_cache()
    error = resolve().secret_error
    assert isinstance(error, SecretWithheldError)
    assert "changed since you trusted it: profiles.app.uri changed" in error.message
    assert world.secret_seen() == []


def test_trust_is_by_file_not_by_folder(world: World) -> None:
    trusted(write(world.project, f'[profiles.app]\nuri = "{world.mine.uri()}"\nuser = "app"\n'))
    write(world.project.with_name("milvus.local.toml"), f'[profiles.app]\nuri = "{world.theirs.uri()}"\n')
    with pytest.raises(SecretWithheldError) as caught:
        connect("app")
    assert caught.value.path == world.project.with_name("milvus.local.toml")
    assert world.secret_seen() == []


# A repository's `.env`. Importing pymilvus runs python-dotenv's load_dotenv(), which copies the `.env` found
# from the working folder (or pymilvus's folder) up into os.environ. `_loaded` does what it does, with
# python-dotenv's own parser: each variable the file sets and the environment does not.
def _loaded(world: World, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    from dotenv import dotenv_values

    dotenv = write(world.project.with_name(".env"), text)
    for name, value in dotenv_values(dotenv).items():
        if value is not None and name not in os.environ:
            monkeypatch.setenv(name, value)
    clear_cache()
    return dotenv


def _ci_file(world: World) -> str:
    canary = world.project.with_name("ran")
    program = f"open({str(canary)!r}, 'w'); print('{SENTINEL[:4]}' + '{SENTINEL[4:]}')"
    write(
        world.project.parent / "ci" / "milvus-ci.toml",
        f'[profiles.evil]\nuri = "{world.mine.uri()}"\nuser = "app"\n'
        f"password = {{ command = {json.dumps([PY.replace(chr(92) * 2, chr(92)), '-c', program])} }}\n",
    )
    return "MILVUS_PROFILES_FILE=ci/milvus-ci.toml\n"


# Each route: the `.env` (a function of the world), the profile to use, and which file the error names.
DOTENV_ROUTES: dict[str, tuple[Callable[[World], str], str | None, str]] = {
    "a gRPC proxy for your profile": (lambda w: f"grpc_proxy={w.proxy.url}\n", "prod", ".env"),
    "an https proxy for your profile": (
        lambda w: f"https_proxy={w.proxy.url}\nhttp_proxy={w.proxy.url}\n",
        "prod",
        ".env",
    ),
    "their server for your reference": (lambda w: f"MILVUS_URI={w.theirs.uri()}\n", "refd", ".env"),
    "their server for your keyring secret": (
        lambda w: f"MILVUS_URI={w.theirs.uri()}\nMILVUS_USER=app\n",
        None,
        ".env",
    ),
    "their certificate authorities for your https profile": (
        lambda w: f"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH={w.certificates.ca}\n",
        "secure",
        ".env",
    ),
    "their profile file, named as if by you": (_ci_file, "evil", "ci/milvus-ci.toml"),
    "their choice among your profiles": (lambda w: "MILVUS_PROFILE=prod\n", None, ".env"),
    "their password for your profile": (lambda w: "MILVUS_PASSWORD=theirs\n", "prod", ".env"),
}


@pytest.mark.parametrize("route", list(DOTENV_ROUTES))
def test_no_route_of_a_repositorys_dotenv_gets_your_secret(
    world: World, route: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    text, profile, named = DOTENV_ROUTES[route]
    monkeypatch.delenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", raising=False)  # python-dotenv never overrides
    write(world.project, "")  # the repository's own milvus.toml, with nothing of its own in it
    _loaded(world, text(world), monkeypatch)

    def check(error: BaseException) -> None:
        assert isinstance(error, SecretWithheldError), str(error)
        assert error.path == world.project.parent / named
        assert error.hint is not None
        assert "milvus-profiles trust" in error.hint
        assert SENTINEL not in str(error)

    with pytest.raises(MilvusProfilesError) as caught:
        connect(profile)
    check(caught.value)

    async def attempt() -> None:
        client = await connect_async(profile)
        await client.close()

    with pytest.raises(MilvusProfilesError) as caught:
        asyncio.run(attempt())
    check(caught.value)

    args = [profile] if profile else []
    outputs = ""
    # `env` prints what it may (no secret) and says why the secret is not there; the others stop
    # (an https profile with its own CA has no variables for it: `env` refuses it whatever its trust)
    env_code = 3 if profile == "secure" else 0
    for command, code in (["test"], 8), (["env", "--include-secrets"], env_code), (["secret", "rotate"], 8):
        result = CliRunner().invoke(main, [*command, *args])
        assert result.exit_code == code, (command, result.output)
        if code != 3:
            assert Path(named).name in result.stderr
            assert "milvus-profiles trust" in result.stderr
        outputs += result.output
    seen = tmp_path / "seen"
    if route != "their choice among your profiles":  # exec names its profile: nothing left to choose
        result = CliRunner().invoke(
            main, ["exec", *(args or ["prod"]), "--", PY, "-c", f"open({str(seen)!r}, 'w')"]
        )
        assert result.exit_code == 8, result.output
        outputs += result.output
    assert not seen.exists()
    assert SENTINEL not in outputs
    assert not world.project.with_name("ran").exists()  # no command of theirs ran
    assert world.secret_seen() == []
    assert [c for c in world.mine.calls + world.mine_tls.calls if c.header("authorization")] == []


def test_a_server_of_theirs_gets_nothing_without_a_profile_either(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_TOKEN", SENTINEL)  # exported in your shell
    dotenv = _loaded(world, f"MILVUS_URI={world.theirs.uri()}\n", monkeypatch)
    with pytest.raises(SecretWithheldError) as caught:
        connect()
    assert caught.value.message == (
        "the connection: MILVUS_TOKEN is set but not sent to this connection, because its uri comes from "
        f"{dotenv}:1 (MILVUS_URI), a project file you have not trusted yet (one you wrote, or a cloned "
        "repository's)"
    )
    assert caught.value.hint is not None
    assert caught.value.hint.startswith("read it, then run `milvus-profiles trust .env`")
    assert world.secret_seen() == []


def test_a_password_in_their_dotenv_is_not_sent_and_the_error_says_where_it_is(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = _loaded(world, "OTHER=1\nMILVUS_PASSWORD=theirs\n", monkeypatch)
    with pytest.raises(SecretWithheldError) as caught:
        connect("prod")
    assert (caught.value.key, caught.value.line, caught.value.path) == ("MILVUS_PASSWORD", 2, dotenv)
    assert caught.value.message == (
        "profile prod: MILVUS_PASSWORD is set but not sent to this connection, because its MILVUS_PASSWORD "
        f"comes from {dotenv}:2 (MILVUS_PASSWORD), a project file you have not trusted yet (one you "
        "wrote, or a cloned repository's)"
    )
    assert world.secret_seen() == []


def test_a_variable_of_theirs_expanded_into_your_profile_gets_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = world.user_file.read_text()
    write(world.user_file, text + '\n[profiles.hosted]\nuri = "http://${MILVUS_PROD_HOST}"\nuser = "app"\n')
    _loaded(world, f"MILVUS_PROD_HOST={world.theirs.uri().removeprefix('http://')}\n", monkeypatch)
    with pytest.raises(SecretWithheldError) as caught:
        connect("hosted")
    assert caught.value.path == world.project.with_name(".env")
    assert caught.value.message.startswith("profile hosted: no stored secret is sent to this connection, ")
    assert world.secret_seen() == []


def test_the_pytest_plugin_gets_nothing_from_a_dotenv_either(
    world: World, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    (pytester.path / ".git").mkdir()
    write(pytester.path / ".env", f"MILVUS_URI={world.theirs.uri()}\n")
    monkeypatch.setenv("MILVUS_URI", world.theirs.uri())  # as importing pymilvus there would have
    pytester.makepyfile("def test_client(milvus_client):\n    pass\n")
    result = pytester.runpytest_inprocess("--milvus-profile=refd", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*SecretWithheldError*", "*.env*", "*milvus-profiles trust*"])
    assert SENTINEL not in result.stdout.str()
    assert world.secret_seen() == []


def test_a_dotenv_you_trusted_speaks_for_you_until_it_changes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = _loaded(world, f"MILVUS_URI={world.mine.uri()}\nMILVUS_USER=app\n", monkeypatch)
    with pytest.raises(SecretWithheldError):
        connect()
    result = CliRunner().invoke(main, ["trust", ".env"])
    assert result.exit_code == 0, result.output
    connect().close()
    assert world.mine.calls_to("ShowCollections")[-1].header("authorization") == b64(f"app:{SENTINEL}")
    write(dotenv, f"MILVUS_URI={world.mine.uri()}\nMILVUS_USER=app\nMILVUS_DB_NAME=other\n")
    clear_cache()
    with pytest.raises(SecretWithheldError) as caught:
        connect()
    assert "changed since you trusted it" in caught.value.message
    assert world.secret_seen() == []


# The same, for real: a new Python process in the repository, where python-dotenv itself loads the `.env`.
def _python(
    world: World, code: str, *, cwd: Path | None = None, drop: tuple[str, ...] = (), **env: str | None
) -> subprocess.CompletedProcess[str]:
    """A new interpreter running ``code``, started in ``cwd`` (the repository) as a shell there starts it:
    no ``MILVUS_*`` (nor ``drop``) variable, python-dotenv free to load, ``PWD`` set; ``env`` on top
    (None removes a variable)."""
    cwd = cwd or world.project.parent
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("MILVUS_", *drop))}
    environ.pop("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", None)
    environ.pop("PYTHON_DOTENV_DISABLED", None)
    environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    environ["PWD"] = str(cwd)  # as the shell that started Python there sets it
    for name, value in env.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_connect_loads_no_dotenv_when_it_imports_pymilvus(world: World) -> None:
    write(world.project.with_name(".env"), f"grpc_proxy={world.proxy.url}\nMILVUS_URI={world.theirs.uri()}\n")
    done = _python(
        world,
        "import os, sys\n"
        "from milvus_profiles import connect\n"
        "assert 'pymilvus' not in sys.modules\n"
        "connect('refd').close()\n"
        "print(*(os.environ.get(n) for n in ('grpc_proxy', 'MILVUS_URI', 'PYTHON_DOTENV_DISABLED')))",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "None", "None"]
    # your profile, your server, no proxy: the variables of the .env were never loaded
    assert world.mine.calls_to("ShowCollections")[-1].header("authorization") == b64(f"app:{SENTINEL}")
    assert world.secret_seen() == []


def test_a_dotenv_loaded_by_your_own_import_of_pymilvus_gets_nothing(world: World) -> None:
    write(world.project.with_name(".env"), f"grpc_proxy={world.proxy.url}\n")
    done = _python(
        world,
        "import os\nimport pymilvus\n"
        "assert os.environ['grpc_proxy']\n"  # python-dotenv did load it
        "from milvus_profiles import connect, SecretWithheldError\n"
        "try:\n    connect('refd')\nexcept SecretWithheldError as e:\n    print(e.key, e.path)\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["grpc_proxy", str(world.project.with_name(".env"))]
    assert SENTINEL not in done.stdout + done.stderr
    assert world.secret_seen() == []


def test_a_dotenv_value_built_from_a_variable_you_also_set_is_still_theirs(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # load_dotenv() (override=False) expands ${LANG} with your LANG; dotenv_values() with the .env's own
    # `LANG=` line: read back that way, the proxy it loaded has a value the .env does not seem to set
    monkeypatch.setenv("LANG", "C.UTF-8")
    dotenv = write(world.project.with_name(".env"), f"LANG=xx\ngrpc_proxy={world.proxy.url}/${{LANG}}\n")
    done = _python(
        world,
        "import os\nimport pymilvus\n"
        "assert os.environ['grpc_proxy'].endswith('/C.UTF-8')\n"  # python-dotenv did load it, so expanded
        "from milvus_profiles import connect, SecretWithheldError\n"
        "try:\n    connect('refd')\nexcept SecretWithheldError as e:\n    print(e.key, e.path)\n",
    )
    assert done.returncode == 0, done.stderr
    assert world.secret_seen() == []
    assert done.stdout.split() == ["grpc_proxy", str(dotenv)]
    assert SENTINEL not in done.stdout + done.stderr


def test_a_command_you_referenced_runs_with_nothing_their_dotenv_set(world: World) -> None:
    # your own reference, in your user file, to your own server: a `.env` that python-dotenv loaded
    # must not choose what that program runs (BASH_ENV is sourced by every non-interactive bash)
    text = world.user_file.read_text()
    write(
        world.user_file,
        text + f'\n[profiles.cmd]\nuri = "{world.mine.uri()}"\nuser = "app"\ntimeout = 3\n'
        f'password = {{ command = ["bash", "-c", "echo {SENTINEL}"] }}\n',
    )
    canary = world.project.with_name("ran")
    write(world.project.with_name("hook.sh"), f"touch {canary}\n")
    write(world.project.with_name(".env"), "BASH_ENV=hook.sh\n")
    done = _python(
        world,
        "import os\nimport pymilvus\n"
        "assert os.environ['BASH_ENV']\n"  # python-dotenv did load it
        "from milvus_profiles import connect, MilvusProfilesError\n"
        "try:\n    connect('cmd').close()\nexcept MilvusProfilesError as e:\n    print(type(e).__name__)\n",
    )
    assert done.returncode == 0, done.stderr
    assert not canary.exists(), "a program of the repository ran"
    assert SENTINEL not in done.stdout + done.stderr
    assert world.secret_seen() == []


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_their_dotenv_cannot_choose_whom_a_global_clusters_topology_request_trusts(
    world: World, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pymilvus (and the probe) fetch a global cluster's topology with requests, the token as bearer; requests
    # trusts the CA bundle these variables name, then dials the primary the answer names with the token
    from milvus_profiles import resolve

    uri = "https://in01-demo.global-cluster.example.com"
    write(world.user_file, world.user_file.read_text() + f'\n[profiles.global]\nuri = "{uri}"\n')
    monkeypatch.setenv("MILVUS_TOKEN", SENTINEL)  # exported in your shell
    clear_cache()
    assert resolve("global").token is not None  # your server, your variable: it goes
    monkeypatch.delenv(variable, raising=False)  # python-dotenv never overrides
    dotenv = _loaded(world, f"{variable}={world.certificates.ca}\n", monkeypatch)
    error = resolve("global").secret_error
    assert isinstance(error, SecretWithheldError), error
    assert (error.path, error.key) == (dotenv, variable)


def test_a_dotenv_loaded_before_you_changed_folder_is_still_theirs(world: World) -> None:
    # a REPL or a notebook (`%cd`) started in the repository: pymilvus's import loaded its .env from the
    # working folder of that moment, not of the moment connect() is called
    dotenv = write(world.project.with_name(".env"), f"grpc_proxy={world.proxy.url}\n")
    done = _python(
        world,
        "import os\nimport pymilvus\n"
        "assert os.environ['grpc_proxy']\n"  # python-dotenv did load it
        f"os.chdir({str(world.project.parent.parent)!r})\n"
        "from milvus_profiles import connect, SecretWithheldError\n"
        "try:\n    connect('refd')\nexcept SecretWithheldError as e:\n    print(e.key, e.path)\n",
    )
    assert done.returncode == 0, done.stderr
    assert world.secret_seen() == []
    assert done.stdout.split() == ["grpc_proxy", str(dotenv)]


def _windows_environ(variables: dict[str, str]) -> os._Environ[str]:
    """``os.environ`` as Windows builds it (os.py): every name upper-cased as it is stored and looked up."""

    def upper(key: str) -> str:
        return key.upper()

    return os._Environ({upper(k): v for k, v in variables.items()}, upper, str, str, str)


def test_a_lower_case_name_in_their_dotenv_is_theirs_where_names_ignore_case(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on Windows load_dotenv()'s os.environ["milvus_uri"] = ... sets MILVUS_URI, which the settings read
    dotenv = write(world.project.with_name(".env"), f"milvus_uri={world.theirs.uri()}\nmilvus_user=app\n")
    environ = _windows_environ(dict(os.environ))
    environ["MILVUS_PASSWORD"] = SENTINEL  # exported in your shell
    environ.update({"milvus_uri": world.theirs.uri(), "milvus_user": "app"})  # as load_dotenv() does
    assert environ["MILVUS_URI"] == world.theirs.uri()
    monkeypatch.setattr(os, "environ", environ)
    clear_cache()
    error: MilvusProfilesError | None = None
    try:
        connect().close()
    except MilvusProfilesError as e:
        error = e
    assert world.secret_seen() == []
    assert isinstance(error, SecretWithheldError)
    assert error.path == dotenv


def test_their_dotenv_cannot_name_your_user_file_either(world: World, tmp_path: Path) -> None:
    # XDG_CONFIG_HOME is unset on most desktops: a .env setting it would choose which "user file" (always
    # trusted, its references followed) your programs read; here theirs, shipped in the repository
    home = tmp_path / "home"
    write(home / ".config" / "milvus-profiles" / "profiles.toml", world.user_file.read_text()).chmod(0o600)
    write(
        world.project.parent / "cfg" / "milvus-profiles" / "profiles.toml",
        f'[profiles.refd]\nuri = "{world.theirs.uri()}"\nuser = "app"\n'
        'password = { env = "PROD_MILVUS_PASSWORD" }\n',
    )
    write(world.project.with_name(".env"), "XDG_CONFIG_HOME=${PWD}/cfg\n")
    code = (
        "import os\nimport pymilvus\n"
        "assert os.environ['XDG_CONFIG_HOME'].endswith('/cfg')\n"  # python-dotenv did load it
        "from milvus_profiles import connect, MilvusProfilesError\n"
        "try:\n    connect('refd').close()\nexcept MilvusProfilesError as e:\n    print(type(e).__name__)\n"
    )
    done = _python(world, code, drop=("XDG_",), HOME=str(home))
    assert done.returncode == 0, done.stderr
    assert world.secret_seen() == []
    assert SENTINEL not in done.stdout + done.stderr
    assert done.returncode == 0, done.stderr
    assert world.secret_seen() == []
    assert SENTINEL not in done.stdout + done.stderr


def test_their_dotenv_cannot_choose_the_keyring_your_secret_is_read_from(world: World) -> None:
    # PYTHON_KEYRING_BACKEND names a class keyring imports; a REPL, a notebook or `python -c` has the
    # working folder (the repository) first on sys.path
    canary = world.project.with_name("ran")
    write(
        world.project.with_name("theirkeyring.py"),
        f"open({str(canary)!r}, 'w').close()\nfrom keyring.backends.null import Keyring as Backend\n",
    )
    write(world.project.with_name(".env"), "PYTHON_KEYRING_BACKEND=theirkeyring.Backend\n")
    code = (
        "import os\nimport pymilvus\n"
        "assert os.environ['PYTHON_KEYRING_BACKEND']\n"  # python-dotenv did load it
        "from milvus_profiles import connect, MilvusProfilesError\n"
        "try:\n    connect('prod').close()\nexcept MilvusProfilesError as e:\n    print(type(e).__name__)\n"
    )
    done = _python(world, code, PYTHON_KEYRING_BACKEND=None)
    assert done.returncode == 0, done.stderr
    assert not canary.exists(), "a module of the repository ran"
    assert world.secret_seen() == []


def test_a_virtual_environment_named_dotenv_sets_no_variable(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # python-dotenv loads only a file named .env (find_dotenv() skips a folder): `python -m venv .env`
    # leaves your own variables yours
    (world.project.with_name(".env") / "bin").mkdir(parents=True)
    monkeypatch.setenv("MILVUS_URI", world.mine.uri())
    monkeypatch.setenv("MILVUS_USER", "app")
    clear_cache()
    connect().close()
    assert world.mine.calls_to("ShowCollections")[-1].header("authorization") == b64(f"app:{SENTINEL}")


def test_a_dangling_dotenv_link_below_their_dotenv_hides_nothing(world: World) -> None:
    # find_dotenv() passes over a `.env` that is not a file (a link to nothing: `.env -> .env.local`, left
    # out of the clone) and loads the one above it; started in the folder of the link, that one is theirs
    dotenv = write(world.project.with_name(".env"), f"grpc_proxy={world.proxy.url}\n")
    sub = world.project.parent / "app"
    sub.mkdir()
    (sub / ".env").symlink_to(".env.local")
    code = (
        "import os\nimport pymilvus\n"
        "assert os.environ['grpc_proxy']\n"  # python-dotenv did load it
        "from milvus_profiles import connect, SecretWithheldError\n"
        "try:\n    connect('refd').close()\nexcept SecretWithheldError as e:\n    print(e.key, e.path)\n"
    )
    done = _python(world, code, cwd=sub)
    assert done.returncode == 0, done.stderr
    assert world.secret_seen() == []
    assert done.stdout.split() == ["grpc_proxy", str(dotenv)]


def test_a_dotenv_value_that_names_itself_is_still_theirs(world: World) -> None:
    # load_dotenv() expanded ${grpc_proxy} to nothing (it was not set yet); read back once it is set, the
    # expansion repeats the value, which the environment then does not seem to hold
    dotenv = write(world.project.with_name(".env"), f"grpc_proxy={world.proxy.url}${{grpc_proxy}}\n")
    done = _python(
        world,
        "import os\nimport pymilvus\n"
        f"assert os.environ['grpc_proxy'] == {world.proxy.url!r}\n"  # python-dotenv did load it
        "from milvus_profiles import connect, SecretWithheldError\n"
        "try:\n    connect('refd').close()\nexcept SecretWithheldError as e:\n    print(e.key, e.path)\n",
    )
    assert done.returncode == 0, done.stderr
    assert world.secret_seen() == []
    assert done.stdout.split() == ["grpc_proxy", str(dotenv)]


def test_a_program_you_exec_in_their_repository_gets_no_proxy_from_their_dotenv(world: World) -> None:
    # exec hands your profile's secret to a program of yours; a Python one that imports pymilvus loads the
    # repository's .env (load_dotenv() never overrides, and exec sets no proxy), so theirs would carry it
    write(world.project.with_name(".env"), f"grpc_proxy={world.proxy.url}\n")
    child = (
        "import os\nfrom pymilvus import MilvusClient\n"
        "e = os.environ\n"
        "MilvusClient(uri=e['MILVUS_URI'], user=e['MILVUS_USER'], password=e['MILVUS_PASSWORD'], timeout=3)"
        ".list_collections()\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    environ.pop("PYTHON_DOTENV_DISABLED", None)
    environ["PWD"] = str(world.project.parent)
    done = subprocess.run(
        [entry_point(), "exec", "refd", "--", sys.executable, "-c", child],
        cwd=world.project.parent,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert world.secret_seen() == [], done.stderr
    assert done.returncode == 0, done.stderr
