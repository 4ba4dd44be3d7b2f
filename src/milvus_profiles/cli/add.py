"""``milvus-profiles add``: a new profile in a profile file, its secret in the keyring.

The file is edited in place (comments and layout kept, see :mod:`milvus_profiles.write.editor`), validated
before it is written, and written atomically. A secret is read from a prompt or a pipe, never from an
argument, and goes to the keyring only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import locks, toml
from ..errors import ConfigError, KeyringUnavailableError
from ..fields import FIELDS_BY_NAME, TLS_KEYS, secret_set_command
from ..secrets.chain import no_secret_for_lite, takes_secret
from ..secrets.keyring_store import check_available
from ..uri import is_lite
from .common import (
    F,
    State,
    catalog_with,
    check_name,
    complete_profiles,
    is_private,
    lower_files,
    read_secret,
    scope_file,
    scope_option,
)
from .output import display_path

if TYPE_CHECKING:
    from ..config.catalog import Catalog, Setting
    from ..write.editor import ProfileEditor

TLS_OPTIONS = {
    "tls_server_pem": "server_pem_path",
    "tls_server_name": "server_name",
    "tls_client_pem": "client_pem_path",
    "tls_client_key": "client_key_path",
    "tls_ca_pem": "ca_pem_path",
}


def _tls_option(name: str, key: str) -> Callable[[F], F]:
    is_path = key.endswith("_path")
    return click.option(
        f"--{name.replace('_', '-')}",
        name,
        metavar="PATH" if is_path else "NAME",
        help=TLS_KEYS[key] + (" Relative paths are from the working folder." if is_path else ""),
    )


def _relative_to_file(value: str, folder: Path, option: str | None = None) -> str:
    """A path given on the command line (from the working folder), written so that it means the same file
    from ``folder``, where paths in a profile file start; as typed when the two folders are one.
    ``option`` names where the path was given, for the error about a ``~user`` that does not exist."""
    if "${" in value:
        return value
    try:
        expanded = Path(value).expanduser()
    except RuntimeError:  # ~name of a user this machine does not know
        home = value.split("/", maxsplit=1)[0]
        where = f"--{option.replace('_', '-')}: " if option else ""
        raise ConfigError(
            f"{where}cannot expand {home!r}: there is no such user",
            hint="write the path without ~, or with the home folder written out",
        ) from None
    if Path(value).is_absolute() or Path.cwd() == folder:
        return value
    path = Path(os.path.normpath(Path.cwd() / expanded))
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)


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
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help=FIELDS_BY_NAME["timeout"].help)
@click.option("--user", help=FIELDS_BY_NAME["user"].help)
@click.option(
    "--extends", metavar="PROFILE", shell_complete=complete_profiles, help="A profile to inherit from."
)
@_tls_option("tls_server_pem", "server_pem_path")
@_tls_option("tls_server_name", "server_name")
@_tls_option("tls_client_pem", "client_pem_path")
@_tls_option("tls_client_key", "client_key_path")
@_tls_option("tls_ca_pem", "ca_pem_path")
@scope_option("The file to add it to (default: milvus.toml in a project, else the user file).")
@click.option("--default", "make_default", is_flag=True, help="Make it the default profile of that file.")
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
@click.pass_obj
def add(
    state: State,
    /,
    *,
    name: str,
    uri: str | None,
    db_name: str | None,
    timeout: float | None,
    user: str | None,
    extends: str | None,
    scope: str | None,
    make_default: bool,
    ask_secret: bool,
    secret_stdin: bool,
    force: bool,
    **tls_options: str | None,
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
    from ..config.model import validate_file
    from ..write.editor import ProfileEditor

    if ask_secret and secret_stdin:
        raise click.UsageError("--ask-secret and --secret-stdin cannot be used together")
    asked_secret: str | None = None
    interactive = uri is None
    if uri is None:
        uri, db_name, timeout, user, asked_secret = _ask_fields(
            state, name, db_name, timeout, user, stdin_taken=secret_stdin
        )
    _check_utf8({"uri": uri, "db_name": db_name, "user": user, "extends": extends, **tls_options})
    target = scope_file(state, scope)
    values: dict[str, Any] = {
        k: v
        for k, v in {
            "uri": _relative_to_file(uri, target.parent, "uri") if is_lite(uri) else uri,
            "db_name": db_name,
            "timeout": timeout,
            "user": user,
            "extends": extends,
        }.items()
        if v is not None
    }
    tls = {
        TLS_OPTIONS[k]: _relative_to_file(v, target.parent, k) if TLS_OPTIONS[k].endswith("_path") else v
        for k, v in tls_options.items()
        if v is not None
    }
    if tls:
        values["tls"] = tls

    replaced: dict[str, Any] = {}

    def edited() -> tuple[ProfileEditor, Catalog, dict[str, Setting]]:
        """The file with the profile added, checked as it will be once written."""
        editor = ProfileEditor.open(target)
        replaced.clear()
        if name in editor.profiles:
            replaced.update(editor.profiles[name])
        if name in editor.profiles and not force:
            raise ConfigError(
                f"{display_path(target)} already has a profile named {name!r}",
                hint=f"change one key with `milvus-profiles set {name} KEY VALUE`; --force replaces the "
                "whole profile",
            )
        editor.set_profile(name, values)
        if make_default:
            editor.set_default(name)
        changed = editor.profile_file()
        try:
            validate_file(changed)
            catalog = catalog_with(state, changed)
            return editor, catalog, catalog.layer(name)  # layer() raises for a broken `extends`
        except ConfigError as e:
            raise _not_added(name, target, e) from None

    secret, unstorable = asked_secret, None
    if ask_secret or secret_stdin:
        # Asked before the file is locked, so that no writer waits on a person typing; the edit is
        # checked first, so that a profile which would be refused never asks for a secret.
        secret, unstorable = _ask_secret(state, name, edited()[2], stdin=secret_stdin)

    with locks.locked(target):
        editor, catalog, _ = edited()
        editor.save(private=is_private(target))
    toml.clear_cache()
    _report(state, name, target, values, replaced, make_default=make_default)
    _warn_shadowed(state, catalog, name, target)
    for key, value in tls.items():
        if key.endswith("_path") and not (target.parent / os.path.expanduser(value)).exists():
            state.out.warning(f"tls.{key}: {value} does not exist (yet)")
    _finish(
        state, name, target, secret, unstorable, has_user=bool(values.get("user")), offer_test=interactive
    )


def _finish(
    state: State,
    name: str,
    target: Path,
    secret: str | None,
    unstorable: KeyringUnavailableError | None,
    *,
    has_user: bool,
    offer_test: bool,
) -> None:
    """The secret to the keyring; then, for a profile asked for field by field, a test when wanted: a
    database that does not exist, or a server that refuses, is found while the person is still there."""
    if unstorable is not None:
        raise _not_stored(name, target, unstorable, has_user)
    if secret is not None:
        _store(state, name, target, secret, has_user)
    if not offer_test or not click.confirm(f"Test profile {name!r} now?", default=True, err=True):
        return
    from .test import check_profile

    result = check_profile(name, state.files, None)
    for message, hint in result.warnings:
        state.out.warning(message, hint)
    if result.error is not None:
        state.out.error(result.error)
        click.get_current_context().exit(result.exit.code)
    latency = f", {result.latency_ms:.0f} ms" if result.latency_ms is not None else ""
    state.out.done(f"profile {name!r} is ready (server version {result.version}{latency})")


def _ask_secret(
    state: State, name: str, layer: dict[str, Setting], *, stdin: bool
) -> tuple[str | None, KeyringUnavailableError | None]:
    """The secret, or why the keyring cannot take it (found before asking: the profile is still added)."""
    effective_uri, effective_user = str(layer["uri"].value), layer.get("user")
    if not takes_secret(effective_uri):
        raise no_secret_for_lite(
            name, effective_uri, hint="drop --ask-secret/--secret-stdin; secrets are for Milvus servers"
        )
    label = f"Password for user {effective_user.value!r}" if effective_user else f"Token for {name}"
    try:
        return read_secret(state, stdin=stdin, label=label, stdin_option="--secret-stdin"), None
    except KeyringUnavailableError as e:
        return None, e


def _report(
    state: State,
    name: str,
    target: Path,
    values: dict[str, Any],
    replaced: dict[str, Any],
    *,
    make_default: bool,
) -> None:
    out = state.out
    as_default = " as its default" if make_default else ""
    if not replaced:
        out.done(f"added profile {name!r} to {display_path(target)}{as_default}")
        return
    out.done(f"replaced the whole profile {name!r} in {display_path(target)}{as_default}")
    dropped = sorted(k for k in replaced if k not in values)
    if dropped:
        out.warning(
            f"keys of the old profile not given again are gone: {', '.join(dropped)}",
            hint=f"to change one key and keep the rest, use `milvus-profiles set {name} KEY VALUE`",
        )


def _store(state: State, name: str, target: Path, secret: str, has_user: bool) -> None:
    """The secret to the keyring; when there is no working keyring, how to finish without `add`."""
    from ..write.secret import save_secret

    try:
        account = save_secret(name, secret, files=lower_files(state, target))
    except KeyringUnavailableError as e:
        raise _not_stored(name, target, e, has_user) from None
    state.out.done(f"stored the secret in the keyring (account {account})")


def _not_stored(
    name: str, target: Path, error: KeyringUnavailableError, has_user: bool
) -> KeyringUnavailableError:
    variable = "MILVUS_PASSWORD" if has_user else "MILVUS_TOKEN"
    return KeyringUnavailableError(
        f"profile {name!r} is saved in {display_path(target)}, but its secret is not: {error.message}",
        hint=f"finish with `{secret_set_command(name)}` once a keyring works, or set "
        f"{variable} where the profile is used (do not run `add` again: the profile exists)"
        + (f"; for the keyring: {error.hint}" if error.hint else ""),
    )


def _check_utf8(given: dict[str, str | None]) -> None:
    for option, text in given.items():
        try:
            (text or "").encode("utf-8")
        except UnicodeEncodeError:  # bytes the shell passed that are not UTF-8
            raise ConfigError(
                f"--{option.replace('_', '-')}: not valid UTF-8 text",
                hint="give the value in UTF-8, the encoding profile files are written in",
            ) from None


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


URI_FORMS = (
    "  http://localhost:19530            a Milvus server (standalone, or on Kubernetes via a port-forward)",
    "  https://HOST:443                  a server behind TLS, or Zilliz Cloud's public endpoint",
    "  ./data/milvus.db                  Milvus Lite: a local file, no server",
)


def _ask_fields(
    state: State,
    name: str,
    db_name: str | None,
    timeout: float | None,
    user: str | None,
    *,
    stdin_taken: bool,
) -> tuple[str, str | None, float | None, str | None, str | None]:
    """Each field in turn, its default in brackets; options already given are not asked again."""
    if stdin_taken or not _on_terminal():
        raise click.UsageError("--uri is required when not on a terminal (on one, each field is asked for)")
    out = state.out
    out.line(f"New profile {name!r}. The URI takes one of these forms:", err=True)
    for form in URI_FORMS:  # one line each: line() shows a newline escaped
        out.line(form, err=True)
    uri = str(click.prompt("URI", default=FIELDS_BY_NAME["uri"].default, err=True))
    if db_name is None:
        db_name = str(click.prompt("Database", default=FIELDS_BY_NAME["db_name"].default, err=True))
    if timeout is None:
        timeout = float(
            click.prompt(
                "Timeout in seconds",
                default=FIELDS_BY_NAME["timeout"].default,
                type=click.FloatRange(min=0, min_open=True),
                err=True,
            )
        )
    secret = None
    if not is_lite(uri):
        if user is None:
            user = click.prompt("User (empty for none: a token)", default="", show_default=False, err=True)
        label = f"Password for user {user!r}" if user else "Token"
        try:
            check_available()  # before the secret is typed, twice
        except KeyringUnavailableError as e:
            out.warning(f"{e.message}, so none is asked for; the profile is added without it", e.hint)
            return uri, _given(db_name, "db_name"), _given(timeout, "timeout"), user or None, None
        secret = click.prompt(
            f"{label} (empty to store none now; it goes to the keyring)",
            default="",
            show_default=False,
            hide_input=True,
            confirmation_prompt=True,
            err=True,
        )
    return uri, _given(db_name, "db_name"), _given(timeout, "timeout"), user or None, secret or None


def _given(value: Any, field: str) -> Any:
    """None for a field's default, which the profile then need not write."""
    return None if value == FIELDS_BY_NAME[field].default else value


def _not_added(name: str, target: Path, error: ConfigError) -> ConfigError:
    """The problem of the would-be file, without pointing at a line that was never written."""
    reason = error.reason if error.path == target else error.message
    return ConfigError(f"profile {name!r} not added to {display_path(target)}: {reason}", hint=error.hint)


def _warn_shadowed(state: State, catalog: Catalog, name: str, target: Path) -> None:
    tables = catalog.tables(name)
    if tables and tables[0][0].path != target:
        state.out.warning(
            f"profile {name!r} in {display_path(target)} is shadowed by the one in "
            f"{display_path(tables[0][0].path)}, which wins key by key"
        )
