"""``${MILVUS_HOST}`` in profile values: only variables that name places, never secrets, so a cloned
repository cannot copy a secret of the environment into a database or user name its server receives."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from ..config import catalog, toml
from ..errors import ConfigError

ALLOWED_LAST_WORDS = frozenset(
    "HOST HOSTNAME PORT DB DATABASE NAME USER USERNAME TIMEOUT REGION CLUSTER ZONE "  # noqa: SIM905
    "ENV ENVIRONMENT STAGE NAMESPACE PROJECT DIR PATH".split()
)
"""The last word of an expandable name: ``MILVUS_PROD_HOST``, ``MILVUS_DATA_DIR``."""
SECRET_WORDS = frozenset(
    "PASSWORD PASSWD PASS PWD TOKEN SECRET KEY APIKEY AUTH CREDENTIAL CREDENTIALS "  # noqa: SIM905
    "CRED CREDS PRIVATE SESSION COOKIE SIGNATURE CERT".split()
)
"""Words that make a name a secret's, wherever they stand (``MILVUS_TOKEN_HOST`` is refused too)."""
_NAME = re.compile(r"[A-Z][A-Z0-9_]*")


def expandable(name: str) -> bool:
    """Whether a profile file may read ``name``: ``MILVUS_``, an allowed last word and no secret word."""
    words = name.split("_")[1:]
    return (
        bool(_NAME.fullmatch(name) and name.startswith("MILVUS_") and words and all(words))
        and words[-1] in ALLOWED_LAST_WORDS
        and not (set(words) & SECRET_WORDS)
    )


def references(text: str) -> Iterator[tuple[int, int, str, str | None]]:
    """Every ``${NAME}`` and ``${NAME:-fallback}`` as ``(start, end, name, fallback)``: the matches of
    ``\\$\\{([^}:]*)(?::-([^}]*))?\\}`` (python-dotenv's rule) in linear time, where a backtracking engine
    tries every ``${`` against the rest of the text; each of the three searches moves forward only."""
    found = {needle: text.find(needle) for needle in ("${", ":", "}")}

    def ahead(needle: str, start: int) -> int:  # text.find, kept while it lies ahead: starts never go back
        if -1 < found[needle] < start:  # pragma: no mutate - `<=` only finds it again
            found[needle] = text.find(needle, start)
        return found[needle]

    position = 0
    while True:
        start = ahead("${", position)
        if start == -1:
            return
        name_from = start + 2
        brace, stop = ahead("}", name_from), ahead(":", name_from)
        if brace == -1:
            return  # no `}` ahead: no later `${` can end either
        if stop == -1 or brace < stop:  # pragma: no mutate - `}` and `:` are never at one index
            yield start, brace + 1, text[name_from:brace], None
            position = brace + 1  # pragma: no mutate - no `${` starts just before a `}`
        elif text.startswith("-", stop + 1):  # `:-fallback}`: the fallback runs to that same `}`
            yield start, brace + 1, text[name_from:stop], text[stop + 2 : brace]
            position = brace + 1  # pragma: no mutate - no `${` starts just before a `}`
        else:  # a `:` that is not `:-` ends the name: no reference starts here, nor at any `${` before it
            position = stop + 1  # pragma: no mutate - no `${` starts just before a `:`


def expand(value: str, setting: catalog.Setting, environ: Mapping[str, str]) -> tuple[str, list[str]]:
    """Expand ``${NAME}`` and ``${NAME:-fallback}``; returns the value and the names read."""
    used: list[str] = []
    parts: list[str] = []
    done = 0  # pragma: no mutate - value[None:] is value[0:]
    for start, end, name, fallback in references(value):
        where = toml.key_name(("profiles", setting.profile, *setting.key))
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
        if not found and fallback is None:
            raise ConfigError(
                f"{where}: environment variable {name} is not set",
                path=setting.file.path,
                line=setting.line,
                hint=f"set {name}, or write ${{{name}:-fallback}} to give a fallback",
            )
        parts += [value[done:start], found or fallback or ""]
        done = end
    parts.append(value[done:])
    return "".join(parts), used
