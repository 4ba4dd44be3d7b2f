"""Profiles from the settings people have today: ``MILVUS_*`` variables (the environment or a ``.env``) and
milvus_cli's saved connections; nothing here writes a file or touches the keyring (``import`` does)."""

from __future__ import annotations

import contextlib
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
from ..uri import MilvusAddress, is_lite, parse_uri
from .read import UnreadableFile, read_limited

FOREIGN_FILE_LIMIT = 1024 * 1024  # a .env or milvus_cli's connections are a few lines; more is the wrong file
MILVUS_CLI_FILE = ".milvus_cli_connections.json"


@dataclass(frozen=True)
class Found:
    """One profile found in another tool's settings: the keys of its table (never a secret), its password
    or token, where that secret still lies in clear text (``plaintext``) and which variables hold it."""

    name: str
    values: dict[str, Any]
    source: str
    secret: str | None = field(default=None, repr=False)
    plaintext: str | None = None
    holders: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def secret_kind(self) -> str:
        return secret_field(self.values.get("user"))


def split_uri(uri: str, *, where: str = "the URI") -> tuple[str, MilvusAddress]:
    """``uri`` without its user part and database path (a bare ``host:port`` gets ``http://``), and what
    pymilvus reads in it; a ConfigError naming ``where`` (never the user part) for one it would refuse."""
    if not is_lite(uri) and not uri.startswith("unix:") and "://" not in uri:
        uri = f"http://{uri}"
    try:
        address = parse_uri(uri)
    except ConfigError as e:
        raise ConfigError(f"{where}: {e.message}") from None
    if not address.is_network:
        return uri, address
    parts = urlparse(uri)
    return urlunparse((parts.scheme, parts.netloc.rpartition("@")[2], "", "", "", "")), address


def _credentials(
    address: MilvusAddress, user: str | None, password: str | None, token: str | None, names: tuple[str, ...]
) -> tuple[str | None, str | None, list[str]]:
    """The user and one secret, from those given (called ``names``) or the URI's; notes on what is left."""
    user = user or address.user
    password = password or (address.password.get_secret_value() if address.password else None)
    token = token or (address.token.get_secret_value() if address.token else None)
    if token and not user and ":" in token:
        # pymilvus and Milvus read a token "user:password" as those two; the user belongs in the file.
        user, _, password = token.partition(":")
        return user or None, password or None, []
    if user:
        if token and token.startswith(f"{user}:") and not password:
            return user, token.partition(":")[2] or None, []
        lost = f"{names[2]} is not imported: a profile with a user takes a password, not a token"
        return user, password or None, [lost] if token else []
    lost = f"{names[1]} is not imported: without {names[0]} no password is used"
    return None, token or None, [lost] if password else []


def from_variables(variables: Mapping[str, str], *, name: str, source: str) -> Found:
    """A profile from ``MILVUS_*`` variables found in ``source``, where its secret stays in clear text."""
    env = {k: field.env for k, field in FIELDS_BY_NAME.items()}
    given = {k: variables.get(variable) or "" for k, variable in env.items()}
    where = {k: f"{variable} in {source}" for k, variable in env.items()}
    if not given["uri"]:
        raise ConfigError(
            f"{env['uri']} is not set in {source}, so there is no server to import",
            hint=f"set {env['uri']}, or add a profile with `milvus-profiles add {name} --uri URI`",
        )
    uri, address = split_uri(given["uri"], where=where["uri"])
    values: dict[str, Any] = {"uri": uri}
    if given["db_name"] and address.db_name and given["db_name"] != address.db_name:
        raise ConfigError(
            f"{where['db_name']} is {given['db_name']!r} but the path of {where['uri']} names database "
            f"{address.db_name!r}",
            hint=f"remove the path from {where['uri']}, or make the two agree",
        )
    if db_name := given["db_name"] or address.db_name:
        values["db_name"] = db_name
    if text := given["timeout"]:
        most = FIELDS_BY_NAME["timeout"].maximum or math.inf
        seconds = math.nan
        with contextlib.suppress(ValueError):
            seconds = float(text)
        if not math.isfinite(seconds) or seconds <= 0 or seconds > most:
            why = f"{text!r} is not a number of seconds greater than 0 and at most {most:g}"
            raise ConfigError(f"{where['timeout']}: {why}")
        values["timeout"] = int(seconds) if seconds.is_integer() else seconds
    names = (env["user"], env["password"], env["token"])
    user, secret, notes = _credentials(address, given["user"], given["password"], given["token"], names)
    values |= {"user": user} if user else {}
    holders = tuple(env[k] for k in ("password", "token", "uri") if secret and secret in given[k])
    return _finish(Found(name, values, source, secret, source, holders, tuple(notes)))


def _read(path: Path, what: str, missing: str = "no such file") -> bytes:
    try:
        return read_limited(path, limit=FOREIGN_FILE_LIMIT, what=what)
    except (FileNotFoundError, UnreadableFile) as e:
        why = e.reason if isinstance(e, UnreadableFile) else missing
        raise ConfigError(f"{path}: {why}", hint="give the file with --path") from None


def read_dotenv(path: Path) -> dict[str, str]:
    """The variables a ``.env`` file sets, as python-dotenv (and so pymilvus) reads them."""
    from dotenv import dotenv_values

    text = _read(path, ".env file").decode("utf-8", errors="replace")
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def from_milvus_cli(path: Path, *, label: str | None = None) -> list[Found]:
    """The connections milvus_cli saved (``{alias or uri: {"uri", "token", "tlsmode", "cert"}}``), named by
    alias, else by host and port; ``label`` names the file in messages. ``tlsmode`` 1 is one-way TLS."""
    raw = _read(path, "milvus_cli connections file", "no such file; milvus_cli saves its connections there")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ConfigError(f"{path}: not a milvus_cli connections file ({type(e).__name__})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ConfigError(f"{path}: not a milvus_cli connections file (expected an object of connections)")
    label = label or str(path)
    taken: set[str] = set()
    found: list[Found] = []
    for key, connection in data.items():
        where = f"{label} [{key}]"
        if not isinstance(connection.get("uri"), str) or not connection["uri"]:
            raise ConfigError(f"{where}: the connection has no uri")
        uri, address = split_uri(connection["uri"], where=where)
        parts = urlsplit(uri)
        host = f"{parts.hostname or 'milvus'}-{parts.port}" if parts.port else (parts.hostname or "milvus")
        # room for the "-2" a name taken already gets, within the 64 characters of a profile name
        host = re.sub(r"[^A-Za-z0-9_-]+", "-", host)[:56].strip("-_") or "milvus"
        base = key if PROFILE_NAME.fullmatch(key) else host
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        values: dict[str, Any] = {"uri": uri, "db_name": address.db_name} if address.db_name else {"uri": uri}
        token, cert = (
            v.strip() if isinstance(v := connection.get(k), str) else "" for k in ("token", "cert")
        )
        names = ("a user in the uri", "the password in the uri", "the token")
        user, secret, notes = _credentials(address, None, None, token or None, names)
        values |= {"user": user} if user else {}
        mode = connection.get("tlsmode") or 0  # 1: one-way TLS, with the server's certificate
        secure = mode == 2 or (mode == 1 and not uri.lower().startswith("https"))
        tls = ({"secure": True} if secure else {}) | ({"server_pem_path": cert} if mode == 1 and cert else {})
        if mode == 2:
            notes.append(
                "tlsmode 2 (mutual TLS) is not imported: add client_pem_path, client_key_path and "
                "ca_pem_path to the profile's [tls] table"
            )
        values |= {"tls": tls} if tls else {}
        found.append(_finish(Found(name, values, where, secret=secret, plaintext=label, notes=tuple(notes))))
    return found


def _finish(found: Found) -> Found:
    """A Milvus Lite profile takes no secret: drop it, and say so."""
    if found.secret is not None and is_lite(str(found.values["uri"])):
        note = f"the {found.secret_kind} is not imported: Milvus Lite takes no secret"
        return replace(found, secret=None, plaintext=None, holders=(), notes=(*found.notes, note))
    return found


__all__ = ["MILVUS_CLI_FILE", "Found", "from_milvus_cli", "from_variables", "read_dotenv", "split_uri"]
