"""A pytest plugin for test suites that talk to Milvus through a profile.

Installing milvus-profiles enables it (entry point ``pytest11``). It adds:

- ``--milvus-profile NAME`` (or the ini option ``milvus_profile``; without either, ``MILVUS_PROFILE`` and
  then the files' ``default`` choose, as for :func:`milvus_profiles.resolve`);
- ``--milvus-require``: fail instead of skip when the profile's server is not ready (for CI);
- the fixture ``milvus_profile``: the resolved profile (no network);
- the fixture ``milvus_client``: ``connect(profile=NAME)``, a ready ``pymilvus.MilvusClient``, closed
  after the test.

A server that is not ready (unreachable, refusing the credentials, missing the database, or no secret
to send) makes the tests that use ``milvus_client`` skip, with the reason; it is tried once per run.
A broken profile (:class:`~milvus_profiles.ConfigError`, an unknown profile) fails them: that is a
mistake to fix, not an absent server. Loading the plugin imports neither pymilvus nor grpc.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import pytest

from .errors import ConnectError, KeyringUnavailableError, MilvusProfilesError, SecretNotFoundError

if TYPE_CHECKING:
    from pymilvus import MilvusClient

    from .resolution.resolved import ResolvedProfile

NOT_READY: tuple[type[MilvusProfilesError], ...] = (
    ConnectError,  # ServerUnreachableError, AuthenticationError, DatabaseNotFoundError
    SecretNotFoundError,
    KeyringUnavailableError,
)
"""The errors that mean the server (or its secret) is not there, rather than a mistake."""

_NOT_READY_SEEN = pytest.StashKey[dict[str | None, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("milvus-profiles", "Milvus connection profiles")
    group.addoption(
        "--milvus-profile",
        dest="milvus_profile",
        metavar="NAME",
        help="The profile the milvus_client and milvus_profile fixtures use "
        "(default: the ini option milvus_profile, else MILVUS_PROFILE, else the files' default).",
    )
    group.addoption(
        "--milvus-require",
        dest="milvus_require",
        action="store_true",
        help="Fail, rather than skip, tests whose Milvus server is not ready.",
    )
    parser.addini("milvus_profile", "The profile of the milvus_client and milvus_profile fixtures.")


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_NOT_READY_SEEN] = {}


def pytest_report_header(config: pytest.Config) -> str | None:
    name = profile_name(config)
    return f"milvus-profiles: profile {name}" if name else None


def profile_name(config: pytest.Config) -> str | None:
    """The profile named by ``--milvus-profile`` or the ini option; None lets resolve() choose."""
    given = config.getoption("milvus_profile", default=None) or config.getini("milvus_profile")
    return str(given) if given else None


def _not_ready(config: pytest.Config, name: str | None, error: MilvusProfilesError) -> str:
    label = f"profile {name!r}" if name else "the default profile"
    reason = f"Milvus {label} is not ready ({type(error).__name__}): {error.message}"
    if error.hint:
        reason += f"; hint: {error.hint}"
    config.stash[_NOT_READY_SEEN][name] = reason
    return reason


def _skip_or_fail(config: pytest.Config, reason: str) -> NoReturn:
    if config.getoption("milvus_require", default=False):
        pytest.fail(reason + " (--milvus-require)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def milvus_profile(pytestconfig: pytest.Config) -> ResolvedProfile:
    """The resolved profile: values and their origins, no network."""
    from .resolution.resolver import resolve

    name = profile_name(pytestconfig)
    try:
        return resolve(name)
    except NOT_READY as e:
        _skip_or_fail(pytestconfig, _not_ready(pytestconfig, name, e))


@pytest.fixture
def milvus_client(pytestconfig: pytest.Config) -> Iterator[MilvusClient]:
    """A ready ``pymilvus.MilvusClient`` for the profile, closed after the test."""
    from .connection import client as client_module

    name = profile_name(pytestconfig)
    seen = pytestconfig.stash[_NOT_READY_SEEN]
    if name in seen:
        _skip_or_fail(pytestconfig, seen[name])
    try:
        client = client_module.connect(name)
    except NOT_READY as e:
        _skip_or_fail(pytestconfig, _not_ready(pytestconfig, name, e))
    try:
        yield client
    finally:
        client.close()
