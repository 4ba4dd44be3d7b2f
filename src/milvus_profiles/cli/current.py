"""``milvus-profiles current``: the profile ``connect()`` would use here, and why."""

from __future__ import annotations

import os

import click

from ..fields import PROFILE_ENV
from .common import State
from .output import display_path


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
    from ..config.catalog import load_catalog
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
