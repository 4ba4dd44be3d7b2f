"""One contract every secret store passes: the in-memory keyring of the unit tests and the real Secret
Service of the integration tests run the same tests (as keyring's own backend test kit does)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring.backend
import pytest

from milvus_profiles import delete_secret, resolve, save_secret

from .helpers import SENTINEL, trusted, write

FILE = """\
[profiles.a]
uri = "https://contract.example:443"
user = "contract-user"
[profiles.b]
uri = "https://CONTRACT.example"
user = "contract-user"
db_name = "other"
[profiles.t]
uri = "https://contract.example:443"
"""


class SecretStoreContract:
    @pytest.fixture
    def store(self) -> keyring.backend.KeyringBackend:
        raise NotImplementedError

    @pytest.fixture
    def project(self, isolated: Path, store: keyring.backend.KeyringBackend) -> Iterator[Path]:
        path = trusted(write(isolated / "milvus.toml", FILE))
        yield path
        for name in ("a", "t"):
            delete_secret(name)

    def test_round_trip_through_the_store(self, project: Path, store: keyring.backend.KeyringBackend) -> None:
        account = save_secret("a", SENTINEL)
        assert account == "contract-user@https://contract.example:443"
        assert store.get_password("milvus-profiles", account) == SENTINEL
        password = resolve("a").password
        assert password is not None
        assert password.get_secret_value() == SENTINEL

    def test_same_endpoint_and_user_share_one_secret(self, project: Path) -> None:
        save_secret("a", SENTINEL)
        password = resolve("b").password
        assert password is not None
        assert password.get_secret_value() == SENTINEL

    def test_password_and_token_are_separate(self, project: Path) -> None:
        save_secret("a", "the-password")
        save_secret("t", "the-token")
        a, t = resolve("a"), resolve("t")
        assert a.password is not None
        assert a.password.get_secret_value() == "the-password"
        assert t.token is not None
        assert t.token.get_secret_value() == "the-token"

    def test_overwrite_and_delete(self, project: Path, store: keyring.backend.KeyringBackend) -> None:
        save_secret("a", "first")
        save_secret("a", "second")
        assert store.get_password("milvus-profiles", "contract-user@https://contract.example:443") == "second"
        assert delete_secret("a") is True
        assert delete_secret("a") is False
        assert resolve("a").password is None

    def test_unicode_secret(self, project: Path) -> None:
        save_secret("a", "pässwörd-密码-🔑")
        password = resolve("a").password
        assert password is not None
        assert password.get_secret_value() == "pässwörd-密码-🔑"
