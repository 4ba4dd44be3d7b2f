"""``milvus-profiles exec``: run a program with a profile's ``MILVUS_*`` variables, secrets included.

The variables go into the program's environment only: nothing is exported to the calling shell and no
secret is put on a command line. Signals sent to this command (SIGINT, SIGTERM, SIGHUP) are passed on to
the program, and its exit status becomes ours (128 + the signal when a signal ended it, as shells do).
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

FORWARDED = (signal.SIGINT, signal.SIGTERM) + ((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ())
# si_code of a signal the kernel generated itself, e.g. from the terminal's Ctrl-C (Linux <asm/siginfo.h>)
_SI_KERNEL = 0x80
NOT_FOUND = 127  # the exit statuses shells use for a command not found, or found but not runnable
NOT_EXECUTABLE = 126


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
    """Run ``argv`` with ``env`` and return its exit status, passing on SIGINT, SIGTERM and SIGHUP.

    A signal the terminal sends (Ctrl-C) reaches the program directly, as it shares our process group,
    so only signals sent to this process by another one are passed on: the program gets each one once.
    """
    if not hasattr(os, "posix_spawnp") or not hasattr(signal, "pthread_sigmask"):
        return _run_without_posix(argv, env)
    waited = {*FORWARDED, signal.SIGCHLD}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, waited)
    try:
        try:
            # The program starts with default signal handling and nothing blocked, whatever we inherited.
            pid = os.posix_spawnp(
                argv[0], list(argv), dict(env), setsigmask=(), setsigdef=[*FORWARDED, signal.SIGCHLD]
            )
        except FileNotFoundError:
            raise _cannot_run(argv[0], "command not found", NOT_FOUND) from None
        except PermissionError:
            raise _cannot_run(argv[0], "permission denied", NOT_EXECUTABLE) from None
        except OSError as e:
            raise _cannot_run(argv[0], e.strerror or type(e).__name__, NOT_EXECUTABLE) from None
        return _wait(pid, waited)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _wait(pid: int, waited: set[signal.Signals]) -> int:
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return _exit_status(status)
        if hasattr(signal, "sigwaitinfo"):
            info = signal.sigwaitinfo(waited)
            number, from_kernel = info.si_signo, info.si_code == _SI_KERNEL
        else:  # macOS: no sender to tell apart; a terminal's Ctrl-C is then not passed on
            number = signal.sigwait(waited)
            from_kernel = number == signal.SIGINT and _terminal_foreground()
        if number != signal.SIGCHLD and not from_kernel:
            with contextlib.suppress(ProcessLookupError):  # it has just exited; waitpid says how
                os.kill(pid, number)


def _terminal_foreground() -> bool:
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def _exit_status(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _run_without_posix(argv: Sequence[str], env: Mapping[str, str]) -> int:
    try:
        process = subprocess.Popen(list(argv), env=dict(env))
    except FileNotFoundError:
        raise _cannot_run(argv[0], "command not found", NOT_FOUND) from None
    except OSError as e:
        raise _cannot_run(argv[0], e.strerror or type(e).__name__, NOT_EXECUTABLE) from None
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:  # the console sent it to the program as well; wait for it to end
            continue


class ProgramNotRunError(Exception):
    """The program could not be started; ``code`` is the exit status a shell would give."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _cannot_run(program: str, reason: str, code: int) -> ProgramNotRunError:
    return ProgramNotRunError(f"cannot run {program!r}: {reason}", code)


@click.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("name", shell_complete=complete_profiles)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_context
def exec_program(ctx: click.Context, name: str, command: tuple[str, ...]) -> None:
    """Run COMMAND with profile NAME's MILVUS_* variables (secrets included) in its environment.

    Nothing is set in your shell and no secret goes on a command line. The exit status is COMMAND's
    (128 + N when signal N ended it); SIGINT, SIGTERM and SIGHUP are passed on to it. TLS is passed as
    an https:// MILVUS_URI; a tls or grpc setting no variable carries is refused.

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
    except ProgramNotRunError as e:
        hint = "check the program's name and PATH"  # `--` or not, the program is the same
        fail(ctx, ConfigError(e.message, hint=hint), e.code)
    ctx.exit(code)
