"""The secret chain and the trust rule, as a user relies on them: which secret is sent, to which server,
and which keyring account is asked. Written to kill the mutants of ``scripts/mutate`` that survived the
rest of the suite (see docs/testing.md, "Mutation testing")."""

from __future__ import annotations

from pathlib import Path

import pytest

from milvus_profiles import SecretWithheldError, resolve
from milvus_profiles.errors import SecretNotFoundError
from milvus_profiles.secrets.chain import takes_secret

from ..helpers import SENTINEL, MemoryKeyring, trusted, write

SERVICE = "milvus-profiles"
FILE_URI = "http://file-host:19530"
ELSEWHERE = "http://elsewhere:19530"


def stored(keyring: MemoryKeyring, account: str, secret: str = SENTINEL) -> None:
    keyring.store[(SERVICE, account)] = secret


@pytest.fixture
def project(isolated: Path) -> Path:
    """A trusted project file whose profile `dev` names a server and a user."""
    return trusted(write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\n'))


def test_the_keyring_is_asked_for_the_files_server_when_nothing_overrides_it(
    project: Path, memory_keyring: MemoryKeyring
) -> None:
    stored(memory_keyring, f"alice@{FILE_URI}")
    cfg = resolve("dev")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == SENTINEL
    assert cfg.origins["password"].kind == "keyring"
    assert cfg.origins["password"].detail == f"alice@{FILE_URI}"
    assert memory_keyring.lookups == [(SERVICE, f"alice@{FILE_URI}")]


@pytest.mark.parametrize("how", ["MILVUS_URI", "uri="])
def test_a_uri_pointing_elsewhere_gets_nothing_stored_for_the_files_server(
    project: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    stored(memory_keyring, f"alice@{FILE_URI}")
    if how == "MILVUS_URI":
        monkeypatch.setenv("MILVUS_URI", ELSEWHERE)
        cfg = resolve("dev")
    else:
        cfg = resolve("dev", uri=ELSEWHERE)
    assert cfg.uri == ELSEWHERE
    assert cfg.password is None
    # the account asked is the final server's, never the file's
    assert memory_keyring.lookups == [(SERVICE, f"alice@{ELSEWHERE}")]


def test_a_uri_pointing_elsewhere_gets_what_is_stored_for_that_server(
    project: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(memory_keyring, f"alice@{FILE_URI}", "for-the-file")
    stored(memory_keyring, f"alice@{ELSEWHERE}", "for-elsewhere")
    monkeypatch.setenv("MILVUS_URI", ELSEWHERE)
    password = resolve("dev").password
    assert password is not None
    assert password.get_secret_value() == "for-elsewhere"


def test_a_token_is_stored_for_the_server_alone(isolated: Path, memory_keyring: MemoryKeyring) -> None:
    trusted(write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "{FILE_URI}"\n'))
    stored(memory_keyring, FILE_URI)
    cfg = resolve("dev")
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == SENTINEL
    assert cfg.password is None
    assert cfg.origins["token"].detail == FILE_URI


@pytest.fixture
def untrusted_project(isolated: Path, memory_keyring: MemoryKeyring) -> Path:
    """A project file nobody trusted (a cloned repository), with a secret stored for its server."""
    path = write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\n')
    stored(memory_keyring, f"alice@{FILE_URI}")
    return path


def test_an_untrusted_files_server_gets_no_stored_secret_and_the_keyring_is_not_asked(
    untrusted_project: Path, memory_keyring: MemoryKeyring
) -> None:
    cfg = resolve("dev")
    assert cfg.password is None
    assert cfg.token is None
    assert memory_keyring.lookups == []
    error = cfg.secret_error
    assert isinstance(error, SecretWithheldError)
    assert error.message == (
        "profile dev: no stored secret is sent to this connection, because its uri comes from "
        f"{untrusted_project}:2 (profiles.dev.uri), a project file you have not trusted yet (one you "
        "wrote, or a cloned repository's)"
    )
    assert error.hint == (
        "read it, then run `milvus-profiles trust milvus.toml`; or choose the server yourself with "
        "MILVUS_URI or uri=, or pass the secret as an argument"
    )
    assert (error.path, error.line, error.key, error.method) == (untrusted_project, 2, "uri", "keyring")


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        ({"MILVUS_PASSWORD": SENTINEL}, "MILVUS_PASSWORD is set but not sent"),
        ({"MILVUS_TOKEN": SENTINEL}, "MILVUS_TOKEN is set but not sent"),
        (
            {"MILVUS_TOKEN": SENTINEL, "MILVUS_PASSWORD": SENTINEL},
            "MILVUS_TOKEN and MILVUS_PASSWORD are set but not sent",
        ),
    ],
)
def test_a_secret_exported_in_the_shell_never_reaches_an_untrusted_files_server(
    untrusted_project: Path, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], said: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    cfg = resolve("dev")
    assert cfg.password is None
    assert cfg.token is None
    assert isinstance(cfg.secret_error, SecretWithheldError)
    assert cfg.secret_error.method == "env"
    assert cfg.secret_error.message.startswith(f"profile dev: {said} to this connection, because its uri")
    assert SENTINEL not in str(cfg.secret_error)


def test_a_secret_given_as_an_argument_goes_wherever_the_caller_sends_it(untrusted_project: Path) -> None:
    cfg = resolve("dev", password="mine")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == "mine"
    assert cfg.origins["password"].kind == "kwarg"
    assert cfg.secret_error is None


def test_choosing_the_server_yourself_releases_the_secret_for_that_server(
    untrusted_project: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(memory_keyring, f"alice@{ELSEWHERE}", "for-elsewhere")
    monkeypatch.setenv("MILVUS_URI", ELSEWHERE)
    cfg = resolve("dev")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == "for-elsewhere"
    assert cfg.secret_error is None


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("[profiles.dev.tls]\nsecure = true\n", "tls.secure"),
        ('[profiles.dev.tls]\nserver_name = "evil.example"\n', "tls.server_name"),
        ('[profiles.dev.grpc]\n"grpc.keepalive_time_ms" = 10000\n', "grpc.grpc.keepalive_time_ms"),
    ],
)
def test_a_transport_setting_from_an_untrusted_file_withholds_the_secret(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring, table: str, key: str
) -> None:
    write(user_file, f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\n').chmod(0o600)
    stored(memory_keyring, f"alice@{FILE_URI}")
    assert resolve("dev").password is not None  # the user's own profile gets its secret
    project = write(isolated / "milvus.toml", table)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
        cfg = resolve("dev")
        assert cfg.password is None
        assert isinstance(cfg.secret_error, SecretWithheldError)
        assert cfg.secret_error.key == key
        assert cfg.secret_error.path == project
        trusted(project)
        password = resolve("dev").password
        assert password is not None
        assert password.get_secret_value() == SENTINEL


@pytest.mark.parametrize("line", ['db_name = "scratch"', "timeout = 3"])
def test_settings_that_do_not_route_may_come_from_an_untrusted_file(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring, line: str
) -> None:
    write(user_file, f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\n').chmod(0o600)
    stored(memory_keyring, f"alice@{FILE_URI}")
    write(isolated / "milvus.toml", f"[profiles.dev]\n{line}\n")
    cfg = resolve("dev")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == SENTINEL
    assert cfg.route == ()


def test_a_reference_in_an_untrusted_file_is_not_followed_even_to_your_own_server(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    path = write(
        isolated / "milvus.toml",
        '[profiles.dev]\nuser = "alice"\npassword = { env = "SOME_SECRET" }\n',
    )
    monkeypatch.setenv("SOME_SECRET", SENTINEL)
    monkeypatch.setenv("MILVUS_URI", ELSEWHERE)  # the server is the user's choice: the route is trusted
    stored(memory_keyring, f"alice@{ELSEWHERE}", "from-the-keyring")
    cfg = resolve("dev")
    assert cfg.route == ()
    assert cfg.password is None
    assert memory_keyring.lookups == []  # the chain stops at the withheld reference
    error = cfg.secret_error
    assert isinstance(error, SecretWithheldError)
    assert error.method == "reference"
    assert (error.path, error.line, error.key) == (path, None, None)  # the whole file, not a key of the route
    assert error.message == (
        f"profile dev: the password reference (env SOME_SECRET) is not followed: it is written in {path}, "
        "a project file you have not trusted yet (one you wrote, or a cloned repository's)"
    )
    assert error.hint == "read it, then run `milvus-profiles trust milvus.toml`"


def test_a_reference_in_your_own_file_is_not_followed_to_an_untrusted_server(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(user_file, '[profiles.dev]\nuser = "alice"\npassword = { env = "SOME_SECRET" }\n').chmod(0o600)
    monkeypatch.setenv("SOME_SECRET", SENTINEL)
    write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "{FILE_URI}"\n')
    cfg = resolve("dev")
    assert cfg.password is None
    assert isinstance(cfg.secret_error, SecretWithheldError)
    assert cfg.secret_error.key == "uri"
    assert cfg.secret_error.message.startswith("profile dev: the password reference (env SOME_SECRET) is not")


def test_the_reference_asked_is_the_one_for_the_secret_the_connection_takes(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    # without a user the connection takes a token: a password reference is not the one to follow
    write(user_file, f'[profiles.dev]\nuri = "{FILE_URI}"\npassword = {{ env = "SOME_SECRET" }}\n').chmod(
        0o600
    )
    monkeypatch.setenv("SOME_SECRET", SENTINEL)
    stored(memory_keyring, FILE_URI, "the-token")
    cfg = resolve("dev")
    assert cfg.password is None
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == "the-token"


def test_the_first_source_that_has_a_secret_wins(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    write(
        user_file, f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\npassword = {{ env = "REF" }}\n'
    ).chmod(0o600)
    stored(memory_keyring, f"alice@{FILE_URI}", "keyring")
    monkeypatch.setenv("REF", "reference")
    monkeypatch.setenv("MILVUS_PASSWORD", "environment")
    found = []
    for step in ("argument", "environment", "reference", "keyring"):
        cfg = resolve("dev", password="argument" if step == "argument" else None)
        assert cfg.password is not None
        found.append((cfg.password.get_secret_value(), cfg.origins["password"].kind))
        if step == "environment":
            monkeypatch.delenv("MILVUS_PASSWORD")
        elif step == "reference":
            monkeypatch.delenv("REF")
            write(user_file, f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\n').chmod(0o600)
    assert found == [
        ("argument", "kwarg"),
        ("environment", "env"),
        ("reference", "reference"),
        ("keyring", "keyring"),
    ]


@pytest.mark.parametrize("source", ["argument", "environment"])
def test_a_token_wins_over_a_password_as_in_pymilvus(
    project: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "argument":
        cfg = resolve("dev", password="p", token="t")
    else:
        monkeypatch.setenv("MILVUS_PASSWORD", "p")
        monkeypatch.setenv("MILVUS_TOKEN", "t")
        cfg = resolve("dev")
    assert cfg.password is None
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == "t"
    assert cfg.origins["token"].detail == ("token" if source == "argument" else "MILVUS_TOKEN")


@pytest.mark.parametrize("source", ["argument", "environment"])
def test_a_password_alone_is_sent_as_a_password(
    project: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "argument":
        cfg = resolve("dev", password="p")
    else:
        monkeypatch.setenv("MILVUS_PASSWORD", "p")
        cfg = resolve("dev")
    assert cfg.token is None
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == "p"
    assert cfg.origins["password"].detail == ("password" if source == "argument" else "MILVUS_PASSWORD")


def test_empty_variables_are_no_secret(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_TOKEN", "")
    monkeypatch.setenv("MILVUS_PASSWORD", "p")
    cfg = resolve("dev")
    assert cfg.token is None
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == "p"


def test_a_failing_reference_is_the_error_and_the_keyring_is_not_asked(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring
) -> None:
    write(
        user_file, f'[profiles.dev]\nuri = "{FILE_URI}"\nuser = "alice"\npassword = {{ env = "UNSET_ONE" }}\n'
    ).chmod(0o600)
    stored(memory_keyring, f"alice@{FILE_URI}")
    cfg = resolve("dev")
    assert cfg.password is None
    assert isinstance(cfg.secret_error, SecretNotFoundError)
    assert "UNSET_ONE" in str(cfg.secret_error)
    assert memory_keyring.lookups == []


def test_milvus_lite_takes_no_secret_and_asks_no_keyring(
    isolated: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted(write(isolated / "milvus.toml", '[profiles.lite]\nuri = "./data/milvus.db"\nuser = "alice"\n'))
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    cfg = resolve("lite")
    assert cfg.password is None
    assert cfg.secret_error is None
    assert memory_keyring.lookups == []
    assert not takes_secret(cfg.uri)
    assert takes_secret(FILE_URI)


def test_the_secret_chain_asks_arguments_then_variables_then_references_then_the_keyring() -> None:
    from milvus_profiles.resolution.precedence import SECRET_PROVIDERS

    assert [method for method, _, _ in SECRET_PROVIDERS] == ["kwarg", "env", "reference", "keyring"]


def test_milvus_lite_refuses_a_secret_to_store(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from milvus_profiles import save_secret
    from milvus_profiles.errors import ConfigError

    trusted(write(isolated / "milvus.toml", '[profiles.lite]\nuri = "./data/milvus.db"\n'))
    with pytest.raises(ConfigError) as caught:
        save_secret("lite", SENTINEL)
    uri = resolve("lite").uri
    assert caught.value.message == f"profile lite is a Milvus Lite database ({uri}), which takes no secret"
    assert caught.value.hint == "secrets are for Milvus servers; Milvus Lite ignores credentials"
    monkeypatch.setenv("MILVUS_URI", str(isolated / "other.db"))
    with pytest.raises(ConfigError) as caught:
        save_secret(None, SENTINEL)
    assert caught.value.message.startswith("profile (none) is a Milvus Lite database (")


def test_an_untrusted_value_whose_line_is_unknown_is_named_by_its_file_and_key(tmp_path: Path) -> None:
    from milvus_profiles.config.catalog import Setting
    from milvus_profiles.config.toml import ProfileFile
    from milvus_profiles.config.trust import FileTrust
    from milvus_profiles.secrets.chain import Untrusted

    path = tmp_path / "milvus.toml"
    # a file whose text no longer shows where the key is (as for a key spelled with escapes)
    pf = ProfileFile(path, {"profiles": {"dev": {"uri": "http://theirs:1"}}}, "")
    verdict = FileTrust(path, "project", False, "a project file you have not trusted")
    found = Untrusted.of("uri", Setting("http://theirs:1", pf, "dev", ("uri",)), verdict)
    assert (found.where, found.line) == (f"{path} (profiles.dev.uri)", None)
