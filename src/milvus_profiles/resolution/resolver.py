"""Resolving a profile: the chain of :mod:`milvus_profiles.resolution.precedence` walked for settings, the
trust of each file and of the connection's route, then the secret chain. Every value keeps an
:class:`Origin`, so ``show --explain`` can say why a value is what it is.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import SecretStr, ValidationError

from ..config import discovery, environment, permissions, trust
from ..config.catalog import Catalog, Setting, catalog_of, nested
from ..config.trust import FileTrust
from ..errors import ConfigError, MilvusProfilesError, ProfileWarning
from ..fields import EXPORTED_ENV, FIELDS_BY_NAME, FILES_ENV, PROFILE_ENV, PROFILE_NAME, SECRET_FIELDS
from ..origin import Origin
from ..secrets.base import Reference, Route, SecretRequest, Untrusted
from ..secrets.chain import find_secret, no_secret_for_lite, takes_secret
from ..uri import endpoint, has_credentials, is_lite, redact, split_database, uri_problem
from .precedence import PRECEDENCE, SECRET_PROVIDERS
from .resolved import ResolvedProfile
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
    is looked up only for a connection whose endpoint and transport come from trusted sources. Each call
    reads the environment and the secret again (parsed files are reused while their size and modification
    time are unchanged), so a secret that another process changed (`secret rotate`, a password manager)
    is used by the next call.

    Args:
        profile: The profile's name. `None` selects one as the command line does: `MILVUS_PROFILE`,
            else the `default` of the highest file that sets one, else no profile at all (built-in
            defaults, variables and arguments still apply).
        files: The profile files to read, highest precedence first, instead of discovering
            `milvus.local.toml`, `milvus.toml` and the user file; the same as `MILVUS_PROFILES_FILE`.
        **overrides: Values that win over the profile and the environment: `uri`, `db_name`,
            `timeout` (seconds), `user`, `password` and `token`. `None` or `""` means not given. Any other
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
    return _resolve(profile, files=files, lookup_secret=True, overrides=overrides)


def _is_route_key(key: str) -> bool:
    """The settings that decide where a connection goes and how: the endpoint and the transport."""
    return key == "uri" or key.startswith(("tls.", "grpc."))


@dataclass(frozen=True)
class FilesRead:
    """The profile files of a resolution, read and assessed: their catalog, the trust of each, where the
    user file is, and what a project's ``.env`` put into the environment. A command that resolves every
    profile (``doctor``, ``test --all``) makes it once."""

    catalog: Catalog
    trusts: Mapping[Path, FileTrust]
    mine: Path
    project_env: Mapping[str, environment.ProjectVariable]

    @classmethod
    def of(cls, files: Sequence[str | os.PathLike[str]] | None) -> FilesRead:
        project_env = environment.project_variables(os.environ)
        paths, explicit = discovery.discover(files)
        if files is None and FILES_ENV in project_env:
            explicit = False  # named by a project's .env, not by you: the files are the project's
        catalog = catalog_of(paths, explicit=explicit)
        trusts = {pf.path: trust.assess(pf, trust.kind_of(pf.path, explicit)) for pf in catalog.files}
        return cls(catalog, trusts, discovery.user_file().absolute(), project_env)


def _resolve(
    profile: str | None,
    *,
    files: Sequence[str | os.PathLike[str]] | None,
    lookup_secret: bool,
    overrides: Mapping[str, Any],
    run_commands: bool = True,
    files_read: FilesRead | None = None,
) -> ResolvedProfile:
    environ = os.environ
    files_read = files_read or FilesRead.of(files)
    catalog, mine, project_env = files_read.catalog, files_read.mine, files_read.project_env
    name, selected_by = select(profile, catalog, environ)
    if name is not None:
        _warn_if_shadowed(catalog, name, mine)
    context = Context(catalog, name, environ, overrides)

    merged, origins, from_files, profile_source = _merge(context)
    origins = _from_dotenv({"profile": selected_by, **origins}, project_env)

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
    default = catalog.default() if selected_by.kind == "file" else None
    chosen_by = default.file.path if default is not None else None

    def verdict(setting: Setting) -> trust.FileTrust:
        """Trust is kept per profile: the table a value comes from, the profile resolved, and the default
        that chose it."""
        return trusts[setting.file.path].for_profile(
            setting.profile, name, default=setting.file.path == chosen_by
        )

    route = Route(
        _untrusted_route(
            from_files, verdict, project_env, profile_source, uri_from_env=origins["uri"].kind == "env"
        )
        + _untrusted_choice(catalog, selected_by, trusts, project_env)
    )
    secret_error: MilvusProfilesError | None = None
    secrets: dict[str, SecretStr | None] = dict.fromkeys(SECRET_FIELDS)
    if lookup_secret and takes_secret(uri):
        request = SecretRequest(
            profile=name,
            uri=uri,
            user=user,
            route=route,
            environ=environ,
            arguments={k: str(overrides[k]) for k in SECRET_FIELDS if overrides.get(k)},
            references={
                f: Reference(setting, verdict(setting)) for f, setting in profile_source.references.items()
            },
            project=project_env,
            uri_credentials=has_credentials(uri),
            secure=merged.get("tls.secure") is True,
            run_commands=run_commands,
        )
        outcome = find_secret(request, SECRET_PROVIDERS)
        secret_error = outcome.error
        if outcome.credential is not None:
            secrets[outcome.credential.kind] = SecretStr(outcome.credential.secret)
            origins[outcome.credential.kind] = outcome.credential.origin

    readable = permissions.readable_by_others(mine) if any(pf.path == mine for pf in catalog.files) else None
    notes = tuple(n for n in (readable, _overridden(name, selected_by, origins, environ)) if n)
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
        notes=notes,
    )


def _from_dotenv(
    origins: dict[str, Origin], project_env: Mapping[str, environment.ProjectVariable]
) -> dict[str, Origin]:
    """The origins, where a variable holds what a project's ``.env`` set, saying so: ``MILVUS_URI from
    /repo/.env:2``."""
    for key, origin in origins.items():
        pv = project_env.get(origin.detail) if origin.kind == "env" else None
        if pv is not None:
            origins[key] = Origin("env", f"{origin.detail} from {pv.where.rsplit(' ', 1)[0]}")
    return origins


def _untrusted_route(
    from_files: Mapping[str, Setting],
    verdict: Callable[[Setting], trust.FileTrust],
    project_env: Mapping[str, environment.ProjectVariable],
    profile_source: ProfileSource,
    *,
    uri_from_env: bool,
) -> tuple[Untrusted, ...]:
    """What of the route (endpoint and transport) you did not choose: a value of an untrusted file, a
    variable a project's ``.env`` set (the URI, a proxy, gRPC's CA bundle), or one expanded into a route
    key of any file."""
    found = [
        Untrusted.of(key, setting, verdict(setting))
        for key, setting in from_files.items()
        if _is_route_key(key) and not verdict(setting).trusted
    ]
    for key, names in profile_source.used_by.items():
        for name in names:
            pv = project_env.get(name)
            if pv is not None and _is_route_key(key):
                where = f"{pv.where}, expanded in {profile_source.details[key].split(' with ')[0]}"
                found.append(Untrusted(key, where, pv.line, pv.trust))
    uri_pv = project_env.get(FIELDS_BY_NAME["uri"].env)
    if uri_from_env and uri_pv is not None:
        found.append(Untrusted("uri", uri_pv.where, uri_pv.line, uri_pv.trust))
    found += [
        Untrusted(name, pv.where, pv.line, pv.trust)
        for name, pv in project_env.items()
        if environment.decides_transport(name)
    ]
    return tuple(found)


def _untrusted_choice(
    catalog: Catalog,
    selected_by: Origin,
    trusts: Mapping[Path, trust.FileTrust],
    project_env: Mapping[str, environment.ProjectVariable],
) -> tuple[Untrusted, ...]:
    """The profile chosen by something you did not trust: an untrusted file's ``default`` (it could pick
    your own ``prod``) or ``MILVUS_PROFILE`` from a project's ``.env``."""
    pv = project_env.get(PROFILE_ENV)
    if selected_by.kind == "env" and pv is not None:
        return (Untrusted("profile", pv.where, pv.line, pv.trust),)
    default = catalog.default() if selected_by.kind == "file" else None
    if default is not None and not trusts[default.file.path].trusted:
        line = default.file.line_of("default")
        at = f"{default.file.path}:{line}" if line else str(default.file.path)
        return (Untrusted("default", f"{at} (default)", line, trusts[default.file.path]),)
    return ()


def _overridden(
    name: str | None, selected_by: Origin, origins: Mapping[str, Origin], environ: Mapping[str, str]
) -> str | None:
    """A profile you named whose values come from ``MILVUS_*`` variables instead (environment over profile
    is the precedence): say which, and for which profile ``env`` exported them, if it did."""
    if name is None or selected_by.kind != "kwarg":
        return None
    keys = [
        k for k, o in origins.items() if o.kind == "env" and k in FIELDS_BY_NAME and k not in SECRET_FIELDS
    ]
    if not keys:
        return None
    names = [FIELDS_BY_NAME[k].env for k in keys]
    exported = environ.get(EXPORTED_ENV, "")
    # a variable anything can set: named only when it is a profile's name, never as raw text
    known = PROFILE_NAME.fullmatch(exported) and exported != name
    whose = f", exported for profile {exported}" if known else ""
    return (
        f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} set in the environment{whose}, and "
        f"{'wins' if len(names) == 1 else 'win'} over profile {name}'s {', '.join(keys)}: "
        f"unset {' '.join(names)} to use profile {name} as written"
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
    gives way. Given side by side as arguments or variables, ``db_name`` wins, as pymilvus's ``db_name=``
    wins over the URI's path; written side by side in one profile table, naming another database is an
    error (the file contradicts itself)."""
    if is_lite(uri):
        return
    path_db = split_database(uri)[1]
    if not path_db or path_db == values["db_name"]:
        return
    uri_origin, db_origin = origins["uri"], origins["db_name"]
    db_rank = _rank(db_origin, "db_name", from_files, catalog, name)
    uri_rank = _rank(uri_origin, "uri", from_files, catalog, name)
    if db_origin.kind == "default" or db_rank > uri_rank:
        values["db_name"] = path_db
        origins["db_name"] = Origin(uri_origin.kind, f"{uri_origin.detail} (path of uri)".strip())
        return
    setting = from_files.get("db_name") if db_origin.kind == "file" else None
    if db_rank == uri_rank and setting is not None:
        raise ConfigError(
            f"db_name {values['db_name']!r} and the path of uri ({path_db!r}) name different databases",
            path=setting.file.path,
            line=setting.line,
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
        files_read = FilesRead.of(files)
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
