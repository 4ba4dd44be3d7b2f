"""``milvus-profiles doctor``: what on this machine can make a profile behave unexpectedly. It names
variables, files and keyring accounts, never a secret, and changes nothing but modes, with ``--fix``."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from typing import Any

import click

from .. import __version__
from ..config import discovery, permissions, toml, trust
from ..config.catalog import Catalog, load_catalog
from ..config.environment import dotenv_candidates, names_set, project_variables
from ..config.locks import destination
from ..errors import MilvusProfilesError
from ..fields import FIELDS, FILES_ENV, PROFILE_ENV
from ..resolution.resolved import ResolvedProfile
from ..secrets import keyring_store
from ..secrets.chain import takes_secret
from .common import State, default_password_warning
from .exitcodes import PROBLEMS_FOUND
from .output import Output, display_path

# keyring's documented scale: a backend below priority 1 is one it does not recommend (keyrings.alt's
# file backends, for one), and never picks on its own.
RECOMMENDED_PRIORITY = 1
PLAINTEXT_HINT = (
    "use the system keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Locker), "
    "or keep secrets in MILVUS_PASSWORD / MILVUS_TOKEN from your CI's or platform's secret store"
)


def _keyring(out: Output, profiles: list[ResolvedProfile]) -> None:
    out.heading("keyring")
    backend = keyring_store.backend()
    inner = ", ".join(map(_kind, getattr(backend, "backends", None) or ()))
    out.item("info", f"backend: {_kind(backend)}" + (f" ({inner})" if inner else ""))
    if plain := plaintext_store(backend):
        out.item("warn", plain, PLAINTEXT_HINT)
    if type(backend).__module__ == "keyring.backends.null":
        out.item("warn", "this backend stores nothing", "set MILVUS_PASSWORD or MILVUS_TOKEN instead")
        return
    try:
        keyring_store.check_available("read a secret")
        out.item("ok", "a lookup works")
        stored = keyring_store.stored_accounts()
    except MilvusProfilesError as e:
        out.item("fail", e.message, e.hint)
        return
    if stored is None:
        out.item("info", "this backend cannot list what it stores, so secrets no profile uses are not found")
        return
    used = {keyring_store.account(p.uri, p.user, secure=p.secure) for p in profiles if takes_secret(p.uri)}
    for account in (a for a in stored if a not in used):
        out.item(
            "info",
            f"stored secret {account}: no profile read here uses it (left by a change of uri or user, "
            "or another project's)",
            f"if no project uses it: keyring del {keyring_store.SERVICE} {shlex.quote(account)}",
        )
    if used.issuperset(stored):
        out.item("ok", f"each of the {len(stored)} stored secret(s) is used by a profile read here")


def _kind(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def plaintext_store(backend: Any) -> str | None:
    """What is wrong with where ``backend`` stores secrets, when it keeps them unprotected; else None."""
    writer = next(iter(getattr(backend, "backends", None) or ()), backend)  # a chainer writes to its first
    kind, where = _kind(writer), getattr(writer, "file_path", None)
    at = f" in {where}" if where else ""
    if type(writer).__name__ == "PlaintextKeyring":
        return f"the keyring backend {kind} stores secrets in plain text{at}"
    try:
        priority = float(writer.priority)
    except Exception:  # a backend's priority may raise when it cannot run here; that is not this check
        return None
    if priority < RECOMMENDED_PRIORITY and type(writer).__module__ != "keyring.backends.null":
        return (
            f"the keyring backend {kind} has priority {priority:g}, below {RECOMMENDED_PRIORITY}: keyring "
            f"does not recommend it, and it may keep secrets unprotected{at}"
        )
    return None


def _credentials(out: Output, profiles: list[ResolvedProfile]) -> None:
    out.heading("credentials")
    found = [w for w in map(default_password_warning, profiles) if w is not None]
    for warning in found:
        out.item("warn", *warning)
    if not found:
        out.item("ok", "no profile logs in with Milvus's built-in root password")


def _files(out: Output, state: State, fix: bool) -> None:
    """Each profile file: present, who can change it (and the folders above it), whether it is trusted."""
    out.heading("profile files")
    record, message, hint = trust.record_state()
    status = {"ok": "ok", "permissions": "warn", "unreadable": "fail"}[record]
    out.item(status, f"trust record {message}", hint)
    paths, explicit = discovery.discover(state.files)
    mine = discovery.user_file().absolute()
    fixable = []
    for path in (p for p in paths if fix and p.is_file()):
        try:
            destination(path)  # a mode is changed only where a write may land
        except MilvusProfilesError as e:
            out.item("warn", f"not fixed: {e.message}", e.hint)
        else:
            fixable.append(path)
    for change in permissions.fix_files(fixable, private={mine}):
        out.item("fixed", change)
    or_fix = "  (or `milvus-profiles doctor --fix`)"
    for path in paths:
        shown = display_path(path)
        if not os.path.lexists(path):
            out.item("info", f"{shown}: not present" + (" (named explicitly)" if explicit else ""))
            continue
        kind = trust.kind_of(path, explicit)
        try:
            shown += f" ({stat.filemode(path.stat().st_mode)})"
            pf = toml.read_file(path)
        except (OSError, MilvusProfilesError) as e:
            check = "`milvus-profiles check` lists every problem"
            out.item("fail", f"{shown}: {getattr(e, 'message', e)}", check)
            continue
        found = permissions.problems(path, boundary=trust.boundary_of(path, kind))
        for problem in found:
            itself = problem.path == path
            what = f"{shown if itself else display_path(problem.path)}: {problem.problem}"
            hint = problem.fix + (or_fix if itself else "")
            out.item("warn", f"{what}, so no stored secret is sent through its profiles", hint)
        if readable := path == mine and permissions.readable_by_others(path):
            out.item("warn", f"{shown}: others can read your profiles", f"chmod 600 {path}{or_fix}")
        verdict = trust.assess(pf, kind)
        if not verdict.trusted and not found:
            out.item("warn", f"{shown}: not trusted with secrets: {verdict.why}", verdict.fix)
        elif not found and not readable:
            out.item("ok", f"{shown}: trusted, {verdict.why}")


def _environment(out: Output) -> None:
    out.heading("environment")
    effects = {f.env: f"overrides `{f.name}` of every profile" for f in FIELDS} | {
        **dict.fromkeys(("MILVUS_PASSWORD", "MILVUS_TOKEN"), "overrides the secret stored in the keyring"),
        PROFILE_ENV: "selects the profile when none is named, before any default",
        FILES_ENV: "replaces the discovery of profile files",
    }
    if not (names := sorted(n for n in os.environ if n.startswith("MILVUS_") and os.environ[n])):
        out.item("ok", "no MILVUS_* variable is set")
    for name in names:
        effect = effects.get(name, "not read by milvus-profiles (pymilvus may read it)")
        out.item("warn" if name in effects else "info", f"{name} is set: {effect}")


def _profiles(out: Output, catalog: Catalog | MilvusProfilesError) -> None:
    out.heading("profiles")
    if isinstance(catalog, MilvusProfilesError):
        out.item("fail", catalog.message, "`milvus-profiles check` lists every problem")
        return
    shadowed = [n for n in catalog.names() if len(catalog.tables(n)) > 1]
    for name in shadowed:
        where = [display_path(pf.path) for pf, _ in catalog.tables(name)]
        out.item("info", f"{name!r} is defined in {where[0]}, shadowing {', '.join(where[1:])}")
    default = catalog.default()
    in_file = "" if default is None else display_path(default.file.path)
    if default is not None and not catalog.tables(default.value):
        out.item("fail", f"the default {default.value!r} of {in_file} names no profile")
    elif default is not None:
        out.item("ok", f"default: {default.value!r} ({in_file})")
    if not shadowed:
        out.item("ok", f"{len(catalog.names())} profile(s), no name defined twice")


def _pymilvus_dotenv(out: Output) -> None:
    out.heading("pymilvus and .env")
    if not (found := [p for p in dotenv_candidates() if p.exists()]):
        out.item("ok", "no .env file that importing pymilvus would load")
    for path in found:
        if not (names := names_set(path)):
            out.item("info", f"{display_path(path)} exists but sets no MILVUS_*, GRPC_* or proxy variable")
            continue
        out.item(
            "warn",
            f"{display_path(path)} sets {', '.join(names)}: importing pymilvus in your own code loads them "
            "into the environment (milvus-profiles never does), where they count as the project's: no "
            "stored secret goes to a connection they decide",
            "move these settings into a profile, or trust the file: "
            f"`milvus-profiles trust {display_path(path)}`",
        )
    for name, pv in sorted(project_variables(os.environ).items()):
        out.item("warn", f"{name} in this environment holds the value {display_path(pv.path)} sets")


@click.command()
@click.option(
    "--fix",
    is_flag=True,
    help="Repair permissions: no group or other write access to profile files, the user file private.",
)
@click.pass_context
def doctor(ctx: click.Context, fix: bool) -> None:
    """Check the keyring, profile files (permissions, trust), MILVUS_* variables, shadowed names and .env.

    Exits 0 when no check failed (`ok`, `info` and `warn` lines only), 1 when a line says `fail`.
    """
    state: State = ctx.obj
    state.out.line(f"milvus-profiles {__version__}, Python {sys.version.split()[0]}")
    from ..resolution.resolver import resolve_each

    try:
        catalog: Catalog | MilvusProfilesError = load_catalog(state.files)
    except MilvusProfilesError as e:
        catalog = e
    names = () if isinstance(catalog, MilvusProfilesError) else catalog.names()
    # a command reference is not run: doctor reports, it needs no secret
    found = resolve_each(names, state.files, run_commands=False)
    profiles = [cfg for cfg in found if not isinstance(cfg, MilvusProfilesError)]
    _keyring(state.out, profiles)
    _files(state.out, state, fix)
    _environment(state.out)
    _profiles(state.out, catalog)
    _credentials(state.out, profiles)
    _pymilvus_dotenv(state.out)
    if state.out.failures:
        ctx.exit(PROBLEMS_FOUND)
