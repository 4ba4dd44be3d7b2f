"""A pytest plugin: a profile and its client as fixtures; a server not ready skips (docs/pytest-plugin.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import pytest

from .errors import ConnectError, KeyringUnavailableError, MilvusProfilesError, SecretNotFoundError

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from .resolution.resolved import ResolvedProfile

# the server (or its secret) is not there, rather than a mistake; ConnectError: unreachable, refused, no db
NOT_READY = (ConnectError, SecretNotFoundError, KeyringUnavailableError)

_NOT_READY_SEEN = pytest.StashKey[dict[str | None, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("milvus-profiles", "Milvus connection profiles")
    group.addoption(
        "--milvus-profile",
        metavar="NAME",
        help="The profile the milvus_client and milvus_profile fixtures use "
        "(default: the ini option milvus_profile, else MILVUS_PROFILE, else the files' default).",
    )
    group.addoption("--milvus-require", action="store_true", help="Fail, not skip, when Milvus is not ready.")
    parser.addini("milvus_profile", "The profile of the milvus_client and milvus_profile fixtures.")


def pytest_report_header(config: pytest.Config) -> str | None:
    return f"milvus-profiles: profile {name}" if (name := profile_name(config)) else None


def profile_name(config: pytest.Config) -> str | None:
    given = config.getoption("milvus_profile", default=None) or config.getini("milvus_profile")
    return str(given) if given else None


def _skip_or_fail(
    config: pytest.Config, name: str | None, error: MilvusProfilesError | None = None
) -> NoReturn:
    """Skip (fail with ``--milvus-require``) for a server not ready, the reason kept for the run."""
    seen = config.stash.setdefault(_NOT_READY_SEEN, {})
    if error is not None:
        label = f"profile {name!r}" if name else "the default profile"
        seen[name] = f"Milvus {label} is not ready ({type(error).__name__}): {error.message}"
        seen[name] += f"; hint: {error.hint}" if error.hint else ""
    if config.getoption("milvus_require", default=False):
        pytest.fail(seen[name] + " (--milvus-require)", pytrace=False)
    pytest.skip(seen[name])


@pytest.fixture(scope="session")
def milvus_profile(pytestconfig: pytest.Config) -> ResolvedProfile:
    """The resolved profile: values and their origins, no network."""
    from .resolution.resolver import resolve

    name = profile_name(pytestconfig)
    try:
        return resolve(name)
    except NOT_READY as e:
        _skip_or_fail(pytestconfig, name, e)


@pytest.fixture
def milvus_client(pytestconfig: pytest.Config) -> Iterator[MilvusClient]:
    """A ready ``pymilvus.MilvusClient`` for the profile, closed after the test."""
    from .connection.client import connect

    name = profile_name(pytestconfig)
    if name in pytestconfig.stash.get(_NOT_READY_SEEN, {}):
        _skip_or_fail(pytestconfig, name)
    try:
        client = connect(name)
    except NOT_READY as e:
        _skip_or_fail(pytestconfig, name, e)
    with contextlib.closing(client):
        yield client
