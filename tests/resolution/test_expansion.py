"""``${MILVUS_...}`` in profile files: every word that names a secret is refused wherever it stands, every
word that names a place is read, and the fallbacks behave as in a shell. The lists below are the rule as
docs/profiles.md states it, written out here so that a word dropped from the code fails a test."""

from __future__ import annotations

import operator
import time
from pathlib import Path
from typing import SupportsIndex

import pytest
from click.testing import CliRunner, Result
from dotenv.variables import _posix_variable
from hypothesis import example, given
from hypothesis import strategies as st

from milvus_profiles import resolve
from milvus_profiles.cli import main
from milvus_profiles.errors import ConfigError
from milvus_profiles.resolution.expansion import references

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


def test_every_reference_of_a_value_is_expanded_in_place(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://${MILVUS_HOST}:${MILVUS_PORT:-1}/x"\n')
    monkeypatch.setenv("MILVUS_HOST", "h")
    monkeypatch.setenv("MILVUS_PORT", "19530")
    assert resolve("p").uri == "http://h:19530/x"


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


class Counted(str):
    """A text that counts the characters ``find`` goes over: the work of a scan, measured without a clock."""

    scanned = 0

    def find(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        begin = 0 if start is None else operator.index(start)
        found = str.find(self, sub, begin)
        self.scanned += (len(self) if found == -1 else found) - begin
        return found


PIECES = st.sampled_from(["${", "}", ":", ":-", "-", "$", "{", "a", "MILVUS_DB", "\n"])


@given(st.lists(PIECES, max_size=16).map("".join) | st.text(max_size=40))
@example("${a}x${b:-c}y")
@example("${a:b}${c}")
@example("${a}${b:-}${c}")
@example("${a:${b}")
@example("${${a}:-}")
@example("$${a:-${b}}")
def test_references_are_what_python_dotenv_reads(text: str) -> None:
    """python-dotenv's own expression is the rule; ours must find the same references, only faster."""
    expected = [(m.start(), m.end(), m["name"], m["default"]) for m in _posix_variable.finditer(text)]
    assert list(references(text)) == expected


HOSTILE = {
    "openings": "${",
    "openings and colons": "${:",
    "openings, names and colons": "${a:",
    "unclosed fallbacks": "${a:-",
    "dollars": "$",
    "references": "${a}",
}


@pytest.mark.parametrize("unit", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("ending", ["", "}", ":}", ":-}"])
def test_finding_references_reads_each_character_a_bounded_number_of_times(unit: str, ending: str) -> None:
    """The scan is linear by construction: each of its three searches (``${``, ``:``, ``}``) only moves
    forward, so it goes over at most three times the text, whatever the text; the backtracking expression
    went over the rest of the text from every ``${`` (a million steps for 1,000 of them)."""
    for size in (1_000, 100_000):
        text = Counted(unit * (size // len(unit)) + ending)
        list(references(text))
        assert text.scanned <= 3 * len(text), (size, text.scanned)


def test_a_megabyte_of_openings_in_a_value_is_read_at_once(isolated: Path) -> None:
    """As reported: `db_name = "${${${..."` ran `show` and `check` for minutes; now they answer at once
    (a generous bound, hundreds of times the time measured, which was well under a second)."""
    body = "${" * ((1024 * 1024 - 100) // 2)
    write(isolated / "milvus.toml", f'[profiles.p]\nuri = "http://h:1"\ndb_name = "{body}"\n')
    started = time.monotonic()
    for args in (["check"], ["show", "p"]):
        result: Result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 30
