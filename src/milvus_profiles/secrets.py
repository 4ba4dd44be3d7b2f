"""The secret store: the operating system's keyring, through the ``keyring`` package.

This is the only module that imports ``keyring``. Secrets are stored under the service name
``milvus-profiles`` and an account named after the endpoint (scheme, host and port) and the user:
``USER@https://host:443`` for a password, ``https://host:443`` for a token. A profile name never keys a
secret, so a profile that is pointed at another host finds nothing to send there.

Lookups are cached for the life of the process (:func:`clear_cache` empties the cache); storing or
deleting a secret updates the cache.
"""

from __future__ import annotations

from typing import Any

from .errors import KeyringUnavailableError
from .uri import endpoint

SERVICE = "milvus-profiles"

_CACHE: dict[str, str | None] = {}


def account(uri: str, user: str | None) -> str:
    """The keyring account (user name) a secret for ``uri`` and ``user`` is stored under."""
    where = endpoint(uri)
    return f"{user}@{where}" if user else where


def clear_cache() -> None:
    """Forget every secret looked up so far."""
    _CACHE.clear()


def _unavailable(action: str, error: BaseException) -> KeyringUnavailableError:
    import keyring.errors

    if isinstance(error, keyring.errors.NoKeyringError):
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


def _backend() -> Any:
    import keyring

    return keyring


def get_secret(uri: str, user: str | None) -> str | None:
    """The stored secret for ``uri`` and ``user``, or None."""
    key = account(uri, user)
    if key in _CACHE:
        return _CACHE[key]
    try:
        value: str | None = _backend().get_password(SERVICE, key)
    except Exception as e:
        raise _unavailable("read", e) from None
    _CACHE[key] = value
    return value


def set_secret(uri: str, user: str | None, secret: str) -> str:
    """Store ``secret`` for ``uri`` and ``user``; returns the account it is stored under."""
    key = account(uri, user)
    try:
        _backend().set_password(SERVICE, key, secret)
    except Exception as e:
        raise _unavailable("store", e) from None
    _CACHE[key] = secret
    return key


def delete_secret_for(uri: str, user: str | None) -> bool:
    """Delete the stored secret for ``uri`` and ``user``; False when there was none."""
    import keyring.errors

    key = account(uri, user)
    _CACHE.pop(key, None)
    try:
        _backend().delete_password(SERVICE, key)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as e:
        raise _unavailable("delete", e) from None
    return True
