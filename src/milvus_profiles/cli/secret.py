"""``secret set|delete|status|rotate``: a profile's password or token in the keyring, never printed."""

from __future__ import annotations

import contextlib
import os
import secrets
import string
import sys
from typing import TYPE_CHECKING

import click

from ..errors import (
    AuthenticationError,
    CommandNotRunError,
    ConfigError,
    KeyringUnavailableError,
    MilvusProfilesError,
)
from ..fields import FIELDS_BY_NAME, secret_field, secret_set_command
from ..resolution.resolved import mask_secrets
from ..secrets.chain import no_secret_for_lite, takes_secret
from ..secrets.keyring_store import account, backend, get_secret
from ..uri import redact
from .common import State, pick_profile, profile_argument, read_secret
from .doctor import PLAINTEXT_HINT, plaintext_store
from .exitcodes import SECRET

if TYPE_CHECKING:
    from ..resolution.resolved import ResolvedProfile

SECRET_ENV = (FIELDS_BY_NAME["password"].env, FIELDS_BY_NAME["token"].env)
# Letters, digits and punctuation that needs no quoting in a shell, a URL or `user:password`.
_PUNCTUATION = "-_.~!@%^*+="


def _target(
    state: State, name: str | None, option: str | None, how: str = "resolve_settings", hint: str | None = None
) -> ResolvedProfile:
    """The profile a secret is for, read by ``resolver.<how>`` (``inspect`` runs no command); not Lite's."""
    from ..resolution import resolver

    cfg: ResolvedProfile = getattr(resolver, how)(pick_profile(state, name, option), files=state.files)
    if not takes_secret(cfg.uri):
        raise no_secret_for_lite(cfg.name, cfg.uri, hint=hint)
    return cfg


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
    from ..write.secret import save_secret

    cfg = _target(state, name, profile_option)
    label = f"Password for user {cfg.user!r} at " if cfg.user else "Token for "
    value = read_secret(state, stdin=from_stdin, label=label + redact(cfg.uri))
    key = save_secret(cfg.name, value, files=state.files)
    state.out.done(f"stored the {secret_field(cfg.user)} in the keyring (account {key})")
    if plain := plaintext_store(backend()):
        state.out.warning(plain, PLAINTEXT_HINT)
    for variable in SECRET_ENV if cfg.user else reversed(SECRET_ENV):
        if os.environ.get(variable):
            state.out.warning(f"{variable} is set in the environment and is used instead of the keyring")


@secret.command("delete")
@profile_argument
@click.pass_obj
def delete_secret(state: State, name: str | None, profile_option: str | None) -> None:
    """Delete the stored secret of NAME from the keyring (every profile sharing it loses it)."""
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
    state: State = ctx.obj
    cfg = _target(state, name, profile_option, "inspect")
    try:
        stored = "nothing stored" if get_secret(cfg.uri, cfg.user, secure=cfg.secure) is None else "stored"
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


def generate_password(length: int = 32) -> str:
    """Random, with each of upper and lower case, digits and punctuation (Zilliz Cloud asks for three)."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, _PUNCTUATION)
    while True:
        password = "".join(secrets.choice("".join(classes)) for _ in range(length))
        if all(any(c in cls for c in password) for cls in classes):
            return password


def change_on_server(cfg: ResolvedProfile, files: tuple[str, ...] | None, old: str, new: str) -> None:
    """Log in with the profile as it is, then ask the server to change the user's password; its answer (no
    users: Milvus Lite's UNIMPLEMENTED; the new password refused) becomes our error."""
    from ..connection.client import connect, quiet_pymilvus_logs
    from ..connection.diagnose import verdicts

    with contextlib.closing(connect(cfg.name, files=files)) as client, verdicts(cfg), quiet_pymilvus_logs():
        try:
            client.update_password(cfg.user, old, new, timeout=cfg.timeout)
        except Exception as e:
            where = f"user {cfg.user!r} at {redact(cfg.uri)}"
            unchanged = "nothing was stored; the current password still works"
            code, exceptions = getattr(e, "code", None), sys.modules.get("pymilvus.exceptions")
            if callable(code) and getattr(code(), "name", None) == "UNIMPLEMENTED":
                fix = f"; a server without users needs none: `milvus-profiles unset {cfg.name} user`"
                raise ConfigError(
                    f"profile {cfg.name or '(none)'}: this server has no users (Milvus Lite?), "
                    f"so {where} has no password to change",
                    hint=unchanged + (fix if cfg.name else ""),
                ) from None
            if exceptions is not None and isinstance(e, exceptions.MilvusException):
                reason = mask_secrets(str(e.message), old, new)
                by = "pymilvus" if isinstance(e, exceptions.ParamError) else "the server"
                raise AuthenticationError(
                    f"{by} refused the new password of {where}: {reason}", hint=unchanged
                ) from None
            raise  # not the server's answer to this call: verdicts() reads it, or it is a bug


@secret.command("rotate")
@profile_argument
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the new password from standard input.")
@click.option("--ask", is_flag=True, help="Ask for the new password (twice, without echo).")
@click.option("--show", is_flag=True, help="Print a generated password once it is changed.")
@click.pass_obj
def rotate(
    state: State, name: str | None, profile_option: str | None, *, from_stdin: bool, ask: bool, show: bool
) -> None:
    """Change the password of NAME's user on the server, and store the new one in the keyring.

    The new password is generated (32 random characters; printed only with --show), or read with --ask
    or --stdin. The server is asked first: if it refuses, nothing is stored. If the keyring then fails,
    the new password is printed once with the reason, as it is the only copy.

    \b
    Examples:
      milvus-profiles secret rotate prod
      pass show milvus/prod-new | milvus-profiles secret rotate prod --stdin
    """
    from ..connection.diagnose import preflight
    from ..write.secret import save_secret

    if from_stdin and ask:
        raise click.UsageError("--stdin and --ask cannot be used together")
    cfg = _target(state, name, profile_option, "resolve", hint="passwords are for Milvus servers")
    target, at = cfg.name or "(none)", redact(cfg.uri)
    if not cfg.user:
        raise ConfigError(
            f"profile {target} has no user, so there is no password to change",
            hint="rotate a token where it was issued (e.g. Zilliz Cloud's console), then "
            f"`{secret_set_command(target)}`",
        )
    preflight(cfg)  # the current password must be at hand: the server asks for it
    if cfg.password is None:
        raise ConfigError(
            f"profile {target}: user {cfg.user!r} authenticates with a token ({cfg.origins['token']}), "
            "and rotation needs the current password",
            hint="unset MILVUS_TOKEN, and store the password with `milvus-profiles secret set`",
        )
    generated = not (from_stdin or ask)
    label = f"New password for user {cfg.user!r} at {at}"
    new = generate_password() if generated else read_secret(state, stdin=from_stdin, label=label)
    change_on_server(cfg, state.files, cfg.password.get_secret_value(), new)
    out = state.out
    out.done(f"changed the password of user {cfg.user!r} at {at}")
    try:
        key = save_secret(cfg.name, new, files=state.files)
    except MilvusProfilesError as e:
        out.line(f"the new password, shown once as it is stored nowhere else: {new}")
        out.warning(
            f"the server has the new password, but it was not stored: {e.message}",
            hint=f"store it with `{secret_set_command(target)}` once the keyring works, or "
            "keep it in MILVUS_PASSWORD",
        )
        click.get_current_context().exit(SECRET.code)
    out.done(f"stored the new password in the keyring (account {key})")
    if generated and show:
        out.line(new)
    reveal = f"`milvus-profiles show {target} --reveal` prints it" if generated and not show else None
    out.warning(
        f"whoever else logs in as user {cfg.user!r} at {at} with the old password (a teammate, "
        "a CI secret, another machine) now fails until given the new one",
        hint=reveal or "give them the new password",
    )
    if os.environ.get(env := FIELDS_BY_NAME["password"].env):
        out.warning(f"{env} is set in the environment and still holds the old password; update or unset it")
