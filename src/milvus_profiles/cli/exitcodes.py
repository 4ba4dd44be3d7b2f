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
    """One exit code: its number, the status word `test` prints, and the errors that map to it."""

    code: int
    status: str
    meaning: str
    errors: tuple[type[BaseException], ...] = ()


OK = ExitCode(0, "ready", "success; for `test`, every profile is ready")
UNEXPECTED = ExitCode(
    1, "error", "an unexpected error; for `check`, problems were found; for `doctor`, a check failed"
)
USAGE = ExitCode(2, "usage", "the command line is wrong (unknown option, missing argument...)")
CONFIG = ExitCode(
    3,
    "config-error",
    "a profile file or setting is invalid, or the profile does not exist",
    (ConfigError, ProfileNotFoundError),
)
SECRET = ExitCode(
    4,
    "secret-missing",
    "a secret is needed but none is stored, or the keyring does not work",
    (SecretNotFoundError, KeyringUnavailableError),
)
UNREACHABLE = ExitCode(5, "unreachable", "the server did not answer in time", (ServerUnreachableError,))
AUTHENTICATION = ExitCode(6, "auth-failed", "the server refused the credentials", (AuthenticationError,))
DATABASE = ExitCode(7, "database-missing", "the database does not exist", (DatabaseNotFoundError,))
WITHHELD = ExitCode(
    8,
    "untrusted",
    "a stored secret was withheld: the server or transport comes from a file you have not trusted",
    (SecretWithheldError,),
)

# `check` reports problems it found with 1, as linters do, and `doctor` a failed check; neither raises.
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
