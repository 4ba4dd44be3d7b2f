"""``trust`` and ``untrust``: which project files may route your secrets (recorded by ``config.trust``)."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import discovery, toml
from ..config import trust as trust_module
from ..config.read import UnreadableFile, read_limited
from ..errors import ConfigError
from ..secrets.reference import describe
from ..uri import redact
from .common import State
from .output import display_path


def _env_bytes(path: Path) -> bytes | None:
    """The content of a file of environment variables (``.env``, ``.env.local``...), trusted as it is."""
    if not path.name.startswith(".env"):
        return None
    try:
        return read_limited(path, limit=toml.MAX_FILE_SIZE, what=".env file")
    except FileNotFoundError:
        raise ConfigError("does not exist", path=path, hint="name a file that exists") from None
    except UnreadableFile as e:
        raise ConfigError(e.reason, path=path) from None


def _targets(state: State, paths: tuple[str, ...]) -> list[Path]:
    if paths:
        return [Path(p).expanduser().absolute() for p in paths]
    found, explicit = discovery.discover(state.files)
    if not (project := [p for p in found if trust_module.kind_of(p, explicit) == "project" and p.exists()]):
        files = f"{discovery.PROJECT_FILE} or {discovery.LOCAL_FILE}"
        hint = "run it in the project, or name the file: `milvus-profiles trust PATH`"
        raise ConfigError(f"no {files} here or in a folder above (up to the repository root)", hint=hint)
    return project


def _summary(data: dict[str, object]) -> list[str]:
    """What the file decides about where secrets go, one line per profile."""
    lines = []
    profiles = data.get("profiles")
    for name, table in profiles.items() if isinstance(profiles, dict) else ():
        if not isinstance(table, dict):
            continue
        parts = [redact(str(table["uri"]))] if "uri" in table else []
        parts += [f"{key} {table[key]}" for key in ("user", "extends") if key in table]
        for key in ("tls", "grpc"):
            if isinstance(table.get(key), dict) and table[key]:
                parts.append(f"[{key}] " + ", ".join(map(str, table[key])))
        for key in ("password", "token"):
            if isinstance(table.get(key), dict):
                parts.append(f"{key} from {describe(table[key])}")
        lines.append(f"  {name}: " + ("; ".join(parts) if parts else "(no server settings)"))
    return lines + ([f"  default: {data['default']}"] if "default" in data else [])


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
    if show_list:
        if paths:
            raise click.UsageError("give paths or --list, not both")
        entries = []
        for path, when in trust_module.trusted_files():
            try:
                if (content := _env_bytes(path)) is not None:
                    verdict = trust_module.content_trust(path, content)
                else:
                    verdict = trust_module.assess(toml.read_file(path), "project")
                status = "trusted" if verdict.trusted else verdict.why
            except ConfigError as e:
                status = e.reason
            entries.append({"path": str(path), "trusted_at": when, "status": status})
        if as_json:
            state.out.json({"trusted": entries})
        elif not entries:
            state.out.line("no project file is trusted")
        else:
            rows = [[display_path(e["path"]), e["trusted_at"], e["status"]] for e in entries]
            state.out.table(["FILE", "TRUSTED", "STATUS"], rows)
        return
    for path in _targets(state, paths):
        if (content := _env_bytes(path)) is not None:
            problems = trust_module.trust_content(path, content)
            summary = ["  its variables, as they are now"]
        else:
            pf = toml.read_file(path)
            problems, summary = trust_module.trust(pf), _summary(pf.data)
        if problems:
            why = f"not trusted: {problems[0].problem}, so whoever can change it could send your secrets"
            raise ConfigError(f"{why} elsewhere", path=problems[0].path, hint=problems[0].fix)
        state.out.done(f"trusted {display_path(path)}:")
        for line in summary:
            state.out.line(line)


@click.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.pass_obj
def untrust(state: State, paths: tuple[str, ...]) -> None:
    """Stop trusting project files or .env files (default: the profile files found here)."""
    for path in _targets(state, paths):
        done, shown = trust_module.untrust(path), display_path(path)
        state.out.done(f"no longer trusted: {shown}" if done else f"{shown} was not trusted; nothing to do")
