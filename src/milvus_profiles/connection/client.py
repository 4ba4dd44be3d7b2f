"""connect() and connect_async(): a ready pymilvus client, or a typed error saying what failed.

pymilvus is imported (:func:`milvus_profiles.connection.imports.import_pymilvus`) only when a client is
asked for: importing it costs most of a second, so it happens after the profile is resolved.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..resolution.resolved import ResolvedProfile
from ..resolution.resolver import resolve
from .diagnose import chain, classify, detail_of, is_connection_failure, preflight, verdicts
from .imports import import_pymilvus

if TYPE_CHECKING:
    from pymilvus import AsyncMilvusClient, MilvusClient


def connect(
    profile: str | None = None,
    *,
    files: Sequence[str | os.PathLike[str]] | None = None,
    **overrides: Any,
) -> MilvusClient:
    """A ready `pymilvus.MilvusClient` for a profile.

    Ready means: the server answered, the credentials were accepted and the database exists. Closing the
    client never breaks another one; profiles that differ only in TLS or gRPC options never share a
    channel.

    Args:
        profile: The profile's name. `None` selects one as the command line does: `MILVUS_PROFILE`,
            else the `default` of the highest file that sets one, else no profile at all (built-in
            defaults, variables and arguments still apply).
        files: The profile files to read, highest precedence first, instead of discovering
            `milvus.local.toml`, `milvus.toml` and the user file; the same as `MILVUS_PROFILES_FILE`.
        **overrides: Values that win over the profile and the environment: `uri`, `db_name`,
            `timeout` (seconds), `user`, `password` and `token`. `None` or `""` means not given. Any other
            name raises `ConfigError`, which suggests the closest one.

    Returns:
        A client that has already answered a call on the profile's database.

    Raises:
        ConfigError: A profile file, an environment variable or an argument holds something invalid.
        ProfileNotFoundError: No profile file defines the named profile.
        SecretWithheldError: A stored secret exists for the connection, but its server or transport
            comes from a file you have not trusted (or one others can change); the error names the file,
            the key and the `milvus-profiles trust` command.
        SecretNotFoundError: The profile has a user, and no password comes from anywhere.
        KeyringUnavailableError: The keyring was needed and does not work.
        ServerUnreachableError: No answer within the profile's `timeout`, or the TLS handshake failed.
        AuthenticationError: The server refused the credentials.
        DatabaseNotFoundError: The server has no database named `db_name`.

    Examples:
        ```python
        from milvus_profiles import connect

        client = connect("local")
        print(client.list_collections())
        client.close()
        ```
    """
    cfg = resolve(profile, files=files, **overrides)
    preflight(cfg)
    kwargs = cfg.client_kwargs()  # makes a Milvus Lite file's folder
    MilvusClient = import_pymilvus().MilvusClient
    dedicated = needs_own_channel(cfg)
    with verdicts(cfg), quiet_pymilvus_logs():
        while True:
            client = None
            try:
                client = MilvusClient(**kwargs, dedicated=dedicated)
                client.list_collections(timeout=cfg.timeout)
                return client
            except Exception as e:
                if client is not None:
                    with contextlib.suppress(Exception):  # the first error is the one to report
                        client.close()
                if dedicated or not closed_by_server(e):
                    raise
                dedicated = True  # the shared channel is gone: this client gets one of its own


async def connect_async(
    profile: str | None = None,
    *,
    files: Sequence[str | os.PathLike[str]] | None = None,
    **overrides: Any,
) -> AsyncMilvusClient:
    """A ready `pymilvus.AsyncMilvusClient` for a profile: `connect` for asyncio.

    It takes the same arguments, proves the same readiness and raises the same errors as `connect`.

    Args:
        profile: The profile's name. `None` selects one as the command line does: `MILVUS_PROFILE`,
            else the `default` of the highest file that sets one, else no profile at all (built-in
            defaults, variables and arguments still apply).
        files: The profile files to read, highest precedence first, instead of discovering
            `milvus.local.toml`, `milvus.toml` and the user file; the same as `MILVUS_PROFILES_FILE`.
        **overrides: Values that win over the profile and the environment: `uri`, `db_name`,
            `timeout` (seconds), `user`, `password` and `token`. `None` or `""` means not given. Any other
            name raises `ConfigError`, which suggests the closest one.

    Returns:
        A client that has already answered a call on the profile's database.

    Raises:
        MilvusProfilesError: The errors of `connect`, for the same reasons.

    Examples:
        ```python
        import asyncio

        from milvus_profiles import connect_async


        async def main() -> None:
            client = await connect_async("prod", timeout=5)
            print(await client.list_collections())
            await client.close()


        asyncio.run(main())
        ```
    """
    cfg = resolve(profile, files=files, **overrides)
    preflight(cfg)
    kwargs = cfg.client_kwargs()  # makes a Milvus Lite file's folder
    AsyncMilvusClient = import_pymilvus().AsyncMilvusClient
    dedicated = needs_own_channel(cfg)
    with verdicts(cfg), quiet_pymilvus_logs():
        while True:
            client = None
            try:
                client = AsyncMilvusClient(**kwargs, dedicated=dedicated)
                await client.list_collections(timeout=cfg.timeout)
                return client
            except Exception as e:
                if client is not None:
                    with contextlib.suppress(Exception):  # the first error is the one to report
                        await client.close()
                if dedicated or not closed_by_server(e):
                    raise
                dedicated = True


_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("milvus_profiles_quiet", default=False)
# pymilvus's RPC errors (each with a traceback), and the retries of a global cluster's topology fetch
_LOGGERS = ("pymilvus.decorators", "pymilvus.client.global_topology")


def _quiet(record: logging.LogRecord) -> bool:
    return not _QUIET.get()


@contextlib.contextmanager
def quiet_pymilvus_logs() -> Iterator[None]:
    """Inside (in this thread or task only), pymilvus logs no failure: the caller turns the error into a
    typed one that says what happened."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _quiet not in logger.filters:
            logger.addFilter(_quiet)
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def needs_own_channel(cfg: ResolvedProfile) -> bool:
    """Whether the client needs a channel of its own rather than pymilvus's shared one, which pymilvus
    shares between clients of the same address and token whatever their TLS and gRPC options: only a
    plain channel without options, fully described by address and token, is shared (the database is per
    client), so profiles that differ only in TLS or gRPC options never share one."""
    return bool(cfg.tls) or bool(cfg.grpc_options) or cfg.address.secure


def closed_by_server(error: BaseException) -> bool:
    """Whether the server closed the channel the call went on (a GOAWAY): pymilvus pings on a shared
    channel every 10 s even when it is idle, and Milvus Lite answers such pings with a GOAWAY ("too many
    pings"), which fails every client on it; ``connect()`` then gives the client a channel of its own
    instead of reporting a server that is there as unreachable."""
    return any("too many pings" in (d := detail_of(e).lower()) or "goaway" in d for e in chain(error))


__all__ = [
    "classify",
    "connect",
    "connect_async",
    "is_connection_failure",
    "quiet_pymilvus_logs",
]
