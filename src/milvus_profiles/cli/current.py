"""``milvus-profiles current``: the profile ``connect()`` would use here, and why.

It reads the profile files and ``MILVUS_PROFILE`` only: no keyring, no network, like
``kubectl config current-context``.
"""

from __future__ import annotations

import os
from typing import Any

import click

from ..fields import PROFILE_ENV
from .common import State
from .output import display_path


def current_profile(state: State) -> dict[str, Any]:
    """The selected profile, what selected it, and the file that defines it."""
    from ..config.catalog import load_catalog
    from ..resolution.resolver import select

    catalog = load_catalog(state.files)
    name, origin = select(state.profile, catalog, os.environ)
    if origin.kind == "kwarg":
        reason, because = "argument", "--profile was given"
    elif origin.kind == "env":
        reason, because = "environment", f"{PROFILE_ENV} is set"
    elif origin.kind == "file":
        reason, because = "default", f"it is the default in {origin.detail}"
    else:
        reason, because = "none", "no profile is named and no file sets a default"
    tables = catalog.tables(name) if name else []
    return {
        "profile": name,
        "selected_by": reason,
        "detail": origin.detail or None,
        "reason": because,
        "file": str(tables[0][0].path) if tables else None,
        "files": [str(pf.path) for pf in catalog.files],
    }


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
    found = current_profile(state)
    out = state.out
    if as_json:
        out.json(found)
        return
    if found["profile"] is None:
        out.line("no profile: connect() uses the built-in defaults and MILVUS_* variables")
        out.line("set one with `milvus-profiles set-default NAME` or MILVUS_PROFILE=NAME")
        return
    out.line(found["profile"])
    where = f" (defined in {display_path(found['file'])})" if found["file"] else ""
    out.line(f"because {found['reason']}{where}", err=True)
