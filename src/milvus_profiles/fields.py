"""The one table of connection settings: each one's type, variable, default and help, and whether it is a
secret. Loading, validation, masking, the CLI and the docs all read this table. And :class:`Origin`, the
provenance every resolved value carries. A leaf: every layer may use it."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Literal

SecretField = Literal["password", "token"]


@dataclass(frozen=True)
class Field:
    """One connection setting."""

    name: str
    type: Literal["str", "float", "secret"]
    help: str
    default: str | float | None = None
    maximum: float | None = None  # the largest number: a file cannot make a command wait for ever

    @property
    def env(self) -> str:  # the environment variable that sets it, as pydantic-settings' prefix reads it
        return f"MILVUS_{self.name.upper()}"

    @property
    def secret(self) -> bool:  # masked everywhere, never accepted in a profile file
        return self.type == "secret"


FIELDS: tuple[Field, ...] = (
    Field(
        "uri",
        "str",
        "Where the server is: http://host:19530, https://host:443, tcp://host:port, unix:/path, "
        "or a Milvus Lite file ending in .db (relative to the profile file).",
        default="http://localhost:19530",
    ),
    Field("db_name", "str", "The database the client works on; it must exist.", default="default"),
    Field(
        "timeout",
        "float",
        "Seconds to wait for the connection, as pymilvus's timeout (at most an hour).",
        default=10.0,
        maximum=3600.0,
    ),
    Field("user", "str", "The user name; with a user, the secret is the user's password."),
    Field(
        "password", "secret", "The user's password. Kept in the keyring or the environment, never in a file."
    ),
    Field(
        "token",
        "secret",
        "An API token (or user:password), used when the profile has no user. "
        "Kept in the keyring or the environment, never in a file.",
    ),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
SECRET_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.secret)
SECRET_ORDER: tuple[SecretField, ...] = ("token", "password")  # from one source, a token wins, as in pymilvus

PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""A profile name, matched whole: a TOML bare key and a shell word as it is, so a name from a cloned
repository can neither break out of ``env``'s output nor write escape sequences to a terminal."""
PROFILE_NAME_RULE = "letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters"


def profile_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a profile name, or None when it can.

    Examples:
        >>> profile_name_problem("dev-eu_1") is None
        True
        >>> profile_name_problem("dev env").split(":")[0]
        "'dev env' is not a valid profile name"
    """
    if PROFILE_NAME.fullmatch(name):
        return None
    shown = name if len(name) <= 40 else name[:40] + "..."
    # repr() shows control characters as \x1b, \n...: the message is printed, the name is hostile
    return f"{shown!r} is not a valid profile name: use {PROFILE_NAME_RULE}"


PROFILE_ENV = "MILVUS_PROFILE"
FILES_ENV = "MILVUS_PROFILES_FILE"
EXPORTED_ENV = "MILVUS_PROFILES_EXPORTED"  # `env` and `exec` name the profile exported; it selects none

TLS_KEYS: dict[str, str] = {
    "secure": "Use TLS even for an http:// URI (https:// implies it).",
    "server_pem_path": "The server's certificate, or the CA that signed it (one-way TLS).",
    "server_name": "The name the server's certificate is checked against, when it differs from the host.",
    "client_pem_path": "This client's certificate (mutual TLS).",
    "client_key_path": "This client's private key (mutual TLS).",
    "ca_pem_path": "The CA that signed the server's certificate (mutual TLS).",
}
TLS_PATH_KEYS: tuple[str, ...] = tuple(k for k in TLS_KEYS if k.endswith("_path"))

GRPC_OPTIONS: dict[str, tuple[Literal["int", "bool", "str"], str]] = {
    "grpc.keepalive_time_ms": ("int", "Send a keepalive ping after this many milliseconds without activity."),
    "grpc.keepalive_timeout_ms": (
        "int",
        "Close the connection when a keepalive ping is not answered in time.",
    ),
    "grpc.keepalive_permit_without_calls": ("bool", "Send keepalive pings even with no call in flight."),
    "grpc.http2.max_pings_without_data": ("int", "Pings allowed without data (0: no limit)."),
    "grpc.http2.min_time_between_pings_ms": ("int", "The shortest time between two pings."),
    "grpc.max_send_message_length": ("int", "The largest message sent, in bytes (-1: no limit)."),
    "grpc.max_receive_message_length": ("int", "The largest message received, in bytes (-1: no limit)."),
    "grpc.max_metadata_size": ("int", "The largest metadata received, in bytes."),
    "grpc.initial_reconnect_backoff_ms": ("int", "The first wait before reconnecting."),
    "grpc.min_reconnect_backoff_ms": ("int", "The shortest wait before reconnecting."),
    "grpc.max_reconnect_backoff_ms": ("int", "The longest wait before reconnecting."),
    "grpc.enable_retries": ("bool", "Retry calls that failed before reaching the server."),
    "grpc.per_rpc_retry_buffer_size": ("int", "Bytes buffered per call for retries."),
    "grpc.max_connection_idle_ms": ("int", "Close the connection after this long idle."),
    "grpc.client_idle_timeout_ms": ("int", "Let the channel go idle after this long without calls."),
    "grpc.dns_min_time_between_resolutions_ms": ("int", "The shortest time between two DNS lookups."),
    "grpc.use_local_subchannel_pool": ("bool", "Give the channel its own subchannels."),
    "grpc.primary_user_agent": ("str", "Text put before gRPC's own user agent."),
    "grpc.secondary_user_agent": ("str", "Text put after gRPC's own user agent."),
}
"""The gRPC options a profile file may set: they tune the connection, never redirect it (no proxy,
``grpc.default_authority`` or ``grpc.ssl_target_name_override``: use ``tls.server_name``)."""


def secret_field(user: str | None) -> SecretField:
    """The secret a connection takes: the user's password when there is a user, else a token."""
    return "password" if user else "token"


def secret_set_command(profile: str | None) -> str:
    """The command that stores a profile's secret in the keyring."""
    return f"milvus-profiles secret set {shlex.quote(profile)}" if profile else "milvus-profiles secret set"


OriginKind = Literal["default", "file", "env", "keyring", "reference", "kwarg"]


@dataclass(frozen=True)
class Origin:
    """Where a value came from; `str()` gives it as `show --explain` prints it.

    Examples:
        ```python
        cfg = resolve("dev")
        print(cfg.origins["db_name"])  # file /home/me/app/milvus.toml:5 [profiles.dev]
        ```
    """

    kind: OriginKind
    """`default`, `file`, `env`, `keyring`, `reference` or `kwarg` (a keyword argument)."""
    detail: str = ""
    """The file and line (`/abs/milvus.toml:7 [profiles.dev]`), the variable name, the keyring account,
    the secret reference and where it is written, or the argument name."""

    def __str__(self) -> str:
        if self.kind == "default":
            return "default"
        if self.kind == "keyring":
            return f"keyring ({self.detail})" if self.detail else "keyring"
        if self.kind == "kwarg":
            return f"argument {self.detail}="
        return f"{self.kind} {self.detail}"
