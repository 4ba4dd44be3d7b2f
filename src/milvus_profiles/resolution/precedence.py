"""Precedence, declared once: the ordered chain of every source of a resolved profile, highest first.

Each layer may give connection settings (a pydantic-settings source) and secrets (a secret provider);
its ``kind`` is the provenance every value it gives carries (``Origin.kind``). The resolver walks this
chain for settings, :mod:`milvus_profiles.secrets.chain` walks it for the secret, and the precedence
table of docs/precedence.md is generated from it. To change the precedence, change this tuple.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..origin import OriginKind
from ..secrets.base import SecretProvider
from ..secrets.providers import ArgumentProvider, EnvironmentProvider, KeyringProvider, ReferenceProvider
from .sources import DefaultsSource, EnvironmentSource, KwargsSource, ProfileSource, Source


@dataclass(frozen=True)
class Layer:
    """One layer of the chain: what it gives, and the classes that give it."""

    kind: OriginKind
    title: str
    settings: str | None
    secrets: str | None
    source: type[Source] | None = None
    provider: SecretProvider | None = None


PRECEDENCE: tuple[Layer, ...] = (
    Layer(
        "kwarg",
        "keyword arguments",
        '`resolve(..., db_name=...)`, `connect(..., timeout=...)`; `None` or `""` means not given',
        "`password=`, `token=`: always used, they are your choice for this call",
        KwargsSource,
        ArgumentProvider(),
    ),
    Layer(
        "env",
        "environment variables",
        "`MILVUS_URI`, `MILVUS_DB_NAME`, `MILVUS_TIMEOUT`, `MILVUS_USER`",
        "`MILVUS_TOKEN`, `MILVUS_PASSWORD`: sent only to a trusted endpoint",
        EnvironmentSource,
        EnvironmentProvider(),
    ),
    Layer(
        "file",
        "the profile",
        "its `extends` chain, then its tables in every file that defines it, the higher file winning "
        "key by key",
        "a reference written in a trusted file: `{ env = ... }`, `{ command = [...] }`, `{ file = ... }`",
        ProfileSource,
        ReferenceProvider(),
    ),
    Layer(
        "keyring",
        "the keyring",
        None,
        "the secret stored for the endpoint and user: sent only to a trusted endpoint",
        None,
        KeyringProvider(),
    ),
    Layer(
        "default",
        "built-in defaults",
        '`uri = "http://localhost:19530"`, `db_name = "default"`, `timeout = 10`',
        None,
        DefaultsSource,
        None,
    ),
)

SECRET_PROVIDERS: tuple[SecretProvider, ...] = tuple(
    layer.provider for layer in PRECEDENCE if layer.provider is not None
)
"""The secret chain, in the order of :data:`PRECEDENCE`."""


def precedence_line() -> str:
    """The chain in one line, highest first, as ``explain()`` ends with it."""
    return "precedence: " + " > ".join(layer.title for layer in PRECEDENCE)


def precedence_table() -> str:
    """The precedence as a Markdown table, highest first, for docs/precedence.md."""
    rows = ["| | layer | settings | secret |", "|---|---|---|---|"]
    for number, layer in enumerate(PRECEDENCE, start=1):
        rows.append(f"| {number} | **{layer.title}** | {layer.settings or '-'} | {layer.secrets or '-'} |")
    return "\n".join(rows)


__all__ = ["PRECEDENCE", "SECRET_PROVIDERS", "Layer", "precedence_line", "precedence_table"]
