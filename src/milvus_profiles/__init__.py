"""milvus-profiles: named connection profiles for Milvus, secrets in the keyring.

Example:
    >>> from milvus_profiles import connect
    >>> client = connect(profile="local")

Names are loaded on first use, so ``import milvus_profiles`` imports neither pymilvus nor grpc."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `X as X`: re-exported, for type checkers
    from .config.json_schema import profile_schema as profile_schema
    from .connection.client import connect as connect
    from .connection.client import connect_async as connect_async
    from .errors import AuthenticationError as AuthenticationError
    from .errors import ConfigError as ConfigError
    from .errors import DatabaseNotFoundError as DatabaseNotFoundError
    from .errors import KeyringUnavailableError as KeyringUnavailableError
    from .errors import MilvusProfilesError as MilvusProfilesError
    from .errors import ProfileNotFoundError as ProfileNotFoundError
    from .errors import ProfileWarning as ProfileWarning
    from .errors import SecretNotFoundError as SecretNotFoundError
    from .errors import SecretWithheldError as SecretWithheldError
    from .errors import ServerUnreachableError as ServerUnreachableError
    from .fields import Origin as Origin
    from .resolution.resolved import ResolvedProfile as ResolvedProfile
    from .resolution.resolver import resolve as resolve
    from .write.secret import delete_secret as delete_secret
    from .write.secret import save_secret as save_secret

__version__ = "0.1.0"

# each public name and its module, imported on first use; `__all__` is made from it
_WHERE = {
    **dict.fromkeys(("connect", "connect_async"), "connection.client"),
    "resolve": "resolution.resolver",
    **dict.fromkeys(("save_secret", "delete_secret"), "write.secret"),
    "ResolvedProfile": "resolution.resolved",
    "Origin": "fields",
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

__all__ = ["__version__"]
__all__ += list(_WHERE)


def __getattr__(name: str) -> Any:
    if (module := _WHERE.get(name)) is None:
        raise AttributeError(f"module 'milvus_profiles' has no attribute {name!r}")
    globals()[name] = value = getattr(import_module(f".{module}", __name__), name)
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
