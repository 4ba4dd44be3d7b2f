"""``milvus-profiles exec``: run a program with a profile's ``MILVUS_*`` variables, secrets included.

The variables go into the program's environment only: nothing is exported to the calling shell and no
secret is put on a command line. On POSIX the program replaces this process (``execvpe``): it is the
process the caller started, so signals reach it directly and the caller sees its exit status, or the
signal that ended it, as if it had been started alone. Windows replaces no process: there the program
runs as a child and its exit status becomes ours.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence

import click

from ..errors import ConfigError
from ..fields import EXPORTED_ENV, FIELDS, FILES_ENV, PROFILE_ENV
from .common import State, complete_profiles

NOT_FOUND = 127  # the exit statuses shells use for a command not found, or found but not runnable
NOT_EXECUTABLE = 126
# Python ignores these at start; an ignored signal stays ignored across exec, and a program expects the
# default (`yes | head -1` ends `yes` by SIGPIPE), so they are restored as subprocess's restore_signals does.
_RESTORED = [getattr(signal, s) for s in ("SIGPIPE", "SIGXFZ", "SIGXFSZ") if hasattr(signal, s)]


def child_environment(parent: Mapping[str, str], variables: Mapping[str, str]) -> dict[str, str]:
    """The parent's environment without any variable milvus-profiles reads, plus the profile's own.

    ``MILVUS_PROFILE`` and ``MILVUS_PROFILES_FILE`` are left out too: the profile is already chosen, and a
    Python program that calls ``connect()`` must not pick another one on top of these values.
    """
    ours = {f.env for f in FIELDS} | {PROFILE_ENV, FILES_ENV, EXPORTED_ENV}
    env = {k: v for k, v in parent.items() if k not in ours}
    env.update(variables)
    return env


def run_program(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Replace this process with ``argv`` run with ``env``; on Windows run it and return its exit status.

    Raises:
        OSError: The program cannot be found or run; this process is unchanged.
    """
    if os.name == "nt":
        process = subprocess.Popen(list(argv), env=dict(env))
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:  # the console sent it to the program as well; wait for it to end
                continue
    for stream in (sys.stdout, sys.stderr):  # what we printed is lost with the process otherwise
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    previous = {s: signal.signal(s, signal.SIG_DFL) for s in _RESTORED}
    try:
        os.execvpe(argv[0], list(argv), dict(env))  # noqa: S606  # the program the user named, no shell
    except OSError:  # nothing was replaced: this process goes on, and says why
        for number, handler in previous.items():
            signal.signal(number, handler)
        raise


@click.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("name", shell_complete=complete_profiles)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_context
def exec_program(ctx: click.Context, name: str, command: tuple[str, ...]) -> None:
    """Run COMMAND with profile NAME's MILVUS_* variables (secrets included) in its environment.

    Nothing is set in your shell and no secret goes on a command line. COMMAND takes the place of this
    process, so signals reach it and its exit status is yours to see, as if you had run it alone
    (127: not found, 126: cannot run). TLS is passed as an https:// MILVUS_URI; a tls or grpc setting
    no variable carries is refused.

    \b
    Examples:
      milvus-profiles exec prod -- go run ./cmd/loader
      milvus-profiles exec dev -- node loader.js
      milvus-profiles exec dev -- sh -c 'curl -sf "$MILVUS_URI/v2/vectordb/collections/list" \\
        -H "Authorization: Bearer $MILVUS_TOKEN" -d "{}"'
    """
    from ..connection.diagnose import preflight
    from ..resolution.resolver import resolve
    from . import fail
    from .env import profile_variables

    state: State = ctx.obj
    if command[:1] == ("--",):  # click keeps the `--` that comes after NAME
        command = command[1:]
    if not command:
        raise click.UsageError("no command given: milvus-profiles exec NAME -- COMMAND [ARG]...")
    cfg = resolve(name, files=state.files)
    preflight(cfg)  # what connect() would refuse (no password, a keyring that failed) is refused here too
    variables, notes = profile_variables(cfg, include_secrets=True)
    for note in notes:
        state.out.warning(note)
    try:
        code = run_program(command, child_environment(os.environ, variables))
    except OSError as e:
        missing = isinstance(e, FileNotFoundError)
        reason = "command not found" if missing else e.strerror or str(e)
        error = ConfigError(
            f"cannot run {command[0]!r}: {reason.lower()}", hint="check the program's name and PATH"
        )
        fail(ctx, error, NOT_FOUND if missing else NOT_EXECUTABLE)
    ctx.exit(code)
