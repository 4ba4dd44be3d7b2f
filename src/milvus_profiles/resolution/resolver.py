"""Resolving a profile: its settings settled, the route's trust assessed, the secret chain asked."""

from __future__ import annotations

import difflib
import itertools
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import SecretStr

from ..config import discovery, environment, permissions, trust
from ..config.catalog import Catalog, catalog_of, nested
from ..errors import ConfigError, MilvusProfilesError, ProfileWarning
from ..fields import EXPORTED_ENV, FIELDS_BY_NAME, FILES_ENV, PROFILE_NAME, SECRET_FIELDS, Origin
from ..secrets import chain
from ..uri import endpoint, has_credentials, is_lite, redact, uri_problem
from .precedence import SECRET_PROVIDERS, ProfileSource, from_dotenv, select, settle
from .resolved import ResolvedProfile


def resolve(
    profile: str | None = None, *, files: Sequence[str | os.PathLike[str]] | None = None, **overrides: Any
) -> ResolvedProfile:
    """Resolve a profile: defaults, then the profile, then `MILVUS_*` variables, then `overrides`.

    No network call is made. A stored secret (keyring, reference, `MILVUS_PASSWORD`/`MILVUS_TOKEN`) is
    looked up only for a connection whose endpoint and transport come from trusted sources. Each call reads
    the environment and the secret again (parsed files are reused while their size and modification time
    are unchanged), so a secret another process changed (`secret rotate`, a password manager) is used next.

    Args:
        profile: The profile's name. `None` selects one as the command line does: `MILVUS_PROFILE`, else
            the `default` of the highest file that sets one, else none (defaults, variables and arguments).
        files: The profile files to read, highest precedence first, instead of discovering
            `milvus.local.toml`, `milvus.toml` and the user file; the same as `MILVUS_PROFILES_FILE`.
        **overrides: Values that win over the profile and the environment: `uri`, `db_name`, `timeout`
            (seconds), `user`, `password` and `token`. `None` or `""` means not given. Any other name
            raises `ConfigError`, which suggests the closest one.

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
    return _resolve(profile, _read(files), overrides)


FilesRead = tuple[Catalog, Mapping[Path, trust.FileTrust], Path, Mapping[str, environment.ProjectVariable]]
"""The profile files read and assessed, their trust, the user file and a project's ``.env`` variables."""


def _read(files: Sequence[str | os.PathLike[str]] | None) -> FilesRead:
    project_env = environment.project_variables(os.environ)
    paths, explicit = discovery.discover(files)
    if files is None and FILES_ENV in project_env:
        explicit = False  # named by a project's .env, not by you: the files are the project's
    catalog = catalog_of(paths, explicit=explicit)
    trusts = {pf.path: trust.assess(pf, trust.kind_of(pf.path, explicit)) for pf in catalog.files}
    return catalog, trusts, discovery.user_file().absolute(), project_env


def _resolve(
    profile: str | None,
    files_read: FilesRead,
    overrides: Mapping[str, Any],
    *,
    lookup_secret: bool = True,
    run_commands: bool = True,
) -> ResolvedProfile:
    environ = os.environ
    catalog, trusts, mine, project_env = files_read
    name, selected_by = select(profile, catalog, environ)
    if name is not None:
        _warn_if_shadowed(catalog, name, mine)
    if unknown := [k for k in overrides if k not in FIELDS_BY_NAME]:
        close = difflib.get_close_matches(unknown[0], list(FIELDS_BY_NAME), n=1)
        hint = "".join(f"did you mean {g!r}? " for g in close) + "arguments are: " + ", ".join(FIELDS_BY_NAME)
        raise ConfigError(f"unknown argument {unknown[0]!r}", hint=hint)
    # the settings among the keyword arguments; `None` or `""` is not given, as pymilvus reads it
    arguments = {k: v for k, v in overrides.items() if v is not None and v != "" and k not in SECRET_FIELDS}
    profile_source = ProfileSource(catalog, name, environ)
    values, origins, address = settle(profile_source, arguments, project_env)
    origins = {"profile": from_dotenv(selected_by, project_env), **origins}
    uri: str = values["uri"]
    user: str | None = values["user"]
    default = catalog.default() if selected_by.kind == "file" else None
    verdict = chain.file_verdict(trusts, name, default)
    route = chain.route_of(
        {k: s for k, s in profile_source.settings.items() if origins[k].kind == "file"},
        verdict,
        profile_source.expanded,
        project_env,
        uri_from_env=origins["uri"].kind == "env",
        profile_from_env=selected_by.kind == "env",
        default=(default, trusts[default.file.path]) if default is not None else None,
    )
    secret_error: MilvusProfilesError | None = None
    secrets: dict[str, SecretStr | None] = dict.fromkeys(SECRET_FIELDS)
    if lookup_secret and chain.takes_secret(uri):
        request = chain.SecretRequest(
            profile=name,
            uri=uri,
            user=user,
            route=route,
            environ=environ,
            arguments={k: str(overrides[k]) for k in SECRET_FIELDS if overrides.get(k)},
            references={f: chain.Reference(s, verdict(s)) for f, s in profile_source.references.items()},
            project=project_env,
            uri_credentials=has_credentials(uri),
            secure=values.get("tls.secure") is True,
            run_commands=run_commands,
        )
        credential, secret_error = chain.find_secret(request, SECRET_PROVIDERS)
        if credential is not None:
            secrets[credential.kind] = SecretStr(credential.secret)
            origins[credential.kind] = credential.origin
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
        tls=MappingProxyType(nested(values, "tls")),
        grpc_options=MappingProxyType(nested(values, "grpc")),
        origins=MappingProxyType(origins),
        files=catalog.searched,
        secret_error=secret_error,
        route=route,
        notes=notes,
        parsed=address,
    )


def _overridden(
    name: str | None, selected_by: Origin, origins: Mapping[str, Origin], environ: Mapping[str, str]
) -> str | None:
    """Which ``MILVUS_*`` variables win over a profile you named, and for which profile ``env`` set them."""
    keys = [k for k, o in origins.items() if o.kind == "env" and k in FIELDS_BY_NAME.keys() - SECRET_FIELDS]
    if name is None or selected_by.kind != "kwarg" or not keys:
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


def _warn_if_shadowed(catalog: Catalog, name: str, mine: Path) -> None:
    """Warn of a project file that points a profile of your user file at another server."""
    tables = catalog.tables(name)
    theirs = next((t.get("uri") for pf, t in tables if pf.path == mine), None)
    if not isinstance(theirs, str):
        return
    for pf, table in itertools.takewhile(lambda found: found[0].path != mine, tables):  # files above yours
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
    return uri if "${" in uri or is_lite(uri) or uri_problem(uri) is not None else endpoint(uri)


def resolve_settings(
    profile: str | None, files: Sequence[str | os.PathLike[str]] | None = None
) -> ResolvedProfile:
    """The profile's settings, resolved without looking a secret up (for storing or deleting one)."""
    return _resolve(profile, _read(files), {}, lookup_secret=False)


def inspect(profile: str | None, files: Sequence[str | os.PathLike[str]] | None = None) -> ResolvedProfile:
    """The profile as ``show`` reports it: a command reference is named in ``secret_error``, not run."""
    return _resolve(profile, _read(files), {}, run_commands=False)


def resolve_each(
    names: Sequence[str | None],
    files: Sequence[str | os.PathLike[str]] | None = None,
    *,
    run_commands: bool = True,
    **overrides: Any,
) -> list[ResolvedProfile | MilvusProfilesError]:
    """Each of ``names`` as :func:`resolve` (or :func:`inspect`) gives it, or its error; files read once."""
    try:
        files_read = _read(files)
    except MilvusProfilesError as e:
        return [e for _ in names]
    found: list[ResolvedProfile | MilvusProfilesError] = []
    for name in names:
        try:
            found.append(_resolve(name, files_read, overrides, run_commands=run_commands))
        except MilvusProfilesError as e:
            found.append(e)
    return found


def target(profile: str | None, files: Sequence[str | os.PathLike[str]] | None) -> ResolvedProfile:
    """The profile a secret would be stored for or deleted from; Milvus Lite takes none."""
    cfg = resolve_settings(profile, files)
    if not chain.takes_secret(cfg.uri):
        raise chain.no_secret_for_lite(cfg.name, cfg.uri)
    return cfg


__all__ = ["inspect", "resolve", "resolve_each", "resolve_settings", "select", "target"]
