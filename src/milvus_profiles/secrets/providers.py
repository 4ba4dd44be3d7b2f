"""The secret providers: keyword arguments, environment variables, references in profile files, the keyring.

Each is small and reads nothing by itself: the request carries the environment, the arguments and the
references. Their order is declared once, in :data:`milvus_profiles.resolution.precedence.PRECEDENCE`.
"""

from __future__ import annotations

from typing import ClassVar

from ..config.trust import FileTrust
from ..errors import CommandNotRunError
from ..fields import FIELDS_BY_NAME
from ..origin import Origin
from . import keyring_store, reference
from .base import Credential, SecretField, SecretProvider, SecretRequest, Untrusted

_FIELDS: tuple[SecretField, ...] = ("token", "password")


class ArgumentProvider(SecretProvider):
    """``connect(..., password=...)`` or ``token=``: the caller's explicit choice for this connection."""

    METHOD = "kwarg"
    STORED: ClassVar[bool] = False

    def offers(self, request: SecretRequest) -> bool:
        return any(request.arguments.get(f) for f in _FIELDS)

    def provide(self, request: SecretRequest) -> Credential | None:
        for name in _FIELDS:  # a token wins over a password, as in pymilvus
            value = request.arguments.get(name)
            if value:
                return Credential(name, Origin("kwarg", name), value)
        return None


class EnvironmentProvider(SecretProvider):
    """``MILVUS_TOKEN`` or ``MILVUS_PASSWORD``. A variable exported in a shell reaches every command run
    there, whatever repository it runs in, so it counts as stored: it goes only to a trusted route."""

    METHOD = "env"
    STORED: ClassVar[bool] = True

    def offers(self, request: SecretRequest) -> bool:
        return any(request.environ.get(FIELDS_BY_NAME[f].env) for f in _FIELDS)

    def provide(self, request: SecretRequest) -> Credential | None:
        for name in _FIELDS:
            variable = FIELDS_BY_NAME[name].env
            value = request.environ.get(variable)
            if value:
                return Credential(name, Origin("env", variable), value)
        return None

    def blocked_by(self, request: SecretRequest) -> tuple[Untrusted | None, FileTrust | None]:
        used = next(v for f in _FIELDS if request.environ.get(v := FIELDS_BY_NAME[f].env))
        found = request.project.get(used)
        if found is not None:
            return Untrusted(used, found.where, found.line, found.trust), None
        return super().blocked_by(request)

    def describe(self, request: SecretRequest) -> str:
        names = [FIELDS_BY_NAME[f].env for f in _FIELDS if request.environ.get(FIELDS_BY_NAME[f].env)]
        return " and ".join(names) + (" is" if len(names) == 1 else " are") + " set but not sent"


class ReferenceProvider(SecretProvider):
    """A reference in a profile file: ``{ env = "VAR" }``, ``{ command = [...] }`` or ``{ file = "..." }``.

    Followed only when it is written in a trusted file; an untrusted file's reference is never run or read.
    A command reference runs only when the request needs the secret (``run_commands``).
    """

    METHOD = "reference"
    STORED: ClassVar[bool] = True

    def offers(self, request: SecretRequest) -> bool:
        return request.wanted in request.references and not request.uri_credentials

    def blocked_by(self, request: SecretRequest) -> tuple[Untrusted | None, FileTrust | None]:
        ref = request.references[request.wanted]
        if not ref.trust.trusted:
            return None, ref.trust
        return super().blocked_by(request)

    def provide(self, request: SecretRequest) -> Credential | None:
        ref = request.references[request.wanted]
        where = f"profile {ref.setting.profile}: {request.wanted}"
        detail = f"{reference.describe(ref.value)} ({ref.setting.location})"
        if "command" in ref.value and not request.run_commands:
            raise CommandNotRunError(
                f"{where} comes from a command reference (not run): {detail}",
                field=request.wanted,
                reference=detail,
                hint="it runs for a connection (`test`, `exec`, connect()) or with `show --reveal`",
            )
        # pragma: no mutate - request.environ is os.environ, fetch's default, in every resolve()
        secret = reference.fetch(ref.value, where=where, environ=request.environ)  # pragma: no mutate
        return Credential(request.wanted, Origin("reference", detail), secret)

    def describe(self, request: SecretRequest) -> str:
        ref = request.references[request.wanted]
        return f"the {request.wanted} reference ({reference.describe(ref.value)}) is not followed"


class KeyringProvider(SecretProvider):
    """The secret stored for the endpoint and user (``USER@scheme://host:port``, or the endpoint alone for
    a token; ``https`` for any TLS route): a profile pointed at another host, or turned from TLS to
    plaintext, finds nothing of the real route's."""

    METHOD = "keyring"
    STORED: ClassVar[bool] = True

    def offers(self, request: SecretRequest) -> bool:
        return not request.uri_credentials

    def provide(self, request: SecretRequest) -> Credential | None:
        stored = keyring_store.get_secret(request.uri, request.user, secure=request.secure)
        if stored is None:
            return None
        key = keyring_store.account(request.uri, request.user, secure=request.secure)
        return Credential(request.wanted, Origin("keyring", key), stored)

    def describe(self, request: SecretRequest) -> str:
        return "no stored secret is sent"


__all__ = ["ArgumentProvider", "EnvironmentProvider", "KeyringProvider", "ReferenceProvider"]
