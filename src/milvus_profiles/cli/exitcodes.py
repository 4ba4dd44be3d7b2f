"""The exit codes of ``milvus-profiles``: one table, read by every command and by docs/cli.md."""

from __future__ import annotations

from typing import NamedTuple

from .. import errors as e


class ExitCode(NamedTuple):
    """One exit code: its number, the status word `test` prints, and the errors that map to it."""

    code: int
    status: str
    errors: tuple[type[BaseException], ...] = ()


OK = ExitCode(0, "ready")
UNEXPECTED = ExitCode(1, "error")
USAGE = ExitCode(2, "usage")
CONFIG = ExitCode(3, "config-error", (e.ConfigError, e.ProfileNotFoundError))
SECRET = ExitCode(4, "secret-missing", (e.SecretNotFoundError, e.KeyringUnavailableError))
UNREACHABLE = ExitCode(5, "unreachable", (e.ServerUnreachableError,))
AUTHENTICATION = ExitCode(6, "auth-failed", (e.AuthenticationError,))
DATABASE = ExitCode(7, "database-missing", (e.DatabaseNotFoundError,))
WITHHELD = ExitCode(8, "untrusted", (e.SecretWithheldError,))
EXIT_CODES = (OK, UNEXPECTED, USAGE, CONFIG, SECRET, UNREACHABLE, AUTHENTICATION, DATABASE, WITHHELD)

# `check` reports problems it found with 1, as linters do, and `doctor` a failed check; neither raises.
PROBLEMS_FOUND = 1


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code of an error; one that is not ours is unexpected."""
    found = next((c for c in EXIT_CODES if isinstance(error, c.errors)), None)
    return found or (UNREACHABLE if isinstance(error, e.ConnectError) else UNEXPECTED)
