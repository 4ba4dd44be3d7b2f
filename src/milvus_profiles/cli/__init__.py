"""The ``milvus-profiles`` command: global options, error handling and the list of commands.

Each command lives in a module of its own and imports what it needs (the resolver, keyring, pymilvus)
inside the command, so ``--help``, ``list`` and ``check`` start without loading any of them.
"""

from __future__ import annotations

from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import MilvusProfilesError
from . import add, check, doctor, env, init, listing, profiles, secret, test
from .common import State, complete_profiles
from .exitcodes import UNEXPECTED, exit_code_for
from .output import Output, wants_color


class MainGroup(click.Group):
    """Turns our errors into ``error:``/``hint:`` lines and the exit code of their class."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except MilvusProfilesError as e:
            fail(ctx, e, exit_code_for(e).code)
        except Exception as e:
            fail(ctx, e, UNEXPECTED.code)


def fail(ctx: click.Context, error: BaseException, code: int) -> NoReturn:
    state = ctx.obj if isinstance(ctx.obj, State) else State(out=Output())
    state.out.error(error, debug=state.debug)
    ctx.exit(code)


@click.group(
    cls=MainGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--file",
    "files",
    multiple=True,
    metavar="PATH",
    help="Read profiles from this file instead of discovering them (repeatable, highest precedence "
    "first; like MILVUS_PROFILES_FILE).",
)
@click.option(
    "--profile",
    metavar="NAME",
    shell_complete=complete_profiles,
    help="The profile for commands that take an optional NAME.",
)
@click.option("--no-color", is_flag=True, help="Never colour the output (NO_COLOR does the same).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(__version__, "--version", prog_name="milvus-profiles", message="%(prog)s %(version)s")
@click.pass_context
def main(
    ctx: click.Context, files: tuple[str, ...], profile: str | None, no_color: bool, debug: bool
) -> None:
    """Named connection profiles for Milvus.

    Profiles live in milvus.toml (the project), milvus.local.toml (your overrides, not committed) and
    your user profiles.toml; secrets live in the OS keyring or in MILVUS_PASSWORD / MILVUS_TOKEN.

    \b
    Shell completion (profile names included):
      bash: eval "$(_MILVUS_PROFILES_COMPLETE=bash_source milvus-profiles)"
      zsh:  eval "$(_MILVUS_PROFILES_COMPLETE=zsh_source milvus-profiles)"
      fish: _MILVUS_PROFILES_COMPLETE=fish_source milvus-profiles | source
    """
    ctx.obj = State(
        out=Output(color=wants_color(no_color)),
        files=files or None,
        profile=profile,
        debug=debug,
    )


for command in (
    init.init,
    add.add,
    profiles.remove,
    profiles.set_default,
    listing.list_profiles,
    listing.show,
    test.test,
    secret.secret,
    env.env,
    check.check,
    doctor.doctor,
):
    main.add_command(command)

__all__ = ["main"]
