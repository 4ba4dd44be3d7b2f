"""``milvus-profiles env``: a resolved profile as MILVUS_* variables, for programs in any language.

The variable names come from the one table in :mod:`milvus_profiles.fields`. Secrets are printed only
with ``--include-secrets``; each format quotes values so that its reader takes them literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import click
from pydantic import SecretStr

from ..connection.wire import plan
from ..fields import FIELDS, SECRET_FIELDS
from ..resolution.resolved import ResolvedProfile
from ..uri import redact
from .common import State, pick_profile, profile_argument

FORMATS = ("sh", "fish", "powershell", "dotenv", "json")


def _sh(name: str, value: str) -> str:
    return f"export {name}='" + value.replace("'", "'\\''") + "'"


def _fish(name: str, value: str) -> str:
    return f"set -gx {name} '" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _powershell(name: str, value: str) -> str:
    # Single quotes are literal in PowerShell; curly quotes count as quotes too, so double all of them.
    return f"$env:{name} = '" + re.sub("(['\u2018\u2019\u201a\u201b])", r"\1\1", value) + "'"


def _dotenv(name: str, value: str) -> str:
    # Single quotes are literal for python-dotenv, Node's dotenv and Docker Compose; double quotes with
    # escapes only when the value holds a single quote or a line break.
    if "'" not in value and "\n" not in value and "\r" not in value:
        return f"{name}='{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'{name}="{escaped}"'


WRITERS: dict[str, Callable[[str, str], str]] = {
    "sh": _sh,
    "fish": _fish,
    "powershell": _powershell,
    "dotenv": _dotenv,
}


def _text(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _values(cfg: ResolvedProfile) -> tuple[dict[str, object], dict[str, str]]:
    """The value of each variable as every SDK reads it, and for each secret where it comes from.

    The URI is exported as ``scheme://host:port`` (the Node.js SDK refuses a path, and a user part is a
    secret): its database goes to MILVUS_DB_NAME and its user part to MILVUS_TOKEN, or to MILVUS_USER and
    MILVUS_PASSWORD, all as ``milvus_profiles.connection.wire.plan`` sends them.
    """
    wire = plan(cfg)
    values: dict[str, object] = {f.name: getattr(cfg, f.name) for f in FIELDS}
    values["uri"], values["db_name"] = wire.address.base, wire.db_name
    # a user is a secret only when it comes from a URI's user part
    origins = {name: str(cfg.origins[name]) for name in SECRET_FIELDS if values[name] is not None}
    address = wire.address
    if wire.credential_origin == "uri":
        where = f"the user part of {redact(cfg.uri)} ({cfg.origins['uri']})"
        if address.token is not None:
            values["token"], origins["token"] = address.token, where
        elif cfg.user in (None, address.user):
            values["user"], origins["user"] = address.user, where
            values["password"], origins["password"] = address.password, where
        else:
            # MILVUS_USER names another user: the URI's pair goes whole, as the token pymilvus sends
            values["token"], origins["token"] = address.credential, where
    return values, origins


def _variables(cfg: ResolvedProfile, include_secrets: bool) -> tuple[dict[str, str], list[str]]:
    values, secret_origins = _values(cfg)
    variables: dict[str, str] = {}
    notes: list[str] = []
    for field in FIELDS:
        value = values[field.name]
        if value is None:
            continue
        if field.name in secret_origins and not include_secrets:
            notes.append(
                f"{field.env} is not printed: the {field.name} comes from {secret_origins[field.name]}; "
                "add --include-secrets to print it"
            )
            continue
        variables[field.env] = value.get_secret_value() if isinstance(value, SecretStr) else _text(value)
    return variables, notes


@click.command()
@profile_argument
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="sh", show_default=True, help="The output format."
)
@click.option("--include-secrets", is_flag=True, help="Also print MILVUS_PASSWORD / MILVUS_TOKEN.")
@click.pass_obj
def env(state: State, name: str | None, profile_option: str | None, fmt: str, include_secrets: bool) -> None:
    """Print profile NAME as MILVUS_* environment variables.

    \b
    Examples:
      eval "$(milvus-profiles env dev)"
      milvus-profiles env dev --format fish | source
      milvus-profiles env dev --format powershell | Out-String | Invoke-Expression
      milvus-profiles env dev --format dotenv > .env.milvus
    """
    from ..resolution.resolver import resolve

    cfg = resolve(pick_profile(state, name, profile_option), files=state.files)
    variables, notes = _variables(cfg, include_secrets)
    for table, values in (("tls", cfg.tls), ("grpc", cfg.grpc_options)):
        if values:
            notes.append(
                f"{table} settings have no environment variables and are not exported: {', '.join(values)}"
            )
    if fmt == "json":
        state.out.json(variables)
        return
    write = WRITERS[fmt]
    lines = [f"# milvus-profiles: profile {cfg.name or '(none)'}"]
    lines += [f"# {note}" for note in notes]
    lines += [write(k, v) for k, v in variables.items()]
    state.out.raw("\n".join(lines) + "\n")
