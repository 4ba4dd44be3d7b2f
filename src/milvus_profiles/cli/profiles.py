"""``remove`` and ``set-default``: the commands that change existing profile files.

Files are edited in place (comments and layout kept, see :mod:`milvus_profiles.write.editor`), checked before
they are written, and written atomically.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import discovery, locks, toml
from ..errors import ConfigError, MilvusProfilesError, ProfileNotFoundError, ProfileWarning
from ..fields import PROFILE_ENV
from .common import State, catalog_with, complete_profiles, is_private, lower_files, scope_file, scope_option
from .output import display_path

if TYPE_CHECKING:
    from ..config.catalog import Catalog


def _secret_key(name: str, files: Sequence[str | Path] | None) -> tuple[str, str, str | None, bool] | None:
    """The keyring account, URI, user and TLS of profile ``name``; None for Milvus Lite. Raises when it
    does not resolve."""
    from ..resolution.resolver import resolve_settings
    from ..secrets.chain import takes_secret
    from ..secrets.keyring_store import account

    with warnings.catch_warnings():  # a shadowed name is for `show` and `connect()` to warn about
        warnings.simplefilter("ignore", ProfileWarning)
        cfg = resolve_settings(name, files)
    if not takes_secret(cfg.uri):
        return None
    return account(cfg.uri, cfg.user, secure=cfg.secure), cfg.uri, cfg.user, cfg.secure


def _views(state: State) -> list[tuple[Path, list[Path]]]:
    """Every profile file that could use a secret (the ones this command reads, the project's and the
    user's, whether named or discovered), each with the files read below it: its profiles as they resolve
    wherever that file is read, whatever a file above it shadows here."""
    named, _ = discovery.discover(state.files)
    found, _ = discovery.discover(None, environ={})
    views: dict[tuple[Path, ...], tuple[Path, list[Path]]] = {}
    for paths in (named, found):
        present = [p for p in paths if p.exists()]
        for i, path in enumerate(present):
            views.setdefault(tuple(present[i:]), (path, present[i:]))
    return list(views.values())


def _broken(catalog: Catalog) -> dict[str, str]:
    broken = {}
    for name in catalog.names():
        try:
            catalog.extends_chain(name)
        except ConfigError as e:
            broken[name] = e.message
    return broken


@click.command()
@click.argument("name", shell_complete=complete_profiles)
@scope_option("The file to remove it from (default: the highest file that defines it).")
@click.option("--keep-secret", is_flag=True, help="Keep its secret in the keyring.")
@click.pass_obj
def remove(state: State, name: str, scope: str | None, keep_secret: bool) -> None:
    """Remove profile NAME from its file, and its secret unless another profile uses it."""
    from ..config.catalog import load_catalog
    from ..write.editor import ProfileEditor

    catalog = load_catalog(state.files)
    if scope is not None:
        target = scope_file(state, scope)
    elif catalog.tables(name):
        target = catalog.tables(name)[0][0].path
    else:
        raise catalog.not_found(name)
    # Worked out before the file is locked and changed: which secret the profile used, and whether the
    # file it is removed from may take a secret with it (a cloned repository's file may not).
    key = None
    if not keep_secret:
        try:
            key = _secret_key(name, lower_files(state, target))  # as its own file means it
        except MilvusProfilesError:
            key = None
    from ..config import trust

    owner = (
        trust.assess(toml.read_file(target), trust.kind_of(target, bool(state.files)))
        if target.exists()
        else None
    )
    with locks.locked(target):
        editor = ProfileEditor.open(target)
        if name not in editor.profiles:
            where = ", ".join(display_path(pf.path) for pf, _ in catalog.tables(name)) or "no file"
            raise ProfileNotFoundError(
                f"{display_path(target)} has no profile named {name!r} (it is in: {where})",
                hint="`milvus-profiles list` shows the file of every profile",
            )
        was_default = editor.default == name
        editor.remove_profile(name)
        if was_default:
            editor.remove_default()
        after = catalog_with(state, editor.profile_file())
        newly_broken = {n: m for n, m in _broken(after).items() if n not in _broken(catalog)}
        if newly_broken:
            child = next(iter(newly_broken))
            raise ConfigError(
                f"cannot remove profile {name!r}: profile {child!r} extends it",
                hint=f"change or remove `extends` of {', '.join(map(repr, newly_broken))} first",
            )
        editor.save()
    toml.clear_cache()
    out = state.out
    out.done(f"removed profile {name!r} from {display_path(target)}")
    if was_default:
        out.done(f"it was the default of {display_path(target)}, which has no default now")
    default = after.default()
    if default is not None and not after.tables(default.value):
        out.warning(
            f"the default {default.value!r} of {display_path(default.file.path)} names no profile now",
            hint="set another with `milvus-profiles set-default NAME`",
        )
    if key is None:
        return
    if owner is not None and not owner.trusted:
        out.done(
            f"kept the secret of {key[0]} in the keyring: {display_path(target)} is {owner.why}, and a "
            "profile of such a file never deletes a stored secret",
        )
        return
    _forget_secret(state, *key)


def _forget_secret(state: State, account: str, uri: str, user: str | None, secure: bool) -> None:
    """Delete the secret only when no profile of any file still uses the same endpoint and user, each
    file's profiles judged on their own (a profile your user file keeps for other folders needs its secret,
    even where a project's profile of the same name shadows it); when a profile cannot be resolved, it
    might, so the secret stays. Says which, either way."""
    from ..config.catalog import catalog_of
    from ..secrets.keyring_store import delete_secret_for

    for path, view in _views(state):
        try:
            mine = catalog_of(view, explicit=True).files[0].data.get("profiles", {})
        except MilvusProfilesError as e:
            state.out.done(
                f"kept the secret of {account} in the keyring: the profile files could not be read "
                f"({e.message})"
            )
            return
        for other in mine if isinstance(mine, dict) else ():
            try:
                found = _secret_key(other, view)
            except MilvusProfilesError as e:
                state.out.done(
                    f"kept the secret of {account} in the keyring: profile {other!r} of "
                    f"{display_path(path)} might use it (it does not resolve: {e.message})"
                )
                return
            if found is not None and found[0] == account:
                state.out.done(
                    f"kept the secret of {account} in the keyring: profile {other!r} of "
                    f"{display_path(path)} uses it too"
                )
                return
    if delete_secret_for(uri, user, secure=secure):
        state.out.done(f"deleted the secret of {account} from the keyring: no other profile uses it")
    else:
        state.out.done(f"no secret was stored for {account}")


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
    from ..config.catalog import load_catalog
    from ..config.model import validate_file
    from ..write.editor import ProfileEditor

    catalog = load_catalog(state.files)
    if not catalog.tables(name):
        raise catalog.not_found(name)
    personal = scope is None and state.files is None and discovery.find_project_dir() is not None
    target = scope_file(state, "local" if personal else scope)
    with locks.locked(target):
        editor = ProfileEditor.open(target)
        previous = editor.default
        editor.set_default(name)
        changed = editor.profile_file()
        validate_file(changed)
        editor.save(private=is_private(target))
    toml.clear_cache()
    out = state.out
    was = f" (was {previous!r})" if previous and previous != name else ""
    out.done(f"the default of {display_path(target)} is now {name!r}{was}")
    winner = catalog_with(state, changed).default()
    if winner is not None and winner.file.path != changed.path:
        out.warning(
            f"the default {winner.value!r} of {display_path(winner.file.path)} takes precedence over it"
        )
    if not any(name in toml.read_file(p).data.get("profiles", {}) for p in lower_files(state, target)):
        out.warning(
            f"{name!r} is not defined in {display_path(target)} or a file below it, so where that file "
            "is read without the one defining it, its default names no profile"
        )
    if os.environ.get(PROFILE_ENV):
        out.warning(f"{PROFILE_ENV} is set and selects a profile before any default")
