"""``init``: a project's milvus.toml with a Milvus Lite profile to start from; ``schema``: its JSON Schema."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import discovery, locks, toml
from ..config.json_schema import PROJECT_SCHEMA, schema_text
from ..config.trust import carry_over
from ..errors import ConfigError
from .common import State
from .output import display_path

# The first line lets editors with a TOML language server (Taplo, Even Better TOML) complete and check
# keys, with the schema `init` writes beside the file (see docs/editors.md).
TEMPLATE = f"""\
#:schema ./{PROJECT_SCHEMA}
# Milvus connection profiles of this project; `milvus-profiles --help` lists the commands.
# Secrets never go in this file: store them with `milvus-profiles secret set NAME`, or set
# MILVUS_PASSWORD / MILVUS_TOKEN in the environment. Your own overrides go in milvus.local.toml,
# which git ignores.

default = "local"

[profiles.local]
# Milvus Lite: an embedded database in one file, relative to this file.
uri = "./data/milvus.db"

# A Milvus server; uncomment, then `milvus-profiles secret set dev` stores the password.
# [profiles.dev]
# uri = "http://localhost:19530"
# db_name = "default"
# user = "root"
# timeout = 10
#
# [profiles.dev.tls]
# server_pem_path = "certs/server.pem"
"""


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing milvus.toml.")
@click.pass_obj
def init(state: State, force: bool) -> None:
    """Create milvus.toml here, with a Milvus Lite profile `local` as the default.

    Beside it goes milvus.schema.json, the JSON Schema editors use to complete and check keys.
    milvus.local.toml and the Milvus Lite data are added to the repository's .gitignore (outside a git
    repository, to a .gitignore here, ready for `git init`).
    """
    here = Path.cwd()
    target, schema = here / discovery.PROJECT_FILE, here / PROJECT_SCHEMA
    # the repository's root; else here, where the repository made later will be
    root = next((f for f in (here, *here.parents) if (f / ".git").exists()), here)
    ignore = root / ".gitignore"
    for path in (target, schema, ignore):
        locks.destination(path)  # a link a repository ships out of it is refused before anything is written
    with locks.locked(target):
        if target.exists() and not force:
            hint = "use --force to overwrite it with the template"
            raise ConfigError(f"{display_path(target)} already exists", hint=hint)
        locks.write_atomic(target, TEMPLATE)
        locks.write_atomic(schema, schema_text())
    toml.clear_cache()
    carry_over(target, None, toml.read_file(target).data)  # written by you, through this command
    state.out.done(f"created {display_path(target)} with profile 'local' (Milvus Lite, ./data/milvus.db)")
    state.out.done(f"created {display_path(schema)} for editors (see `#:schema`)")
    # The Milvus Lite database the template points at (./data/) is data, never to be committed.
    folder = here.relative_to(root).as_posix()
    data = "/data/" if folder == "." else f"/{folder}/data/"
    local = (f"/{discovery.LOCAL_FILE}", f"**/{discovery.LOCAL_FILE}")
    same_data = (data.rstrip("/"), *(("data/", "data") if folder == "." else ()))
    lines = ((discovery.LOCAL_FILE, local), (data, same_data))
    if added := [line for line, same in lines if locks.add_line(ignore, line, equivalent=same)]:
        state.out.done(f"added {' and '.join(added)} to {display_path(ignore)}")
    state.out.line("next: `milvus-profiles test` checks that the profile is ready")


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
    state.out.raw(schema_text())
