"""connect() and connect_async(): a ready pymilvus client, or a typed error saying what failed.

The only module that imports pymilvus, and only when a client is asked for: importing pymilvus costs most
of a second and loads a ``.env`` file into ``os.environ``, so it happens after the profile is resolved.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MilvusProfilesError
from ..resolution.resolved import ResolvedProfile
from ..resolution.resolver import resolve
from .diagnose import diagnose, preflight
from .wire import plan

if TYPE_CHECKING:
    from pymilvus import AsyncMilvusClient, MilvusClient


def connect(
    profile: str | None = None,
    *,
    files: Sequence[str | os.PathLike[str]] | None = None,
    **overrides: Any,
) -> MilvusClient:
    """A ready ``pymilvus.MilvusClient`` for a profile.

    Ready means: the server answered, the credentials were accepted and the database exists. Closing the
    client never breaks another one; profiles that differ only in TLS or gRPC options never share a
    channel (see :func:`needs_own_channel`).

    Example:
        >>> client = connect("local")
        >>> client.list_collections()
    """
    cfg = resolve(profile, files=files, **overrides)
    _check_before_connect(cfg)
    kwargs = plan(cfg).client_kwargs
    from pymilvus import MilvusClient

    client = None
    try:
        with _quiet_probe():
            client = MilvusClient(**kwargs, dedicated=needs_own_channel(cfg))
            client.list_collections(timeout=cfg.timeout)
    except Exception as e:
        if client is not None:
            _close_quietly(client)
        raise classify(e, cfg) from None
    return client


async def connect_async(
    profile: str | None = None,
    *,
    files: Sequence[str | os.PathLike[str]] | None = None,
    **overrides: Any,
) -> AsyncMilvusClient:
    """A ready ``pymilvus.AsyncMilvusClient`` for a profile; see :func:`connect`."""
    cfg = resolve(profile, files=files, **overrides)
    _check_before_connect(cfg)
    kwargs = plan(cfg).client_kwargs
    from pymilvus import AsyncMilvusClient

    client = None
    try:
        with _quiet_probe():
            client = AsyncMilvusClient(**kwargs, dedicated=needs_own_channel(cfg))
            await client.list_collections(timeout=cfg.timeout)
    except Exception as e:
        if client is not None:
            with contextlib.suppress(Exception):  # the first error is the one to report
                await client.close()
        raise classify(e, cfg) from None
    return client


_PROBING: contextvars.ContextVar[bool] = contextvars.ContextVar("milvus_profiles_probing", default=False)


class _ProbeLogFilter(logging.Filter):
    """Drops pymilvus's RPC error log lines while connect() checks readiness: the typed error says it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _PROBING.get()


_FILTER = _ProbeLogFilter()


@contextlib.contextmanager
def _quiet_probe() -> Iterator[None]:
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
    return bool(cfg.tls) or bool(cfg.grpc_options) or plan(cfg).secure


def _check_before_connect(cfg: ResolvedProfile) -> None:
    preflight(cfg)
    if cfg.is_lite:
        Path(cfg.uri).parent.mkdir(parents=True, exist_ok=True)


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


def classify(error: BaseException, cfg: ResolvedProfile) -> MilvusProfilesError:
    """Turn what pymilvus raised into unreachable, authentication or database errors."""
    if isinstance(error, MilvusProfilesError):
        return error
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


__all__ = ["classify", "connect", "connect_async"]
