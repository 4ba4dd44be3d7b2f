"""Resolving a profile: the chain of :mod:`milvus_profiles.resolution.precedence` walked for settings, the
trust of each file and of the connection's route, then the secret chain. Every value keeps an
:class:`Origin`, so ``show --explain`` can say why a value is what it is.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import SecretStr, ValidationError

from ..config import discovery, permissions, trust
from ..config.catalog import Catalog, Setting, catalog_of, nested
from ..config.trust import FileTrust
from ..errors import ConfigError, MilvusProfilesError, ProfileWarning, SecretWithheldError
from ..fields import FIELDS, FILES_ENV, PROFILE_ENV, SECRET_FIELDS
from ..secrets.base import Reference, Route, SecretRequest, Untrusted
from ..secrets.chain import find_secret, no_secret_for_lite, takes_secret
from ..uri import endpoint, has_credentials, is_lite, redact, split_database, uri_problem
from .cache import RESULTS, Snapshot
from .precedence import PRECEDENCE, SECRET_PROVIDERS
from .resolved import Origin, ResolvedProfile
from .sources import Context, ProfileSource, Values, check_given_uri, check_https_tls


def select(profile: str | None, catalog: Catalog, environ: Mapping[str, str]) -> tuple[str | None, Origin]:
    """Which profile to use: the argument, else ``MILVUS_PROFILE``, else the files' ``default``."""
    if profile:
        name, origin = profile, Origin("kwarg", "profile")
    elif environ.get(PROFILE_ENV):
        name, origin = environ[PROFILE_ENV], Origin("env", PROFILE_ENV)
    else:
        default = catalog.default()
        if default is None:
            return None, Origin("default")
        name = default.value
        line = default.file.line_of("default")
        origin = Origin("file", f"{default.file.path}:{line}" if line else str(default.file.path))
    if not catalog.tables(name):
        source = {"env": PROFILE_ENV, "file": f"the default in {origin.detail}"}.get(origin.kind)
        raise catalog.not_found(name, source)
    return name, origin


def _validation_error(error: ValidationError, origins: Mapping[str, Origin]) -> ConfigError:
    first = error.errors(include_input=False)[0]
    name = str(first["loc"][0])
    origin = origins.get(name)
    message = str(first["msg"]).removeprefix("Value error, ")
    if origin is None or origin.kind == "kwarg":
        return ConfigError(f"argument {name}=: {message}")
    return ConfigError(f"{origin.detail}: {message}", hint=f"fix {origin.detail}")


def resolve(
    profile: str | None = None,
    *,
    files: Sequence[str | os.PathLike[str]] | None = None,
    **overrides: Any,
) -> ResolvedProfile:
    """Resolve a profile: defaults, then the profile, then `MILVUS_*` variables, then `overrides`.

    No network call is made. A stored secret (keyring, reference, `MILVUS_PASSWORD`/`MILVUS_TOKEN`)
    is looked up only for a connection whose endpoint and transport come from trusted sources. A result
    is reused while the files, folders and variables it depended on are unchanged.

    Args:
        profile: The profile's name. `None` selects one as the command line does: `MILVUS_PROFILE`,
            else the `default` of the highest file that sets one, else no profile at all (built-in
            defaults, variables and arguments still apply).
        files: The profile files to read, highest precedence first, instead of discovering
            `milvus.local.toml`, `milvus.toml` and the user file; the same as `MILVUS_PROFILES_FILE`.
        **overrides: Values that win over the profile and the environment: `uri`, `db_name`,
            `timeout` (seconds), `user`, `password` and `token`. `None` means not given. Any other
            name raises `ConfigError`, which suggests the closest one.

    Returns:
        The values a client is built from, each with its origin.

    Raises:
        ConfigError: A profile file, an environment variable or an argument holds something invalid.
        ProfileNotFoundError: No profile file defines the named profile.

    Examples:
        ```python
        from milvus_profiles import resolve

        cfg = resolve("dev", db_name="analytics")
        print(cfg.explain())
        ```
    """
    try:
        key: Hashable = (
            profile,
            None if files is None else tuple(os.fspath(f) for f in files),
            os.getcwd(),
            tuple(sorted(overrides.items())),
        )
        hash(key)
    except (TypeError, OSError):
        return _resolve(profile, files=files, lookup_secret=True, overrides=overrides)
    cached = RESULTS.recall(key)
    if cached is not None:
        assert isinstance(cached, ResolvedProfile)  # noqa: S101 - the memo holds nothing else
        return cached
    snapshots: list[Snapshot] = []
    result = _resolve(profile, files=files, lookup_secret=True, overrides=overrides, snapshots=snapshots)
    # A locked keyring may be unlocked, a missing variable set: ask again. A withheld secret is decided by
    # the files, their trust record and the environment, all in the snapshot: keep it.
    if result.secret_error is None or isinstance(result.secret_error, SecretWithheldError):
        RESULTS.remember(key, snapshots[0], result)
    return result


# Besides the fields' own variables: those that decide which files are read (platformdirs' folders).
_DISCOVERY_ENV = (PROFILE_ENV, FILES_ENV) + (
    ("APPDATA", "LOCALAPPDATA", "USERPROFILE")
    if sys.platform == "win32"
    else ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "HOME")
)


def _is_route_key(key: str) -> bool:
    """The settings that decide where a connection goes and how: the endpoint and the transport."""
    return key == "uri" or key.startswith(("tls.", "grpc."))


@dataclass(frozen=True)
class FilesRead:
    """The profile files of a resolution, read and assessed: their catalog, the trust of each, and where the
    user file is. A command that resolves every profile (``doctor``, ``test --all``) makes it once."""

    catalog: Catalog
    trusts: Mapping[Path, FileTrust]
    mine: Path

    @classmethod
    def of(cls, paths: Sequence[Path], explicit: bool) -> FilesRead:
        catalog = catalog_of(paths, explicit=explicit)
        trusts = {pf.path: trust.assess(pf, trust.kind_of(pf.path, explicit)) for pf in catalog.files}
        return cls(catalog, trusts, discovery.user_file().absolute())


def _resolve(
    profile: str | None,
    *,
    files: Sequence[str | os.PathLike[str]] | None,
    lookup_secret: bool,
    overrides: Mapping[str, Any],
    snapshots: list[Snapshot] | None = None,
    run_commands: bool = True,
    files_read: FilesRead | None = None,
) -> ResolvedProfile:
    environ = os.environ
    env_names = [*_DISCOVERY_ENV, *(f.env for f in FIELDS)]
    snapshot: Snapshot | None = None
    if files_read is None:
        checked: list[Path] = []
        paths, explicit = discovery.discover(files, checked=checked)
        store = trust.store_path()
        # Taken before reading: a change made while resolving shows up as a change next time. Folders are
        # in it for their permissions, the trust record for `trust`/`untrust`.
        snapshot = Snapshot.take([*checked, *paths, *(p.parent for p in paths), store], env_names)
        files_read = FilesRead.of(paths, explicit)
    catalog, mine = files_read.catalog, files_read.mine
    context = Context(catalog, None, environ, overrides)
    name, selected_by = select(profile, catalog, environ)
    if name is not None:
        _warn_if_shadowed(catalog, name, mine)
    context = Context(catalog, name, environ, overrides)

    merged, origins, from_files, profile_source = _merge(context)
    origins = {"profile": selected_by, **origins}

    try:
        values = Values.model_validate({k: v for k, v in merged.items() if "." not in k}).model_dump()
    except ValidationError as e:
        raise _validation_error(e, origins) from None
    uri: str = values["uri"]
    if origins["uri"].kind != "file":
        check_given_uri(uri, origins["uri"])
    check_https_tls(uri, merged, from_files)
    _database_from_path(
        uri, values=values, origins=origins, from_files=from_files, catalog=catalog, name=name
    )
    user: str | None = values["user"]

    trusts = files_read.trusts
    route = Route(
        tuple(
            Untrusted(key, setting, trusts[setting.file.path])
            for key, setting in from_files.items()
            if _is_route_key(key) and not trusts[setting.file.path].trusted
        )
    )
    secret_error: MilvusProfilesError | None = None
    secrets: dict[str, SecretStr | None] = dict.fromkeys(SECRET_FIELDS)
    reference_env: list[str] = []
    if lookup_secret and takes_secret(uri):
        request = SecretRequest(
            profile=name,
            uri=uri,
            user=user,
            route=route,
            environ=environ,
            arguments={k: str(overrides[k]) for k in SECRET_FIELDS if overrides.get(k)},
            references={
                f: Reference(setting, trusts[setting.file.path])
                for f, setting in profile_source.references.items()
            },
            uri_credentials=has_credentials(uri),
            secure=merged.get("tls.secure") is True,
            run_commands=run_commands,
        )
        outcome = find_secret(request, SECRET_PROVIDERS)
        secret_error = outcome.error
        if outcome.credential is not None:
            secrets[outcome.credential.kind] = SecretStr(outcome.credential.secret)
            origins[outcome.credential.kind] = outcome.credential.origin
        reference_env = [str(r.value["env"]) for r in request.references.values() if "env" in r.value]

    if snapshots is not None and snapshot is not None:
        used = [n for n in [*profile_source.expanded, *reference_env] if n not in env_names]
        snapshots.append(
            snapshot if not used else Snapshot(snapshot.files, (*snapshot.env, *Snapshot.take([], used).env))
        )
    readable = permissions.readable_by_others(mine) if any(pf.path == mine for pf in catalog.files) else None
    return ResolvedProfile(
        name=name,
        uri=uri,
        db_name=values["db_name"],
        timeout=values["timeout"],
        user=user,
        password=secrets["password"],
        token=secrets["token"],
        tls=MappingProxyType(nested(merged, "tls")),
        grpc_options=MappingProxyType(nested(merged, "grpc")),
        origins=MappingProxyType(origins),
        files=catalog.searched,
        secret_error=secret_error,
        route=route,
        notes=(readable,) if readable else (),
    )


def _merge(context: Context) -> tuple[dict[str, Any], dict[str, Origin], dict[str, Setting], ProfileSource]:
    """Every settings source of :data:`PRECEDENCE`, highest first: the first to give a key wins. Returns
    the values, their origins, the file settings that won (for the trust of the route) and the profile's
    source (for its references and the variables it expanded)."""
    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {}
    from_files: dict[str, Setting] = {}
    profile_source: ProfileSource | None = None
    for layer in PRECEDENCE:
        if layer.source is None:
            continue
        source = layer.source.build(context)
        for key, value in source().items():
            if key in merged:
                continue
            merged[key] = value
            origins[key] = source.origin(key)
            if isinstance(source, ProfileSource):
                from_files[key] = source.settings[key]
        if isinstance(source, ProfileSource):
            profile_source = source
    assert profile_source is not None  # noqa: S101 - PRECEDENCE has a profile layer
    return merged, origins, from_files, profile_source


def _database_from_path(
    uri: str,
    *,
    values: dict[str, Any],
    origins: dict[str, Origin],
    from_files: Mapping[str, Setting],
    catalog: Catalog,
    name: str | None,
) -> None:
    """A database in the URI's path (``http://host:19530/mydb``), as pymilvus reads it, fills ``db_name`` at
    the URI's precedence: a ``db_name`` from a higher layer (or a higher file) wins, one from a lower layer
    gives way, and one written beside the URI (the same variable layer or the same profile table) that
    names another database is an error."""
    if is_lite(uri):
        return
    path_db = split_database(uri)[1]
    if not path_db or path_db == values["db_name"]:
        return
    uri_origin, db_origin = origins["uri"], origins["db_name"]
    if db_origin.kind == "default" or _rank(db_origin, "db_name", from_files, catalog, name) > _rank(
        uri_origin, "uri", from_files, catalog, name
    ):
        values["db_name"] = path_db
        origins["db_name"] = Origin(uri_origin.kind, f"{uri_origin.detail} (path of uri)".strip())
        return
    if _rank(db_origin, "db_name", from_files, catalog, name) == _rank(
        uri_origin, "uri", from_files, catalog, name
    ):
        setting = from_files.get("db_name") if db_origin.kind == "file" else None
        where = "" if setting else f" ({db_origin} and {uri_origin})"
        message = f"db_name {values['db_name']!r} and the path of uri ({path_db!r}) name different databases"
        raise ConfigError(
            message + where,
            path=setting.file.path if setting else None,
            line=setting.line if setting else None,
            hint="keep one: remove the path from the URI, or db_name",
        )


def _rank(
    origin: Origin, key: str, from_files: Mapping[str, Setting], catalog: Catalog, name: str | None
) -> tuple[int, int, int]:
    """Where a value stands in the precedence, lower first: its layer, then (for files) the file and
    whether it is the profile's own table or a parent's."""
    layer = next(i for i, layer in enumerate(PRECEDENCE) if layer.kind == origin.kind)
    setting = from_files.get(key) if origin.kind == "file" else None
    if setting is None:
        return layer, 0, 0
    index = next((i for i, pf in enumerate(catalog.files) if pf.path == setting.file.path), 0)
    chain = catalog.extends_chain(name) if name else []
    depth = chain.index(setting.profile) if setting.profile in chain else 0
    return layer, depth, index


def _warn_if_shadowed(catalog: Catalog, name: str, mine: Path) -> None:
    """A project file that redefines a profile of the user file and points it at another server may be
    someone else's repository taking over a name the user trusts: say so, naming both files."""
    tables = catalog.tables(name)
    theirs = next((t.get("uri") for pf, t in tables if pf.path == mine), None)
    if not isinstance(theirs, str):
        return
    for pf, table in tables:
        if pf.path == mine:
            return
        uri = table.get("uri")
        if isinstance(uri, str) and _endpoint_or_self(uri) != _endpoint_or_self(theirs):
            warnings.warn(
                ProfileWarning(
                    f"profile {name!r} of {pf.path} shadows the one in your user file {mine} and points "
                    f"at another server: {redact(uri)} instead of {redact(theirs)}"
                ),
                stacklevel=4,
            )
            return


def _endpoint_or_self(uri: str) -> str:
    if "${" in uri or is_lite(uri) or uri_problem(uri) is not None:
        return uri
    return endpoint(uri)


def resolve_settings(
    profile: str | None, files: Sequence[str | os.PathLike[str]] | None = None
) -> ResolvedProfile:
    """The profile's settings, resolved without looking a secret up (for storing or deleting one)."""
    return _resolve(profile, files=files, lookup_secret=False, overrides={})


def inspect(profile: str | None, files: Sequence[str | os.PathLike[str]] | None = None) -> ResolvedProfile:
    """The profile as ``show``, ``doctor`` and ``secret status`` report it: every secret source is looked
    up except a command reference, which is named in ``secret_error`` (a ``CommandNotRunError``), not run."""
    return _resolve(profile, files=files, lookup_secret=True, overrides={}, run_commands=False)


def resolve_each(
    names: Sequence[str | None],
    files: Sequence[str | os.PathLike[str]] | None = None,
    *,
    run_commands: bool = True,
    **overrides: Any,
) -> list[ResolvedProfile | MilvusProfilesError]:
    """Each profile of ``names`` as :func:`resolve` gives it (as :func:`inspect` does without
    ``run_commands``), or the error it raises, in order. The files are found, read and assessed once for
    all of them, so going through every profile costs time linear in the profiles."""
    try:
        paths, explicit = discovery.discover(files)
        files_read = FilesRead.of(paths, explicit)
    except MilvusProfilesError as e:
        return [e for _ in names]
    found: list[ResolvedProfile | MilvusProfilesError] = []
    for name in names:
        try:
            found.append(
                _resolve(
                    name,
                    files=files,
                    lookup_secret=True,
                    overrides=overrides,
                    run_commands=run_commands,
                    files_read=files_read,
                )
            )
        except MilvusProfilesError as e:
            found.append(e)
    return found


def target(profile: str | None, files: Sequence[str | os.PathLike[str]] | None) -> ResolvedProfile:
    """The profile a secret would be stored for or deleted from; Milvus Lite takes none."""
    cfg = resolve_settings(profile, files)
    if not takes_secret(cfg.uri):
        raise no_secret_for_lite(cfg.name, cfg.uri)
    return cfg


__all__ = ["FilesRead", "inspect", "resolve", "resolve_each", "resolve_settings", "select", "target"]
