"""``remove`` and ``set-default`` change existing profile files; ``current`` says which profile is used."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import discovery, toml, trust
from ..config.catalog import catalog_of, load_catalog
from ..errors import ConfigError, MilvusProfilesError
from ..fields import PROFILE_ENV
from ..secrets.keyring_store import delete_secret_for
from .common import State, complete_profiles, lower_files, scope_file, scope_option
from .output import display_path

if TYPE_CHECKING:
    from ..write.editor import ProfileEditor


@click.command()
@click.argument("name", shell_complete=complete_profiles)
@scope_option("The file to remove it from (default: the highest file that defines it).")
@click.option("--keep-secret", is_flag=True, help="Keep its secret in the keyring.")
@click.pass_obj
def remove(state: State, name: str, scope: str | None, keep_secret: bool) -> None:
    """Remove profile NAME from its file, and its secret unless another profile uses it."""
    from .edit import missing_in, place_of, write_profiles

    catalog = load_catalog(state.files)
    if scope is None and not catalog.tables(name):
        raise catalog.not_found(name)
    target = scope_file(state, scope) if scope is not None else catalog.tables(name)[0][0].path
    shown = display_path(target)
    # Before the file is locked and changed: which secret the profile used (as its own file means it),
    # and whether its file may take a secret with it (a cloned repository's file may not).
    place, kept = None, None
    if not keep_secret:
        with contextlib.suppress(MilvusProfilesError):
            place = place_of(name, lower_files(state, target))
    if target.exists():
        owner = trust.assess(toml.read_file(target), trust.kind_of(target, bool(state.files)))
        if not owner.trusted:
            kept = f"{shown} is {owner.why}, and a profile of such a file never deletes a stored secret"
    was_default = False

    def change(editor: ProfileEditor) -> None:
        nonlocal was_default
        if not editor.remove_profile(name):
            raise missing_in(target, name, catalog, "`milvus-profiles list` shows the file of every profile")
        if was_default := editor.default == name:
            editor.remove_default()

    def refused(e: ConfigError, broken: list[str]) -> ConfigError:
        if not broken:
            return e
        hint = f"change or remove `extends` of {', '.join(map(repr, broken))} first"
        return ConfigError(f"cannot remove profile {name!r}: profile {broken[0]!r} extends it", hint=hint)

    after = write_profiles(state, target, change, refused=refused)
    state.out.done(f"removed profile {name!r} from {shown}")
    if was_default:
        state.out.done(f"it was the default of {shown}, which has no default now")
    if (default := after.default()) is not None and not after.tables(default.value):
        where, hint = display_path(default.file.path), "set another with `milvus-profiles set-default NAME`"
        state.out.warning(f"the default {default.value!r} of {where} names no profile now", hint=hint)
    if place is None:
        return
    if (kept := kept or _still_used(state, place.account)) is not None:
        state.out.done(f"kept the secret of {place.account} in the keyring: {kept}")
    elif delete_secret_for(place.uri, place.user, secure=place.secure):
        state.out.done(f"deleted the secret of {place.account} from the keyring: no other profile uses it")
    else:
        state.out.done(f"no secret was stored for {place.account}")


def _still_used(state: State, account: str) -> str | None:
    """Why the secret of ``account`` stays: a profile of some file uses it, or might (it does not resolve)."""
    # Each file that could use it (this command's, the project's, the user's), with the files below it:
    # a profile your user file keeps for other folders counts even where a project's name shadows it.
    from .edit import place_of

    views: dict[tuple[Path, ...], None] = {}
    for paths, _ in (discovery.discover(state.files), discovery.discover(None, environ={})):
        present = [p for p in paths if p.exists()]
        views |= dict.fromkeys(tuple(present[i:]) for i in range(len(present)))
    for view in views:
        try:
            mine = catalog_of(list(view), explicit=True).files[0].data.get("profiles", {})
        except MilvusProfilesError as e:
            return f"the profile files could not be read ({e.message})"
        for other in mine if isinstance(mine, dict) else ():
            where = f"profile {other!r} of {display_path(view[0])}"
            try:
                used = place_of(other, list(view))
            except MilvusProfilesError as e:
                return f"{where} might use it (it does not resolve: {e.message})"
            if used is not None and used.account == account:
                return f"{where} uses it too"
    return None


@click.command("set-default")
@click.argument("name", shell_complete=complete_profiles)
@scope_option(
    "The file to set it in (default: your milvus.local.toml in a project, else the user file; "
    "--scope project changes the team's milvus.toml)."
)
@click.pass_obj
def set_default(state: State, name: str, scope: str | None) -> None:
    """Make NAME the default profile of a profile file.

    Your choice of a default is personal: in a project it goes to milvus.local.toml, which git ignores,
    so the committed milvus.toml (and your teammates' trust in it) stays as it is.
    """
    from .edit import defined, write_profiles

    defined(state, name)
    personal = scope is None and state.files is None and discovery.find_project_dir() is not None
    target = scope_file(state, "local" if personal else scope)
    previous: str | None = None

    def change(editor: ProfileEditor) -> None:
        nonlocal previous
        previous = editor.default
        editor.set_default(name)

    winner = write_profiles(state, target, change).default()
    was = f" (was {previous!r})" if previous and previous != name else ""
    state.out.done(f"the default of {display_path(target)} is now {name!r}{was}")
    if winner is not None and winner.file.path != target:
        where = display_path(winner.file.path)
        state.out.warning(f"the default {winner.value!r} of {where} takes precedence over it")
    if not any(name in toml.read_file(p).data.get("profiles", {}) for p in lower_files(state, target)):
        state.out.warning(
            f"{name!r} is not defined in {display_path(target)} or a file below it, so where that file "
            "is read without the one defining it, its default names no profile"
        )
    if os.environ.get(PROFILE_ENV):
        state.out.warning(f"{PROFILE_ENV} is set and selects a profile before any default")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md for its shape).")
@click.pass_obj
def current(state: State, as_json: bool) -> None:
    """Print the profile connect() would use here, and why.

    The order: the global --profile (an argument), then MILVUS_PROFILE, then the `default` of the
    highest file that sets one. Reads the files only: no keyring, no network.

    \b
    Examples:
      milvus-profiles current
      MILVUS_PROFILE=prod milvus-profiles current --json
    """
    from ..resolution.resolver import select

    catalog = load_catalog(state.files)
    name, origin = select(state.profile, catalog, os.environ)
    reason, because = {
        "kwarg": ("argument", "--profile was given"),
        "env": ("environment", f"{PROFILE_ENV} is set"),
        "file": ("default", f"it is the default in {origin.detail}"),
    }.get(origin.kind, ("none", "no profile is named and no file sets a default"))
    file = next((str(pf.path) for pf, _ in catalog.tables(name)), None) if name else None
    if as_json:
        found = {"profile": name, "selected_by": reason, "detail": origin.detail or None, "reason": because}
        state.out.json({**found, "file": file, "files": [str(pf.path) for pf in catalog.files]})
    elif name is None:
        state.out.line("no profile: connect() uses the built-in defaults and MILVUS_* variables")
        state.out.line("set one with `milvus-profiles set-default NAME` or MILVUS_PROFILE=NAME")
    else:
        state.out.line(name)
        state.out.line(f"because {because}{f' (defined in {display_path(file)})' if file else ''}", err=True)
