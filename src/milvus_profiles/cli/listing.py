"""``list`` (the files only) and ``show`` (a resolved profile; a command reference runs with ``--reveal``)."""

from __future__ import annotations

import functools
import os
from typing import Any

import click

from ..config.catalog import Catalog, Setting, load_catalog
from ..errors import CommandNotRunError
from ..fields import FIELDS_BY_NAME, PROFILE_ENV, secret_set_command
from ..uri import redact
from .common import State, pick_profile, profile_argument
from .output import Cell, display_path


def _entry(catalog: Catalog, name: str, default: Setting | None, *, lines: bool) -> dict[str, Any]:
    tables, problem = catalog.tables(name), catalog.problem(name)
    if problem is None:
        values = {k: FIELDS_BY_NAME[k].default for k in ("uri", "db_name")}
        values.update((k, s.value) for k, s in catalog.layer(name).items())
    else:  # what its own tables set, as written: no default stands in for a value it may mean to set
        values = {k: v for _, t in reversed(tables) for k, v in t.items() if not isinstance(v, dict)}
    return {
        "name": name,
        "uri": None if values.get("uri") is None else redact(str(values["uri"])),
        "db_name": values.get("db_name"),
        "user": values.get("user"),
        "extends": tables[0][1].get("extends"),
        "file": str(tables[0][0].path),
        "line": tables[0][0].line_of("profiles", name) if lines else None,
        "default": default is not None and default.value == name,
        "also_in": [str(pf.path) for pf, _ in tables[1:]],
        "problem": None if problem is None else problem.message + (f" ({problem.hint})" * bool(problem.hint)),
    }


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md for its shape).")
@click.pass_obj
def list_profiles(state: State, as_json: bool) -> None:
    """List every profile, its file, the default and the names a higher file shadows.

    Reads the profile files only: no keyring, no network. A profile with a problem is marked `!`, and
    its problem printed below.
    """
    state.out.json_errors = as_json
    catalog = load_catalog(state.files)
    default = catalog.default()
    # finding the line of every key costs as much as parsing: only JSON shows lines
    entries = [_entry(catalog, name, default, lines=as_json) for name in catalog.names()]
    if as_json:
        files = [str(pf.path) for pf in catalog.files]
        chosen = (default.value, str(default.file.path)) if default else (None, None)
        state.out.json({"default": chosen[0], "default_file": chosen[1], "files": files, "profiles": entries})
        return
    if not entries:
        searched = ", ".join(display_path(p) for p in catalog.searched)
        state.out.line(f"no profiles (searched: {searched})")
        state.out.line("create one with `milvus-profiles init` or `milvus-profiles add NAME --uri URI`")
        return
    shown = functools.cache(display_path)  # the same few files, a thousand times
    rows = []
    for e in entries:
        shadowed = ", ".join(shown(p) for p in e["also_in"])
        mark = ("*" if e["default"] else "") + ("!" if e["problem"] else "")
        named = [Cell(mark, "red" if e["problem"] else "green", bold=True), Cell(e["name"], bold=True)]
        values = [e["uri"] or "-", str(e["db_name"] or "-"), str(e["user"] or "-"), shown(e["file"])]
        rows.append([*named, *values, Cell(shadowed + " (shadowed)", "yellow") if shadowed else ""])
    state.out.table(["", "NAME", "URI", "DATABASE", "USER", "FILE", "ALSO IN"], rows)
    if default is not None:
        state.out.line(f"* default, set in {display_path(default.file.path)}")
        if not catalog.tables(default.value):
            state.out.warning(f"the default {default.value!r} names no profile")
    if any(e["problem"] for e in entries):
        state.out.line("! cannot be used until its problem (below) is fixed")
    if os.environ.get(PROFILE_ENV):
        state.out.line(f"{PROFILE_ENV} is set and selects {os.environ[PROFILE_ENV]!r} before the default")
    for e in entries:
        if e["problem"]:
            state.out.warning(f"profile {e['name']!r}: {e['problem']}")


NOT_RUN = "(a command, not run)"  # a secret a command reference gives, which runs only with --reveal


@click.command()
@profile_argument
@click.option("--explain", is_flag=True, help="Add where every value comes from.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (always with the origins).")
@click.option("--reveal", is_flag=True, help="Show secrets and URI credentials in clear text.")
@click.pass_obj
def show(
    state: State, name: str | None, *, profile_option: str | None, explain: bool, as_json: bool, reveal: bool
) -> None:
    """Show the resolved profile NAME (default: the selected one), secrets masked.

    A secret that a command reference gives is shown as not run: --reveal runs the command.
    """
    from ..resolution.resolved import show_value
    from ..resolution.resolver import inspect, resolve

    state.out.json_errors = as_json
    cfg = (resolve if reveal else inspect)(pick_profile(state, name, profile_option), files=state.files)
    # the values --reveal shows in clear, and the secret a command reference gives (not run)
    clear = {"uri": cfg.uri} if reveal else {}
    for secret in ("password", "token"):
        if reveal and (value := getattr(cfg, secret)) is not None:
            clear[secret] = value.get_secret_value()
    e = cfg.secret_error
    not_run = {e.field: (NOT_RUN, f"reference {e.reference}")} if isinstance(e, CommandNotRunError) else {}
    out = state.out
    if as_json:
        values = {"uri": clear.get("uri", redact(cfg.uri)), "db_name": cfg.db_name, "timeout": cfg.timeout}
        values["user"] = cfg.user
        for secret in ("password", "token"):
            value = getattr(cfg, secret)
            values[secret] = None if value is None else clear.get(secret, show_value(secret, value))
        values |= {"tls": dict(cfg.tls), "grpc_options": dict(cfg.grpc_options)}
        origins = {k: str(v) for k, v in cfg.origins.items() if k != "profile"}
        for field, (value, origin) in not_run.items():
            values[field], origins[field] = value, origin
        selected = {"profile": cfg.name, "selected_by": str(cfg.origins["profile"])}
        out.json({**selected, "values": values, "origins": origins, "files": [str(p) for p in cfg.files]})
        return
    title = cfg.name or "(none: built-in defaults and MILVUS_* variables)"
    out.labelled("profile", f"{title}  (selected by {cfg.origins['profile']})")
    rows = [(f, clear.get(f, v), o) for f, v, o in cfg.rows() + [(f, *vo) for f, vo in not_run.items()]]
    if explain:
        out.table(["FIELD", "VALUE", "ORIGIN"], [[f, v, Cell(o, "cyan")] for f, v, o in rows])
    else:
        out.table(["FIELD", "VALUE"], [[f, v] for f, v, _ in rows])
    if isinstance(cfg.secret_error, CommandNotRunError):
        out.hint(f"the {cfg.secret_error.field} command is not run here: {cfg.secret_error.hint}")
    elif cfg.secret_error is not None:
        out.warning(cfg.secret_error.message, cfg.secret_error.hint)
    elif cfg.user and cfg.password is None and cfg.token is None and not cfg.is_lite:
        out.warning(
            f"user {cfg.user!r} has no password: none in the keyring and MILVUS_PASSWORD is not set",
            hint=f"store it with `{secret_set_command(cfg.name)}`",
        )
