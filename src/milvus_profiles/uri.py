"""Milvus URIs: what pymilvus accepts, the endpoint a secret belongs to, and redaction for display."""

from __future__ import annotations

from urllib.parse import urlsplit

NETWORK_SCHEMES = ("http", "https", "tcp")
DEFAULT_PORT = 19530

URI_HINT = (
    "use http://HOST:19530, https://HOST:443, tcp://HOST:19530, unix:/path/to/milvus.sock, "
    "or a Milvus Lite file ending in .db such as ./milvus.db"
)


def is_lite(uri: str) -> bool:
    """True for a Milvus Lite database path (pymilvus treats any URI ending in ``.db`` so)."""
    return uri.endswith(".db")


def uri_problem(uri: str) -> str | None:
    """Why pymilvus would refuse ``uri``, or None when it accepts it."""
    if is_lite(uri) or uri.startswith("unix:"):
        return None
    if not uri.strip():
        return "the URI is empty"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - urlsplit checks the port lazily
    except ValueError as e:
        # urlsplit's message quotes the host part, credentials included
        reason = str(e)
        userinfo = uri.partition("://")[2].partition("/")[0].rpartition("@")[0]
        if userinfo:
            reason = reason.replace(userinfo, "***")
        return f"{redact(uri)!r} is not a valid URI ({reason})"
    if parts.scheme.lower() not in NETWORK_SCHEMES:
        return f"{redact(uri)!r} is not a Milvus URI"
    if not parts.hostname:
        return f"{redact(uri)!r} has no host"
    return None


def has_credentials(uri: str) -> bool:
    """True when the URI carries a ``user:password@`` part."""
    if is_lite(uri) or uri.startswith("unix:"):
        return False
    try:
        return bool(urlsplit(uri).password)
    except ValueError:
        return False


def redact(uri: str) -> str:
    """The URI without any ``user:password@`` part, safe to show."""
    if "@" not in uri or is_lite(uri):
        return uri
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return uri
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}://{authority}{slash}{path}"


def endpoint(uri: str) -> str:
    """The normalised endpoint a secret is stored for: scheme, host and port.

    ``tcp`` and ``http`` are the same plaintext gRPC connection and share secrets; ``https`` does not.
    """
    if uri.startswith("unix:"):
        return uri
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        scheme = "http"
    host = (parts.hostname or "localhost").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or (443 if scheme == "https" else DEFAULT_PORT)
    return f"{scheme}://{host}:{port}"


def host_port(uri: str) -> tuple[str, int]:
    """The host and port a network URI connects to."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    return parts.hostname or "localhost", parts.port or (443 if scheme == "https" else DEFAULT_PORT)
