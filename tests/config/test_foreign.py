"""Reading other tools' settings into profiles: URIs with credentials, tokens, names, and no secret in a
repr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from milvus_profiles.config.foreign import from_milvus_cli, from_variables, split_uri
from milvus_profiles.errors import ConfigError

from ..helpers import SENTINEL, write


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("http://localhost:19530", ("http://localhost:19530", None, None, None, None)),
        ("localhost:19530", ("http://localhost:19530", None, None, None, None)),
        ("https://app:pw@h.example:443/x", ("https://h.example:443", "x", "app", "pw", None)),
        ("http://app:p/w@h:19530", None),
        ("http://KEY@h:19530/mydb/", ("http://h:19530", "mydb", None, None, "KEY")),
        ("app:pw@h:19530", ("http://h:19530", None, "app", "pw", None)),
        ("./data/milvus.db", ("./data/milvus.db", None, None, None, None)),
        ("unix:/run/milvus.sock", ("unix:/run/milvus.sock", None, None, None, None)),
    ],
)
def test_split_uri_reads_the_user_part_and_database_as_pymilvus_does(
    uri: str, expected: tuple[str, str | None, str | None, str | None, str | None] | None
) -> None:
    if expected is None:
        with pytest.raises(ConfigError) as refused:
            split_uri(uri, where="MILVUS_URI")
        assert refused.value.message.startswith("MILVUS_URI: 'http://***@h:19530' has an '@' after")
        return
    bare, split = split_uri(uri)
    secrets = (s.get_secret_value() if s else None for s in (split.password, split.token))
    assert (bare, split.db_name, split.user, *secrets) == expected
    assert "pw" not in repr(split)
    assert "KEY" not in repr(split)


def test_a_token_in_the_uri_user_part_is_imported_as_the_token_not_as_a_user() -> None:
    found = from_variables({"MILVUS_URI": f"https://{SENTINEL}@h:443"}, name="p", source="s")
    assert found.values == {"uri": "https://h:443"}
    assert (found.secret, found.secret_kind, found.holders) == (SENTINEL, "token", ("MILVUS_URI",))


def test_the_uri_path_is_imported_as_the_database_and_a_different_db_name_is_an_error() -> None:
    found = from_variables({"MILVUS_URI": "http://h:19530/mydb"}, name="p", source="s")
    assert found.values == {"uri": "http://h:19530", "db_name": "mydb"}
    same = {"MILVUS_URI": "http://h:19530/mydb", "MILVUS_DB_NAME": "mydb"}
    assert from_variables(same, name="p", source="s").values["db_name"] == "mydb"
    with pytest.raises(ConfigError) as conflict:
        from_variables({**same, "MILVUS_DB_NAME": "other"}, name="p", source=".env")
    assert conflict.value.message == (
        "MILVUS_DB_NAME in .env is 'other' but the path of MILVUS_URI in .env names database 'mydb'"
    )


def test_a_found_profile_never_shows_its_secret() -> None:
    found = from_variables({"MILVUS_URI": "https://h:443", "MILVUS_TOKEN": SENTINEL}, name="p", source="s")
    assert found.secret == SENTINEL
    assert found.secret_kind == "token"
    assert found.holders == ("MILVUS_TOKEN",)
    assert SENTINEL not in repr(found)
    assert SENTINEL not in str(found.values)


def test_a_token_beside_a_user_is_left_out_unless_it_is_that_users_password() -> None:
    variables = {"MILVUS_URI": "http://h:19530", "MILVUS_USER": "app", "MILVUS_TOKEN": f"app:{SENTINEL}"}
    found = from_variables(variables, name="p", source="s")
    assert (found.values["user"], found.secret, found.secret_kind) == ("app", SENTINEL, "password")
    variables["MILVUS_TOKEN"] = SENTINEL
    found = from_variables(variables, name="p", source="s")
    assert found.secret is None
    assert found.notes == (
        "MILVUS_TOKEN is not imported: a profile with a user takes a password, not a token",
    )


def test_a_password_without_a_user_is_left_out() -> None:
    found = from_variables(
        {"MILVUS_URI": "http://h:19530", "MILVUS_PASSWORD": SENTINEL}, name="p", source="s"
    )
    assert found.secret is None
    assert found.notes == ("MILVUS_PASSWORD is not imported: without MILVUS_USER no password is used",)


def test_an_invalid_uri_is_refused_without_showing_credentials() -> None:
    with pytest.raises(ConfigError) as caught:
        from_variables({"MILVUS_URI": f"ftp://u:{SENTINEL}@h"}, name="p", source=".env")
    assert caught.value.message == "MILVUS_URI in .env: 'ftp://***@h' is not a Milvus URI"


def test_milvus_cli_names_are_profile_names_and_unique(tmp_path: Path) -> None:
    saved = write(
        tmp_path / "c.json",
        json.dumps(
            {
                "https://a.example:443": {"uri": "https://a.example:443"},
                "a.example": {"uri": "http://other:19530"},
                "staging": {"uri": "http://staging:19530"},
                "my alias": {"uri": "https://a.example:443", "tlsmode": 2, "cert": "/c.pem"},
            }
        ),
    )
    found = from_milvus_cli(saved)
    assert [f.name for f in found] == ["a-example-443", "other-19530", "staging", "a-example-443-2"]
    assert found[3].values == {"uri": "https://a.example:443", "tls": {"secure": True}}
    assert found[3].notes == (
        "tlsmode 2 (mutual TLS) is not imported: add client_pem_path, client_key_path and ca_pem_path to "
        "the profile's [tls] table",
    )
