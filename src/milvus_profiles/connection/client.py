"""connect() and connect_async(): a ready pymilvus client, or a typed error saying what failed.

pymilvus (most of a second to import) is imported only after the profile is resolved."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..resolution.resolved import ResolvedProfile
from ..resolution.resolver import resolve
from .diagnose import chain, classify, detail_of, preflight, verdicts
from .imports import import_pymilvus

if TYPE_CHECKING:
    from pymilvus import AsyncMilvusClient, MilvusClient

_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("milvus_profiles_quiet", default=False)
# pymilvus's RPC errors (each with a traceback), and the retries of a global cluster's topology fetch
for _name in ("pymilvus.decorators", "pymilvus.client.global_topology"):
    logging.getLogger(_name).addFilter(lambda record: not _QUIET.get())


def connect(
    profile: str | None = None, *, files: Sequence[str | os.PathLike[str]] | None = None, **overrides: Any
) -> MilvusClient:
    """A ready `pymilvus.MilvusClient` for a profile: the server answered, accepted the credentials and has
    the database. Closing it never breaks another client; profiles that differ only in TLS or gRPC options
    never share a channel.

    Args:
        profile: The profile's name. `None` selects one as the command line does: `MILVUS_PROFILE`, else
            the `default` of the highest file that sets one, else no profile at all (built-in defaults,
            variables and arguments still apply).
        files: The profile files to read, highest precedence first, instead of discovering
            `milvus.local.toml`, `milvus.toml` and the user file; the same as `MILVUS_PROFILES_FILE`.
        **overrides: Values that win over the profile and the environment: `uri`, `db_name`, `timeout`
            (seconds), `user`, `password` and `token`. `None` or `""` means not given. Any other name
            raises `ConfigError`, which suggests the closest one.

    Returns:
        A client that has already answered a call on the profile's database.

    Raises:
        ConfigError: A profile file, an environment variable or an argument holds something invalid.
        ProfileNotFoundError: No profile file defines the named profile.
        SecretWithheldError: A stored secret exists, but the server or transport comes from a file you
            have not trusted (or others can change); the error names it and the `trust` command.
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
    cfg, make, dedicated = _start(profile, files, overrides, "MilvusClient")
    with verdicts(cfg), quiet_pymilvus_logs():
        while True:
            client = None
            try:
                client = make(dedicated=dedicated)
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
    profile: str | None = None, *, files: Sequence[str | os.PathLike[str]] | None = None, **overrides: Any
) -> AsyncMilvusClient:
    """A ready `pymilvus.AsyncMilvusClient` for a profile: `connect` for asyncio, with the same readiness.

    Args:
        profile: The profile's name; `None` selects one as `connect` does.
        files: The profile files to read, highest precedence first, as for `connect`.
        **overrides: Values that win over the profile and the environment, as for `connect`: `uri`,
            `db_name`, `timeout` (seconds), `user`, `password` and `token`.

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
    cfg, make, dedicated = _start(profile, files, overrides, "AsyncMilvusClient")
    with verdicts(cfg), quiet_pymilvus_logs():
        while True:
            client = None
            try:
                client = make(dedicated=dedicated)
                await client.list_collections(timeout=cfg.timeout)
                return client
            except Exception as e:
                if client is not None:
                    with contextlib.suppress(Exception):
                        await client.close()
                if dedicated or not closed_by_server(e):
                    raise
                dedicated = True


def _start(
    profile: str | None, files: Sequence[str | os.PathLike[str]] | None, overrides: dict[str, Any], kind: str
) -> tuple[ResolvedProfile, Callable[..., Any], bool]:
    """The profile, checked; a maker of pymilvus's ``kind`` of client; whether it needs its own channel:
    pymilvus shares one channel between clients of the same address and token whatever their TLS and gRPC
    options, so only a plain channel without options (the database is per client) is shared."""
    cfg = resolve(profile, files=files, **overrides)
    preflight(cfg, stacklevel=4)  # the warnings point at the caller of connect()
    kwargs = cfg.client_kwargs()  # makes a Milvus Lite file's folder
    own = bool(cfg.tls) or bool(cfg.grpc_options) or cfg.address.secure
    return cfg, functools.partial(getattr(import_pymilvus(), kind), **kwargs), own


@contextlib.contextmanager
def quiet_pymilvus_logs() -> Iterator[None]:
    """Inside (this thread or task only) pymilvus logs no failure: the caller raises a typed error instead."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def closed_by_server(error: BaseException) -> bool:
    """Whether the server closed the channel (a GOAWAY): Milvus Lite answers the pings pymilvus sends every
    10 s on a shared channel, even idle, with "too many pings", failing every client on it; connect() then
    gives the client a channel of its own instead of calling a server that is there unreachable."""
    return any("too many pings" in (d := detail_of(e).lower()) or "goaway" in d for e in chain(error))


__all__ = ["classify", "connect", "connect_async", "quiet_pymilvus_logs"]
