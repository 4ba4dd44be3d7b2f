"""``secret set|delete|status|rotate``: a profile's password or token in the keyring, never printed."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from ..errors import CommandNotRunError, KeyringUnavailableError
from ..fields import FIELDS_BY_NAME, secret_field, secret_set_command
from ..uri import redact
from .common import State, pick_profile, profile_argument, read_secret
from .exitcodes import SECRET
from .rotate import rotate

if TYPE_CHECKING:
    from ..resolution.resolved import ResolvedProfile

SECRET_ENV = (FIELDS_BY_NAME["password"].env, FIELDS_BY_NAME["token"].env)


def _target(state: State, name: str | None, option: str | None, *, inspect: bool = False) -> ResolvedProfile:
    """The profile a secret is for: its settings, or with ``inspect`` its secrets too (no command run)."""
    from ..resolution import resolver
    from ..secrets.chain import no_secret_for_lite, takes_secret

    chosen = pick_profile(state, name, option)
    cfg = resolver.inspect(chosen, state.files) if inspect else resolver.resolve_settings(chosen, state.files)
    if not takes_secret(cfg.uri):
        raise no_secret_for_lite(cfg.name, cfg.uri)
    return cfg


@click.group()
def secret() -> None:
    """Store, delete or inspect a profile's secret in the keyring."""


secret.add_command(rotate)


@secret.command("set")
@profile_argument
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the secret from standard input.")
@click.pass_obj
def set_secret(state: State, name: str | None, profile_option: str | None, from_stdin: bool) -> None:
    """Store the password (profile with a user) or token of NAME in the keyring.

    Prompts twice without echo, or reads standard input with --stdin (one trailing newline removed).
    """
    from ..write.secret import save_secret
    from .doctor import PLAINTEXT_HINT, plaintext_store

    cfg = _target(state, name, profile_option)
    label = f"Password for user {cfg.user!r} at " if cfg.user else "Token for "
    value = read_secret(state, stdin=from_stdin, label=label + redact(cfg.uri))
    account = save_secret(cfg.name, value, files=state.files)
    state.out.done(f"stored the {secret_field(cfg.user)} in the keyring (account {account})")
    plain = plaintext_store()
    if plain is not None:
        state.out.warning(plain, PLAINTEXT_HINT)
    for variable in SECRET_ENV if cfg.user else reversed(SECRET_ENV):
        if os.environ.get(variable):
            state.out.warning(f"{variable} is set in the environment and is used instead of the keyring")


@secret.command("delete")
@profile_argument
@click.pass_obj
def delete_secret(state: State, name: str | None, profile_option: str | None) -> None:
    """Delete the stored secret of NAME from the keyring (every profile sharing it loses it)."""
    from ..secrets.keyring_store import account
    from ..write.secret import delete_secret as delete

    cfg = _target(state, name, profile_option)
    key, kind = account(cfg.uri, cfg.user, secure=cfg.secure), secret_field(cfg.user)
    if delete(cfg.name, files=state.files):
        state.out.done(f"deleted the {kind} of {key} from the keyring")
    else:
        state.out.done(f"no {kind} was stored for {key}; nothing to delete")


@secret.command("status")
@profile_argument
@click.pass_context
def status(ctx: click.Context, name: str | None, profile_option: str | None) -> None:
    """Say whether a secret is stored for NAME, and where the secret used now comes from.

    Exits 4 when the profile has a user but no password from anywhere; never prints a secret.
    """
    from ..secrets.keyring_store import account, get_secret

    state: State = ctx.obj
    cfg = _target(state, name, profile_option, inspect=True)
    try:
        stored = (
            "stored" if get_secret(cfg.uri, cfg.user, secure=cfg.secure) is not None else "nothing stored"
        )
    except KeyringUnavailableError as e:
        stored = f"unavailable: {e.message}"
    env_set = [f"{v} is set" for v in SECRET_ENV if os.environ.get(v)]
    used = next((str(cfg.origins[s]) for s in ("password", "token") if getattr(cfg, s) is not None), None)
    if isinstance(cfg.secret_error, CommandNotRunError):
        used = f"reference {cfg.secret_error.reference}, not run"
    state.out.pairs(
        [
            ("profile", cfg.name or "(none)"),
            ("endpoint", redact(cfg.uri)),
            ("takes", f"a password for user {cfg.user!r}" if cfg.user else "a token (optional)"),
            ("keyring", f"{stored} (account {account(cfg.uri, cfg.user, secure=cfg.secure)})"),
            ("environment", ", ".join(env_set) or "MILVUS_PASSWORD and MILVUS_TOKEN unset"),
            ("in use", used or "none"),
        ]
    )
    if cfg.user and used is None:
        state.out.warning(
            f"user {cfg.user!r} has no password", hint=f"store it with `{secret_set_command(cfg.name)}`"
        )
        ctx.exit(SECRET.code)
