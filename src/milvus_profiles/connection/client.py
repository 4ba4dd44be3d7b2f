"""connect() and connect_async(): a ready pymilvus client, or a typed error saying what failed.

pymilvus is imported (:func:`milvus_profiles.connection.imports.import_pymilvus`) only when a client is
asked for: importing it costs most of a second, so it happens after the profile is resolved.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import MilvusProfilesError
from ..resolution.resolved import ResolvedProfile
from ..resolution.resolver import resolve
from .diagnose import diagnose, preflight
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

    client = None
    dedicated = needs_own_channel(cfg)
    try:
        with quiet_pymilvus_logs():
            try:
                client = MilvusClient(**kwargs, dedicated=dedicated)
                client.list_collections(timeout=cfg.timeout)
            except Exception as e:
                if dedicated or not closed_by_server(e):
                    raise
                if client is not None:
                    _close_quietly(client)
                client = None  # the shared channel is gone: this client gets one of its own
                client = MilvusClient(**kwargs, dedicated=True)
                client.list_collections(timeout=cfg.timeout)
    except Exception as e:
        if client is not None:
            _close_quietly(client)
        verdict = classify(e, cfg)
        if verdict is None:
            raise  # not a failed connection: a bug, here or in pymilvus, shows its own traceback
        # pymilvus's exception text is not scrubbed of secrets; the verdict carries its detail, scrubbed
        raise verdict from None
    return client


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

    client = None
    dedicated = needs_own_channel(cfg)
    try:
        with quiet_pymilvus_logs():
            try:
                client = AsyncMilvusClient(**kwargs, dedicated=dedicated)
                await client.list_collections(timeout=cfg.timeout)
            except Exception as e:
                if dedicated or not closed_by_server(e):
                    raise
                if client is not None:
                    with contextlib.suppress(Exception):
                        await client.close()
                client = None  # the shared channel is gone: this client gets one of its own
                client = AsyncMilvusClient(**kwargs, dedicated=True)
                await client.list_collections(timeout=cfg.timeout)
    except Exception as e:
        if client is not None:
            with contextlib.suppress(Exception):  # the first error is the one to report
                await client.close()
        verdict = classify(e, cfg)
        if verdict is None:
            raise
        raise verdict from None
    return client


_PROBING: contextvars.ContextVar[bool] = contextvars.ContextVar("milvus_profiles_probing", default=False)


class _ProbeLogFilter(logging.Filter):
    """Drops pymilvus's RPC error log lines while connect() checks readiness: the typed error says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _PROBING.get()


_FILTER = _ProbeLogFilter()


@contextlib.contextmanager
def quiet_pymilvus_logs() -> Iterator[None]:
    """Inside, pymilvus logs no RPC error (with its traceback): the caller turns the error into a typed
    one that says what happened."""
    logger = logging.getLogger("pymilvus.decorators")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    token = _PROBING.set(True)
    try:
        yield
    finally:
        _PROBING.reset(token)


def needs_own_channel(cfg: ResolvedProfile) -> bool:
    """Whether the client needs a channel of its own rather than pymilvus's shared one.

    pymilvus shares a channel between clients with the same address and token, whatever their TLS and
    gRPC options. A plain channel with no options is fully described by address and token, so sharing
    it is safe (and saves a connection per client; the database is per client). Anything else gets its
    own channel, so profiles that differ only in TLS or gRPC options never share one. Closing a client
    never closes a shared channel that another client still uses.
    """
    return bool(cfg.tls) or bool(cfg.grpc_options) or cfg.secure


def closed_by_server(error: BaseException) -> bool:
    """Whether the server closed the channel the call went on (a GOAWAY).

    pymilvus shares one channel between clients of the same address and token, and pings on it every
    10 s even when it is idle; Milvus Lite's gRPC server answers such pings on an idle channel with a
    GOAWAY ("too many pings"). The shared channel then fails every client that uses it, so ``connect()``
    gives the client a channel of its own instead of reporting a server that is there as unreachable.
    """
    return any(
        "too many pings" in (detail := _detail(e).lower()) or "goaway" in detail for e in _chain(error)
    )


def _close_quietly(client: Any) -> None:
    with contextlib.suppress(Exception):  # the first error is the one to report
        client.close()


def _chain(error: BaseException) -> list[BaseException]:
    """The error and its causes; pymilvus's chains can loop, so each is visited once."""
    found: list[BaseException] = []
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        found.append(e)
        todo += [e.__cause__, e.__context__]
    return found


def _grpc_code(error: BaseException) -> str | None:
    code = getattr(error, "code", None)
    if not callable(code):
        return None
    try:
        value = code()
    except Exception:
        return None
    name = getattr(value, "name", None)
    return name if isinstance(name, str) else None


def is_connection_failure(error: BaseException, cfg: ResolvedProfile) -> bool:
    """Whether ``error`` and everything in its chain say the server (or Milvus Lite) failed or refused.

    The chain may hold gRPC errors, pymilvus errors that carry a Milvus status (any but ``ParamError``,
    which pymilvus raises for arguments it rejects before sending anything), timeouts, and for Milvus Lite
    operating-system errors and a missing ``milvus_lite``. pymilvus wraps any exception of its own code in
    a ``MilvusException`` ("Unexpected error"); the exception inside, a ``TypeError`` say, makes the chain
    a bug, not a failed connection. grpc and pymilvus are looked up in ``sys.modules``: neither can have
    raised anything unless imported.
    """
    grpc = sys.modules.get("grpc")
    exceptions = sys.modules.get("pymilvus.exceptions")
    found = False
    for e in _chain(error):
        if grpc is not None and isinstance(e, (grpc.RpcError, grpc.FutureTimeoutError)):
            found = True
        elif exceptions is not None and isinstance(e, exceptions.MilvusException):
            if isinstance(e, exceptions.ParamError):
                return False
            found = True
        elif cfg.is_lite and (
            isinstance(e, OSError)
            or (isinstance(e, ImportError) and (e.name or "").startswith("milvus_lite"))
        ):
            found = True
        elif not isinstance(e, (TimeoutError, asyncio.CancelledError)):
            return False
    return found


def classify(error: BaseException, cfg: ResolvedProfile) -> MilvusProfilesError | None:
    """The typed error (unreachable, authentication, database) for a failed connection.

    None when nothing in the error's chain is a connection failure (see `is_connection_failure`): such
    an error is a bug, ours or an API change of pymilvus, and the caller lets it propagate unchanged.
    """
    if isinstance(error, MilvusProfilesError):
        return error
    if not is_connection_failure(error, cfg):
        return None
    chain = _chain(error)
    grpc_code = next((c for c in (_grpc_code(e) for e in chain) if c), None)
    milvus_code = next((c for c in (getattr(e, "code", None) for e in chain) if isinstance(c, int)), None)
    details = [_detail(e) for e in chain]
    # The innermost gRPC detail says most ("Connection refused", "auth check failure", a TLS error).
    grpc_details = [d for e, d in zip(chain, details, strict=True) if _grpc_code(e) is not None and d]
    detail = grpc_details[-1] if grpc_details else next((d for d in details if d), type(error).__name__)
    return diagnose(cfg, grpc_code=grpc_code, milvus_code=milvus_code, detail=detail)


def _detail(error: BaseException) -> str:
    getter = getattr(error, "details", None)
    if callable(getter):
        try:
            value = getter()
        except Exception:
            value = None
        if isinstance(value, str):
            return value
    message = getattr(error, "message", None)
    return str(message) if isinstance(message, str) else str(error)


__all__ = [
    "classify",
    "connect",
    "connect_async",
    "is_connection_failure",
    "quiet_pymilvus_logs",
]
