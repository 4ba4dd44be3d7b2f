"""Environment over profile is the precedence: a profile you name whose values lose to `MILVUS_*` variables
says so, naming the variables and the profile `env` exported them for."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from milvus_profiles import ProfileWarning, ServerUnreachableError, connect, resolve

from ..helpers import entry_point, run_clean, trusted, write

PROFILES = (
    '[profiles.prod]\nuri = "http://127.0.0.1:9"\ndb_name = "sales"\ntimeout = 1\n\n'
    '[profiles.local]\nuri = "http://127.0.0.1:19530"\ntimeout = 1\n'
)


@pytest.fixture
def project(isolated: Path) -> Path:
    trusted(write(isolated / "milvus.toml", PROFILES))
    return isolated


def test_a_profile_named_after_eval_env_of_another_says_whose_variables_win(
    project: Path, tmp_path: Path
) -> None:
    command = shlex.join([entry_point(), "test", "local"])
    script = f'eval "$({shlex.quote(entry_point())} env prod)"\n{command}\n'
    done = run_clean(["sh", "-c", script], project, tmp_path / "config")
    assert done.returncode == 5  # prod's server is closed: the variables won, as the precedence says
    assert (
        "warning: MILVUS_URI, MILVUS_DB_NAME, MILVUS_TIMEOUT are set in the environment, exported for "
        "profile prod, and win over profile local's uri, db_name, timeout: unset MILVUS_URI MILVUS_DB_NAME "
        "MILVUS_TIMEOUT to use profile local as written"
    ) in done.stderr.replace("\n", " ")


def test_connect_warns_when_a_variable_wins_over_the_profile_it_names(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_URI", "http://127.0.0.1:9")
    expected = r"^MILVUS_URI is set in the environment, and wins over profile local's uri"
    with pytest.warns(ProfileWarning, match=expected), pytest.raises(ServerUnreachableError):
        connect("local")


def test_no_word_when_the_environment_chose_the_profile_too(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_PROFILE", "local")
    monkeypatch.setenv("MILVUS_URI", "http://127.0.0.1:9")
    assert resolve().notes == ()  # not named by you: the environment chose both
    assert resolve("local").notes != ()


def test_what_the_export_marker_holds_is_named_only_when_it_is_a_profiles_name(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_URI", "http://127.0.0.1:9")
    monkeypatch.setenv("MILVUS_PROFILES_EXPORTED", "prod\x1b]0;owned\x07")  # as a .env could set it
    assert resolve("local").notes == (
        "MILVUS_URI is set in the environment, and wins over profile local's uri: unset MILVUS_URI to use "
        "profile local as written",
    )
