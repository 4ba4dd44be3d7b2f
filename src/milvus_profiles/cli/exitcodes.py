"""The exit codes of ``milvus-profiles``: one table, read by every command and by docs/cli.md."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import (
    AuthenticationError,
    ConfigError,
    ConnectError,
    DatabaseNotFoundError,
    KeyringUnavailableError,
    ProfileNotFoundError,
    SecretNotFoundError,
    SecretWithheldError,
    ServerUnreachableError,
)


@dataclass(frozen=True)
class ExitCode:
    """One exit code: its number, the status word `test` prints, and the errors that map to it (what each
    means is in docs/cli.md, "Exit codes")."""

    code: int
    status: str
    errors: tuple[type[BaseException], ...] = ()


OK = ExitCode(0, "ready")
UNEXPECTED = ExitCode(1, "error")
USAGE = ExitCode(2, "usage")
CONFIG = ExitCode(3, "config-error", (ConfigError, ProfileNotFoundError))
SECRET = ExitCode(4, "secret-missing", (SecretNotFoundError, KeyringUnavailableError))
UNREACHABLE = ExitCode(5, "unreachable", (ServerUnreachableError,))
AUTHENTICATION = ExitCode(6, "auth-failed", (AuthenticationError,))
DATABASE = ExitCode(7, "database-missing", (DatabaseNotFoundError,))
WITHHELD = ExitCode(8, "untrusted", (SecretWithheldError,))

# `check` reports problems it found with 1, as linters do; it never raises for them.
PROBLEMS_FOUND = 1

EXIT_CODES: tuple[ExitCode, ...] = (
    OK,
    UNEXPECTED,
    USAGE,
    CONFIG,
    SECRET,
    UNREACHABLE,
    AUTHENTICATION,
    DATABASE,
    WITHHELD,
)


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code of an error; one that is not ours is unexpected."""
    for exit_code in EXIT_CODES:
        if isinstance(error, exit_code.errors):
            return exit_code
    if isinstance(error, ConnectError):
        return UNREACHABLE
    return UNEXPECTED
