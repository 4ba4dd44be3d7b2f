"""``trust`` and ``untrust``: which project files may route your secrets.

A project file found from the working folder up came with whatever repository was cloned. Until you trust
it, its profiles still work for everything that sends no stored secret (listing, ``show --explain``,
Milvus Lite, servers without authentication). ``trust`` shows what the file decides (servers, users,
transport settings, references) and records it; a later change to any of those ends the trust of the
profile it is in. A ``.env`` file is trusted for its exact content.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..config import discovery, toml
from ..config import trust as trust_module
from ..errors import ConfigError
from .common import State
from .output import display_path


def is_env_file(path: Path) -> bool:
    """A file of environment variables (``.env``, ``.env.local``...), trusted by its exact content."""
    return path.name.startswith(".env")


def _read_env(path: Path) -> bytes:
    from ..config.read import UnreadableFile, read_limited

    try:
        return read_limited(path, limit=toml.MAX_FILE_SIZE, what=".env file")
    except FileNotFoundError:
        raise ConfigError("does not exist", path=path, hint="name a file that exists") from None
    except UnreadableFile as e:
        raise ConfigError(e.reason, path=path) from None


def _targets(state: State, paths: tuple[str, ...]) -> list[Path]:
    """The files named, or the project files discovered here that exist."""
    if paths:
        return [Path(p).expanduser().absolute() for p in paths]
    found, explicit = discovery.discover(state.files)
    project = [p for p in found if trust_module.kind_of(p, explicit) == "project" and p.exists()]
    if not project:
        raise ConfigError(
            f"no {discovery.PROJECT_FILE} or {discovery.LOCAL_FILE} here or in a folder above (up to the "
            "repository root)",
            hint="run it in the project, or name the file: `milvus-profiles trust PATH`",
        )
    return project


def _summary(pf: toml.ProfileFile) -> list[str]:
    """What the file decides about where secrets go, one line per profile."""
    from ..uri import redact

    lines = []
    profiles = pf.data.get("profiles", {})
    if isinstance(profiles, dict):
        for name, table in profiles.items():
            if not isinstance(table, dict):
                continue
            parts = []
            if "uri" in table:
                parts.append(redact(str(table["uri"])))
            if "user" in table:
                parts.append(f"user {table['user']}")
            if "extends" in table:
                parts.append(f"extends {table['extends']}")
            for key in ("tls", "grpc"):
                if isinstance(table.get(key), dict) and table[key]:
                    parts.append(f"[{key}] " + ", ".join(str(k) for k in table[key]))
            for key in ("password", "token"):
                if isinstance(table.get(key), dict):
                    from ..secrets.reference import describe

                    parts.append(f"{key} from {describe(table[key])}")
            lines.append(f"  {name}: " + ("; ".join(parts) if parts else "(no server settings)"))
    if "default" in pf.data:
        lines.append(f"  default: {pf.data['default']}")
    return lines


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option("--list", "show_list", is_flag=True, help="List the trusted files instead.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
@click.pass_obj
def trust(state: State, paths: tuple[str, ...], show_list: bool, as_json: bool) -> None:
    """Trust project files with your secrets (default: milvus.toml and milvus.local.toml found here).

    Read the file first: a trusted file's profiles may receive your stored secrets (keyring,
    MILVUS_PASSWORD / MILVUS_TOKEN) and run its secret references. The trust of a profile ends when its
    server, user, [tls] or [grpc] setting, TLS file, reference or extends changes (the default is trusted
    on its own); the versions you trusted before stay trusted. A .env file (.env, .env.*) is trusted for
    its exact content.

    \b
    Examples:
      milvus-profiles trust
      milvus-profiles trust path/to/milvus.toml
      milvus-profiles trust .env
      milvus-profiles trust --list
    """
    out = state.out
    if show_list:
        if paths:
            raise click.UsageError("give paths or --list, not both")
        entries: list[dict[str, Any]] = []
        for path, when in trust_module.trusted_files():
            status = "trusted"
            try:
                if is_env_file(path):
                    verdict = trust_module.content_trust(path, _read_env(path))
                else:
                    verdict = trust_module.assess(toml.read_file(path), "project")
                if not verdict.trusted:
                    status = verdict.why
            except ConfigError as e:
                status = e.reason
            entries.append({"path": str(path), "trusted_at": when, "status": status})
        if as_json:
            out.json({"trusted": entries})
            return
        if not entries:
            out.line("no project file is trusted")
            return
        rows: list[list[Any]] = [[display_path(e["path"]), e["trusted_at"], e["status"]] for e in entries]
        out.table(["FILE", "TRUSTED", "STATUS"], rows)
        return
    for path in _targets(state, paths):
        if is_env_file(path):
            problems = trust_module.trust_content(path, _read_env(path))
            summary = ["  its variables, as they are now"]
        else:
            pf = toml.read_file(path)
            problems = trust_module.trust(pf)
            summary = _summary(pf)
        if problems:
            first = problems[0]
            raise ConfigError(
                f"not trusted: {first.problem}, so whoever can change it could send your secrets elsewhere",
                path=first.path,
                hint=first.fix,
            )
        out.done(f"trusted {display_path(path)}:")
        for line in summary:
            out.line(line)


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.pass_obj
def untrust(state: State, paths: tuple[str, ...]) -> None:
    """Stop trusting project files or .env files (default: the profile files found here)."""
    for path in _targets(state, paths):
        if trust_module.untrust(path):
            state.out.done(f"no longer trusted: {display_path(path)}")
        else:
            state.out.done(f"{display_path(path)} was not trusted; nothing to do")
