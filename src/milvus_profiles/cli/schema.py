"""``milvus-profiles schema``: the JSON Schema of a profile file, for editors and other tools."""

from __future__ import annotations

import click

from .common import State


@click.command()
@click.pass_obj
def schema(state: State) -> None:
    """Print the JSON Schema (draft-07) of a profile file.

    Editors that read `#:schema` lines (Taplo, VS Code's Even Better TOML) complete and check keys
    with it. `init` writes it beside milvus.toml; to refresh it after an upgrade:

    \b
      milvus-profiles schema > milvus.schema.json
      #:schema ./milvus.schema.json            (first line of milvus.toml)
    """
    from ..config.json_schema import schema_text

    state.out.raw(schema_text())
