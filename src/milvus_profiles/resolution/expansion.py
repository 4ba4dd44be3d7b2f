"""``${MILVUS_HOST}`` in profile values: an allow-list of variables that name places, never secrets.

A file may read a variable only when its name starts with ``MILVUS_``, its last word says what kind of
non-secret value it holds (:data:`ALLOWED_LAST_WORDS`: a host, a port, a database, a user...), and none of
its words is one that secrets are named with (:data:`SECRET_WORDS`). Everything else is refused: a file
from a cloned repository must not be able to copy a secret of the environment into a database or user
name that its own server would receive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..config.catalog import Setting
from ..config.toml import key_name
from ..errors import ConfigError

ALLOWED_LAST_WORDS = frozenset(
    {
        "HOST",
        "HOSTNAME",
        "PORT",
        "DB",
        "DATABASE",
        "NAME",
        "USER",
        "USERNAME",
        "TIMEOUT",
        "REGION",
        "CLUSTER",
        "ZONE",
        "ENV",
        "ENVIRONMENT",
        "STAGE",
        "NAMESPACE",
        "PROJECT",
        "DIR",
        "PATH",
    }
)
"""The last word of an expandable name: ``MILVUS_PROD_HOST``, ``MILVUS_DB_NAME``, ``MILVUS_DATA_DIR``."""

SECRET_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWD",
        "PASS",
        "PWD",
        "TOKEN",
        "SECRET",
        "KEY",
        "APIKEY",
        "AUTH",
        "CREDENTIAL",
        "CREDENTIALS",
        "CRED",
        "CREDS",
        "PRIVATE",
        "SESSION",
        "COOKIE",
        "SIGNATURE",
        "CERT",
    }
)
"""Words that make a name a secret's, wherever they stand (``MILVUS_TOKEN_HOST`` is refused too)."""

_VAR = re.compile(r"\$\{([^}:]*)(?::-([^}]*))?\}")
_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def expandable(name: str) -> bool:
    """Whether a profile file may read the variable ``name``."""
    if not _NAME.fullmatch(name) or not name.startswith("MILVUS_"):
        return False
    words = name.split("_")[1:]
    if not words or any(not w for w in words):
        return False
    return words[-1] in ALLOWED_LAST_WORDS and not (set(words) & SECRET_WORDS)


def expand(value: str, setting: Setting, environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """Expand ``${NAME}`` and ``${NAME:-fallback}``; returns the value and the names read."""
    used: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        where = key_name(("profiles", setting.profile, *setting.key))
        if not expandable(name):
            raise ConfigError(
                f"{where}: ${{{name}}} cannot be expanded: a profile file may only read variables "
                "named MILVUS_..._HOST, _PORT, _DB_NAME, _USER and the like, never a secret",
                path=setting.file.path,
                line=setting.line,
                hint="use a variable such as ${MILVUS_PROD_HOST}; secrets are sent as credentials, from "
                "the keyring, MILVUS_PASSWORD / MILVUS_TOKEN or a reference; the names a file may read "
                "are listed in docs/profiles.md",
            )
        used.append(name)
        found = environ.get(name)
        if found:
            return found
        if fallback is not None:
            return fallback
        raise ConfigError(
            f"{where}: environment variable {name} is not set",
            path=setting.file.path,
            line=setting.line,
            hint=f"set {name}, or write ${{{name}:-fallback}} to give a fallback",
        )

    return _VAR.sub(replace, value), used


__all__ = ["ALLOWED_LAST_WORDS", "SECRET_WORDS", "expand", "expandable"]
