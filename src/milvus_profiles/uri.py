"""Milvus URIs read once, as pymilvus's ``ConnectionConfig.from_uri`` reads them, into a value object:
``.db`` is a Milvus Lite file, ``unix:`` a socket; any other is split by ``urlparse``: scheme ``http``,
``https`` or ``tcp``, port 443 for ``https`` else 19530, the user part a token or ``user:password`` (not
%-decoded), the path's first segment the database. What pymilvus would misread is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from pydantic import SecretStr

from .errors import ConfigError

NETWORK_SCHEMES = ("http", "https", "tcp")
DEFAULT_PORT = 19530
TLS_PORT = 443
URI_HINT = (
    "use http://HOST:19530, https://HOST:443, tcp://HOST:19530, unix:/path/to/milvus.sock, "
    "or a Milvus Lite file ending in .db such as ./milvus.db"
)


@dataclass(frozen=True)
class MilvusAddress:
    """What a URI says: ``scheme`` ``http``, ``https``, ``tcp`` (lower case), ``unix`` or ``lite``; the user
    part a ``token`` (``https://KEY@host``) or ``user`` and ``password``, none in ``repr()``.

    Examples:
        >>> parse_uri("https://Cloud.example.com/mydb")
        MilvusAddress(scheme='https', host='cloud.example.com', port=443, db_name='mydb', secure=True)
    """

    scheme: str
    host: str = ""
    port: int = 0
    db_name: str | None = None
    secure: bool = False
    path: str = field(default="", repr=False)  # of the socket or Milvus Lite file
    user: str | None = field(default=None, repr=False)
    password: SecretStr | None = field(default=None, repr=False)
    token: SecretStr | None = field(default=None, repr=False)

    @property
    def is_network(self) -> bool:
        """A host and port, not a socket or a Milvus Lite file."""
        return self.scheme in NETWORK_SCHEMES

    @property
    def target(self) -> str:
        """What pymilvus dials: ``host:port``, or the path."""
        return f"{self.host}:{self.port}" if self.is_network else self.path

    @property
    def base(self) -> str:
        """``scheme://host:port`` (``tcp`` written ``http``, as every SDK knows it), or the path."""
        return f"{self.scheme.replace('tcp', 'http')}://{self.target}" if self.is_network else self.path

    @property
    def credential(self) -> SecretStr | None:
        """What pymilvus sends as token for the URI's user part: the token, or ``user:password``."""
        if self.token is None and self.user is not None and self.password is not None:
            return SecretStr(f"{self.user}:{self.password.get_secret_value()}")
        return self.token

    @property
    def is_global(self) -> bool:
        """Whether pymilvus (``is_global_endpoint``) takes :attr:`base` for a Zilliz Cloud global cluster."""
        return self.scheme != "lite" and "global-cluster" in self.base.lower()


def is_lite(uri: str) -> bool:
    """True for a Milvus Lite database path (pymilvus treats any URI ending in ``.db`` so)."""
    return uri.endswith(".db")


def _user_part(uri: str) -> str | None:
    """Everything before the last ``@`` after the scheme: all of a password with ``/?#:@``, even invalid."""
    if uri.startswith("unix:") or (is_lite(uri) and "://" not in uri):
        return None  # a file path: an "@" in a folder name is not a user part
    # without "//": "user:password@host:19530" (as milvus_cli saves it) or "tcp:user@host"
    user_part, at, _ = uri.partition("://")[2].rpartition("@") if "://" in uri else uri.rpartition("@")
    return user_part if at else None


def redact(uri: str) -> str:
    """The URI with any user part (token, or user and password) replaced by ``***``, safe to show.

    Examples:
        >>> redact("http://app:Ab/cd@db.example.com:19530/mydb")
        'http://***@db.example.com:19530/mydb'
    """
    if _user_part(uri) is None:
        return uri
    head = uri.partition("://")[0] + "://" if "://" in uri else ""
    return head + "***@" + uri.rpartition("@")[2]


def has_credentials(uri: str) -> bool:
    """True when the URI has a user part: a token (``KEY@host``) or ``user:password@host``."""
    return bool(_user_part(uri))


def _parse(uri: str) -> MilvusAddress | str:
    """The address, or why it is refused (a message that never quotes the user part)."""
    if is_lite(uri):
        return MilvusAddress(scheme="lite", path=uri)
    if uri.startswith("unix:"):
        return MilvusAddress(scheme="unix", path=uri)
    if not uri.strip():
        return "the URI is empty"
    shown = repr(redact(uri))
    try:
        parts = urlparse(uri)
    except ValueError:
        # urllib's message quotes the host part, which may hold credentials
        return f"{shown} is not a valid URI (unbalanced [ ] around the host)"
    if parts.scheme not in NETWORK_SCHEMES:
        return f"{shown} is not a Milvus URI"
    if not parts.netloc:
        return f"{shown} has no host"
    if _user_part(uri) != (parts.netloc.rpartition("@")[0] if "@" in parts.netloc else None):
        return (
            f"{shown} has an '@' after a '/', '?' or '#': pymilvus would read part of the user part as the "
            "host, and it does not decode %-escapes; give the password in MILVUS_PASSWORD or the keyring "
            "instead of the URI"
        )
    try:
        port = parts.port
    except ValueError:
        return f"{shown} has a port that is not a number from 1 to 65535"
    if port == 0:
        return f"{shown} has port 0"
    if not (host := parts.hostname):
        return f"{shown} has no host"
    if ":" in host:
        # pymilvus dials "host:port" without brackets, which gRPC cannot read for an IPv6 address
        return f"{shown} is an IPv6 address, which pymilvus cannot connect to; use a host name for it"
    username, password = parts.username, parts.password
    if username == "" and password:
        return f"{shown} has a password but no user (pymilvus would send neither)"
    secure = parts.scheme == "https"
    return MilvusAddress(
        scheme=parts.scheme,
        host=host,
        port=port or (TLS_PORT if secure else DEFAULT_PORT),
        db_name=parts.path.strip("/").split("/")[0] or None,
        secure=secure,
        user=username if username and password else None,
        password=SecretStr(password) if username and password else None,
        token=SecretStr(username) if username and not password else None,
    )


def uri_problem(uri: str) -> str | None:
    """Why ``uri`` is refused (pymilvus would refuse or misread it), or None when it is accepted."""
    return parsed if isinstance(parsed := _parse(uri), str) else None


def parse_uri(uri: str) -> MilvusAddress:
    """Read a Milvus URI as pymilvus does; a ConfigError (user part never shown) for one it would misread."""
    if isinstance(parsed := _parse(uri), str):
        raise ConfigError(parsed, hint=URI_HINT)
    return parsed


def endpoint(uri: str, *, secure: bool = False) -> str:
    """The endpoint a secret is stored for, ``scheme://host:port``: ``tcp`` written ``http`` (the same
    connection); ``secure`` (``tls.secure = true``) makes it ``https``: TLS and plaintext share no secret."""
    if uri.startswith("unix:"):
        return uri
    parts = urlparse(uri)
    scheme = "http" if parts.scheme.lower() == "tcp" else parts.scheme.lower()
    host = (parts.hostname or "localhost").lower()
    host = f"[{host}]" if ":" in host else host
    port = parts.port or (TLS_PORT if scheme == "https" else DEFAULT_PORT)
    return f"{'https' if secure else scheme}://{host}:{port}"
