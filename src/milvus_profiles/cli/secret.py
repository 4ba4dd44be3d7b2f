"""``secret set|delete|status``: a profile's password or token in the keyring, never printed.

A secret belongs to the profile's endpoint and user (see :func:`milvus_profiles.secrets.account`), so
every profile on the same server and user shares it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from ..errors import CommandNotRunError, KeyringUnavailableError
from ..fields import FIELDS_BY_NAME, secret_field, secret_set_command
from .common import State, pick_profile, profile_argument, read_secret
from .exitcodes import SECRET

if TYPE_CHECKING:
    from ..resolution.resolved import ResolvedProfile


def _target(state: State, name: str | None, option: str | None, *, inspect: bool = False) -> ResolvedProfile:
    """The profile a secret is stored for or deleted from (settings only), or with ``inspect`` as
    ``status`` reports it: every secret looked up but a command reference, which is not run."""
    from ..resolution import resolver
    from ..secrets.chain import no_secret_for_lite, takes_secret

    chosen = pick_profile(state, name, option)
    cfg = resolver.inspect(chosen, state.files) if inspect else resolver.resolve_settings(chosen, state.files)
    if not takes_secret(cfg.uri):
        raise no_secret_for_lite(cfg.name, cfg.uri)
    return cfg


def _kind(cfg: ResolvedProfile) -> str:
    """The secret the profile takes: the user's password, else a token."""
    return secret_field(cfg.user)


@click.group()
def secret() -> None:
    """Store, delete or inspect a profile's secret in the keyring."""


@secret.command("set")
@profile_argument
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the secret from standard input.")
@click.pass_obj
def set_secret(state: State, name: str | None, profile_option: str | None, from_stdin: bool) -> None:
    """Store the password (profile with a user) or token of NAME in the keyring.

    Prompts twice without echo, or reads standard input with --stdin (one trailing newline removed).
    """
    from ..uri import redact
    from ..write.secret import save_secret

    cfg = _target(state, name, profile_option)
    label = (
        f"Password for user {cfg.user!r} at {redact(cfg.uri)}" if cfg.user else f"Token for {redact(cfg.uri)}"
    )
    value = read_secret(state, stdin=from_stdin, label=label)
    account = save_secret(cfg.name, value, files=state.files)
    state.out.done(f"stored the {_kind(cfg)} in the keyring (account {account})")
    from .doctor import PLAINTEXT_HINT, plaintext_store

    plain = plaintext_store()
    if plain is not None:
        state.out.warning(plain, PLAINTEXT_HINT)
    env = FIELDS_BY_NAME[_kind(cfg)].env
    other = FIELDS_BY_NAME["token" if cfg.user else "password"].env
    for variable in (env, other):
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
    key = account(cfg.uri, cfg.user, secure=cfg.secure)
    if delete(cfg.name, files=state.files):
        state.out.done(f"deleted the {_kind(cfg)} of {key} from the keyring")
    else:
        state.out.done(f"no {_kind(cfg)} was stored for {key}; nothing to delete")


@secret.command("status")
@profile_argument
@click.pass_context
def status(ctx: click.Context, name: str | None, profile_option: str | None) -> None:
    """Say whether a secret is stored for NAME, and where the secret used now comes from.

    Exits 4 when the profile has a user but no password from anywhere; never prints a secret.
    """
    from ..secrets.keyring_store import account, get_secret
    from ..uri import redact

    state: State = ctx.obj
    cfg = _target(state, name, profile_option, inspect=True)
    key = account(cfg.uri, cfg.user, secure=cfg.secure)
    try:
        found = get_secret(cfg.uri, cfg.user, secure=cfg.secure)
        stored = "stored" if found is not None else "nothing stored"
    except KeyringUnavailableError as e:
        stored = f"unavailable: {e.message}"
    env_set = [f.env for f in (FIELDS_BY_NAME["password"], FIELDS_BY_NAME["token"]) if os.environ.get(f.env)]
    used = next((cfg.origins[s] for s in ("password", "token") if getattr(cfg, s) is not None), None)
    origin = str(used) if used is not None else None
    if isinstance(cfg.secret_error, CommandNotRunError):
        origin = f"reference {cfg.secret_error.reference}, not run"
    rows = [
        ("profile", cfg.name or "(none)"),
        ("endpoint", redact(cfg.uri)),
        ("takes", f"a password for user {cfg.user!r}" if cfg.user else "a token (optional)"),
        ("keyring", f"{stored} (account {key})"),
        (
            "environment",
            ", ".join(f"{v} is set" for v in env_set)
            if env_set
            else "MILVUS_PASSWORD and MILVUS_TOKEN unset",
        ),
        ("in use", origin or "none"),
    ]
    state.out.pairs(rows)
    if cfg.user and origin is None:
        command = secret_set_command(cfg.name)
        state.out.warning(f"user {cfg.user!r} has no password", hint=f"store it with `{command}`")
        ctx.exit(SECRET.code)


def _add_rotate() -> None:
    from .rotate import rotate

    secret.add_command(rotate)


_add_rotate()
