"""``env``, ``exec`` and ``shell``: a profile as MILVUS_* variables (each quoted for its reader to take
literally), a program run with them, or a Python prompt with a connected client."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click
from pydantic import SecretStr

from ..config.environment import untrusted_names
from ..errors import ConfigError
from ..fields import EXPORTED_ENV, FIELDS, FILES_ENV, PROFILE_ENV, SECRET_FIELDS
from ..resolution.expansion import references
from ..uri import redact
from .common import State, complete_profiles, pick_profile, profile_argument
from .output import UNSAFE, escape

if TYPE_CHECKING:
    from ..resolution.resolved import ResolvedProfile


class Unprintable(Exception):
    """A writer cannot carry a value; says why without showing the value (it may be a secret)."""


# a backslash that python-dotenv (all of these), Node or npm dotenv (\n, \r) decode in double quotes
_DOTENV_ESCAPE = re.compile(r"\\([\\'\"abfnrtv]|\Z)")
NOT_FOUND = 127  # the exit statuses shells use for a command not found, or found but not runnable
NOT_EXECUTABLE = 126
# Python ignores these at start; an ignored signal stays ignored across exec, and a program expects the
# default (`yes | head -1` ends `yes` by SIGPIPE), so they are restored as subprocess's restore_signals does.
_RESTORED = [getattr(signal, s) for s in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, s)]


def _dotenv(name: str, value: str) -> str:
    # The first of three quotings that python-dotenv, Node's --env-file and npm dotenv all read back as
    # `value` (they differ on every escape): single quotes, double quotes, or none.
    if "\r" in value:  # Node drops it, npm dotenv turns it into a newline, even inside quotes
        raise Unprintable("holds a carriage return, which Node and npm dotenv do not read back")
    # python-dotenv expands ${NAME} in any quotes, with no escape (the rule `references` follows)
    if next(references(value), None) is not None:
        raise Unprintable("holds ${...}, which python-dotenv would expand whatever the quotes")
    if "'" not in value and "\\\\" not in value and not value.endswith("\\"):
        return f"{name}='{value}'"
    if '"' not in value and not _DOTENV_ESCAPE.search(value):
        return f'{name}="{value}"'
    trimmed = value.strip().strip("\ufeff")  # what JavaScript's trim() takes off beyond str.isspace()
    if value and value == trimmed and "\n" not in value and "#" not in value and value[0] not in "'\"`":
        return f"{name}={value}"
    raise Unprintable(
        "holds a single quote together with a double quote or a backslash escape, and a newline, a '#' "
        "or a space at either end: the dotenv readers disagree on every way to quote it"
    )


WRITERS: dict[str, Callable[[str, str], str]] = {
    # bash, dash and zsh take every character in single quotes literally; a quote is written '\''
    "sh": lambda n, v: f"export {n}='" + v.replace("'", "'\\''") + "'",
    # fish single quotes: only \' and \\ are escapes, every other character (newlines too) is literal
    "fish": lambda n, v: f"set -gx {n} '" + v.replace("\\", "\\\\").replace("'", "\\'") + "'",
    # PowerShell single quotes are literal; curly quotes count as quotes too, so all are doubled
    "powershell": lambda n, v: f"$env:{n} = '" + re.sub("(['\u2018\u2019\u201a\u201b])", r"\1\1", v) + "'",
    "dotenv": _dotenv,
}
FORMATS = (*WRITERS, "json")


def write_line(fmt: str, name: str, value: str) -> str:
    """One ``name=value`` line in ``fmt``; a value the format cannot carry is a `ConfigError`.

    Examples:
        >>> write_line("sh", "MILVUS_DB_NAME", "it's $(here)")
        "export MILVUS_DB_NAME='it'\\\\''s $(here)'"
    """
    try:
        if "\0" in value:  # it ends a C string
            raise Unprintable("holds a NUL character, which no environment variable can hold")
        if re.search("[\ud800-\udfff]", value):  # a lone surrogate: bytes that were not UTF-8
            raise Unprintable("is not valid UTF-8 text")
        return WRITERS[fmt](name, value)
    except Unprintable as e:
        raise ConfigError(
            f"{name} cannot be printed in the {fmt} format: its value {e}",
            hint="use another --format (sh, fish and json carry any text without a NUL), or change the value",
        ) from None


def profile_variables(cfg: ResolvedProfile, *, include_secrets: bool) -> tuple[dict[str, str], list[str]]:
    """The ``MILVUS_*`` variables of a resolved profile (secrets only with ``include_secrets``), and notes
    on what was left out; what ``env`` prints and ``exec`` hands to a program. Each value is as every SDK
    reads it: MILVUS_URI is ``scheme://host:port`` (the Node.js SDK refuses a path), ``https://`` for TLS."""
    wire = cfg.wire
    # a transport setting the connection uses and no variable carries is refused, naming the first one
    tls = [f"tls.{k}" for k in wire.tls_files] + (["tls.server_name"] if wire.server_name else [])
    if (key := next(iter(tls + [f"grpc.{k}" for k in wire.grpc_options]), None)) is not None:
        origin = cfg.origins.get(key)
        raise ConfigError(
            f"profile {cfg.name or '(none)'}: {key}" + (f" ({origin})" if origin else "") + " cannot be "
            "passed in MILVUS_* variables: a program given only them would connect without it, unlike "
            "`test` and connect()",
            hint="use the profile from Python, where connect() and resolve(...).client_kwargs() carry "
            f"every setting; or remove {key} from the profile",
        )
    address, base = wire.address, wire.address.base
    values: dict[str, object] = {f.name: getattr(cfg, f.name) for f in FIELDS}
    values["uri"] = "https" + base[base.index("://") :] if wire.secure and not address.secure else base
    values["db_name"] = wire.db_name
    # a user is a secret only when it comes from a URI's user part
    origins = {name: str(cfg.origins[name]) for name in SECRET_FIELDS if values[name] is not None}
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
    variables: dict[str, str] = {}
    notes: list[str] = []
    for field in FIELDS:
        value = values[field.name]
        if value is not None and field.name in origins and not include_secrets:
            notes.append(
                f"{field.env} is not printed: the {field.name} comes from {origins[field.name]}; "
                "add --include-secrets to print it"
            )
        elif value is not None:  # a whole number of seconds as an integer, which every SDK reads
            value = value.get_secret_value() if isinstance(value, SecretStr) else value
            variables[field.env] = str(
                int(value) if isinstance(value, float) and value.is_integer() else value
            )
    if cfg.name is not None:
        variables[EXPORTED_ENV] = cfg.name
    if unused := [k for k in cfg.tls if k != "secure"]:
        notes.append(f"tls settings have no environment variables and are not exported: {', '.join(unused)}")
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

    state.out.json_errors = fmt == "json"
    cfg = resolve(pick_profile(state, name, profile_option), files=state.files)
    variables, notes = profile_variables(cfg, include_secrets=include_secrets)
    if include_secrets and cfg.secret_error is not None:  # asked for, and not there: say why
        state.out.warning(cfg.secret_error.message, cfg.secret_error.hint)
    if fmt == "json":
        state.out.json(variables)
        return
    lines = [write_line(fmt, k, v) for k, v in variables.items()]  # refuse before printing anything
    if state.out.terminal:
        # Read on a screen, not by a shell (eval "$(...)", | source and > file are not terminals): a
        # control character would act on the terminal instead of being shown.
        for i, (k, v) in enumerate(variables.items()):
            if UNSAFE.search(v.replace("\n", "").replace("\t", "")):
                lines[i] = f"# {k} holds control characters and is not printed to a terminal: pipe or "
                lines[i] += "redirect the output to use it, or see it escaped with --format json"
    # escaped like every line the command prints: a comment must end where it seems to end
    comments = [f"milvus-profiles: profile {cfg.name or '(none)'}", *notes]
    state.out.raw("".join(f"# {escape(c)}\n" for c in comments) + "".join(f"{line}\n" for line in lines))


def run_program(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Replace this process with ``argv``; on Windows run it and return its exit status (OSError: not run)."""
    if os.name == "nt":
        process = subprocess.Popen(list(argv), env=dict(env))
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:  # the console sent it to the program as well; wait for it to end
                continue
    for stream in (sys.stdout, sys.stderr):  # what we printed is lost with the process otherwise
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    previous = {s: signal.signal(s, signal.SIG_DFL) for s in _RESTORED}
    try:
        os.execvpe(argv[0], list(argv), dict(env))  # noqa: S606  # the program the user named, no shell
    except OSError:  # nothing was replaced: this process goes on, and says why
        for number, handler in previous.items():
            signal.signal(number, handler)
        raise


@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.argument("name", shell_complete=complete_profiles)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@click.pass_context
def exec_program(ctx: click.Context, name: str, command: tuple[str, ...]) -> None:
    """Run COMMAND with profile NAME's MILVUS_* variables (secrets included) in its environment.

    Nothing is set in your shell and no secret goes on a command line. COMMAND takes the place of this
    process, so signals reach it and its exit status is yours to see, as if you had run it alone
    (127: not found, 126: cannot run). TLS is passed as an https:// MILVUS_URI; a tls or grpc setting
    no variable carries is refused.

    \b
    Examples:
      milvus-profiles exec prod -- go run ./cmd/loader
      milvus-profiles exec dev -- node loader.js
      milvus-profiles exec dev -- sh -c 'curl -sf "$MILVUS_URI/v2/vectordb/collections/list" \\
        -H "Authorization: Bearer $MILVUS_TOKEN" -d "{}"'
    """
    from ..connection.diagnose import preflight
    from ..resolution.resolver import resolve
    from . import fail

    state: State = ctx.obj
    if command[:1] == ("--",):  # click keeps the `--` that comes after NAME
        command = command[1:]
    if not command:
        raise click.UsageError("no command given: milvus-profiles exec NAME -- COMMAND [ARG]...")
    cfg = resolve(name, files=state.files)
    preflight(cfg)  # what connect() would refuse (no password, a keyring that failed) is refused here too
    variables, notes = profile_variables(cfg, include_secrets=True)
    for note in notes:
        state.out.warning(note)
    # without any variable we read, so a connect() in it picks no other profile on top of these values
    ours = {f.env for f in FIELDS} | {PROFILE_ENV, FILES_ENV, EXPORTED_ENV}
    env = {k: v for k, v in os.environ.items() if k not in ours} | variables
    # a program that imports pymilvus loads the .env of its folder, which never overrides a set variable
    env |= {name: "" for name in untrusted_names() if name not in env}
    try:
        code = run_program(command, env)
    except OSError as e:
        missing = isinstance(e, FileNotFoundError)
        reason = "command not found" if missing else (e.strerror or str(e)).lower()
        error = ConfigError(f"cannot run {command[0]!r}: {reason}", hint="check the program's name and PATH")
        fail(ctx, error, NOT_FOUND if missing else NOT_EXECUTABLE)
    ctx.exit(code)


@click.command()
@profile_argument
@click.option("--plain", is_flag=True, help="Use Python's own prompt even when IPython is installed.")
@click.pass_obj
def shell(state: State, name: str | None, profile_option: str | None, plain: bool) -> None:
    """Open a Python prompt with `client` connected with profile NAME.

    The prompt is IPython's when it is installed, else Python's. `client` is a ready
    pymilvus.MilvusClient (made by connect()), `profile` the resolved profile; the summary printed first
    shows every value and where it came from, secrets masked.

    \b
    Example:
      milvus-profiles shell prod
      >>> client.list_collections()
    """
    from ..connection.client import connect
    from ..resolution.resolver import resolve

    cfg = resolve(pick_profile(state, name, profile_option), files=state.files)
    client = connect(cfg.name, files=state.files)
    namespace: dict[str, Any] = {"client": client, "profile": cfg}
    for line in (  # one at a time: line() shows a newline escaped
        *cfg.explain().splitlines(),
        "",
        "`client` is a pymilvus.MilvusClient connected with this profile, `profile` the resolved profile.",
        "Try client.list_collections(); leave with exit() or Ctrl-D.",
    ):
        state.out.line(line)
    with contextlib.closing(client):
        if not plain and importlib.util.find_spec("IPython") is not None:
            importlib.import_module("IPython").start_ipython(argv=["--no-banner"], user_ns=namespace)
        else:
            import code

            code.interact(banner="", local=namespace, exitmsg="")
