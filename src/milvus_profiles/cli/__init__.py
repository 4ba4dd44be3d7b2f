"""The ``milvus-profiles`` command: global options, error handling, the commands (each imported when run)."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import warnings
from importlib import import_module
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import ProfileWarning
from .common import State, profile_option
from .exitcodes import exit_code_for
from .output import Output

# at exit, spare the last garbage collection over pydantic, grpcio and keyring: 40-50 ms for nothing
atexit.register(gc.freeze)

# the commands of each module; `--help` lists them in alphabetical order
MODULES = {
    "init": ("init", "schema"),
    "add": ("add", "import"),
    "profiles": ("remove", "set-default", "current"),
    "listing": ("list", "show"),
    "env": ("env", "exec", "shell"),
    "trust": ("trust", "untrust"),
    "edit": ("set", "unset", "rename", "copy"),
    **{name: (name,) for name in ("test", "secret", "check", "doctor")},  # each alone in a module of its name
}
COMMANDS = {name: module for module, names in MODULES.items() for name in names}


class MainGroup(click.Group):
    """Loads each command when it is used; our errors become ``error:``/``hint:`` lines and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        found = vars(import_module(f".{COMMANDS[cmd_name]}", __name__)).values()
        return next(c for c in found if isinstance(c, click.Command) and c.name == cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in COMMANDS and not args[0].startswith("-"):
            import difflib

            if close := difflib.get_close_matches(args[0], COMMANDS, n=3, cutoff=0.6):
                ctx.fail(f"no such command {args[0]!r}; did you mean {' or '.join(map(repr, close))}?")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            closed_pipe(ctx)
        except click.ClickException as e:
            error = e
            # `list --file X`: a global option given after the command; the message says where it goes
            if isinstance(e, click.NoSuchOption) and ctx.invoked_subcommand is not None:
                option = next((p for p in self.params if e.option_name in p.opts), None)
                if option is not None:
                    value = "" if getattr(option, "is_flag", False) else f" {option.metavar or 'VALUE'}"
                    where = f"`milvus-profiles {e.option_name}{value} {ctx.invoked_subcommand} ...`"
                    hint = f"{e.option_name} is a global option: it goes before the command, as in {where}"
                    error = click.NoSuchOption(e.option_name, f"{e.message} {hint}", ctx=e.ctx)
            if isinstance(ctx.obj, State) and ctx.obj.out.json_errors:
                ctx.obj.out.json_error(error.format_message(), None, error.exit_code)
            raise error from None
        except (click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            fail(ctx, e, exit_code_for(e).code)


def fail(ctx: click.Context, error: BaseException, code: int) -> NoReturn:
    """Print ``error`` as its ``error:``/``hint:`` lines (and JSON under ``--json``), and exit ``code``."""
    state = ctx.obj if isinstance(ctx.obj, State) else State(out=Output())
    try:
        state.out.error(error, debug=state.debug, code=code)
    except BrokenPipeError:
        closed_pipe(ctx)
    ctx.exit(code)


SIGPIPE_EXIT = 128 + 13  # what a shell reports for a program ended by SIGPIPE (`seq 1 100000 | head -1`)


def closed_pipe(ctx: click.Context) -> NoReturn:
    """Standard output was closed by its reader (``| head -1``): stop quietly, as other programs do."""
    # as Python's documentation on SIGPIPE says: standard output to devnull, so the flush at exit passes
    with contextlib.suppress(OSError, ValueError):  # no real standard output (CliRunner): no flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    ctx.exit(SIGPIPE_EXIT)


@click.group(
    cls=MainGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--file",
    "files",
    multiple=True,
    metavar="PATH",
    help="Read profiles from this file instead of discovering them (repeatable, highest precedence "
    "first; like MILVUS_PROFILES_FILE).",
)
@profile_option("The profile for commands that take an optional NAME.")
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
    # colour on a terminal only, never with --no-color or NO_COLOR (https://no-color.org)
    color = not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    out = Output(color=color, terminal=sys.stdout.isatty())
    ctx.obj = State(out=out, files=files or None, profile=profile, debug=debug)
    # our warnings become `warning:` lines on `out`; others keep Python's format
    original = getattr(warnings.showwarning, "python_showwarning", warnings.showwarning)
    # shown whatever filter the process had (a test run may make warnings errors): they are output too
    warnings.filterwarnings("default", category=ProfileWarning)

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, ProfileWarning):
            out.warning(str(message))
        else:
            original(message, category, *args, **kwargs)

    show.python_showwarning = original  # type: ignore[attr-defined]
    warnings.showwarning = show


__all__ = ["main"]
