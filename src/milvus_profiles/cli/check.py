"""``milvus-profiles check``: every problem of profile files as ``file:line: message`` lines, for people and
pre-commit; files only (never the keyring or the network), exit 1 on a problem."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from ..config import discovery, toml
from ..config.catalog import Catalog, Setting
from ..config.read import TLS_FILE_LIMIT, UnreadableFile, read_limited
from ..config.toml import ProfileFile, key_name
from ..config.trust import tls_file
from ..errors import ConfigError
from ..fields import TLS_PATH_KEYS
from ..resolution.expansion import expand
from .common import State
from .exitcodes import PROBLEMS_FOUND
from .output import Cell, display_path


def _tables(pf: ProfileFile) -> dict[str, dict[str, Any]]:
    return dict(pf.data.get("profiles", {}))  # a usable file's: a table of tables


def _link_problems(catalog: Catalog, pf: ProfileFile) -> list[ConfigError]:
    """Broken ``extends`` and a ``default`` naming no profile, in one file."""
    problems = [p for n in _tables(pf) if (p := catalog.problem(n)) is not None and p.path == pf.path]
    if isinstance(default := pf.data.get("default"), str) and not catalog.tables(default):
        known = ", ".join(catalog.names()) or "none"
        message = f"default {default!r} names no profile; known profiles: {known}"
        hint = "fix the name, or set another with `milvus-profiles set-default NAME`"
        problems.append(ConfigError(message, path=pf.path, line=pf.line_of("default"), hint=hint))
    return problems


def _certificate_problems(pf: ProfileFile) -> list[ConfigError]:
    problems = []
    for name, table in _tables(pf).items():
        tls = table.get("tls")
        for key, value in tls.items() if isinstance(tls, dict) else ():
            if key not in TLS_PATH_KEYS or not isinstance(value, str) or "${" in value:
                continue  # a path built from variables is checked when the profile is resolved
            try:  # found and read as connect() does: a FIFO or a device is reported here, not hung on there
                read_limited(tls_file(value, pf.path), limit=TLS_FILE_LIMIT, what="certificate or key file")
                continue
            except RuntimeError:  # ~user names no user: reported with what resolving refuses
                continue
            except (FileNotFoundError, UnreadableFile) as e:
                problem = e.reason if isinstance(e, UnreadableFile) else "does not exist"
            where, line = key_name(("profiles", name, "tls", key)), pf.line_of("profiles", name, "tls", key)
            hint = "fix the path; a relative path is relative to the profile file's folder"
            problems.append(ConfigError(f"{where}: {value} {problem}", path=pf.path, line=line, hint=hint))
    return problems


class _Placeholders(Mapping[str, str]):
    """Every variable set, to one placeholder: a file is judged the same wherever ``check`` runs."""

    def __getitem__(self, name: str) -> str:
        return "milvus-profiles-check"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _variable_uri(catalog: Catalog, name: str) -> Setting | None:
    uri = catalog.layer(name).get("uri")
    return uri if uri is not None and isinstance(uri.value, str) and "${" in uri.value else None


def _resolving_problems(catalog: Catalog, pf: ProfileFile) -> list[ConfigError]:
    """What resolving refuses in the profiles of one file, by the code connect() runs; a URI made of
    variables is no URI until they have values, so only its variables are checked."""
    from ..resolution.precedence import ProfileSource, check_https_tls

    class WithoutVariableUri(Catalog):
        def layer(self, name: str) -> dict[str, Setting]:
            values = super().layer(name)
            if _variable_uri(catalog, name) is not None:
                del values["uri"]
            return values

    view = WithoutVariableUri(catalog.files, catalog.searched, catalog.explicit, catalog.problems)
    problems = []
    for name in _tables(pf):
        if catalog.problem(name) is not None:
            continue  # reported as the profile's own problem or a link problem
        try:
            if (uri := _variable_uri(catalog, name)) is not None:
                expand(uri.value, uri, _Placeholders())
            source = ProfileSource(view, name, _Placeholders())
            values = source.load()
            if isinstance(values.get("uri"), str):
                check_https_tls(values["uri"], values, source.settings)
        except ConfigError as e:
            if e.path == pf.path:
                problems.append(e)
    return problems


@click.command()
@click.argument("paths", nargs=-1, metavar="[FILE]...")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Validate profile files (default: the files discovery finds).

    Reports what the schema forbids (unknown keys, wrong types, secrets written in a file), broken
    `extends`, a `default` naming no profile and missing certificate files. Exits 1 on any problem.
    """
    from ..config.model import located_problems, profile_problems

    state: State = ctx.obj
    found, explicit = discovery.discover(state.files)
    discovered = [p.absolute() for p in found if explicit or p.exists()]
    targets = list(dict.fromkeys(Path(p).absolute() for p in paths)) or discovered
    problems: list[ConfigError] = []
    parsed: dict[Path, ProfileFile] = {}
    for path in targets + [p for p in discovered if p not in targets]:
        try:
            parsed[path] = toml.read_file(path)
        except ConfigError as e:
            if path in targets:
                problems.append(e)
    # every file read counts for `extends` and `default`; one whose problems are its profiles' takes part
    usable: list[ProfileFile] = []
    owned: dict[str, ConfigError] = {}
    for pf in reversed(parsed.values()):
        with contextlib.suppress(ConfigError):
            owned.update(profile_problems(pf))
            usable.insert(0, pf)
    links = Catalog(tuple(usable), tuple(parsed), explicit)  # every `extends` walked as written
    catalog = Catalog(links.files, tuple(parsed), explicit, owned)
    for pf in (parsed[p] for p in targets if p in parsed):
        own = [e for _, e in located_problems(pf)]
        problems += own
        if pf in usable:  # an `extends` the schema refuses (not a name) is not reported twice
            problems += [e for e in _link_problems(links, pf) if e.line not in {o.line for o in own}]
            problems += _certificate_problems(pf) + _resolving_problems(catalog, pf)
    out = state.out
    shown: dict[tuple[str, str], str | None] = {}  # a problem found twice is printed once
    for p in sorted(problems, key=lambda p: (str(p.path), p.line or 0)):
        where = "" if p.path is None else display_path(p.path) + f":{p.line}" * (p.line is not None)
        shown.setdefault((where, p.message if p.path is None else p.reason), p.hint)
    for (where, message), hint in shown.items():
        if where:
            out.labelled(where, message)
        else:
            out.line(message)
        if hint:
            out.hint(hint, indent=4)
    if problems:
        out.line(f"{_count(len(shown), 'problem')} in {_count(len({e.path for e in problems}), 'file')}")
        ctx.exit(PROBLEMS_FOUND)
    profiles = sum(len(_tables(parsed[p])) for p in targets if p in parsed)
    summary = f"{_count(len(targets), 'file')}, {_count(profiles, 'profile')}"
    out.line(Cell("ok", "green", bold=True), ": ", summary if targets else "no profile files found")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
