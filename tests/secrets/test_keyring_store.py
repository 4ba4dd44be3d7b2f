from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest
from click.testing import CliRunner

from milvus_profiles import (
    ConfigError,
    KeyringUnavailableError,
    SecretWithheldError,
    connect,
    delete_secret,
    resolve,
    save_secret,
)
from milvus_profiles.cli import main
from milvus_profiles.secrets import keyring_store as secrets_module
from milvus_profiles.secrets.keyring_store import account, no_backend_hint

from ..helpers import SENTINEL, MemoryKeyring, trusted, write
from ..secret_store_contract import SecretStoreContract

FILE = """\
default = "dev"
[profiles.dev]
uri = "http://Milvus.Example:19530"
user = "alice"
[profiles.dev-analytics]
uri = "tcp://milvus.example"
user = "alice"
db_name = "analytics"
[profiles.cloud]
uri = "https://cloud.example"
[profiles.local]
uri = "x.db"
"""


@pytest.fixture
def project(isolated: Path) -> Path:
    return trusted(write(isolated / "milvus.toml", FILE))


def test_accounts_are_endpoint_and_user() -> None:
    assert (
        account("http://Milvus.Example:19530/db", "alice", secure=False)
        == "alice@http://milvus.example:19530"
    )
    assert account("tcp://milvus.example", "alice", secure=False) == "alice@http://milvus.example:19530"
    assert account("https://cloud.example", None, secure=False) == "https://cloud.example:443"
    assert account("https://cloud.example", None, secure=True) == "https://cloud.example:443"
    assert account("https://[::1]:9", None, secure=False) == "https://[::1]:9"


def test_an_http_uri_with_tls_is_keyed_https_with_its_own_port() -> None:
    assert account("http://milvus.example", "alice", secure=True) == "alice@https://milvus.example:19530"
    assert account("tcp://milvus.example:1", None, secure=True) == "https://milvus.example:1"


def test_a_tls_and_a_plaintext_profile_on_one_host_and_port_keep_their_own_secrets(
    isolated: Path, memory_keyring: MemoryKeyring
) -> None:
    trusted(
        write(
            isolated / "milvus.toml",
            '[profiles.plain]\nuri = "http://milvus.example:19530"\nuser = "alice"\n\n'
            '[profiles.tls]\nuri = "http://milvus.example:19530"\nuser = "alice"\n'
            "[profiles.tls.tls]\nsecure = true\n",
        )
    )
    assert save_secret("plain", "plaintext-one") == "alice@http://milvus.example:19530"
    assert save_secret("tls", "tls-one") == "alice@https://milvus.example:19530"
    plain, tls = resolve("plain"), resolve("tls")
    assert plain.password is not None
    assert tls.password is not None
    assert (plain.password.get_secret_value(), tls.password.get_secret_value()) == (
        "plaintext-one",
        "tls-one",
    )
    assert str(tls.origins["password"]) == "keyring (alice@https://milvus.example:19530)"
    # the secret of an https:// profile on that port is the TLS profile's
    write(isolated / "milvus.toml", '[profiles.s]\nuri = "https://milvus.example:19530"\nuser = "alice"\n')
    trusted(isolated / "milvus.toml")
    password = resolve("s").password
    assert password is not None
    assert password.get_secret_value() == "tls-one"


def test_password_is_stored_for_endpoint_and_user(project: Path, memory_keyring: MemoryKeyring) -> None:
    assert save_secret("dev", SENTINEL) == "alice@http://milvus.example:19530"
    assert memory_keyring.store == {("milvus-profiles", "alice@http://milvus.example:19530"): SENTINEL}
    cfg = resolve("dev")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == SENTINEL
    assert str(cfg.origins["password"]) == "keyring (alice@http://milvus.example:19530)"
    # the same server and user share the secret
    other = resolve("dev-analytics").password
    assert other is not None
    assert other.get_secret_value() == SENTINEL
    assert SENTINEL not in project.read_text()


def test_token_when_the_profile_has_no_user(project: Path, memory_keyring: MemoryKeyring) -> None:
    save_secret("cloud", SENTINEL)
    cfg = resolve("cloud")
    assert cfg.password is None
    assert cfg.token is not None
    assert cfg.token.get_secret_value() == SENTINEL
    assert ("milvus-profiles", "https://cloud.example:443") in memory_keyring.store


def test_none_means_the_selected_profile(project: Path, memory_keyring: MemoryKeyring) -> None:
    save_secret(None, SENTINEL)
    assert ("milvus-profiles", "alice@http://milvus.example:19530") in memory_keyring.store


def test_a_known_name_pointed_elsewhere_finds_no_secret(
    project: Path, memory_keyring: MemoryKeyring, user_file: Path
) -> None:
    save_secret("dev", SENTINEL)
    write(project.parent / "milvus.local.toml", '[profiles.dev]\nuri = "http://attacker.example:19530"\n')
    memory_keyring.lookups.clear()
    cfg = resolve("dev")
    assert cfg.password is None
    # the new file is not trusted, so its endpoint gets nothing stored, and the keyring is not even asked
    assert memory_keyring.lookups == []
    assert isinstance(cfg.secret_error, SecretWithheldError)
    assert cfg.secret_error.path == project.parent / "milvus.local.toml"
    assert cfg.secret_error.key == "uri"
    # trusted, it still finds nothing of the real host's: secrets are stored by endpoint
    trusted(project.parent / "milvus.local.toml")
    cfg = resolve("dev")
    assert cfg.password is None
    assert memory_keyring.lookups == [("milvus-profiles", "alice@http://attacker.example:19530")]


def test_environment_and_arguments_win_without_a_keyring_lookup(
    project: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_secret("dev", "stored")
    memory_keyring.lookups.clear()
    monkeypatch.setenv("MILVUS_PASSWORD", "from-env")
    cfg = resolve("dev")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == "from-env"
    assert str(cfg.origins["password"]) == "env MILVUS_PASSWORD"
    cfg = resolve("dev", password="from-arg")
    assert cfg.password is not None
    assert cfg.password.get_secret_value() == "from-arg"
    assert memory_keyring.lookups == []


def test_delete_secret(project: Path, memory_keyring: MemoryKeyring) -> None:
    save_secret("dev", SENTINEL)
    assert resolve("dev").password is not None
    assert delete_secret("dev") is True
    assert memory_keyring.store == {}
    assert resolve("dev").password is None
    assert delete_secret("dev") is False


def test_lite_profiles_take_no_secret(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"is a Milvus Lite database .* which takes no secret"):
        save_secret("local", SENTINEL)


def test_empty_secret_is_refused(project: Path) -> None:
    with pytest.raises(ConfigError, match="the secret is empty"):
        save_secret("dev", "")


def test_every_resolve_asks_the_keyring_so_a_secret_another_process_rotated_is_used(
    project: Path, memory_keyring: MemoryKeyring
) -> None:
    account = save_secret("dev", SENTINEL)
    memory_keyring.lookups.clear()
    first = resolve("dev").password
    assert first is not None
    assert first.get_secret_value() == SENTINEL
    memory_keyring.store[("milvus-profiles", account)] = "rotated elsewhere"  # as another process would
    second = resolve("dev").password
    assert second is not None
    assert second.get_secret_value() == "rotated elsewhere"
    assert memory_keyring.lookups == [("milvus-profiles", account)] * 2


def test_no_keyring_backend(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as e:
        save_secret("dev", SENTINEL)
    assert e.value.message == "cannot store a secret: no keyring backend is available"
    # what is missing on this machine (tests/cli/test_headless_terminal.py), and the variables instead
    assert e.value.hint == no_backend_hint(os.environ)
    assert "or set MILVUS_PASSWORD or MILVUS_TOKEN in the environment instead" in e.value.hint
    # resolving still works; the error waits for the moment a secret is needed
    cfg = resolve("dev")
    assert cfg.password is None
    assert isinstance(cfg.secret_error, KeyringUnavailableError)
    monkeypatch.setenv("MILVUS_PASSWORD", "x")
    assert resolve("dev").secret_error is None


class TestMemoryKeyringContract(SecretStoreContract):
    @pytest.fixture
    def store(self, memory_keyring: MemoryKeyring) -> MemoryKeyring:
        return memory_keyring


class FaultyKeyring(MemoryKeyring):
    """A keyring backend that fails the way real ones do (for our handling of it, not for the keyring).

    ``hang`` is a call that never returns, as secretstorage's is when the Secret Service does not answer
    or waits on a prompt no one sees (it sends D-Bus calls with no timeout): it blocks until the test
    ends, and fails the call if a caller still waits for it after a minute.
    """

    def __init__(self, fault: str, released: threading.Event) -> None:
        super().__init__()
        self.fault = fault
        self.released = released

    def get_password(self, service: str, username: str) -> str | None:
        if self.fault == "hang" and not self.released.wait(60):
            raise AssertionError("a caller waited a minute for a keyring call that never returns")
        if self.fault == "locked":
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
        if self.fault == "raise":
            raise RuntimeError("the backend broke")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.get_password(service, username)


@pytest.fixture
def released() -> Iterator[threading.Event]:
    """Set when the test ends: what a hanging keyring call waits for."""
    event = threading.Event()
    yield event
    event.set()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("hang", "the keyring did not answer within 0.2 s"),
        ("locked", "the keyring is locked"),
        ("raise", "the keyring failed (RuntimeError)"),
    ],
)
def test_keyring_faults_end_in_a_typed_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, released: threading.Event, fault: str, reason: str
) -> None:
    monkeypatch.setattr(secrets_module, "KEYRING_TIMEOUT", 0.2)
    keyring.set_keyring(FaultyKeyring(fault, released))
    cfg = resolve("dev")  # never hangs, never raises
    assert cfg.password is None
    error = cfg.secret_error
    assert isinstance(error, KeyringUnavailableError)
    assert error.message == f"cannot read a secret: {reason}"
    assert error.hint is not None
    assert "MILVUS_PASSWORD" in error.hint
    with pytest.raises(KeyringUnavailableError):
        connect("dev")


def test_a_command_ends_with_exit_4_when_the_keyring_never_answers(
    project: Path, monkeypatch: pytest.MonkeyPatch, released: threading.Event
) -> None:
    monkeypatch.setattr(secrets_module, "KEYRING_TIMEOUT", 0.2)
    keyring.set_keyring(FaultyKeyring("hang", released))
    for args in (["test", "dev"], ["secret", "set", "dev", "--stdin"]):
        result = CliRunner().invoke(main, args, input="new-secret")
        assert result.exit_code == 4, args
        assert "the keyring did not answer within 0.2 s" in result.stderr, args


def test_a_keyring_that_failed_is_asked_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, released: threading.Event
) -> None:
    monkeypatch.setattr(secrets_module, "KEYRING_TIMEOUT", 0.2)
    keyring.set_keyring(FaultyKeyring("locked", released))
    assert resolve("dev").secret_error is not None
    unlocked = MemoryKeyring()
    unlocked.store[("milvus-profiles", "alice@http://milvus.example:19530")] = SENTINEL
    keyring.set_keyring(unlocked)
    password = resolve("dev").password
    assert password is not None
    assert password.get_secret_value() == SENTINEL


def test_credentials_in_the_uri_are_used_and_the_keyring_is_not_asked(
    project: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_secret("dev", "stored")
    memory_keyring.lookups.clear()
    monkeypatch.setenv("MILVUS_URI", f"http://alice:{SENTINEL}@milvus.example:19530")
    cfg = resolve("dev")
    assert cfg.password is None  # the URI's user part is what pymilvus sends; nothing stored replaces it
    assert memory_keyring.lookups == []
    assert cfg.secret_error is None
    assert SENTINEL not in repr(cfg) + cfg.explain()
