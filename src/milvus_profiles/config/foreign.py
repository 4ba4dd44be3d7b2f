"""Profiles from the settings people have today: ``MILVUS_*`` variables (in the environment or a ``.env``
file) and milvus_cli's saved connections (``~/.milvus_cli_connections.json``).

Each source gives :class:`Found` profiles: the values a profile file takes, and the secret apart from them,
for the keyring. Nothing here writes a file or touches the keyring; ``milvus-profiles import`` does, with
the same writers as ``add``.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlsplit, urlunparse

from ..errors import ConfigError
from ..fields import FIELDS_BY_NAME, PROFILE_NAME, secret_field
from ..uri import is_lite, parse_uri
from .read import UnreadableFile, read_limited

FOREIGN_FILE_LIMIT = 1024 * 1024
"""A ``.env`` file or milvus_cli's connections are a few lines; anything larger is the wrong file."""

MILVUS_CLI_FILE = ".milvus_cli_connections.json"


@dataclass(frozen=True)
class Found:
    """One profile found in another tool's settings.

    ``values`` are the keys of a ``[profiles.NAME]`` table (never a secret); ``secret`` is the password
    (when there is a user) or the token, kept out of ``repr``. ``plaintext`` says where that secret
    still lies in clear text once it is in the keyring, for the user to delete it there, and ``holders``
    which variables hold it.
    """

    name: str
    values: dict[str, Any]
    source: str
    secret: str | None = field(default=None, repr=False)
    plaintext: str | None = None
    holders: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def secret_kind(self) -> str:
        """``password`` for a profile with a user, else ``token``."""
        return secret_field(self.values.get("user"))


def _env(name: str) -> str:
    return FIELDS_BY_NAME[name].env


@dataclass(frozen=True)
class SplitUri:
    """A URI taken apart as pymilvus reads it: the URI with neither user part nor path, the database its
    path names, and its user part (a token, or a user and password), kept out of ``repr``."""

    uri: str
    db_name: str | None = None
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)


def split_uri(uri: str, *, where: str = "the URI") -> SplitUri:
    """``uri`` without its user part and database path, and what they held.

    A bare ``host:port`` (as milvus_cli saves it) gets ``http://``. ``where`` names the URI in errors.

    Raises:
        ConfigError: pymilvus would refuse or misread the URI; the message never shows its user part.
    """
    if not is_lite(uri) and not uri.startswith("unix:") and "://" not in uri:
        uri = f"http://{uri}"
    try:
        address = parse_uri(uri)
    except ConfigError as e:
        raise ConfigError(f"{where}: {e.message}") from None
    if not address.is_network:
        return SplitUri(uri)
    parts = urlparse(uri)
    bare = urlunparse((parts.scheme, parts.netloc.rpartition("@")[2], "", "", "", ""))
    return SplitUri(
        bare,
        address.db_name,
        user=address.user,
        password=address.password.get_secret_value() if address.password else None,
        token=address.token.get_secret_value() if address.token else None,
    )


def _database(given: str | None, split: SplitUri, *, given_name: str, uri_name: str) -> str | None:
    """The database: the one given, or the URI's path; both, naming different databases, is an error."""
    if given and split.db_name and given != split.db_name:
        raise ConfigError(
            f"{given_name} is {given!r} but the path of {uri_name} names database {split.db_name!r}",
            hint=f"remove the path from {uri_name}, or make the two agree",
        )
    return given or split.db_name


def _credentials(
    user: str | None, password: str | None, token: str | None, *, names: tuple[str, str, str]
) -> tuple[str | None, str | None, list[str]]:
    """The profile's user and its one secret from a user, a password and a token; notes say what is
    left out. ``names`` are what the three are called in the source, for the notes."""
    user_name, password_name, token_name = names
    notes: list[str] = []
    if token and not user and ":" in token:
        # pymilvus and Milvus read a token "user:password" as those two; the user belongs in the file.
        user, _, password = token.partition(":")
        return user or None, password or None, notes
    if user:
        if token and token.startswith(f"{user}:") and not password:
            password = token.partition(":")[2]
        elif token:
            notes.append(f"{token_name} is not imported: a profile with a user takes a password, not a token")
        return user, password or None, notes
    if password:
        notes.append(f"{password_name} is not imported: without {user_name} no password is used")
    return None, token or None, notes


def from_variables(variables: Mapping[str, str], *, name: str, source: str, plaintext: str) -> Found:
    """A profile from ``MILVUS_*`` variables (the environment, or a ``.env`` file's contents).

    ``source`` names where they come from in messages; ``plaintext`` where the secret stays in clear text.
    """
    values: dict[str, Any] = {}
    raw_uri = variables.get(_env("uri")) or ""
    if not raw_uri:
        raise ConfigError(
            f"{_env('uri')} is not set in {source}, so there is no server to import",
            hint=f"set {_env('uri')}, or add a profile with `milvus-profiles add {name} --uri URI`",
        )
    split = split_uri(raw_uri, where=f"{_env('uri')} in {source}")
    values["uri"] = split.uri
    db_name = _database(
        variables.get(_env("db_name")),
        split,
        given_name=f"{_env('db_name')} in {source}",
        uri_name=f"{_env('uri')} in {source}",
    )
    if db_name:
        values["db_name"] = db_name
    if variables.get(_env("timeout")):
        values["timeout"] = _timeout(variables[_env("timeout")], f"{_env('timeout')} in {source}")
    user, secret, notes = _credentials(
        variables.get(_env("user")) or split.user,
        variables.get(_env("password")) or split.password,
        variables.get(_env("token")) or split.token,
        names=(_env("user"), _env("password"), _env("token")),
    )
    if user:
        values["user"] = user
    holders = tuple(
        _env(k) for k in ("password", "token", "uri") if secret and secret in variables.get(_env(k), "")
    )
    found = Found(
        name, values, source, secret=secret, plaintext=plaintext, holders=holders, notes=tuple(notes)
    )
    return _finish(found)


def read_dotenv(path: Path) -> dict[str, str]:
    """The variables a ``.env`` file sets, as python-dotenv (and so pymilvus) reads them."""
    from dotenv import dotenv_values

    try:
        raw = read_limited(path, limit=FOREIGN_FILE_LIMIT, what=".env file")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file", hint="give the file with --path") from None
    except UnreadableFile as e:
        raise ConfigError(f"{path}: {e.reason}", hint="give the file with --path") from None
    text = raw.decode("utf-8", errors="replace")
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def from_milvus_cli(path: Path, *, label: str | None = None) -> list[Found]:
    """The connections milvus_cli saved: ``{alias: {"uri", "token", "tlsmode", "cert", ...}}``.

    ``label`` is how messages name the file (its path by default).
    milvus_cli keys a connection by its alias, or by its URI when it has none; a key that is not a
    profile name becomes one made of the host and port. Its ``token`` is an API key or ``user:password``;
    ``tlsmode`` 1 is one-way TLS with ``cert`` as the server's certificate.
    """
    try:
        data = json.loads(read_limited(path, limit=FOREIGN_FILE_LIMIT, what="milvus_cli connections file"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file; milvus_cli saves its connections there",
            hint="give the file with --path",
        ) from None
    except UnreadableFile as e:
        raise ConfigError(f"{path}: {e.reason}", hint="give the file with --path") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ConfigError(f"{path}: not a milvus_cli connections file ({type(e).__name__})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ConfigError(f"{path}: not a milvus_cli connections file (expected an object of connections)")
    taken: set[str] = set()
    label = label or str(path)
    return [_milvus_cli_connection(str(key), connection, label, taken) for key, connection in data.items()]


def _milvus_cli_connection(key: str, connection: Mapping[str, Any], label: str, taken: set[str]) -> Found:
    raw_uri = connection.get("uri")
    where = f"{label} [{key}]"
    if not isinstance(raw_uri, str) or not raw_uri:
        raise ConfigError(f"{where}: the connection has no uri")
    split = split_uri(raw_uri, where=where)
    uri = split.uri
    name = _unique(key if PROFILE_NAME.fullmatch(key) else _name_from_uri(uri), taken)
    values: dict[str, Any] = {"uri": uri}
    if split.db_name:
        values["db_name"] = split.db_name
    token = connection.get("token")
    token = token.strip() if isinstance(token, str) and token.strip() else None
    user, secret, notes = _credentials(
        split.user,
        split.password,
        token or split.token,
        names=("a user in the uri", "the password in the uri", "the token"),
    )
    if user:
        values["user"] = user
    tls, tls_notes = _milvus_cli_tls(connection, uri)
    if tls:
        values["tls"] = tls
    found = Found(name, values, where, secret=secret, plaintext=label, notes=tuple(notes + tls_notes))
    return _finish(found)


def _milvus_cli_tls(connection: Mapping[str, Any], uri: str) -> tuple[dict[str, Any], list[str]]:
    mode = connection.get("tlsmode") or 0
    cert = connection.get("cert")
    cert = cert.strip() if isinstance(cert, str) and cert.strip() else None
    if mode == 1:
        tls: dict[str, Any] = {} if uri.lower().startswith("https") else {"secure": True}
        if cert:
            tls["server_pem_path"] = cert
        return tls, []
    if mode == 2:
        note = (
            "tlsmode 2 (mutual TLS) is not imported: add client_pem_path, client_key_path and ca_pem_path "
            "to the profile's [tls] table"
        )
        return {"secure": True}, [note]
    return {}, []


def _name_from_uri(uri: str) -> str:
    parts = urlsplit(uri)
    text = f"{parts.hostname or 'milvus'}-{parts.port}" if parts.port else (parts.hostname or "milvus")
    # room for the "-2" _unique() may add, within the 64 characters of a profile name
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text)[:56].strip("-_") or "milvus"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _timeout(text: str, where: str) -> float | int:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    most = FIELDS_BY_NAME["timeout"].maximum or math.inf
    if not math.isfinite(value) or value <= 0 or value > most:
        raise ConfigError(f"{where}: {text!r} is not a number of seconds greater than 0 and at most {most:g}")
    return int(value) if value.is_integer() else value


def _finish(found: Found) -> Found:
    """A Milvus Lite profile takes no secret: drop it, and say so."""
    if found.secret is not None and is_lite(str(found.values["uri"])):
        note = f"the {found.secret_kind} is not imported: Milvus Lite takes no secret"
        return replace(found, secret=None, plaintext=None, holders=(), notes=(*found.notes, note))
    return found


__all__ = [
    "MILVUS_CLI_FILE",
    "Found",
    "SplitUri",
    "from_milvus_cli",
    "from_variables",
    "read_dotenv",
    "split_uri",
]
