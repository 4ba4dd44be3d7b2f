"""One verdict for connect() and the probe: a gRPC code, a Milvus code and a detail (:func:`classify` reads
them out of an exception's chain) become the typed error a user reads (:func:`diagnose`)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import warnings
from collections.abc import Iterator

from ..config.read import read_tls_file
from ..errors import (
    AuthenticationError,
    DatabaseNotFoundError,
    MilvusProfilesError,
    ProfileWarning,
    SecretNotFoundError,
    SecretWithheldError,
    ServerUnreachableError,
)
from ..fields import FIELDS_BY_NAME, TLS_PATH_KEYS, secret_field, secret_set_command
from ..resolution.resolved import ResolvedProfile, mask_secrets
from ..secrets import keyring_store
from ..uri import redact

DATABASE_NOT_FOUND = 800  # Milvus's status code; Milvus Lite answers code 1 with a message instead
_TLS_FAILURES = ["tls handshake", "certificate_verify_failed", "hostname verification", "unwrap failed"]
_TLS_FAILURES += ["wrong_version_number", "ssl_error", "handshake failed"]


def preflight(cfg: ResolvedProfile, stacklevel: int = 3) -> None:
    """Before any connection: notes become warnings; a failed secret reference, or a user without password
    (none found, or withheld), is an error. Without a user a token is optional, so a keyring that fails or
    was not asked only matters with a user; a token that is there and withheld is an error."""
    for note in cfg.notes:
        warnings.warn(ProfileWarning(note), stacklevel=stacklevel)
    # pymilvus reads TLS files itself, whole and without asking what they are; a FIFO would block it
    # for ever and /dev/zero fill the memory, so each one is read here first, bounded, as the probe does
    for key in TLS_PATH_KEYS:
        tls_file(cfg, key)
    if cfg.is_lite or cfg.password is not None or cfg.token is not None or cfg.address.credential is not None:
        return  # the URI's user part is the credential pymilvus sends
    error = cfg.secret_error
    if isinstance(error, SecretWithheldError) and not cfg.user and error.method == "keyring":
        return  # nothing was looked up: a server without authentication still works
    if isinstance(error, (SecretNotFoundError, SecretWithheldError)) or (cfg.user and error is not None):
        raise error
    if cfg.user:
        raise SecretNotFoundError(
            f"profile {cfg.name or '(no profile)'}: user {cfg.user!r} has no password: none in the keyring "
            f"for {keyring_store.account(cfg.uri, cfg.user, secure=cfg.secure)}, and MILVUS_PASSWORD is not "
            "set",
            hint=f"store it with `{secret_set_command(cfg.name)}`, or set MILVUS_PASSWORD",
            summary=cfg.summary(),
        )


def tls_file(cfg: ResolvedProfile, key: str) -> bytes | None:
    """The bytes of the file ``tls.<key>`` names (None for none), read bounded (a ConfigError naming it)."""
    if not (path := cfg.tls.get(key)) or not isinstance(path, str):
        return None
    origin = cfg.origins.get(f"tls.{key}")
    return read_tls_file(path, key=f"tls.{key}", origin=str(origin) if origin else "")


def diagnose(
    cfg: ResolvedProfile, *, grpc_code: str | None, milvus_code: int | None, detail: str
) -> MilvusProfilesError:
    """The typed error for a failed connection attempt; ``detail`` is what the server or gRPC said."""
    at = cfg.address.target  # host:port, or the path of a socket or Milvus Lite file
    secrets = (s.get_secret_value() for s in (cfg.password, cfg.token) if s is not None)
    reason = redact(mask_secrets(" ".join(detail.split()), *secrets))[:300]
    lowered = detail.lower()
    uses_tls = cfg.secure or any(k.endswith("_path") for k in cfg.tls)
    kind: type[MilvusProfilesError] = ServerUnreachableError
    if grpc_code == "UNAUTHENTICATED":
        who = f"user {cfg.user!r}" if cfg.user else "the token"
        who = who if cfg.user or cfg.token is not None else "a client without credentials"
        withheld = cfg.secret_error if isinstance(cfg.secret_error, SecretWithheldError) else None
        kind, message = AuthenticationError, f"the server at {at} refused the credentials of {who} ({reason})"
        message += f"; {withheld.message}" if withheld else ""
        variable = FIELDS_BY_NAME[secret_field(cfg.user)].env
        fix = f"store the right secret with `{secret_set_command(cfg.name)}`, or fix {variable}"
        hint = withheld.hint if withheld and withheld.hint else fix
    elif grpc_code == "PERMISSION_DENIED":
        kind, message = AuthenticationError, f"the server at {at} accepted user {cfg.user!r} but denied "
        message += f"access to database {cfg.db_name!r} ({reason})"
        hint = "grant the user a role on that database, or use another user or db_name"
    elif milvus_code == DATABASE_NOT_FOUND or (
        "database" in lowered and ("not exist" in lowered or "not found" in lowered)
    ):
        kind, message = DatabaseNotFoundError, f"database {cfg.db_name!r} does not exist on {at}"
        hint = "create it with `client.create_database(...)` on the default database, or set db_name to an "
        hint += "existing database"
    elif cfg.is_lite:
        message = f"cannot open the Milvus Lite database {cfg.uri} ({reason})"
        hint = "install Milvus Lite with `pip install 'milvus-profiles[lite]'`, and check the folder is "
        hint += "writable"
    elif uses_tls and "wrong_version_number" in lowered:
        # the answer to TLS's first message was not TLS: a plaintext server (HTTP/2 frames) on that port
        plain = f"http://{at}" if cfg.address.secure else "`secure = false` in [tls]"
        message = f"the server at {at} does not speak TLS: try {plain}"
        hint = "a plaintext server answered the TLS handshake (gRPC says WRONG_VERSION_NUMBER); "
        hint += "if it should speak TLS, check the port"
    elif any(marker in lowered for marker in _TLS_FAILURES) or (uses_tls and "socket closed" in lowered):
        message = f"the TLS handshake with {at} failed ({reason})"
        hint = (
            "check the [tls] table: server_pem_path (or ca_pem_path) must hold the CA that signed the "
            "server's certificate, server_name must match a name in it, and a server in mutual TLS mode "
            "needs client_pem_path, client_key_path and ca_pem_path (without server_pem_path)"
        )
    else:
        message = f"cannot reach the Milvus server at {at} ({reason})"
        if grpc_code == "DEADLINE_EXCEEDED":
            message = f"the Milvus server at {at} did not answer within {cfg.timeout:g} s"
        hint = "check that the server runs and the URI is right; raise `timeout` if it is slow to answer"
        if not uses_tls and "socket closed" in lowered:
            hint = "the server may expect TLS: use an https:// URI or set `secure = true` in [tls]"
    return kind(f"profile {cfg.name or '(no profile)'}: {message}", hint=hint, summary=cfg.summary())


def chain(error: BaseException) -> list[BaseException]:
    """The error and its causes, each once (pymilvus's chains can loop)."""
    found: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is not None and all(e is not f for f in found):
            found.append(e)
            todo += [e.__cause__, e.__context__]
    return found


def _call(error: BaseException, method: str) -> object:
    """``error.<method>()`` (a gRPC error's ``code()`` or ``details()``), None when it has none or fails."""
    try:
        return getattr(error, method)()
    except Exception:
        return None


def _grpc_code(error: BaseException) -> str | None:
    name = getattr(_call(error, "code"), "name", None)
    return name if isinstance(name, str) else None


def detail_of(error: BaseException) -> str:
    """What a gRPC error's ``details()``, a pymilvus error's ``message`` or any other error says."""
    for value in (_call(error, "details"), getattr(error, "message", None)):
        if isinstance(value, str):
            return value
    return str(error)


def classify(error: BaseException, cfg: ResolvedProfile) -> MilvusProfilesError | None:
    """The typed error for a failed connection; None for any other error, a bug the caller lets propagate.

    A connection failed when all of ``error``'s chain says the server (or Milvus Lite) failed: gRPC errors,
    pymilvus errors but ``ParamError``, timeouts, for Milvus Lite OS errors and a missing ``milvus_lite``;
    anything else (a ``TypeError`` in pymilvus's "Unexpected error") is a bug. Neither grpc nor pymilvus
    raised unless imported, so they are looked up in ``sys.modules``."""
    if isinstance(error, MilvusProfilesError):
        return error
    grpc, exceptions = sys.modules.get("grpc"), sys.modules.get("pymilvus.exceptions")
    errors, found = chain(error), False
    for e in errors:
        if grpc is not None and isinstance(e, (grpc.RpcError, grpc.FutureTimeoutError)):
            found = True
        elif exceptions is not None and isinstance(e, exceptions.MilvusException):
            if isinstance(e, exceptions.ParamError):
                return None
            found = True
        elif cfg.is_lite and (
            isinstance(e, OSError)
            or (isinstance(e, ImportError) and (e.name or "").startswith("milvus_lite"))
        ):
            found = True
        elif not isinstance(e, (TimeoutError, asyncio.CancelledError)):
            return None
    if not found:
        return None
    grpc_code = next((c for c in map(_grpc_code, errors) if c), None)
    milvus_code = next((c for c in (getattr(e, "code", None) for e in errors) if isinstance(c, int)), None)
    # The innermost gRPC detail says most ("Connection refused", "auth check failure", a TLS error).
    details = [d for e in errors if _grpc_code(e) is not None and (d := detail_of(e))]
    detail = details[-1] if details else next(filter(None, map(detail_of, errors)), type(error).__name__)
    return diagnose(cfg, grpc_code=grpc_code, milvus_code=milvus_code, detail=detail)


@contextlib.contextmanager
def verdicts(cfg: ResolvedProfile) -> Iterator[None]:
    """Inside, a failed connection raises its typed error (its detail scrubbed of secrets, unlike pymilvus's
    text); any other error is a bug and keeps its own traceback."""
    try:
        yield
    except Exception as e:
        if (verdict := classify(e, cfg)) is None:
            raise
        raise verdict from None
