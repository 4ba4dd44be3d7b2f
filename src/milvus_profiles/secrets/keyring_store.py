"""The OS keyring (``keyring`` package): service ``milvus-profiles``, account ``USER@https://host:443``
(or the endpoint alone for a token), never a profile name, so a profile pointed at another host or
transport finds nothing; nothing is kept in the process, so a rotated secret is used at once."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import threading
from collections.abc import Callable, Mapping
from contextlib import closing, suppress
from typing import Any, TypeVar, cast

from ..config.environment import KEYRING_CHOICE, SECRET_PLACES, project_variables
from ..errors import KeyringUnavailableError
from ..uri import endpoint

SERVICE = "milvus-profiles"
T = TypeVar("T")
KEYRING_TIMEOUT = 10.0  # seconds a keyring call may take (an unseen prompt, a D-Bus service never answering)
PROBE_ACCOUNT = "http://milvus-profiles-probe.invalid:1"  # holds no secret: looking it up tests the keyring
HEADLESS_DOCS = "https://milvus-profiles.github.io/milvus-profiles/secrets/#each-platform"
_SECRET_SERVICES = ("gnome-keyring-daemon", "kwalletd6", "kwalletd5")
_INSTEAD = "or set MILVUS_PASSWORD or MILVUS_TOKEN in the environment instead"
# keyring imports every backend to rank them; off Darwin the macOS one spends ~50 ms in find_library
# (ldconfig, a C compiler) only to declare itself unusable: blocking its import changes nothing but the time
_MACOS_API = "keyring.backends.macOS.api"


def account(uri: str, user: str | None, *, secure: bool) -> str:
    """The keyring account of ``uri`` and ``user``; ``secure``: the connection uses TLS."""
    where = endpoint(uri, secure=secure)
    return f"{user}@{where}" if user else where


def _unavailable(action: str, error: Exception | None) -> KeyringUnavailableError:
    """The error for a keyring call that failed with ``error``, or did not answer in time (None)."""
    import keyring.errors

    if error is None:
        reason = f"the keyring did not answer within {KEYRING_TIMEOUT:g} s"
        hint = f"unlock the keyring or check that its service runs (`milvus-profiles doctor`), {_INSTEAD}"
    elif isinstance(error, keyring.errors.NoKeyringError):
        reason, hint = "no keyring backend is available", no_backend_hint(os.environ)
    elif isinstance(error, keyring.errors.KeyringLocked):
        reason, hint = "the keyring is locked", f"unlock it, {_INSTEAD}"
    else:
        reason = f"the keyring failed ({type(error).__name__})"
        hint = "check it with `milvus-profiles doctor`, or set MILVUS_PASSWORD or MILVUS_TOKEN instead"
    return KeyringUnavailableError(f"cannot {action}: {reason}", hint=hint)


def no_backend_hint(environ: Mapping[str, str]) -> str:
    """What is missing for a keyring: on Linux the Secret Service, its D-Bus session, or it running there."""
    if not sys.platform.startswith("linux"):
        return f"install a backend (see `python -m keyring --list-backends`), {_INSTEAD}"
    installed = next((n for n in _SECRET_SERVICES if shutil.which(n, path=environ.get("PATH"))), None)
    if installed is None:
        missing = "install a Secret Service (gnome-keyring or KWallet)"
    elif not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        missing = (
            f"{installed} is installed but there is no D-Bus session, which it needs: start a shell in "
            "one with `dbus-run-session -- sh` and unlock the keyring there"
        )
    else:
        missing = f"{installed} is installed but does not run in this D-Bus session: start and unlock it"
    return f"{missing}, {_INSTEAD} (Headless Linux: {HEADLESS_DOCS})"


def backend() -> Any:
    """``keyring.get_keyring()``: the user's choice decides, exactly as in keyring; a project's ``.env``
    does not (its backend class, or a settings folder with its ``keyringrc.cfg``, is not even read)."""
    import keyring

    theirs = (*KEYRING_CHOICE, *SECRET_PLACES)
    hidden = {n: os.environ.pop(n) for n in project_variables(os.environ) if n.upper().startswith(theirs)}
    blocked = platform.system() != "Darwin" and _MACOS_API not in sys.modules
    if blocked:
        sys.modules[_MACOS_API] = None  # type: ignore[assignment]  # the import system's "not importable" mark
    try:
        return keyring.get_keyring()
    finally:
        os.environ.update(hidden)
        if blocked and sys.modules.get(_MACOS_API, 0) is None:
            del sys.modules[_MACOS_API]


def _call(action: str, call: Callable[[Any], T]) -> T:
    """``call(backend())`` in a daemon thread for :data:`KEYRING_TIMEOUT` s, else KeyringUnavailableError:
    secretstorage's D-Bus calls have no timeout, and a thread stuck in one can be left, not interrupted."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call(backend())
        except BaseException as e:  # handed to the caller's thread
            outcome["error"] = e

    worker = threading.Thread(target=run, name="milvus-profiles-keyring", daemon=True)
    worker.start()
    worker.join(KEYRING_TIMEOUT)
    if worker.is_alive():
        raise _unavailable(action, None)
    error = outcome.get("error")
    if isinstance(error, Exception):
        raise _unavailable(action, error) from None
    if error is not None:  # KeyboardInterrupt, SystemExit
        raise error
    return cast("T", outcome["value"])


def get_secret(uri: str, user: str | None, *, secure: bool) -> str | None:
    key = account(uri, user, secure=secure)
    return cast("str | None", _call("read a secret", lambda b: b.get_password(SERVICE, key)))


def check_available(action: str = "store a secret") -> None:
    """Raise KeyringUnavailableError when the keyring cannot ``action`` (before a person types a secret)."""
    _call(action, lambda b: b.get_password(SERVICE, PROBE_ACCOUNT))


def set_secret(uri: str, user: str | None, secret: str, *, secure: bool) -> str:
    """Store ``secret`` for ``uri`` and ``user``; returns the account it is stored under."""
    key = account(uri, user, secure=secure)
    _call("store a secret", lambda b: b.set_password(SERVICE, key, secret))
    return key


def delete_secret_for(uri: str, user: str | None, *, secure: bool) -> bool:
    """Delete the stored secret for ``uri`` and ``user``; False when there was none."""
    import keyring.errors

    key = account(uri, user, secure=secure)

    def delete(b: Any) -> bool:
        with suppress(keyring.errors.PasswordDeleteError):
            b.delete_password(SERVICE, key)
            return True
        return False

    return _call("delete a secret", delete)


def stored_accounts() -> list[str] | None:
    """The accounts secrets are stored under, sorted; None where only keyring's API (which cannot list) is
    there: the Secret Service is searched by the attributes keyring stores with each item."""
    return _call("list the stored secrets", _accounts)


def _accounts(backend: Any) -> list[str] | None:  # a chainer writes to one of its backends
    for each in (backend, *getattr(backend, "backends", ())):
        if not hasattr(each, "get_preferred_collection"):  # keyring's Secret Service backend has it
            continue
        scheme = each.schemes[each.scheme]  # the attribute names keyring stores service and account in
        collection = each.get_preferred_collection()
        with closing(collection.connection):
            items = collection.search_items({scheme["service"]: SERVICE})
            return sorted({item.get_attributes().get(scheme["username"], "") for item in items} - {""})
    return None
