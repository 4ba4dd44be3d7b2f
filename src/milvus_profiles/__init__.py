"""milvus-profiles: named connection profiles for Milvus, secrets in the keyring.

Example:
    >>> from milvus_profiles import connect
    >>> client = connect(profile="local")

Names are loaded on first use, so ``import milvus_profiles`` imports neither pymilvus nor grpc.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config.json_schema import profile_schema
    from .connection.client import connect, connect_async
    from .errors import (
        AuthenticationError,
        ConfigError,
        DatabaseNotFoundError,
        KeyringUnavailableError,
        MilvusProfilesError,
        ProfileNotFoundError,
        ProfileWarning,
        SecretNotFoundError,
        SecretWithheldError,
        ServerUnreachableError,
    )
    from .origin import Origin
    from .resolution.resolved import ResolvedProfile
    from .resolution.resolver import resolve
    from .write.secret import delete_secret, save_secret

__version__ = "0.1.0"

_WHERE = {
    "connect": "connection.client",
    "connect_async": "connection.client",
    "resolve": "resolution.resolver",
    "save_secret": "write.secret",
    "delete_secret": "write.secret",
    "ResolvedProfile": "resolution.resolved",
    "Origin": "origin",
    "profile_schema": "config.json_schema",
    "MilvusProfilesError": "errors",
    "ConfigError": "errors",
    "ProfileNotFoundError": "errors",
    "ProfileWarning": "errors",
    "SecretNotFoundError": "errors",
    "SecretWithheldError": "errors",
    "KeyringUnavailableError": "errors",
    "ServerUnreachableError": "errors",
    "AuthenticationError": "errors",
    "DatabaseNotFoundError": "errors",
}

__all__ = [
    "AuthenticationError",
    "ConfigError",
    "DatabaseNotFoundError",
    "KeyringUnavailableError",
    "MilvusProfilesError",
    "Origin",
    "ProfileNotFoundError",
    "ProfileWarning",
    "ResolvedProfile",
    "SecretNotFoundError",
    "SecretWithheldError",
    "ServerUnreachableError",
    "__version__",
    "connect",
    "connect_async",
    "delete_secret",
    "profile_schema",
    "resolve",
    "save_secret",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'milvus_profiles' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
