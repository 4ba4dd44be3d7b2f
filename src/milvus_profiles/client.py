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

from .errors import (
    AuthenticationError,
    ConnectError,
    DatabaseNotFoundError,
    MilvusProfilesError,
    ServerUnreachableError,
)
from .profile import MASK, ResolvedProfile
from .resolver import missing_secret, resolve
from .uri import host_port, redact

if TYPE_CHECKING:
    from pymilvus import AsyncMilvusClient, MilvusClient


def connect(
    profile: str | None = None,
    *,
    files: Sequence[str | os.PathLike[str]] | None = None,
    **overrides: Any,
) -> MilvusClient:
    """A ready ``pymilvus.MilvusClient`` for a profile.

    Ready means: the server answered, the credentials were accepted and the database exists. Each client
    has a connection of its own, so closing it never breaks another client.

    Example:
        >>> client = connect("local")
        >>> client.list_collections()
    """
    cfg = resolve(profile, files=files, **overrides)
    _check_before_connect(cfg)
    from pymilvus import MilvusClient

    client = None
    try:
        with _quiet_probe():
            client = MilvusClient(**cfg.client_kwargs(), dedicated=True)
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
    from pymilvus import AsyncMilvusClient

    client = None
    try:
        with _quiet_probe():
            client = AsyncMilvusClient(**cfg.client_kwargs(), dedicated=True)
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


def _check_before_connect(cfg: ResolvedProfile) -> None:
    if cfg.user and cfg.password is None and cfg.token is None and not cfg.is_lite:
        if cfg.keyring_error is not None:
            raise cfg.keyring_error
        raise missing_secret(cfg)
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


def scrub(text: str, cfg: ResolvedProfile) -> str:
    """Remove every secret value of ``cfg`` and any ``user:password@`` from a text."""
    for secret in (cfg.password, cfg.token):
        if secret is not None and secret.get_secret_value():
            text = text.replace(secret.get_secret_value(), MASK)
    return redact(text) if "@" in text else text


def classify(error: BaseException, cfg: ResolvedProfile) -> MilvusProfilesError:
    """Turn what pymilvus raised into unreachable, authentication or database errors."""
    if isinstance(error, MilvusProfilesError):
        return error
    chain = _chain(error)
    codes = {c for c in (_grpc_code(e) for e in chain) if c}
    milvus_codes = {getattr(e, "code", None) for e in chain if isinstance(getattr(e, "code", None), int)}
    text = " ".join(str(getattr(e, "message", "") or e) for e in chain)
    reason = scrub(str(getattr(error, "message", "") or error).splitlines()[0], cfg)[:300]
    name = cfg.name or "(no profile)"
    where = _where(cfg)
    summary = cfg.summary()
    if (
        "UNAUTHENTICATED" in codes
        or 1800 in milvus_codes
        or ("auth" in text.lower() and "fail" in text.lower())
    ):
        who = f"user {cfg.user!r}" if cfg.user else "the token"
        command = f"milvus-profiles secret set {cfg.name}" if cfg.name else "milvus-profiles secret set"
        variable = "MILVUS_PASSWORD" if cfg.user else "MILVUS_TOKEN"
        return AuthenticationError(
            f"profile {name}: the server at {where} refused the credentials of {who}",
            hint=f"store the right secret with `{command}`, or fix {variable}",
            summary=summary,
        )
    if "PERMISSION_DENIED" in codes:
        return AuthenticationError(
            f"profile {name}: the server at {where} accepted user {cfg.user!r} but denied access "
            f"to database {cfg.db_name!r} ({reason})",
            hint="grant the user a role on that database, or use another user or db_name",
            summary=summary,
        )
    lowered = text.lower()
    if 800 in milvus_codes or ("database" in lowered and ("not exist" in lowered or "not found" in lowered)):
        return DatabaseNotFoundError(
            f"profile {name}: database {cfg.db_name!r} does not exist on {where}",
            hint="create it with `client.create_database(...)` on the default database, "
            "or set db_name to an existing database",
            summary=summary,
        )
    if cfg.is_lite:
        return ServerUnreachableError(
            f"profile {name}: cannot open the Milvus Lite database {cfg.uri} ({reason})",
            hint="install Milvus Lite with `pip install 'milvus-profiles[lite]'`, "
            "and check the folder is writable",
            summary=summary,
        )
    hint = "check that the server runs and the URI is right; raise `timeout` if it is slow to answer"
    if cfg.tls or cfg.uri.startswith("https"):
        hint += "; check the [tls] settings (certificate, CA, server_name)"
    return ServerUnreachableError(
        f"profile {name}: cannot reach the Milvus server at {where} within {cfg.timeout:g} s ({reason})",
        hint=hint,
        summary=summary,
    )


def _where(cfg: ResolvedProfile) -> str:
    if cfg.is_lite or cfg.uri.startswith("unix:"):
        return cfg.uri
    host, port = host_port(cfg.uri)
    return f"{host}:{port}"


__all__ = ["ConnectError", "classify", "connect", "connect_async"]
