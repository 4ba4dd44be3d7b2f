"""``add`` and ``import``: new profiles in a profile file, checked, then written atomically; their secrets,
never an argument, go to the keyring, and `import` says where each one is still in plain text."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import tomli_w

from ..config.foreign import MILVUS_CLI_FILE, Found, from_milvus_cli, from_variables, read_dotenv
from ..errors import ConfigError, KeyringUnavailableError
from ..fields import FIELDS_BY_NAME, TLS_KEYS, secret_set_command
from ..secrets.chain import no_secret_for_lite, takes_secret
from ..secrets.keyring_store import account, check_available
from ..uri import is_lite
from .common import F, check_name, complete_profiles, lower_files, read_secret, scope_file, scope_option
from .edit import for_file, not_written, write_profiles
from .output import display_path

if TYPE_CHECKING:
    from ..write.editor import ProfileEditor
    from .common import State


# --tls-server-pem -> server_pem_path, and so on for every tls key but `secure`
TLS_OPTIONS = {f"tls_{k.removesuffix('_path')}": k for k in TLS_KEYS if k != "secure"}

Secret = str | KeyringUnavailableError | None  # a KeyringUnavailableError: found before asking
POSITIVE = click.FloatRange(min=0, min_open=True)
URI_FORMS = (
    "  http://localhost:19530            a Milvus server (standalone, or on Kubernetes via a port-forward)",
    "  https://HOST:443                  a server behind TLS, or Zilliz Cloud's public endpoint",
    "  ./data/milvus.db                  Milvus Lite: a local file, no server",
)


def _tls_options(f: F) -> F:
    for name, key in reversed(TLS_OPTIONS.items()):
        path = key.endswith("_path")
        f = click.option(
            f"--{name.replace('_', '-')}",
            name,
            metavar="PATH" if path else "NAME",
            help=TLS_KEYS[key] + (" Relative paths are from the working folder." if path else ""),
        )(f)
    return f


@click.command()
@click.argument("name", callback=check_name)
@click.option(
    "--uri",
    help=FIELDS_BY_NAME["uri"].help.replace(
        "(relative to the profile file)", "(relative to the working folder)"
    )
    + " Without it, on a terminal, every field is asked for.",
)
@click.option("--db-name", help=FIELDS_BY_NAME["db_name"].help)
@click.option("--timeout", type=POSITIVE, help=FIELDS_BY_NAME["timeout"].help)
@click.option("--user", help=FIELDS_BY_NAME["user"].help)
@click.option(
    "--extends", metavar="PROFILE", shell_complete=complete_profiles, help="A profile to inherit from."
)
@_tls_options
@scope_option("The file to add it to (default: milvus.toml in a project, else the user file).")
@click.option("--default", is_flag=True, help="Make it the default profile of that file.")
@click.option(
    "--ask-secret", is_flag=True, help="Ask for the password (or token) and store it in the keyring."
)
@click.option("--secret-stdin", is_flag=True, help="Read the password (or token) from standard input.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace the whole profile of the same name in that file (keys not given are dropped; "
    "`set` changes one key).",
)
@click.pass_context
def add(
    ctx: click.Context,
    /,
    *,
    name: str,
    scope: str | None,
    default: bool,
    ask_secret: bool,
    secret_stdin: bool,
    force: bool,
    **given: Any,
) -> None:
    """Add profile NAME to a profile file.

    A secret is never given on the command line: --ask-secret prompts for it without echo and
    --secret-stdin reads it from a pipe; either way it goes to the keyring. Without --uri, on a
    terminal, each field is asked for in turn, as `aws configure` does.

    \b
    Examples:
      milvus-profiles add dev --uri http://localhost:19530 --user root --ask-secret
      milvus-profiles add cloud --uri https://in03-xxxx.serverless.gcp-us-west1.cloud.zilliz.com --ask-secret
      milvus-profiles add prod          # asks for the URI, database, timeout, user and secret
    """
    state: State = ctx.obj
    if ask_secret and secret_stdin:
        raise click.UsageError("--ask-secret and --secret-stdin cannot be used together")
    asked = given["uri"] is None
    secret: Secret = _ask_fields(state, name, given, stdin_taken=secret_stdin) if asked else None
    for option in ("uri", "db_name", "user", "extends", *TLS_OPTIONS):
        if re.search("[\ud800-\udfff]", given[option] or ""):  # bytes the shell passed that are not UTF-8
            raise ConfigError(
                f"--{option.replace('_', '-')}: not valid UTF-8 text",
                hint="give the value in UTF-8, the encoding profile files are written in",
            )
    target = scope_file(state, scope)
    base, keys = target.parent, ("uri", "db_name", "timeout", "user", "extends")  # base of relative paths
    values = {k: for_file((k,), given[k], base, k) for k in keys if given[k] is not None}
    tls = {k: for_file(("tls", k), given[o], base, o) for o, k in TLS_OPTIONS.items() if given[o] is not None}
    values |= {"tls": tls} if tls else {}
    replaced: dict[str, Any] = {}

    def change(editor: ProfileEditor) -> None:
        replaced.clear()  # (checked first, then written)
        replaced.update(editor.profiles.get(name, {}))
        if name in editor.profiles and not force:
            raise ConfigError(
                f"{display_path(target)} already has a profile named {name!r}",
                hint=f"change one key with `milvus-profiles set {name} KEY VALUE`; --force replaces the "
                "whole profile",
            )
        editor.set_profile(name, values)
        if default:
            editor.set_default(name)

    refused = not_written(f"profile {name!r} not added to {display_path(target)}", target)
    if ask_secret or secret_stdin:
        # Asked before the file is locked, so that no writer waits on a person typing; the edit is
        # checked first, so that a profile which would be refused never asks for a secret.
        layer = write_profiles(state, target, change, refused=refused, save=False).layer(name)
        uri, user = str(layer["uri"].value), layer.get("user")
        if not takes_secret(uri):
            raise no_secret_for_lite(
                name, uri, hint="drop --ask-secret/--secret-stdin; secrets are for Milvus servers"
            )
        label = f"Password for user {user.value!r}" if user else f"Token for {name}"
        try:
            secret = read_secret(state, stdin=secret_stdin, label=label, stdin_option="--secret-stdin")
        except KeyringUnavailableError as e:  # the profile is still added, then the error is said
            secret = e
    catalog = write_profiles(state, target, change, refused=refused)
    out, where, as_default = state.out, display_path(target), " as its default" if default else ""
    if not replaced:
        out.done(f"added profile {name!r} to {where}{as_default}")
    else:
        out.done(f"replaced the whole profile {name!r} in {where}{as_default}")
        if dropped := sorted(k for k in replaced if k not in values):
            out.warning(
                f"keys of the old profile not given again are gone: {', '.join(dropped)}",
                hint=f"to change one key and keep the rest, use `milvus-profiles set {name} KEY VALUE`",
            )
    if (tables := catalog.tables(name)) and tables[0][0].path != target:
        out.warning(
            f"profile {name!r} in {where} is shadowed by the one in "
            f"{display_path(tables[0][0].path)}, which wins key by key"
        )
    for key, value in values.get("tls", {}).items():
        if key.endswith("_path") and not (target.parent / os.path.expanduser(value)).exists():
            out.warning(f"tls.{key}: {value} does not exist (yet)")
    _finish(ctx, name, target, values.get("user"), secret, test=asked)


def _finish(
    ctx: click.Context, name: str, target: Path, user: str | None, secret: Secret, *, test: bool
) -> None:
    """The secret to the keyring; for a profile asked for, a test."""
    state: State = ctx.obj
    if secret is not None:
        from ..write.secret import save_secret

        try:
            if isinstance(secret, KeyringUnavailableError):
                raise secret
            stored = save_secret(name, secret, files=lower_files(state, target))
        except KeyringUnavailableError as e:  # how to finish without running `add` again
            variable = "MILVUS_PASSWORD" if user else "MILVUS_TOKEN"
            raise KeyringUnavailableError(
                f"profile {name!r} is saved in {display_path(target)}, but its secret is not: {e.message}",
                hint=f"finish with `{secret_set_command(name)}` once a keyring works, or set "
                f"{variable} where the profile is used (do not run `add` again: the profile exists)"
                + (f"; for the keyring: {e.hint}" if e.hint else ""),
            ) from None
        state.out.done(f"stored the secret in the keyring (account {stored})")
    if test and click.confirm(f"Test profile {name!r} now?", default=True, err=True):
        from . import fail
        from .test import check_profile

        result = check_profile(name, state.files, None)
        for message, hint in result.warnings:
            state.out.warning(message, hint)
        if result.error is not None:
            fail(ctx, result.error, result.exit.code)
        latency = f", {result.latency_ms:.0f} ms" if result.latency_ms is not None else ""
        state.out.done(f"profile {name!r} is ready (server version {result.version}{latency})")


def _ask_fields(state: State, name: str, given: dict[str, Any], *, stdin_taken: bool) -> str | None:
    """Each field in turn into ``given``, its default in brackets, unless given; then the secret."""
    if stdin_taken or not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise click.UsageError("--uri is required when not on a terminal (on one, each field is asked for)")
    state.out.line(f"New profile {name!r}. The URI takes one of these forms:", err=True)
    for form in URI_FORMS:  # one line each: line() shows a newline escaped
        state.out.line(form, err=True)
    default = {k: FIELDS_BY_NAME[k].default for k in ("uri", "db_name", "timeout")}
    uri = given["uri"] = str(click.prompt("URI", default=default["uri"], err=True))
    for key, label, kind in (("db_name", "Database", str), ("timeout", "Timeout in seconds", POSITIVE)):
        if given[key] is None:
            given[key] = click.prompt(label, default=default[key], type=kind, err=True)
    secret, user = None, given["user"]
    empty: dict[str, Any] = {"default": "", "show_default": False, "err": True}
    if not is_lite(uri):
        if user is None:
            user = click.prompt("User (empty for none: a token)", **empty)
        try:
            check_available()  # before the secret is typed, twice
        except KeyringUnavailableError as e:
            state.out.warning(f"{e.message}, so none is asked for; the profile is added without it", e.hint)
        else:
            label = f"Password for user {user!r}" if user else "Token"
            label += " (empty to store none now; it goes to the keyring)"
            secret = click.prompt(label, hide_input=True, confirmation_prompt=True, **empty)
    given["user"] = user or None
    for key in ("db_name", "timeout"):  # a field's default need not be written
        given[key] = None if given[key] == default[key] else given[key]
    return secret or None


ENVIRONMENT = "the environment"  # where --from env found the settings, in messages


def _name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else check_name(ctx, param, value)


def _found(source: str, name: str | None, path: Path | None) -> list[Found]:
    if source == "milvus-cli":
        if name is not None:
            raise click.UsageError(
                "--name is for --from env and --from dotenv; milvus_cli connections keep their aliases"
            )
        path = path or Path.home() / MILVUS_CLI_FILE
        return from_milvus_cli(path, label=display_path(path.absolute()))
    if name is None:
        raise click.UsageError(f"--from {source} needs --name NAME, the name of the new profile")
    if source == "env" and path is not None:
        raise click.UsageError("--path is for --from dotenv and --from milvus-cli")
    if source == "env":
        return [from_variables(os.environ, name=name, source=ENVIRONMENT)]
    shown = display_path((path := path or Path(".env")).absolute())
    return [from_variables(read_dotenv(path), name=name, source=shown)]


@click.command("import")
@click.option(
    "--from",
    "source",
    type=click.Choice(("env", "dotenv", "milvus-cli")),
    required=True,
    help="Where the settings are: MILVUS_* variables in the environment, a .env file, or "
    "milvus_cli's saved connections.",
)
@click.option(
    "--name",
    callback=_name,
    metavar="NAME",
    help="The new profile's name (with --from env or dotenv; milvus_cli connections keep their aliases).",
)
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to read: .env in the working folder (dotenv), ~/.milvus_cli_connections.json "
    "(milvus-cli).",
)
@scope_option("The file to add them to (default: as for `add`).")
@click.option("--default", "make_default", is_flag=True, help="Make the imported profile the default.")
@click.option("--force", is_flag=True, help="Replace profiles of the same names in that file.")
@click.option("--dry-run", is_flag=True, help="Print what would be written and stored; change nothing.")
@click.pass_obj
def import_profiles(
    state: State,
    /,
    *,
    source: str,
    name: str | None,
    path: Path | None,
    scope: str | None,
    make_default: bool,
    force: bool,
    dry_run: bool,
) -> None:
    """Create profiles from the settings you have today.

    \b
      --from env         MILVUS_URI, MILVUS_TOKEN, MILVUS_USER, MILVUS_PASSWORD, MILVUS_DB_NAME...
      --from dotenv      the same variables in a .env file
      --from milvus-cli  the connections milvus_cli saved (~/.milvus_cli_connections.json)

    Passwords and tokens go to the keyring, never into the profile file; the command then says where
    each one is still in plain text, so you can delete it there.
    """
    found = _found(source, name, path)
    if make_default and len(found) != 1:
        raise click.UsageError(f"--default needs exactly one profile; {len(found)} were found")
    target = scope_file(state, scope)
    written = {f.name: for_file((), f.values, target.parent, None) for f in found}
    refused = not_written(f"nothing imported into {display_path(target)}", target)

    def change(editor: ProfileEditor) -> None:
        if (clashes := [profile for profile in written if profile in editor.profiles]) and not force:
            one = len(clashes) == 1
            raise ConfigError(
                f"{display_path(target)} already has {'a profile' if one else 'profiles'} named "
                + ", ".join(map(repr, clashes)),
                hint=f"use --force to replace {'it' if one else 'them'}"
                + (", or --name to choose another name" if source != "milvus-cli" else ""),
            )
        for profile, values in written.items():
            editor.set_profile(profile, values)
        if make_default:
            editor.set_default(found[0].name)

    out = state.out
    if dry_run:
        write_profiles(state, target, change, refused=refused, save=False)
        for f in found:
            out.line(f"would add profile {f.name!r} to {display_path(target)} from {f.source}:")
            for text in tomli_w.dumps({"profiles": {f.name: written[f.name]}}).rstrip().splitlines():
                out.line(text)
            for note in f.notes:
                out.warning(note)
            if f.secret is not None:
                out.line(f"would store the {f.secret_kind} in the keyring (account {_account(f)})")
            out.line()
        out.line("dry run: nothing was written or stored")
        return
    write_profiles(state, target, change, refused=refused)
    for f in found:
        out.done(f"imported profile {f.name!r} into {display_path(target)} from {f.source}")
        for note in f.notes:
            out.warning(note)
    if make_default:
        out.done(f"{found[0].name!r} is now the default of {display_path(target)}")
    from ..resolution.resolver import resolve_settings
    from ..write.secret import save_secret

    lower = lower_files(state, target)
    for f in found:
        if f.secret is None:
            continue
        expected, cfg = _account(f), resolve_settings(f.name, lower)
        resolved = account(cfg.uri, cfg.user, secure=cfg.secure)
        if resolved != expected:
            overriding = [v for k in ("uri", "user") if os.environ.get(v := FIELDS_BY_NAME[k].env)]
            out.warning(
                f"the {f.secret_kind} of {f.name!r} was not stored: the profile resolves to {resolved}, "
                f"not {expected}, because {' and '.join(overriding) or 'a variable'} is set in the "
                "environment",
                hint=f"unset it, then run `{secret_set_command(f.name)}`",
            )
            continue
        stored = save_secret(f.name, f.secret, files=lower)
        out.done(f"stored the {f.secret_kind} of {f.name!r} in the keyring (account {stored})")
        holders = f" ({', '.join(f.holders)})" if f.holders else ""
        if f.plaintext == ENVIRONMENT:
            out.warning(
                f"the {f.secret_kind} is still set in the environment{holders}, where it wins over the "
                "keyring: unset it, and remove it from where it is set (a shell startup file, CI settings)"
            )
        elif f.plaintext is not None:
            out.warning(
                f"the {f.secret_kind} is still in plain text in {f.plaintext}{holders}: "
                "delete it there, now that the keyring holds it"
            )


def _account(f: Found) -> str:
    """The keyring account of the imported profile's secret: ``https`` for TLS on an ``http`` URI."""
    secure = f.values.get("tls", {}).get("secure") is True
    return account(str(f.values["uri"]), f.values.get("user"), secure=secure)
