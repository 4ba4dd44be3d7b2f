"""The secret providers, each reading only its request. Their order is declared in ``PRECEDENCE``; whether
one may be asked is decided in :mod:`milvus_profiles.secrets.chain`."""

from __future__ import annotations

from ..errors import CommandNotRunError
from ..fields import FIELDS_BY_NAME, SECRET_ORDER
from ..origin import Origin
from . import keyring_store, reference
from .chain import Credential, SecretProvider, SecretRequest


class ArgumentProvider(SecretProvider):
    """``connect(..., password=...)`` or ``token=``: the caller's explicit choice for this connection."""

    METHOD = "kwarg"

    def offers(self, request: SecretRequest) -> bool:
        return any(request.arguments.get(f) for f in SECRET_ORDER)

    def provide(self, request: SecretRequest) -> Credential | None:
        name = next(f for f in SECRET_ORDER if request.arguments.get(f))
        return Credential(name, Origin("kwarg", name), request.arguments[name])


class EnvironmentProvider(SecretProvider):
    """``MILVUS_TOKEN`` or ``MILVUS_PASSWORD``. A variable exported in a shell reaches every command run
    there, whatever repository it runs in, so it counts as stored: it goes only to a trusted route."""

    METHOD = "env"

    def offers(self, request: SecretRequest) -> bool:
        return any(request.environ.get(FIELDS_BY_NAME[f].env) for f in SECRET_ORDER)

    def provide(self, request: SecretRequest) -> Credential | None:
        name = next(f for f in SECRET_ORDER if request.environ.get(FIELDS_BY_NAME[f].env))
        variable = FIELDS_BY_NAME[name].env
        return Credential(name, Origin("env", variable), request.environ[variable])


class ReferenceProvider(SecretProvider):
    """A reference in a profile file: ``{ env = "VAR" }``, ``{ command = [...] }`` or ``{ file = "..." }``.
    A command reference runs only when the request needs the secret (``run_commands``)."""

    METHOD = "reference"

    def offers(self, request: SecretRequest) -> bool:
        return request.wanted in request.references and not request.uri_credentials

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


class KeyringProvider(SecretProvider):
    """The secret stored for the endpoint and user (``USER@scheme://host:port``, or the endpoint alone for
    a token; ``https`` for any TLS route): a profile pointed at another host, or turned from TLS to
    plaintext, finds nothing of the real route's."""

    METHOD = "keyring"

    def offers(self, request: SecretRequest) -> bool:
        return not request.uri_credentials

    def provide(self, request: SecretRequest) -> Credential | None:
        stored = keyring_store.get_secret(request.uri, request.user, secure=request.secure)
        if stored is None:
            return None
        key = keyring_store.account(request.uri, request.user, secure=request.secure)
        return Credential(request.wanted, Origin("keyring", key), stored)
