"""Storing and deleting a profile's secret in the keyring: ``save_secret`` and ``delete_secret``."""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..errors import ConfigError
from ..resolution.cache import RESULTS
from ..resolution.resolver import target
from . import keyring_store


def save_secret(
    profile: str | None, secret: str, *, files: Sequence[str | os.PathLike[str]] | None = None
) -> str:
    """Store the secret of a profile in the keyring; returns the keyring account used.

    The secret is the password when the resolved profile has a user, else the token. It is stored for
    the profile's endpoint and user, so every profile on the same server and user shares it.
    ``profile=None`` means the profile that would be selected.
    """
    if not secret:
        raise ConfigError("the secret is empty", hint="give a non-empty password or token")
    cfg = target(profile, files)
    RESULTS.clear()
    return keyring_store.set_secret(cfg.uri, cfg.user, secret)


def delete_secret(profile: str | None, *, files: Sequence[str | os.PathLike[str]] | None = None) -> bool:
    """Delete the stored secret of a profile from the keyring; False when none was stored."""
    cfg = target(profile, files)
    RESULTS.clear()
    return keyring_store.delete_secret_for(cfg.uri, cfg.user)


__all__ = ["delete_secret", "save_secret"]
