"""The secret chain: the first provider that has a secret gives it, and the one rule of trust.

**The rule.** A stored secret (the keyring, a reference, a variable exported in a shell) is released only
to a connection whose endpoint and transport come entirely from trusted sources, and a reference is
followed only from a trusted file. A secret given as an argument is the caller's choice for this
connection and is always used. When the rule withholds a secret, the chain stops (a lower provider would
be withheld for the same reason) and says which file and key caused it, with the ``trust`` command.

Milvus Lite takes no secret: the chain is not asked for one (see :func:`takes_secret`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..config.trust import FileTrust
from ..errors import ConfigError, MilvusProfilesError, SecretWithheldError
from ..uri import is_lite
from .base import Credential, SecretProvider, SecretRequest, Untrusted


def takes_secret(uri: str) -> bool:
    """Whether a connection to ``uri`` takes a secret at all: Milvus Lite ignores credentials."""
    return not is_lite(uri)


def no_secret_for_lite(profile: str | None, uri: str, *, hint: str | None = None) -> ConfigError:
    """The error for giving a Milvus Lite profile a secret."""
    return ConfigError(
        f"profile {profile or '(none)'} is a Milvus Lite database ({uri}), which takes no secret",
        hint=hint or "secrets are for Milvus servers; Milvus Lite ignores credentials",
    )


@dataclass(frozen=True)
class Outcome:
    """What the chain found: a credential, or why there is none (withheld, or a provider failed)."""

    credential: Credential | None = None
    error: MilvusProfilesError | None = None


def find_secret(request: SecretRequest, providers: Sequence[SecretProvider]) -> Outcome:
    """Ask each provider in order; the first credential wins. Errors are returned, not raised: resolving
    never needs the secret, and ``connect()`` raises the error when it does."""
    for provider in providers:
        if not provider.offers(request):
            continue
        if provider.STORED:
            untrusted, file = provider.blocked_by(request)
            if untrusted is not None or file is not None:
                return Outcome(error=withheld(provider, request, untrusted, file))
        try:
            credential = provider.provide(request)
        except MilvusProfilesError as e:
            return Outcome(error=e)
        if credential is not None:
            return Outcome(credential=credential)
    return Outcome()


def withheld(
    provider: SecretProvider, request: SecretRequest, untrusted: Untrusted | None, file: FileTrust | None
) -> SecretWithheldError:
    """The error that names what withheld the secret: the untrusted value (or file) and the fix."""
    target = f"profile {request.profile}" if request.profile else "the connection"
    what = provider.describe(request)
    if file is not None:
        return SecretWithheldError(
            f"{target}: {what}: it is written in {file.path}, {file.why}",
            path=file.path,
            method=provider.METHOD,
            hint=file.fix,
        )
    assert untrusted is not None  # noqa: S101 - blocked_by returns one of the two
    ft = untrusted.trust
    key = untrusted.key
    return SecretWithheldError(
        f"{target}: {what} to this connection, because its {key} comes from {untrusted.where}, {ft.why}",
        path=ft.path,
        line=untrusted.line,
        key=key,
        method=provider.METHOD,
        hint=(ft.fix + "; or " if ft.fix else "")  # pragma: no mutate - every untrusted verdict has a fix
        + "choose the server yourself with MILVUS_URI or uri=, or pass the secret as an argument",
    )


__all__ = ["Outcome", "find_secret", "takes_secret", "withheld"]
