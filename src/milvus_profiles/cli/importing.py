"""``milvus-profiles import``: profiles from ``MILVUS_*`` variables, a ``.env`` file or milvus_cli.

The profiles are written like ``add`` writes one (the file edited in place, validated first, written
atomically); the secrets found go to the keyring with :func:`milvus_profiles.save_secret`, never into a
profile file, and the command says where each one is still in plain text so the user can delete it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..config import locks, toml
from ..errors import ConfigError
from ..fields import FIELDS_BY_NAME, secret_set_command
from ..uri import is_lite
from .add import _relative_to_file
from .common import State, check_name, is_private, lower_files, scope_file, scope_option
from .output import display_path

if TYPE_CHECKING:
    from ..config.foreign import Found
    from ..write.editor import ProfileEditor

SOURCES = ("env", "dotenv", "milvus-cli")
ENVIRONMENT = "the environment"  # where --from env found the settings, in messages


def _name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else check_name(ctx, param, value)


def _found(source: str, name: str | None, path: Path | None) -> list[Found]:
    from ..config.foreign import MILVUS_CLI_FILE, from_milvus_cli, from_variables, read_dotenv

    if source == "milvus-cli":
        if name is not None:
            raise click.UsageError(
                "--name is for --from env and --from dotenv; milvus_cli connections keep their aliases"
            )
        path = path or Path.home() / MILVUS_CLI_FILE
        return from_milvus_cli(path, label=display_path(path.absolute()))
    if name is None:
        raise click.UsageError(f"--from {source} needs --name NAME, the name of the new profile")
    if source == "env":
        if path is not None:
            raise click.UsageError("--path is for --from dotenv and --from milvus-cli")
        return [from_variables(os.environ, name=name, source=ENVIRONMENT, plaintext=ENVIRONMENT)]
    dotenv = path or Path(".env")
    shown = display_path(dotenv.absolute())
    return [from_variables(read_dotenv(dotenv), name=name, source=shown, plaintext=shown)]


def _for_file(values: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Paths taken from the working folder, written so that they mean the same from the file's folder."""
    values = dict(values)
    if is_lite(str(values["uri"])):
        values["uri"] = _relative_to_file(str(values["uri"]), folder)
    if "tls" in values:
        values["tls"] = {
            k: _relative_to_file(v, folder) if k.endswith("_path") else v for k, v in values["tls"].items()
        }
    return values


@click.command("import")
@click.option(
    "--from",
    "source",
    type=click.Choice(SOURCES),
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
    written = {f.name: _for_file(f.values, target.parent) for f in found}
    default = found[0].name if make_default else None
    _edited(target, written, default, force, source)  # checked before anything is written, and for a dry run
    if dry_run:
        _print_plan(state, found, written, target)
        return
    with locks.locked(target):
        _edited(target, written, default, force, source).save(private=is_private(target))
    toml.clear_cache()
    out = state.out
    for f in found:
        out.done(f"imported profile {f.name!r} into {display_path(target)} from {f.source}")
        for note in f.notes:
            out.warning(note)
    if make_default:
        out.done(f"{found[0].name!r} is now the default of {display_path(target)}")
    lower = lower_files(state, target)
    for f in found:
        if f.secret is not None:
            _store(state, f, f.secret, lower)


def _edited(
    target: Path, profiles: dict[str, dict[str, Any]], default: str | None, force: bool, source: str
) -> ProfileEditor:
    """The profiles added to the target file, as ``add`` adds one: read, changed and validated (again
    under the file's lock, so that a concurrent writer's change is never lost)."""
    from ..config.model import validate_file
    from ..write.editor import ProfileEditor

    editor = ProfileEditor.open(target)
    clashes = [name for name in profiles if name in editor.profiles]
    if clashes and not force:
        one = len(clashes) == 1
        raise ConfigError(
            f"{display_path(target)} already has {'a profile' if one else 'profiles'} named "
            + ", ".join(map(repr, clashes)),
            hint=f"use --force to replace {'it' if one else 'them'}"
            + (", or --name to choose another name" if source != "milvus-cli" else ""),
        )
    for name, values in profiles.items():
        editor.set_profile(name, values)
    if default is not None:
        editor.set_default(default)
    try:
        validate_file(editor.profile_file())
    except ConfigError as e:
        raise ConfigError(f"nothing imported into {display_path(target)}: {e.message}", hint=e.hint) from None
    return editor


def _account(f: Found) -> str:
    """The keyring account of the imported profile's secret: ``https`` for TLS on an ``http`` URI."""
    from ..secrets.keyring_store import account

    tls = f.values.get("tls")
    return account(
        str(f.values["uri"]), f.values.get("user"), secure=isinstance(tls, dict) and tls.get("secure") is True
    )


def _print_plan(state: State, found: list[Found], written: dict[str, dict[str, Any]], target: Path) -> None:
    import tomli_w

    out = state.out
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


def _store(state: State, f: Found, secret: str, lower: list[Path]) -> None:
    """The secret to the keyring, if the profile resolves to the endpoint and user it belongs to."""
    from ..resolution.resolver import resolve
    from ..secrets.keyring_store import account
    from ..write.secret import save_secret

    out, expected = state.out, _account(f)
    cfg = resolve(f.name, files=lower)
    resolved = account(cfg.uri, cfg.user, secure=cfg.secure)
    if resolved != expected:
        overriding = [FIELDS_BY_NAME[k].env for k in ("uri", "user") if os.environ.get(FIELDS_BY_NAME[k].env)]
        out.warning(
            f"the {f.secret_kind} of {f.name!r} was not stored: the profile resolves to {resolved}, "
            f"not {expected}, because {' and '.join(overriding) or 'a variable'} is set in the environment",
            hint=f"unset it, then run `{secret_set_command(f.name)}`",
        )
        return
    stored = save_secret(f.name, secret, files=lower)
    out.done(f"stored the {f.secret_kind} of {f.name!r} in the keyring (account {stored})")
    holders = f" ({', '.join(f.holders)})" if f.holders else ""
    if f.plaintext == ENVIRONMENT:
        out.warning(
            f"the {f.secret_kind} is still set in the environment{holders}, where it wins over the keyring: "
            "unset it, and remove it from where it is set (a shell startup file, CI settings)"
        )
    elif f.plaintext is not None:
        out.warning(
            f"the {f.secret_kind} is still in plain text in {f.plaintext}{holders}: "
            "delete it there, now that the keyring holds it"
        )
