"""The pytest plugin, run by pytest itself (pytester) against a Milvus Lite profile that is ready and a
profile whose server is not there."""

from __future__ import annotations

import socket
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

# pytester's in-process runs drop the modules imported after it starts, and numpy (under pymilvus) cannot
# be imported twice in one process: import it before.
import pymilvus  # noqa: F401
import pytest

pytest_plugins = ["pytester"]

USES_BOTH = """
def test_ready(milvus_client, milvus_profile):
    assert milvus_profile.name == "lite"
    assert milvus_profile.is_lite
    assert milvus_client.list_collections() == []
"""

COUNTS_CONNECTS = """
import milvus_profiles.connection.client

CALLS = []
_real = milvus_profiles.connection.client.connect


def _counting(*args, **kwargs):
    CALLS.append(args)
    return _real(*args, **kwargs)


def pytest_configure(config):
    milvus_profiles.connection.client.connect = _counting


def pytest_unconfigure(config):
    milvus_profiles.connection.client.connect = _real
"""

THREE_CLIENTS = """
from conftest import CALLS


def test_one(milvus_client):
    pass


def test_two(milvus_client):
    pass


def test_three(milvus_client):
    pass


def test_connect_was_tried_once():
    assert len(CALLS) == 1
"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def profiles(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = pytester.path / "profiles.toml"
    path.write_text(
        '[profiles.lite]\nuri = "./lite.db"\n\n'
        f'[profiles.down]\nuri = "http://127.0.0.1:{closed_port()}"\ntimeout = 2\n\n'
        '[profiles.broken]\nuri = "http://${MILVUS_NOT_SET_HOST}:19530"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("MILVUS_PROFILES_FILE", str(path))
    return path


def test_the_plugin_is_registered_and_loads_without_pymilvus() -> None:
    (plugin,) = entry_points(group="pytest11", name="milvus_profiles")
    assert plugin.value == "milvus_profiles.pytest_plugin"
    code = (
        "import sys, milvus_profiles.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pymilvus', 'grpc')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_a_ready_profile_gives_a_client_and_the_resolved_profile(
    pytester: pytest.Pytester, profiles: Path
) -> None:
    pytester.makepyfile(USES_BOTH)
    result = pytester.runpytest("--milvus-profile", "lite", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["milvus-profiles: profile lite"])
    assert (pytester.path / "lite.db").exists()


def test_the_ini_option_names_the_profile(pytester: pytest.Pytester, profiles: Path) -> None:
    pytester.makeini("[pytest]\nmilvus_profile = lite\n")
    pytester.makepyfile(USES_BOTH)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_server_that_is_not_there_skips_once_with_the_reason(
    pytester: pytest.Pytester, profiles: Path
) -> None:
    pytester.makeconftest(COUNTS_CONNECTS)
    pytester.makepyfile(THREE_CLIENTS)
    result = pytester.runpytest("--milvus-profile", "down", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] *: Milvus profile 'down' is not ready (ServerUnreachableError): "
            "profile down: cannot reach the Milvus server at 127.0.0.1:* (*Connection refused*); "
            "hint: check that the server runs*",
        ]
    )
    assert result.stdout.str().count("Milvus profile 'down' is not ready") == 3


def test_require_turns_the_skip_into_a_failure(pytester: pytest.Pytester, profiles: Path) -> None:
    pytester.makepyfile("def test_one(milvus_client):\n    pass\n")
    result = pytester.runpytest("--milvus-profile", "down", "--milvus-require", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Milvus profile 'down' is not ready*(--milvus-require)"])


def test_a_broken_profile_fails_loudly(pytester: pytest.Pytester, profiles: Path) -> None:
    pytester.makepyfile(
        "def test_client(milvus_client):\n    pass\n\n\ndef test_profile(milvus_profile):\n    pass\n"
    )
    result = pytester.runpytest("--milvus-profile", "broken", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*ConfigError*environment variable MILVUS_NOT_SET_HOST is not set*"])
    pytester.makepyfile("def test_client(milvus_client):\n    pass\n")
    result = pytester.runpytest("--milvus-profile", "nope", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ProfileNotFoundError: no profile named 'nope'*"])


def test_without_the_option_the_files_default_is_used(pytester: pytest.Pytester, profiles: Path) -> None:
    profiles.write_text('default = "lite"\n' + profiles.read_text(encoding="utf-8"), encoding="utf-8")
    pytester.makepyfile(USES_BOTH)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "milvus-profiles: profile" not in result.stdout.str()
