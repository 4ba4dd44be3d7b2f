"""The secret providers, each reading only its request. Their order is declared in ``PRECEDENCE``; whether
one may be asked is decided in :mod:`milvus_profiles.secrets.chain`."""

from __future__ import annotations

from ..errors import CommandNotRunError
from ..fields import FIELDS_BY_NAME, SECRET_ORDER
from ..origin import Origin
from . import keyring_store, reference
from .chain import Credential, Provider, SecretRequest


def _argument(request: SecretRequest) -> Credential:
    name = next(f for f in SECRET_ORDER if request.arguments.get(f))
    return Credential(name, Origin("kwarg", name), request.arguments[name])


def _variable(request: SecretRequest) -> Credential:
    name = next(f for f in SECRET_ORDER if request.environ.get(FIELDS_BY_NAME[f].env))
    variable = FIELDS_BY_NAME[name].env
    return Credential(name, Origin("env", variable), request.environ[variable])


def _reference(request: SecretRequest) -> Credential:
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


def _keyring(request: SecretRequest) -> Credential | None:
    stored = keyring_store.get_secret(request.uri, request.user, secure=request.secure)
    key = keyring_store.account(request.uri, request.user, secure=request.secure)
    return None if stored is None else Credential(request.wanted, Origin("keyring", key), stored)


ARGUMENT: Provider = ("kwarg", lambda r: any(r.arguments.get(f) for f in SECRET_ORDER), _argument)
"""``connect(..., password=...)`` or ``token=``: the caller's explicit choice for this connection."""
ENVIRONMENT: Provider = (
    "env",
    lambda r: any(r.environ.get(FIELDS_BY_NAME[f].env) for f in SECRET_ORDER),
    _variable,
)
"""``MILVUS_TOKEN`` or ``MILVUS_PASSWORD``. A variable exported in a shell reaches every command run there,
whatever repository it runs in, so it counts as stored: it goes only to a trusted route."""
REFERENCE: Provider = ("reference", lambda r: r.wanted in r.references and not r.uri_credentials, _reference)
"""``{ env = "VAR" }``, ``{ command = [...] }`` or ``{ file = "..." }`` in a profile file; a command runs
only when the request needs the secret (``run_commands``)."""
KEYRING: Provider = ("keyring", lambda r: not r.uri_credentials, _keyring)
"""The secret stored for the endpoint and user (``USER@scheme://host:port``, or the endpoint alone for a
token; ``https`` for any TLS route): a profile pointed at another host, or turned from TLS to plaintext,
finds nothing of the real route's."""
