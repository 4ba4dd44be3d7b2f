"""``${MILVUS_...}`` in profile files: every word that names a secret is refused wherever it stands, every
word that names a place is read, and the fallbacks behave as in a shell. The lists below are the rule as
docs/profiles.md states it, written out here so that a word dropped from the code fails a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from milvus_profiles import resolve
from milvus_profiles.errors import ConfigError

from ..helpers import SENTINEL, write

SECRET_WORDS = [
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "TOKEN",
    "SECRET",
    "KEY",
    "APIKEY",
    "AUTH",
    "CREDENTIAL",
    "CREDENTIALS",
    "CRED",
    "CREDS",
    "PRIVATE",
    "SESSION",
    "COOKIE",
    "SIGNATURE",
    "CERT",
]
PLACE_WORDS = [
    "HOST",
    "HOSTNAME",
    "PORT",
    "DB",
    "DATABASE",
    "NAME",
    "USER",
    "USERNAME",
    "TIMEOUT",
    "REGION",
    "CLUSTER",
    "ZONE",
    "ENV",
    "ENVIRONMENT",
    "STAGE",
    "NAMESPACE",
    "PROJECT",
    "DIR",
    "PATH",
]


def profile_reading(isolated: Path, name: str) -> Path:
    return write(isolated / "milvus.toml", f'[profiles.p]\nuri = "http://h:1"\ndb_name = "${{{name}}}"\n')


def refused(isolated: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> ConfigError:
    monkeypatch.setenv(name, SENTINEL)
    path = profile_reading(isolated, name)
    with pytest.raises(ConfigError) as caught:
        resolve("p")
    error = caught.value
    assert error.message.startswith(f"{path}:3: profiles.p.db_name: ${{{name}}} cannot be expanded")
    assert (error.path, error.line) == (path, 3)
    assert SENTINEL not in str(error)
    return error


@pytest.mark.parametrize("word", SECRET_WORDS)
@pytest.mark.parametrize("shape", ["MILVUS_{}_HOST", "MILVUS_PROD_{}_NAME", "MILVUS_{}_USER"])
def test_a_secret_word_anywhere_refuses_the_name(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, word: str, shape: str
) -> None:
    refused(isolated, monkeypatch, shape.format(word))


@pytest.mark.parametrize("word", PLACE_WORDS)
def test_every_word_that_names_a_place_may_be_read(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, word: str
) -> None:
    name = f"MILVUS_PROD_{word}"
    monkeypatch.setenv(name, "value1")
    profile_reading(isolated, name)
    assert resolve("p").db_name == "value1"


@pytest.mark.parametrize(
    "name",
    [
        "HOME",  # not ours
        "PROD_HOST",
        "XMILVUS_HOST",
        "MILVUS_",  # no word
        "MILVUS__HOST",  # an empty word
        "MILVUS_HOST_",
        "MILVUS_URI",  # may carry user:password@
        "MILVUS_HOST_SUFFIX",  # the last word must name a place
        "milvus_host",
        "MILVUS_HOST-X",
    ],
)
def test_other_names_are_refused(isolated: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    error = refused(isolated, monkeypatch, name)
    assert error.hint is not None
    assert "${MILVUS_PROD_HOST}" in error.hint


def test_a_set_variable_wins_over_the_fallback(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://${MILVUS_HOST:-fallback}:1"\n')
    assert resolve("p").uri == "http://fallback:1"
    monkeypatch.setenv("MILVUS_HOST", "set")
    cfg = resolve("p")
    assert cfg.uri == "http://set:1"
    assert cfg.origins["uri"].detail.endswith("with ${MILVUS_HOST}")


def test_an_empty_variable_takes_the_fallback_as_in_a_shell(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_HOST", "")
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://${MILVUS_HOST:-fallback}:1"\n')
    assert resolve("p").uri == "http://fallback:1"


def test_an_empty_fallback_is_a_fallback(isolated: Path) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://h:1"\ndb_name = "a${MILVUS_STAGE:-}"\n')
    assert resolve("p").db_name == "a"


def test_a_missing_variable_without_a_fallback_names_it(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://h:1"\ndb_name = "${MILVUS_STAGE}"\n')
    with pytest.raises(ConfigError) as caught:
        resolve("p")
    assert (
        caught.value.message == f"{path}:3: profiles.p.db_name: environment variable MILVUS_STAGE is not set"
    )
    assert (caught.value.path, caught.value.line) == (path, 3)
    assert caught.value.hint == "set MILVUS_STAGE, or write ${MILVUS_STAGE:-fallback} to give a fallback"


def test_a_refused_name_is_refused_even_with_a_fallback(isolated: Path) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://h:1"\ndb_name = "${MILVUS_TOKEN_DB:-x}"\n')
    with pytest.raises(ConfigError, match="cannot be expanded"):
        resolve("p")


def test_expandable_answers_true_or_false() -> None:
    from milvus_profiles.resolution.expansion import expandable

    assert expandable("MILVUS_PROD_HOST") is True
    assert expandable("HOME") is False
    assert expandable("MILVUS__HOST") is False
    assert expandable("MILVUS_TOKEN_HOST") is False
