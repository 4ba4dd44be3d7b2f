"""Precedence and provenance: built-in defaults < the profile < environment variables < arguments.

Each layer is a pydantic-settings source (:mod:`milvus_profiles.resolution.sources`) that returns a plain
dict; the order of the ``layers`` tuple in :func:`_resolve` is the precedence. Every value keeps an
:class:`Origin`, so ``show --explain`` can say why a value is what it is.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import SecretStr, ValidationError
from pydantic_settings import EnvSettingsSource, PydanticBaseSettingsSource

from ..config import discovery, permissions, toml
from ..config.catalog import Catalog, catalog_of
from ..config.discovery import discover
from ..errors import (
    ConfigError,
    KeyringUnavailableError,
    MilvusProfilesError,
    ProfileWarning,
    SecretNotFoundError,
)
from ..fields import FIELDS, FIELDS_BY_NAME, FILES_ENV, PROFILE_ENV
from ..secrets import keyring_store as secrets
from ..secrets import reference as references
from ..uri import endpoint, is_lite, redact, uri_problem
from .cache import Memo, Snapshot
from .resolved import Origin, ResolvedProfile
from .sources import KwargsSource, ProfileSource, Settings, check_given_uri


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
    spec = FIELDS_BY_NAME.get(name)
    if spec is not None:
        name = spec.name
    elif name in {f.env for f in FIELDS}:
        name = next(f.name for f in FIELDS if f.env == name)
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
    """Resolve a profile: defaults, then the profile, then ``MILVUS_*`` variables, then ``overrides``.

    No network call is made. The keyring is consulted only when neither the environment nor an
    argument gives a secret. A result is reused while the files, folders and variables it depended on
    are unchanged (see :mod:`milvus_profiles.resolution.cache`).

    Example:
        >>> cfg = resolve("dev", db_name="analytics")
        >>> print(cfg.explain())
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
        return cached
    snapshots: list[Snapshot] = []
    result = _resolve(profile, files=files, lookup_secret=True, overrides=overrides, snapshots=snapshots)
    if result.secret_error is None:  # a locked keyring may be unlocked, a missing variable set: ask again
        RESULTS.remember(key, snapshots[0], result)
    return result


RESULTS: Memo[ResolvedProfile] = Memo()
"""Resolved profiles of this process; emptied by :func:`clear_cache`, save_secret and delete_secret."""

# Besides the fields' own variables: those that decide which files are read (platformdirs' folders).
_DISCOVERY_ENV = (PROFILE_ENV, FILES_ENV) + (
    ("APPDATA", "USERPROFILE") if sys.platform == "win32" else ("XDG_CONFIG_HOME", "HOME")
)


def clear_cache() -> None:
    """Forget every resolved profile, parsed file and looked-up secret of this process."""
    RESULTS.clear()
    toml.clear_cache()
    secrets.clear_cache()
    references.clear_cache()


def _resolve(
    profile: str | None,
    *,
    files: Sequence[str | os.PathLike[str]] | None,
    lookup_secret: bool,
    overrides: Mapping[str, Any],
    snapshots: list[Snapshot] | None = None,
) -> ResolvedProfile:
    env = os.environ
    env_names = [*_DISCOVERY_ENV, *(f.env for f in FIELDS)]
    checked: list[Path] = []
    paths, explicit = discover(files, checked=checked)
    # Taken before reading: a change made while resolving shows up as a change next time.
    snapshot = Snapshot.take([*checked, *paths], env_names)
    kwargs_source = KwargsSource(overrides)
    catalog = catalog_of(paths, explicit=explicit)
    name, selected_by = select(profile, catalog, env)
    if name is not None:
        _warn_if_shadowed(catalog, name)
    profile_source = ProfileSource(catalog, name, env)

    merged: dict[str, Any] = {}
    origins: dict[str, Origin] = {"profile": selected_by}
    layers: tuple[tuple[PydanticBaseSettingsSource, str], ...] = (
        (kwargs_source, "kwarg"),
        (EnvSettingsSource(Settings), "env"),
        (profile_source, "file"),
    )
    for source, kind in layers:
        for key, value in source().items():
            field_name = _field_of(key)
            if field_name in merged:
                continue
            merged[field_name] = value
            if kind == "file":
                origins[field_name] = profile_source.origins[key]
            else:
                origins[field_name] = Origin(kind, key)  # type: ignore[arg-type]
    for f in FIELDS:
        if f.name not in merged and f.default is not None:
            merged[f.name] = f.default
            origins[f.name] = Origin("default")

    try:
        values = Settings.model_validate({k: v for k, v in merged.items() if "." not in k}).model_dump()
    except ValidationError as e:
        raise _validation_error(e, origins) from None
    uri: str = values["uri"]
    if origins["uri"].kind != "file":
        check_given_uri(uri, origins["uri"])
    user: str | None = values["user"]
    secret_error: MilvusProfilesError | None = None
    if lookup_secret and values["password"] is None and values["token"] is None and not is_lite(uri):
        field = "password" if user else "token"
        secret, origin, secret_error = _profile_secret(field, profile_source, uri, user)
        if secret is not None and origin is not None:
            values[field] = SecretStr(secret)
            origins[field] = origin

    if snapshots is not None:
        used = [n for n in profile_source.expanded if n not in env_names]
        snapshots.append(
            snapshot if not used else Snapshot(snapshot.files, (*snapshot.env, *Snapshot.take([], used).env))
        )
    file_error, file_warning = permissions.assess(
        (pf.path, mode) for pf in catalog.files if (mode := snapshot.mode(pf.path)) is not None
    )
    return ResolvedProfile(
        name=name,
        uri=uri,
        db_name=values["db_name"],
        timeout=values["timeout"],
        user=user,
        password=values["password"],
        token=values["token"],
        tls=MappingProxyType({k[4:]: v for k, v in merged.items() if k.startswith("tls.")}),
        grpc_options=MappingProxyType({k[5:]: v for k, v in merged.items() if k.startswith("grpc.")}),
        origins=MappingProxyType(origins),
        files=catalog.searched,
        secret_error=secret_error,
        file_error=file_error,
        file_warning=file_warning,
    )


def _warn_if_shadowed(catalog: Catalog, name: str) -> None:
    """A project file that redefines a profile of the user file and points it at another server may be
    someone else's repository taking over a name the user trusts: say so, naming both files."""
    mine = discovery.user_file().absolute()
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


def _profile_secret(
    field: str, source: ProfileSource, uri: str, user: str | None
) -> tuple[str | None, Origin | None, MilvusProfilesError | None]:
    """The profile layer's secret: its reference if it has one, else the keyring.

    A failure is returned, not raised: resolving never needs the secret, and connect() raises it when
    it does.
    """
    setting = source.references.get(field)
    try:
        if setting is not None:
            where = f"profile {setting.profile}: {field}"
            origin = Origin("reference", f"{references.describe(setting.value)} ({setting.location})")
            return references.fetch(setting.value, where=where), origin, None
        stored = secrets.get_secret(uri, user)
    except (KeyringUnavailableError, SecretNotFoundError) as e:
        return None, None, e
    if stored is None:
        return None, None, None
    return stored, Origin("keyring", secrets.account(uri, user)), None


def _field_of(key: str) -> str:
    env_names = {f.env: f.name for f in FIELDS}
    return env_names.get(key, key)


def _secret_target(profile: str | None, files: Sequence[str | os.PathLike[str]] | None) -> ResolvedProfile:
    cfg = _resolve(profile, files=files, lookup_secret=False, overrides={})
    if cfg.is_lite:
        raise ConfigError(
            f"profile {cfg.name or '(none)'} is a Milvus Lite database ({cfg.uri}), which takes no secret",
            hint="secrets are for Milvus servers; Milvus Lite ignores credentials",
        )
    return cfg


def save_secret(
    profile: str | None, secret: str, *, files: Sequence[str | os.PathLike[str]] | None = None
) -> str:
    """Store the secret of a profile in the keyring; returns the keyring account used.

    The secret is the password when the resolved profile has a user, else the token. It is stored for
    the profile's endpoint and user, so every profile on the same server and user shares it.
    ``profile=None`` means the profile that would be selected.
    """
    if not secret:
        raise ConfigError("the secret is empty", hint="give a non-empty password or token")
    cfg = _secret_target(profile, files)
    RESULTS.clear()
    return secrets.set_secret(cfg.uri, cfg.user, secret)


def delete_secret(profile: str | None, *, files: Sequence[str | os.PathLike[str]] | None = None) -> bool:
    """Delete the stored secret of a profile from the keyring; False when none was stored."""
    cfg = _secret_target(profile, files)
    RESULTS.clear()
    return secrets.delete_secret_for(cfg.uri, cfg.user)
