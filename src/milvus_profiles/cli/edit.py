"""``set``, ``unset``, ``rename`` and ``copy``, and :func:`write_profiles`, the one way every command
changes a profile file. A ``set`` or ``unset`` that gives profiles another keyring account (server or user)
never leaves their stored secret behind unsaid: ``--move-secret`` takes it along, else a warning names it."""

from __future__ import annotations

import contextlib
import difflib
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from ..config import locks, toml, trust
from ..config.catalog import load_catalog
from ..errors import (
    ConfigError,
    KeyringUnavailableError,
    MilvusProfilesError,
    ProfileNotFoundError,
    ProfileWarning,
)
from ..fields import FIELDS_BY_NAME, TLS_KEYS, TLS_PATH_KEYS, secret_field, secret_set_command
from ..secrets import keyring_store as store
from ..uri import is_lite, redact
from ..write.editor import ProfileEditor, lookup
from .common import State, catalog_with, check_name, complete_profiles, is_private, scope_file, scope_option
from .output import display_path

if TYPE_CHECKING:
    from ..config.catalog import Catalog, Tables
    from ..config.toml import Key

KEYS = ("uri", "db_name", "timeout", "user", "extends", *(f"tls.{k}" for k in TLS_KEYS), "grpc.OPTION")
Refused = Callable[[ConfigError, list[str]], ConfigError]  # (the problem, the profiles broken) -> error


def write_profiles(
    state: State,
    target: Path,
    change: Callable[[ProfileEditor], object],
    *,
    refused: Refused | None = None,
    whole: bool = True,
    save: bool = True,
) -> Catalog:
    """Open ``target`` under its lock, ``change`` it, check it, write it; the catalog as written. Refused: a
    problem the file did not have, or, with ``whole``, a profile whose ``extends`` worked and no longer does
    (a rename spans files). Without ``save``, only the check, unlocked (before asking a secret; a dry run)."""
    from ..config.model import validate_file

    with locks.locked(target) if save else contextlib.nullcontext():
        editor = ProfileEditor.open(target)
        before = catalog_with(state, editor.profile_file())
        change(editor)
        changed = editor.profile_file()
        after = catalog_with(state, changed)
        broken = {n: p for n in after.names() if whole and (p := after.problem(n)) and not before.problem(n)}
        try:
            validate_file(changed, editor.read)
            if broken:
                raise next(iter(broken.values()))
        except ConfigError as e:
            raise (refused(e, list(broken)) if refused else e) from None
        if save:
            editor.save(private=is_private(target))
    toml.clear_cache()
    return after


def not_written(what: str, target: Path) -> Refused:
    """``{what}: {problem}``, without the line of ``target`` (the edited text was never written)."""
    return lambda e, _: ConfigError(f"{what}: {e.reason if e.path == target else e.message}", hint=e.hint)


def for_file(key: Key, value: Any, folder: Path, option: str | None) -> Any:
    """``value``, given from the working folder, as a file in ``folder`` holds it (a Lite uri, a TLS path)."""
    if isinstance(value, dict):
        return {k: for_file((*key, k), v, folder, option) for k, v in value.items()}
    lite = key == ("uri",) and is_lite(str(value))
    if not (lite or (key[0] == "tls" and key[-1] in TLS_PATH_KEYS)) or "${" in value:
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


def _key(text: str, *, unknown: bool = False) -> Key:
    """``tls.secure`` -> ``("tls", "secure")``, refusing secrets and keys a profile does not take (unless
    ``unknown``: ``unset`` removes a misspelt key, which is how the problem it makes is fixed)."""
    if (field := FIELDS_BY_NAME.get(text)) is not None and field.secret:
        raise ConfigError(
            f"{text} is a secret and never goes in a profile file",
            hint="store it with `milvus-profiles secret set NAME`, or set " + field.env,
        )
    parts = tuple(text.split("."))
    nested = len(parts) == 2 and ((parts[0] == "tls" and parts[1] in TLS_KEYS) or parts[0] == "grpc")
    known = (nested and bool(parts[1])) or (len(parts) == 1 and parts[0] in (*FIELDS_BY_NAME, "extends"))
    if not known and (not unknown or not all(parts)):  # an empty part names no key
        guess = difflib.get_close_matches(text, KEYS, n=1)
        hint = (f"did you mean {guess[0]!r}? " if guess else "") + f"the keys are: {', '.join(KEYS)}"
        raise ConfigError(f"{text!r} is not a profile key", hint=hint)
    return parts


def _value(key: Key, text: str, folder: Path) -> Any:
    """The command line's text as the TOML value the key takes."""
    name = ".".join(key)
    if name == "timeout":
        try:
            number = float(text)
        except ValueError:
            raise ConfigError(f"timeout: {text!r} is not a number of seconds") from None
        return int(number) if number.is_integer() else number
    if name == "tls.secure" or (key[0] == "grpc" and text in ("true", "false")):
        if text not in ("true", "false"):
            raise ConfigError(f"{name}: {text!r} is not true or false")
        return text == "true"
    if key[0] == "grpc":
        for kind in (int, float):
            with contextlib.suppress(ValueError):
                return kind(text)
        return text
    return for_file(key, text, folder, name.replace(".", "_"))


def defined(state: State, name: str, new: str | None = None) -> tuple[Catalog, Tables]:
    """The catalog and the tables of ``name``, highest first; refused without any, or if ``new`` exists."""
    catalog = load_catalog(state.files)
    if not (tables := catalog.tables(name)):
        raise catalog.not_found(name)
    if new is not None and (taken := catalog.tables(new)):
        where = display_path(taken[0][0].path)
        raise ConfigError(f"a profile named {new!r} exists already (in {where})", hint="choose another name")
    return catalog, tables


def missing_in(target: Path, name: str, catalog: Catalog, hint: str) -> ProfileNotFoundError:
    where = ", ".join(display_path(pf.path) for pf, _ in catalog.tables(name)) or "no file"
    return ProfileNotFoundError(
        f"{display_path(target)} has no profile named {name!r} (it is in: {where})", hint=hint
    )


class Place(NamedTuple):
    """What keys a profile's secret in the keyring."""

    uri: str
    user: str | None
    secure: bool

    @property
    def account(self) -> str:
        return store.account(self.uri, self.user, secure=self.secure)


def place_of(name: str, files: Sequence[str | Path] | None) -> Place | None:
    """Where profile ``name`` keeps its secret, as the files are now; None for Milvus Lite."""
    from ..resolution.resolver import resolve_settings
    from ..secrets.chain import takes_secret

    with warnings.catch_warnings():  # a shadowed name is for `show` and `connect()` to warn about
        warnings.simplefilter("ignore", ProfileWarning)
        cfg = resolve_settings(name, files)
    return Place(cfg.uri, cfg.user, cfg.secure) if takes_secret(cfg.uri) else None


move_secret_option = click.option(
    "--move-secret",
    is_flag=True,
    help="When the edit gives profiles another server or user, move their stored secret along to it "
    "(the same server under a new name: the secret is then sent there).",
)


@click.command("set")
@click.argument("name", shell_complete=complete_profiles)
@click.argument("key", metavar="KEY")
@click.argument("value")
@scope_option("The file to edit (default: the highest file that defines the key, else the profile).")
@move_secret_option
@click.pass_obj
def set_key(state: State, name: str, key: str, value: str, *, scope: str | None, move_secret: bool) -> None:
    """Set KEY of profile NAME to VALUE, keeping every other line of the file as written.

    KEY is uri, db_name, timeout, user, extends, tls.KEY or grpc.OPTION. Secrets are not keys: they go
    to the keyring with `secret set`.

    \b
    Examples:
      milvus-profiles set prod db_name analytics
      milvus-profiles set prod tls.server_name milvus.internal
      milvus-profiles set dev timeout 30 --scope local
      milvus-profiles set prod uri https://milvus2.example.com:443 --move-secret
    """
    _edit_key(state, name, key, value, scope, move=move_secret)


@click.command("unset")
@click.argument("name", shell_complete=complete_profiles)
@click.argument("key", metavar="KEY")
@scope_option("The file to edit (default: the highest file that sets the key).")
@move_secret_option
@click.pass_obj
def unset_key(state: State, name: str, key: str, scope: str | None, move_secret: bool) -> None:
    """Remove KEY from profile NAME, keeping every other line of the file as written.

    \b
    Examples:
      milvus-profiles unset prod user
      milvus-profiles unset prod tls.server_name
    """
    _edit_key(state, name, key, None, scope, move=move_secret)


def _edit_key(state: State, name: str, key: str, value: str | None, scope: str | None, *, move: bool) -> None:
    """Set (``value``) or unset (None) ``key`` of ``name`` in ``scope``, else in the highest file with it."""
    parts = _key(key, unknown=value is None)
    if move:  # a keyring that does not work is reported before anything is written
        store.check_available()
    before = _places(state, name)
    catalog = load_catalog(state.files)
    if scope:
        target = scope_file(state, scope)
    elif tables := catalog.tables(name):
        target = next((pf.path for pf, t in tables if lookup(t, parts) is not None), tables[0][0].path)
    else:
        raise catalog.not_found(name)
    converted = None if value is None else _value(parts, value, target.parent)
    removed: list[bool] = []

    def change(editor: ProfileEditor) -> None:
        if name not in editor.profiles:
            if value is None or scope is None or not catalog.tables(name):
                raise missing_in(target, name, catalog, "leave out --scope to edit the file that defines it")
            editor.set_profile(name, {})  # an override in a file that does not define it yet
        if value is None:
            removed.append(editor.unset_key(name, parts))
        else:
            editor.set_key(name, parts, converted)

    after, where, out = write_profiles(state, target, change), display_path(target), state.out
    # the files that set the key now, highest first: the first one wins
    setting = [pf.path for pf, table in after.tables(name) if lookup(table, parts) is not None]
    if value is not None:
        shown = redact(value) if parts == ("uri",) else value
        out.done(f"set {key} of profile {name!r} to {shown} in {where}")
        if setting and setting[0] != target:  # say so, or the edit looks like it did nothing
            out.warning(f"{key} of profile {name!r} is also set in {display_path(setting[0])}, which wins")
    elif not removed[0]:
        out.done(f"profile {name!r} has no {key} in {where}; nothing changed")
        return
    else:
        out.done(f"removed {key} from profile {name!r} in {where}")
        if setting:
            out.warning(f"{key} of profile {name!r} is still set in {display_path(setting[0])}")
        elif key in FIELDS_BY_NAME and (default := FIELDS_BY_NAME[key].default) is not None:
            out.done(f"{key} now comes from the built-in default, {default!r}, unless a parent sets it")
    _follow_secrets(state, name, before, move=move)


def _places(state: State, name: str | None = None) -> dict[str, Place]:
    """Where the profiles taking a secret keep it now: ``name`` and those extending it, else all resolving."""
    places: dict[str, Place | None] = {}
    catalog = load_catalog(state.files)
    for other in catalog.names():
        with contextlib.suppress(MilvusProfilesError):
            if name is None or name in catalog.extends_chain(other):
                places[other] = place_of(other, state.files)
    return {other: place for other, place in places.items() if place is not None}


def _follow_secrets(state: State, name: str, before: dict[str, Place], *, move: bool) -> None:
    """A secret of the account profiles used before the edit, where their new one has none, goes along with
    ``move`` (staying for profiles still using it), else is named: never sent unasked, nor left unsaid."""
    after = _places(state, name)
    moves: dict[tuple[str, str], tuple[Place, Place, list[str]]] = {}
    for profile, old in before.items():
        if (new := after.get(profile)) is not None and old.account != new.account:
            moves.setdefault((old.account, new.account), (old, new, []))[2].append(profile)
    moved = False
    for (old_account, new_account), (old, new, names) in moves.items():
        try:
            secret = store.get_secret(old.uri, old.user, secure=old.secure)
            if secret is None or store.get_secret(new.uri, new.user, secure=new.secure) is not None:
                continue
            kind, who = secret_field(old.user), ", ".join(repr(n) for n in names)
            if not move:
                state.out.warning(
                    f"the {kind} stored for {old_account} is no longer used by profile {who}: it now "
                    f"uses {new_account}, where none is stored",
                    hint=f"another server: store its own with `{secret_set_command(names[0])}`; the same "
                    "server under a new name: undo this change, then make it again with --move-secret",
                )
                continue
            store.set_secret(new.uri, new.user, secret, secure=new.secure)
            users = [n for n, place in _places(state).items() if place.account == old_account]
            if not users:
                store.delete_secret_for(old.uri, old.user, secure=old.secure)
            kept = f"; it stays for {old_account} too, which profile {users[0]!r} uses" if users else ""
            state.out.done(f"moved the {kind} stored for {old_account} to {new_account}{kept}")
            moved = True
        except KeyringUnavailableError:
            if move:
                raise
    if move and not moved:
        state.out.done("no stored secret needed moving")


@click.command("rename")
@click.argument("old", metavar="OLD", shell_complete=complete_profiles)
@click.argument("new", metavar="NEW", callback=check_name)
@click.pass_obj
def rename(state: State, old: str, new: str) -> None:
    """Rename profile OLD to NEW in every file that defines it.

    The files' `default` and the `extends` of other profiles follow. Its secret stays: secrets belong to
    the server and user, not to the profile's name.

    \b
    Example:
      milvus-profiles rename staging stage
    """
    catalog, tables = defined(state, old, new)
    followers = [
        pf.path
        for pf in catalog.files
        if pf.data.get("default") == old
        or any(isinstance(t, dict) and t.get("extends") == old for t in pf.data.get("profiles", {}).values())
    ]
    targets = list(dict.fromkeys([*(pf.path for pf, _ in tables), *followers]))
    for target in targets:
        locks.destination(target)  # refused before the first file is written, not halfway
    for target in targets:
        write_profiles(state, target, lambda editor: editor.rename_profile(old, new), whole=False)
        state.out.done(f"renamed profile {old!r} to {new!r} in {display_path(target)}")


@click.command("copy")
@click.argument("source", metavar="SRC", shell_complete=complete_profiles)
@click.argument("target_name", metavar="DST", callback=check_name)
@scope_option("The file to copy it into (default: the highest file that defines SRC).")
@click.pass_obj
def copy_profile(state: State, source: str, target_name: str, scope: str | None) -> None:
    """Copy profile SRC to a new profile DST: its table in the highest file that defines it.

    Into another file, a profile of a file you have not trusted is copied only when it sets no uri,
    user, extends, secret reference, tls or grpc: trust the file first (`milvus-profiles trust FILE`).

    \b
    Example:
      milvus-profiles copy prod prod-analytics && milvus-profiles set prod-analytics db_name analytics
    """
    catalog, tables = defined(state, source, target_name)
    origin, values = tables[0]
    target = scope_file(state, scope) if scope else origin.path
    # what decides where a secret goes (a server, user, parent, [tls], [grpc] or a reference that runs a
    # command) never crosses from a file you have not trusted into another file, which may be trusted (your
    # user file), or become so (a file the edit creates is trusted as written)
    carried = [key for key in values if key in trust.ROUTING_KEYS or key in trust.ROUTING_TABLES]
    if target != origin.path and carried:
        verdict = trust.assess(origin, trust.kind_of(origin.path, catalog.explicit))
        if not verdict.trusted:
            raise ConfigError(
                f"profile {source!r} is not copied to {display_path(target)}: its {', '.join(carried)} would "
                f"be trusted there, and this file is not: {verdict.why}",
                path=origin.path,
                line=origin.line_of("profiles", source, carried[0]),
                hint=f"{verdict.fix}, then copy it again" if verdict.fix else "copy it within its own file",
            )
    write_profiles(state, target, lambda editor: editor.set_profile(target_name, values))
    copied = f"copied profile {source!r} ({display_path(origin.path)}) to {target_name!r}"
    state.out.done(f"{copied} in {display_path(target)}")
    if len(tables) > 1:
        others = ", ".join(display_path(pf.path) for pf, _ in tables[1:])
        state.out.warning(f"only the table of {display_path(origin.path)} was copied, not those of {others}")
