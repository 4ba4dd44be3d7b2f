"""The exception hierarchy. Every error the package raises on purpose derives from one base class."""

from __future__ import annotations

from pathlib import Path


class MilvusProfilesError(Exception):
    """Base of every error milvus-profiles raises: what failed, where, and how to fix it; never a secret."""

    def __init__(self, message: str, *, hint: str | None = None, summary: str | None = None) -> None:
        self.message = message
        """What failed, and where."""
        self.hint = hint
        """The command or setting that fixes it, when there is one."""
        self.summary = summary
        """The values used (secrets masked) and their origins; the command line prints it with `--debug`."""
        super().__init__(message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(f"hint: {self.hint}")
        if self.summary:
            parts.append(f"values used: {self.summary}")
        return "\n".join(parts)


class ConfigError(MilvusProfilesError):
    """A profile file, an environment variable or an argument holds something invalid."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        hint: str | None = None,
        summary: str | None = None,
    ) -> None:
        self.reason = message
        """What is wrong, without the location."""
        self.path = path
        """The profile file at fault, when a file is."""
        self.line = line
        """The line in `path`, when known."""
        super().__init__(f"{self.location}: {message}" if path else message, hint=hint, summary=summary)

    @property
    def location(self) -> str:
        """``/abs/milvus.toml:7``, the path alone, or "" when the error has no file."""
        return "" if self.path is None else f"{self.path}" + ("" if self.line is None else f":{self.line}")


class ProfileNotFoundError(MilvusProfilesError):
    """The named profile is in none of the profile files."""


class SecretNotFoundError(MilvusProfilesError):
    """A secret is needed but neither the keyring nor the environment provides one."""


class CommandNotRunError(MilvusProfilesError):
    """The secret would come from a command reference, which this call (``show``, ``doctor``, ``secret
    status``) does not run: a command runs only when its secret is needed or asked for."""

    def __init__(self, message: str, *, field: str, reference: str, hint: str | None = None) -> None:
        self.field = field  # password or token
        self.reference = reference  # the command and where it is written
        super().__init__(message, hint=hint)


class SecretWithheldError(MilvusProfilesError):
    """A stored secret exists, but the connection's endpoint or transport comes from an untrusted source
    (``path``, ``line``, ``key``); ``milvus-profiles trust PATH`` after reading the file fixes it."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        line: int | None = None,
        key: str | None = None,
        method: str | None = None,
        hint: str | None = None,
        summary: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.method = method  # the provider whose secret was withheld: env, reference or keyring
        super().__init__(message, hint=hint, summary=summary)


class KeyringUnavailableError(MilvusProfilesError):
    """No keyring backend works on this machine, or the keyring failed."""


class ConnectError(MilvusProfilesError):
    """Base class of the errors that connect() raises once the profile is resolved."""


class ServerUnreachableError(ConnectError):
    """The server did not answer: wrong host or port, a firewall, TLS refused, or a timeout."""


class AuthenticationError(ConnectError):
    """The server answered and refused the credentials."""


class DatabaseNotFoundError(ConnectError):
    """The server answered and accepted the credentials, but the database does not exist."""


class ProfileWarning(UserWarning):
    """Something works but deserves attention (a shadowed profile, a withheld secret): a ``warning:`` line."""
