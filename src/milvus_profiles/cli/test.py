"""``milvus-profiles test``: prove profiles ready, several at once. A server is checked by the grpcio probe
(:mod:`milvus_profiles.connection.probe`, no pymilvus), a Milvus Lite file opened with ``connect()``; both
reach the same verdicts. The exit code is that of the first profile (in the order given) that failed."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from ..config.catalog import load_catalog
from ..connection.imports import import_grpc, import_pymilvus
from ..errors import ConfigError, MilvusProfilesError
from ..uri import redact
from .common import State, complete_profiles, default_password_warning
from .exitcodes import OK, UNEXPECTED, ExitCode, exit_code_for
from .output import Cell, describe

if TYPE_CHECKING:
    from ..connection.probe import Channels
    from ..resolution.resolved import ResolvedProfile

MAX_WORKERS = 8
INTERRUPTED = 128 + 2  # SIGINT


@dataclass(frozen=True)
class Result:
    """The outcome of testing one profile."""

    profile: str
    exit: ExitCode
    uri: str | None = None
    db_name: str | None = None
    version: str | None = None
    latency_ms: float | None = None
    error: BaseException | None = None
    warnings: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        message, hint = (None, None) if self.error is None else describe(self.error)
        return {
            "profile": self.profile,
            "status": self.exit.status,
            "exit_code": self.exit.code,
            "uri": self.uri,
            "db_name": self.db_name,
            "server_version": self.version,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 1),
            "error": message,
            "hint": hint,
            "warnings": [{"message": m, "hint": h} for m, h in self.warnings],
        }


def check_profile(
    name: str | None,
    files: Sequence[str] | None,
    timeout: float | None,
    *,
    resolved: ResolvedProfile | MilvusProfilesError | None = None,
    channels: Channels | None = None,
) -> Result:
    """Prove one profile ready; never raises. ``resolved``: the profile (or its error) if resolved already;
    ``channels``: the connections the probes of one command share."""
    from ..resolution.resolver import resolve

    overrides = {} if timeout is None else {"timeout": timeout}
    shown, uri, db_name = name or "(default)", None, None
    try:
        cfg = resolve(name, files=files, **overrides) if resolved is None else resolved
        if isinstance(cfg, MilvusProfilesError):
            raise cfg
        shown, uri, db_name = cfg.name or shown, redact(cfg.uri), cfg.db_name
        if not cfg.is_lite:
            from ..connection.probe import probe

            version, latency = probe(cfg, channels=channels)
            said = tuple(filter(None, [default_password_warning(cfg)]))  # what a ready profile should change
            return Result(shown, OK, uri, db_name, version, latency, warnings=said)
        from ..connection.client import classify, connect

        start = time.perf_counter()
        client = connect(name, files=files, **overrides)
        try:
            version = str(client.get_server_version(timeout=cfg.timeout))
            latency = (time.perf_counter() - start) * 1000
        except Exception as e:
            raise (classify(e, cfg) or e) from None
        finally:
            with contextlib.suppress(Exception):  # the outcome is known; closing cannot change it
                client.close()
    except Exception as e:
        return Result(shown, exit_code_for(e), uri, db_name, error=e)
    return Result(shown, OK, uri, db_name, version, latency)


def _run(names: list[str | None], files: Sequence[str] | None, timeout: float | None) -> list[Result]:
    """Probe every profile concurrently, except that profiles of one Milvus Lite file take turns (two first
    opens of a file collide); the files are read once and the probes share connections, so time is linear."""
    from ..connection.probe import Channels
    from ..resolution.resolver import resolve_each

    overrides: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    resolved = resolve_each(names, files, **overrides)
    groups: dict[str | int, list[int]] = {}
    for i, cfg in enumerate(resolved):
        lite = cfg.uri if not isinstance(cfg, MilvusProfilesError) and cfg.is_lite else None
        groups.setdefault(lite or i, []).append(i)
    results: dict[int, Result] = {}
    # imported before the threads: each sets a variable for a moment (pymilvus without its .env loading)
    (import_pymilvus if any(isinstance(key, str) for key in groups) else import_grpc)()
    with Channels() as channels:

        def run(indexes: list[int]) -> None:
            for i in indexes:
                results[i] = check_profile(names[i], files, timeout, resolved=resolved[i], channels=channels)

        pool = ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(groups)))
        try:
            list(pool.map(run, groups.values()))
        except KeyboardInterrupt:  # exit at once with 130, as `exec` does, not after probes that wait on
            sys.stdout.flush()  # silent servers (Python joins the pool's threads before a normal exit)
            sys.stderr.flush()
            os._exit(INTERRUPTED)
        pool.shutdown()
    return [results[i] for i in range(len(names))]


def _errors(failed: Sequence[Result], *, several: bool) -> Iterator[tuple[BaseException, ExitCode]]:
    """The errors to print; of ``several`` profiles, one error that does not name its profile (no keyring,
    a shared file) is printed once, naming the profiles it stopped."""
    groups: dict[object, list[Result]] = {}
    for r in failed:
        e, key, named = r.error, object(), (f"profile {r.profile}", repr(r.profile))
        if several and isinstance(e, MilvusProfilesError) and not any(word in e.message for word in named):
            key = (type(e), e.message, e.hint)
        groups.setdefault(key, []).append(r)
    for key, group in groups.items():
        error = group[0].error
        if isinstance(key, tuple) and isinstance(error, MilvusProfilesError):
            which = f"profile{'s' * (len(group) > 1)} {', '.join(r.profile for r in group)}"
            error = MilvusProfilesError(f"{which}: {error.message}", hint=error.hint, summary=error.summary)
        if error is not None:
            yield error, group[0].exit


@click.command()
@click.argument("names", nargs=-1, metavar="[NAME]...", shell_complete=complete_profiles)
@click.option("--all", "test_all", is_flag=True, help="Test every profile.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (see docs/cli.md for its shape).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="S",
    help="Seconds to wait for each server, instead of each profile's timeout.",
)
@click.pass_context
def test(
    ctx: click.Context, names: tuple[str, ...], test_all: bool, as_json: bool, timeout: float | None
) -> None:
    """Check that profiles are ready: the server answers, accepts the credentials, has the database.

    Tests NAME... (default: the selected profile) or --all, concurrently. Exits 0 when all are ready,
    else with the code of the first failure: 3 config, 4 secret, 5 unreachable, 6 authentication,
    7 database missing, 8 a stored secret withheld from an untrusted file.
    """
    state: State = ctx.obj
    state.out.json_errors = as_json
    if names and test_all:
        raise click.UsageError("give profile names or --all, not both")
    wanted: list[str | None]
    if test_all:
        if not (wanted := list(load_catalog(state.files).names())):
            raise ConfigError("there are no profiles to test", hint="create one with `milvus-profiles init`")
    else:
        wanted = list(dict.fromkeys(names)) or [state.profile]
    lite_log = logging.getLogger("milvus_lite")  # a traceback for every refused request: the error says it
    previous = lite_log.level
    lite_log.setLevel(previous if state.debug else logging.CRITICAL + 1)
    try:
        results = _run(wanted, state.files, timeout)
    finally:
        lite_log.setLevel(previous)
    failed = [r for r in results if r.exit.code != OK.code]
    code = failed[0].exit.code if failed else OK.code
    state.out.json_errors = False  # the results below say what failed, profile by profile
    if as_json:
        state.out.json({"ok": not failed, "exit_code": code, "profiles": [r.as_json() for r in results]})
    else:
        rows: list[list[str | Cell]] = []
        for r in results:
            status = Cell(r.exit.status, "green" if r.exit is OK else "red", bold=True)
            latency = f"{r.latency_ms:.0f} ms" if r.latency_ms is not None else "-"
            rows.append([r.profile, status, r.version or "-", latency, r.uri or "-"])
        state.out.table(["PROFILE", "STATUS", "VERSION", "LATENCY", "URI"], rows)
        for error, exit in _errors(failed, several=len(results) > 1):
            state.out.error(error, debug=state.debug and exit is UNEXPECTED)
        for r in results:
            for message, hint in r.warnings:
                state.out.warning(message, hint)
    if failed:
        ctx.exit(code)
