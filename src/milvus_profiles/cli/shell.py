"""``milvus-profiles shell``: a Python prompt with ``client`` connected, as ``psql service=NAME`` is."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from .common import State, pick_profile, profile_argument


@click.command()
@profile_argument
@click.option("--plain", is_flag=True, help="Use Python's own prompt even when IPython is installed.")
@click.pass_obj
def shell(state: State, name: str | None, profile_option: str | None, plain: bool) -> None:
    """Open a Python prompt with `client` connected with profile NAME.

    The prompt is IPython's when it is installed, else Python's. `client` is a ready
    pymilvus.MilvusClient (made by connect()), `profile` the resolved profile; the summary printed first
    shows every value and where it came from, secrets masked.

    \b
    Example:
      milvus-profiles shell prod
      >>> client.list_collections()
    """
    from ..connection.client import connect
    from ..resolution.resolver import resolve

    picked = pick_profile(state, name, profile_option)
    cfg = resolve(picked, files=state.files)
    client = connect(cfg.name, files=state.files)
    namespace: dict[str, Any] = {"client": client, "profile": cfg}
    banner = (
        f"{cfg.explain()}\n\n"
        "`client` is a pymilvus.MilvusClient connected with this profile, `profile` the resolved profile.\n"
        "Try client.list_collections(); leave with exit() or Ctrl-D."
    )
    for line in banner.splitlines():  # one at a time: line() shows a newline escaped
        state.out.line(line)
    try:
        if not plain and importlib.util.find_spec("IPython") is not None:
            importlib.import_module("IPython").start_ipython(argv=["--no-banner"], user_ns=namespace)
        else:
            import code

            code.interact(banner="", local=namespace, exitmsg="")
    finally:
        client.close()
