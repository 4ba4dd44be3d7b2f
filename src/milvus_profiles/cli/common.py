"""What the commands share: the global options, profile NAME, ``--scope``, and reading a secret."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click
from click.shell_completion import CompletionItem

from ..config import discovery, toml
from ..errors import ConfigError
from ..fields import profile_name_problem
from .output import Output, escape

if TYPE_CHECKING:
    from ..config.catalog import Catalog
    from ..resolution.resolved import ResolvedProfile

F = TypeVar("F", bound=Callable[..., Any])


class State(NamedTuple):
    """The global options, handed to every command as ``ctx.obj``."""

    out: Output
    files: tuple[str, ...] | None = None
    profile: str | None = None
    debug: bool = False


def complete_profiles(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of profile names, from the files ``--file`` names or discovery finds."""
    from ..config.catalog import load_catalog

    try:
        files = ctx.find_root().params.get("files") or None
        names = load_catalog(files, validate=False).names()
    except Exception:  # completion must never print a traceback into the shell
        return []
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


def profile_option(help_text: str, *name: str) -> Callable[[F], F]:
    """``--profile NAME``, the names completed from the profile files."""
    return click.option("--profile", *name, metavar="NAME", shell_complete=complete_profiles, help=help_text)


def profile_argument(f: F) -> F:
    """An optional ``NAME`` argument and its synonym ``--profile NAME``."""
    f = profile_option("The profile (same as NAME).", "profile_option")(f)
    return click.argument("name", required=False, shell_complete=complete_profiles)(f)


def pick_profile(state: State, name: str | None, option: str | None) -> str | None:
    """The profile named by NAME, the command's --profile or the global --profile (None: the default)."""
    given = {n for n in (name, option, state.profile) if n}
    if len(given) > 1:  # click prints this itself, so the names are escaped here
        names = ", ".join(escape(n) for n in sorted(given))
        raise click.UsageError(f"two profiles given ({names}); give one")
    return given.pop() if given else None


def check_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """Profile names a shell and a TOML key both take as they are (`fields.PROFILE_NAME`)."""
    if (problem := profile_name_problem(value)) is not None:
        raise click.BadParameter(problem)
    return value


def scope_option(help_text: str) -> Callable[[F], F]:
    return click.option("--scope", type=click.Choice(("project", "local", "user")), help=help_text)


def scope_file(state: State, scope: str | None) -> Path:
    """The file ``--scope`` names; without it the first ``--file``, else the project file, else the user's."""
    if scope is None:
        paths, explicit = discovery.discover(state.files)
        if explicit:
            return paths[0].absolute()
    project = None if scope == "user" else discovery.find_project_dir()
    if project is None and scope in (None, "user"):
        return discovery.user_file().absolute()
    if project is None:
        where = f"no {discovery.PROJECT_FILE} in this folder or above it (up to the repository root)"
        hint = "create one with `milvus-profiles init`, or use --scope user"
        raise ConfigError(f"--scope {scope}: {where}", hint=hint)
    return (project / (discovery.LOCAL_FILE if scope == "local" else discovery.PROJECT_FILE)).absolute()


def is_private(path: Path) -> bool:
    """Files in the user's config folder are created readable by the user only."""
    return path.absolute().is_relative_to(discovery.user_config_dir().absolute())


def read_secret(state: State, *, stdin: bool, label: str, stdin_option: str = "--stdin") -> str:
    """A secret from standard input (one trailing newline removed) or asked twice without echo, once the
    keyring is known to work: no one types a password twice to learn that it cannot be stored."""
    if stdin:
        if not (value := sys.stdin.read().removesuffix("\n").removesuffix("\r")):
            hint = "pipe it in, e.g. `pass show milvus/dev | milvus-profiles secret set dev --stdin`"
            raise ConfigError("no secret on standard input", hint=hint)
        return value
    import getpass
    import warnings

    from ..secrets.keyring_store import check_available

    check_available()
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:  # on standard error, so standard output stays clean; without a terminal getpass would echo
            return str(click.prompt(escape(label), hide_input=True, confirmation_prompt=True, err=True))
        except getpass.GetPassWarning:
            why = "there is no terminal to ask for the secret on without showing it"
            raise click.UsageError(f"{why}; give it on standard input with {stdin_option} instead") from None


def catalog_with(state: State, changed: toml.ProfileFile) -> Catalog:
    """The catalog as it will be once ``changed`` is written (for checks made before writing)."""
    from ..config.catalog import Catalog

    paths, explicit = discovery.discover(state.files)
    paths = [p.absolute() for p in paths]
    kept = [p for p in paths if p == changed.path or p.exists() or explicit]
    loaded = [changed if p == changed.path else toml.read_file(p) for p in kept]
    if changed.path not in paths:
        loaded.append(changed)
    return Catalog(files=tuple(loaded), searched=tuple(paths))


def lower_files(state: State, target: Path) -> list[Path]:
    """``target`` and the existing files below it: the files its profiles resolve against."""
    paths = [p.absolute() for p in discovery.discover(state.files)[0]]
    return [p for p in (paths[paths.index(target) :] if target in paths else [target]) if p.exists()]


DEFAULT_USER = "root"
# Milvus's built-in password for root: public knowledge, to be changed before production; only compared with
DEFAULT_PASSWORD = "Milvus"  # noqa: S105


def default_password_warning(cfg: ResolvedProfile) -> tuple[str, str] | None:
    """A warning and its fix when the profile logs in as ``root`` with Milvus's built-in password."""
    name = cfg.name or "(none)"
    if cfg.user == DEFAULT_USER and cfg.password and cfg.password.get_secret_value() == DEFAULT_PASSWORD:
        hint = f"change it on the server and in the keyring with `milvus-profiles secret rotate {name}`"
    elif cfg.token and cfg.token.get_secret_value() == f"{DEFAULT_USER}:{DEFAULT_PASSWORD}":
        then = f"`milvus-profiles secret set {name}`, then run `milvus-profiles secret rotate {name}`"
        hint = f"set the user (`milvus-profiles set {name} user root`), store the password with {then}"
    else:
        return None
    warning = f"profile {name} logs in as {DEFAULT_USER!r} with Milvus's built-in default password, "
    return warning + "which must be changed before production", hint
