"""milvus-profiles doctor: names only, never values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService

from milvus_profiles import save_secret
from milvus_profiles.config import trust

from ..helpers import SENTINEL, MemoryKeyring, Run, files_containing, trusted, write


def section(output: str, title: str) -> list[str]:
    lines = output.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def test_a_clean_machine(cli: Run) -> None:
    result = cli("doctor")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("milvus-profiles 0.1.0, Python ")
    assert section(result.stdout, "keyring") == [
        "  info  backend: tests.helpers.MemoryKeyring",
        "  ok    a lookup works",
        "  info  this backend cannot list what it stores, so secrets no profile uses are not found",
    ]
    assert section(result.stdout, "environment") == ["  ok    no MILVUS_* variable is set"]
    assert section(result.stdout, "profiles") == ["  ok    0 profile(s), no name defined twice"]
    assert section(result.stdout, "pymilvus and .env") == [
        "  ok    no .env file that importing pymilvus would load"
    ]


def test_permissions(cli: Run, user_file: Path) -> None:
    write(Path("milvus.toml"), '[profiles.a]\nuri = "./a.db"\n').chmod(0o666)
    write(user_file, '[profiles.b]\nuri = "./b.db"\n').chmod(0o644)
    result = cli("doctor")
    assert section(result.stdout, "profile files") == [
        f"  ok    trust record {trust.store_path()}: 0 file(s) trusted",
        "  info  milvus.local.toml: not present",
        "  warn  milvus.toml (-rw-rw-rw-): the file is writable by other users, so no stored secret is "
        "sent through its profiles",
        f"        hint: chmod o-w {Path.cwd() / 'milvus.toml'}  (or `milvus-profiles doctor --fix`)",
        f"  warn  {user_file} (-rw-r--r--): others can read your profiles",
        f"        hint: chmod 600 {user_file}  (or `milvus-profiles doctor --fix`)",
    ]


def test_environment_variables_are_named_never_shown(cli: Run) -> None:
    env = {"MILVUS_PASSWORD": SENTINEL, "MILVUS_URI": "http://x:19530", "MILVUS_CONN_ALIAS": "y"}
    result = cli("doctor", env=env)
    assert section(result.stdout, "environment") == [
        "  info  MILVUS_CONN_ALIAS is set: not read by milvus-profiles (pymilvus may read it)",
        "  warn  MILVUS_PASSWORD is set: overrides the secret stored in the keyring",
        "  warn  MILVUS_URI is set: overrides `uri` of every profile",
    ]
    assert SENTINEL not in result.output


def test_shadowed_names_and_the_default(cli: Run, user_file: Path) -> None:
    write(Path("milvus.toml"), 'default = "dev"\n[profiles.dev]\nuri = "http://a:19530"\n')
    write(user_file, '[profiles.dev]\nuri = "http://b:19530"\n')
    assert section(cli("doctor").stdout, "profiles") == [
        f"  info  'dev' is defined in milvus.toml, shadowing {user_file}",
        "  ok    default: 'dev' (milvus.toml)",
    ]


def test_a_dotenv_that_sets_milvus_variables(cli: Run, tmp_path: Path) -> None:
    write(Path(".env"), f"# local\nexport MILVUS_TOKEN={SENTINEL}\nMILVUS_URI=http://x:19530\nOTHER=1\n")
    result = cli("doctor")
    assert section(result.stdout, "pymilvus and .env") == [
        "  warn  .env sets MILVUS_TOKEN, MILVUS_URI: importing pymilvus in your own code loads them into "
        "the environment (milvus-profiles never does), where they count as the project's: no stored secret "
        "goes to a connection they decide",
        "        hint: move these settings into a profile, or trust the file: `milvus-profiles trust .env`",
    ]
    assert SENTINEL not in result.output
    assert files_containing(tmp_path, SENTINEL) == [Path.cwd() / ".env"]


def test_a_broken_file_is_reported_and_fails_the_run(cli: Run) -> None:
    write(Path("milvus.toml"), "[profiles.a\n")
    result = cli("doctor")
    assert result.exit_code == 1
    lines = section(result.stdout, "profiles")
    assert lines[0].startswith(f"  fail  {Path.cwd() / 'milvus.toml'}:1: not valid TOML: ")
    assert lines[1] == "        hint: `milvus-profiles check` lists every problem"


def test_the_state_of_the_trust_record(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), '[profiles.a]\nuri = "http://a:19530"\n'))
    store = trust.store_path()
    assert f"  ok    trust record {store}: 1 file(s) trusted" in cli("doctor").stdout.splitlines()
    store.chmod(0o666)
    lines = cli("doctor").stdout.splitlines()
    at = lines.index(
        f"  warn  trust record {store}: the file is writable by other users, so it vouches for no "
        "project file"
    )
    assert lines[at + 1] == f"        hint: chmod o-w {store}"
    store.write_text("{not json", encoding="utf-8")
    store.chmod(0o600)
    lines = cli("doctor").stdout.splitlines()
    at = lines.index(
        f"  fail  trust record {store} cannot be parsed as a trust record, so it vouches for no project file"
    )
    assert lines[at + 1].startswith("        hint: run `milvus-profiles trust` on a file you trust")


def test_a_keyring_that_fails_fails_the_run_so_ci_can_gate_on_it(cli: Run) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    result = cli("doctor")
    assert result.exit_code == 1
    failed = "  fail  cannot read a secret: no keyring backend is available"
    assert failed in section(result.stdout, "keyring")


def test_warnings_alone_leave_the_exit_code_0(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.a]\nuri = "http://127.0.0.1:1"\n')
    result = cli("doctor", env={"MILVUS_URI": "http://127.0.0.1:2"})
    assert "  warn  MILVUS_URI is set: overrides `uri` of every profile" in result.stdout
    assert "  fail  " not in result.stdout
    assert result.exit_code == 0


class Item:
    def __init__(self, collection: Collection, attributes: dict[str, str], secret: bytes) -> None:
        self.collection, self.attributes, self.secret = collection, attributes, secret

    def get_attributes(self) -> dict[str, str]:
        return dict(self.attributes)

    def get_secret(self) -> bytes:
        self.collection.secrets_read += 1
        return self.secret

    def is_locked(self) -> bool:
        return False

    def delete(self) -> None:
        self.collection.items.remove(self)


class Collection:
    """secretstorage's Collection, as keyring's Secret Service backend uses it, in memory: the backend's
    own code stores, finds and deletes in it (tests/integration/test_keyring_listing.py: the real one)."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.secrets_read = 0
        self.connection = self  # closed after each call

    def close(self) -> None:
        pass

    def is_locked(self) -> bool:
        return False

    def search_items(self, attributes: dict[str, str]) -> Iterator[Item]:
        return iter([i for i in self.items if attributes.items() <= i.attributes.items()])

    def create_item(self, label: str, attributes: dict[str, str], secret: str, replace: bool) -> None:
        self.items = [i for i in self.items if i.attributes != attributes or not replace]
        self.items.append(Item(self, attributes, secret.encode()))


class SecretServiceInMemory(SecretService.Keyring):
    priority = 5

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.collection = Collection()

    def get_preferred_collection(self) -> Collection:
        return self.collection


@pytest.fixture
def secret_service() -> SecretServiceInMemory:
    backend = SecretServiceInMemory()
    keyring.set_keyring(backend)
    return backend


def test_a_stored_secret_no_profile_uses_any_more_is_listed_by_account_never_by_value(
    cli: Run, secret_service: SecretServiceInMemory
) -> None:
    profiles = (
        '[profiles.dev]\nuri = "http://milvus.example:19530"\nuser = "alice"\n'
        '[profiles.lite]\nuri = "./a.db"\n'
    )
    trusted(write(Path("milvus.toml"), profiles))
    save_secret("dev", SENTINEL)
    theirs = ("another-application", "alice@http://milvus.example:19530", "theirs")
    secret_service.set_password(*theirs)  # type: ignore[no-untyped-call]
    assert section(cli("doctor").stdout, "keyring")[2:] == [
        "  ok    each of the 1 stored secret(s) is used by a profile read here"
    ]
    # `set dev uri ...`: the same server under a new name leaves the secret stored for the old one
    trusted(write(Path("milvus.toml"), profiles.replace("milvus.example", "milvus.example.com")))
    secret_service.collection.secrets_read = 0
    result = cli("doctor")
    assert section(result.stdout, "keyring")[2:] == [
        "  info  stored secret alice@http://milvus.example:19530: no profile read here uses it (left by a "
        "change of uri or user, or another project's)",
        "        hint: if no project uses it: keyring del milvus-profiles alice@http://milvus.example:19530",
    ]
    assert result.exit_code == 0
    assert SENTINEL not in result.output
    assert secret_service.collection.secrets_read == 0  # the profile's own lookup finds nothing stored


def test_a_keyring_that_fails_to_list_fails_the_run(cli: Run, secret_service: SecretServiceInMemory) -> None:
    def broken(attributes: dict[str, str]) -> Iterator[Item]:
        if "username" not in attributes:  # a search for every account
            raise RuntimeError("the Secret Service broke")
        return iter([])

    secret_service.collection.search_items = broken  # type: ignore[method-assign]
    result = cli("doctor")
    assert section(result.stdout, "keyring")[1:] == [
        "  ok    a lookup works",
        "  fail  cannot list the stored secrets: the keyring failed (RuntimeError)",
        "        hint: check it with `milvus-profiles doctor`, or set MILVUS_PASSWORD or MILVUS_TOKEN "
        "instead",
    ]
    assert result.exit_code == 1


class LowPriorityKeyring(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


def test_a_backend_keyring_does_not_recommend_is_named_with_its_priority(cli: Run) -> None:
    keyring.set_keyring(LowPriorityKeyring())
    result = cli("doctor")
    assert section(result.stdout, "keyring")[1] == (
        "  warn  the keyring backend tests.cli.test_doctor.LowPriorityKeyring has priority 0.5, below 1: "
        "keyring does not recommend it, and it may keep secrets unprotected"
    )
    assert result.exit_code == 0
