"""The secret store: the operating system's keyring, through the ``keyring`` package.

This is the only module that imports ``keyring``. Secrets are stored under the service name
``milvus-profiles`` and an account named after the endpoint (scheme, host and port) and the user:
``USER@https://host:443`` for a password, ``https://host:443`` for a token. A profile name never keys a
secret, so a profile that is pointed at another host finds nothing to send there. The scheme is the
transport's: an ``http`` URI with ``tls.secure = true`` is keyed ``https://host:port``, so a TLS and a
plaintext profile on the same host and port never share a secret.

Lookups are cached for the life of the process (:func:`clear_cache` empties the cache); storing or
deleting a secret updates the cache.

The backend is the one keyring itself picks (:func:`backend`), found without importing what can only work
on another operating system.
"""

from __future__ import annotations

import platform
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import KeyringUnavailableError
from ..uri import endpoint

SERVICE = "milvus-profiles"

_CACHE: dict[str, str | None] = {}


def account(uri: str, user: str | None, *, secure: bool) -> str:
    """The keyring account (user name) a secret for ``uri`` and ``user`` is stored under; ``secure`` is
    whether the connection uses TLS (``ResolvedProfile.secure``)."""
    where = endpoint(uri, secure=secure)
    return f"{user}@{where}" if user else where


def clear_cache() -> None:
    """Forget every secret looked up so far."""
    _CACHE.clear()


def _unavailable(action: str, error: BaseException) -> KeyringUnavailableError:
    import keyring.errors

    if isinstance(error, _TimedOut):
        reason = f"the keyring did not answer within {KEYRING_TIMEOUT:g} s"
        hint = (
            "unlock the keyring or check that its service runs (`milvus-profiles doctor`), "
            "or set MILVUS_PASSWORD or MILVUS_TOKEN in the environment instead"
        )
    elif isinstance(error, keyring.errors.NoKeyringError):
        reason = "no keyring backend is available"
        hint = (
            "set MILVUS_PASSWORD or MILVUS_TOKEN in the environment instead, or install a backend "
            "(on Linux: gnome-keyring or KWallet with a running D-Bus session; "
            "see `python -m keyring --list-backends`)"
        )
    elif isinstance(error, keyring.errors.KeyringLocked):
        reason = "the keyring is locked"
        hint = "unlock it, or set MILVUS_PASSWORD or MILVUS_TOKEN in the environment instead"
    else:
        reason = f"the keyring failed ({type(error).__name__})"
        hint = "check it with `milvus-profiles doctor`, or set MILVUS_PASSWORD or MILVUS_TOKEN instead"
    return KeyringUnavailableError(f"cannot {action} a secret: {reason}", hint=hint)


KEYRING_TIMEOUT = 10.0
"""Seconds a keyring call may take; a backend that hangs (a locked keyring waiting for a prompt no one
sees, a D-Bus service that never answers) then gives KeyringUnavailableError instead of hanging."""


class _TimedOut(Exception):
    pass


# Modules of keyring's own backends that can only work on one operating system (`platform.system()`).
# To rank its backends keyring imports every one of them; on Linux `keyring.backends.macOS.api` spends
# about 50 ms in `ctypes.util.find_library` (which runs `ldconfig` and a C compiler) looking for macOS
# frameworks, then fails, and the macOS backend declares itself unusable anyway because the system is not
# Darwin. Its package catches the failed import, so blocking it changes nothing but the time. The Windows
# backend's imports fail in well under a millisecond elsewhere and are left alone.
_OTHER_PLATFORM_ONLY = {"keyring.backends.macOS.api": "Darwin"}


@contextmanager
def _only_this_platform() -> Iterator[None]:
    """Make modules of `_OTHER_PLATFORM_ONLY` that cannot work here fail to import, for the duration."""
    system = platform.system()
    blocked = [m for m, needs in _OTHER_PLATFORM_ONLY.items() if needs != system and m not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not importable" mark
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


def backend() -> Any:
    """The keyring backend secrets go to: the one ``keyring.get_keyring()`` gives.

    The user's choice decides, exactly as in keyring: a backend set with ``keyring.set_keyring()``, then
    ``PYTHON_KEYRING_BACKEND``, then ``keyringrc.cfg``, then the viable backend of highest priority
    (third-party backends included). Only the search skips importing what cannot work on this operating
    system.
    """
    import keyring

    with _only_this_platform():
        return keyring.get_keyring()


def _call(method: str, *args: str) -> Any:
    """``keyring.<method>(*args)`` in a daemon thread, given at most :data:`KEYRING_TIMEOUT` seconds.

    Finding the backend happens in the thread too: a backend's availability check can wait on D-Bus.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = getattr(backend(), method)(*args)
        except BaseException as e:  # handed to the caller's thread
            outcome["error"] = e

    worker = threading.Thread(target=run, name="milvus-profiles-keyring", daemon=True)
    worker.start()
    worker.join(KEYRING_TIMEOUT)
    if worker.is_alive():
        raise _TimedOut
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def get_secret(uri: str, user: str | None, *, secure: bool) -> str | None:
    """The stored secret for ``uri`` and ``user``, or None."""
    key = account(uri, user, secure=secure)
    if key in _CACHE:
        return _CACHE[key]
    try:
        value: str | None = _call("get_password", SERVICE, key)
    except Exception as e:
        raise _unavailable("read", e) from None
    _CACHE[key] = value
    return value


def set_secret(uri: str, user: str | None, secret: str, *, secure: bool) -> str:
    """Store ``secret`` for ``uri`` and ``user``; returns the account it is stored under."""
    key = account(uri, user, secure=secure)
    try:
        _call("set_password", SERVICE, key, secret)
    except Exception as e:
        raise _unavailable("store", e) from None
    _CACHE[key] = secret
    return key


def delete_secret_for(uri: str, user: str | None, *, secure: bool) -> bool:
    """Delete the stored secret for ``uri`` and ``user``; False when there was none."""
    import keyring.errors

    key = account(uri, user, secure=secure)
    _CACHE.pop(key, None)
    try:
        _call("delete_password", SERVICE, key)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as e:
        raise _unavailable("delete", e) from None
    return True
