"""Storing and deleting a profile's secret in the keyring: ``save_secret`` and ``delete_secret``."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..errors import ConfigError
from ..resolution.resolver import target
from ..secrets import keyring_store


def save_secret(
    profile: str | None, secret: str, *, files: Sequence[str | os.PathLike[str]] | None = None
) -> str:
    """Store the password (the resolved profile has a user) or token of a profile in the keyring, for its
    server and user: every profile on the same server and user shares it.

    Args:
        profile: The profile's name; `None` means the profile that would be selected.
        secret: The password or token. It is never written to a file or shown.
        files: The profile files to read instead of discovering them, as for `resolve`.

    Returns:
        The keyring account used: `USER@SCHEME://HOST:PORT`, or `SCHEME://HOST:PORT` for a token.

    Raises:
        ConfigError: The secret is empty, the profile is Milvus Lite (no secret) or a file is invalid.
        ProfileNotFoundError: No profile file defines the named profile.
        KeyringUnavailableError: The keyring does not work.

    Examples:
        `account = save_secret("prod", getpass.getpass())`
    """
    if not secret:
        raise ConfigError("the secret is empty", hint="give a non-empty password or token")
    cfg = target(profile, files)
    return keyring_store.set_secret(cfg.uri, cfg.user, secret, secure=cfg.secure)


def delete_secret(profile: str | None, *, files: Sequence[str | os.PathLike[str]] | None = None) -> bool:
    """Delete the stored secret of a profile from the keyring (arguments and errors as for `save_secret`).

    Args:
        profile: The profile's name; `None` means the profile that would be selected.
        files: The profile files to read instead of discovering them.

    Returns:
        `True` when a secret was deleted, `False` when none was stored.

    Raises:
        ConfigError: The profile is Milvus Lite, or a profile file is invalid.

    Examples:
        `if not delete_secret("prod"): print("no secret was stored for prod")`
    """
    cfg = target(profile, files)
    return keyring_store.delete_secret_for(cfg.uri, cfg.user, secure=cfg.secure)


__all__ = ["delete_secret", "save_secret"]
