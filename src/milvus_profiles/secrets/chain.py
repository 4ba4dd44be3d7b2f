"""May this secret go to this route? The one module that answers, and the chain of providers that asks it:
a stored secret goes only to a route (endpoint, transport, profile chosen) from trusted sources, a reference
is followed only from a trusted file, an argument is always used; a withheld secret stops the chain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..config import environment, toml
from ..config.catalog import Setting
from ..config.trust import FileTrust
from ..errors import CommandNotRunError, ConfigError, MilvusProfilesError, SecretWithheldError
from ..fields import FIELDS_BY_NAME, PROFILE_ENV, SECRET_ORDER, Origin, OriginKind, SecretField, secret_field
from ..uri import is_lite
from . import keyring_store, reference

SECRET_VARIABLES = {f: FIELDS_BY_NAME[f].env for f in SECRET_ORDER}  # MILVUS_TOKEN, then MILVUS_PASSWORD


@dataclass(frozen=True)
class Untrusted:
    """Why a secret is withheld: a route value from something untrusted, or the file a reference is in."""

    key: str
    where: str  # /repo/milvus.toml:4 (profiles.dev.uri), /repo/.env:2 (MILVUS_URI)
    line: int | None
    trust: FileTrust
    written: bool = False

    @classmethod
    def of(cls, key: str, setting: Setting, trust: FileTrust) -> Untrusted:
        line = setting.line
        at = f"{setting.file.path}:{line}" if line is not None else str(setting.file.path)
        return cls(key, f"{at} ({toml.key_name(('profiles', setting.profile, *setting.key))})", line, trust)

    @classmethod
    def variable(cls, key: str, pv: environment.ProjectVariable, where: str | None = None) -> Untrusted:
        return cls(key, where or pv.where, pv.line, pv.trust)

    def withheld(self, target: str, what: str, method: OriginKind) -> SecretWithheldError:
        ft, written = self.trust, self.written
        because = f"its {self.key} comes from {self.where}" if not written else f"it is written in {ft.path}"
        return SecretWithheldError(
            f"{target}: {what}{': ' if written else ' to this connection, because '}{because}, {ft.why}",
            path=ft.path,
            line=self.line,
            key=None if written else self.key,
            method=method,
            hint=ft.fix
            if written
            else (ft.fix + "; or " if ft.fix else "")  # pragma: no mutate - every untrusted verdict has a fix
            + "choose the server yourself with MILVUS_URI or uri=, or pass the secret as an argument",
        )


Route = tuple[Untrusted, ...]  # where a connection goes and how, that you did not choose: trusted when empty


def is_route_key(key: str) -> bool:  # where a connection goes and how: its endpoint and transport
    return key == "uri" or key.startswith(("tls.", "grpc."))


def file_verdict(
    trusts: Mapping[Path, FileTrust], profile: str | None, default: Setting | None
) -> Callable[[Setting], FileTrust]:
    """The trust of a value written in a file: of its table, the profile resolved and the ``default``."""
    chosen_by = default.file.path if default is not None else None
    return lambda s: trusts[s.file.path].for_profile(s.profile, profile, default=s.file.path == chosen_by)


def route_of(
    settings: Mapping[str, Setting],
    verdict: Callable[[Setting], FileTrust],
    expanded: Mapping[str, tuple[str, list[str]]],
    project: Mapping[str, environment.ProjectVariable],
    *,
    uri_from_env: bool,
    profile_from_env: bool,
    default: tuple[Setting, FileTrust] | None,
) -> Route:
    """What of the route you did not choose: an untrusted file's route value or ``default``, a ``.env``'s
    variable (the URI, one expanded into a route key, a proxy, a CA bundle, ``MILVUS_PROFILE``)."""
    found = [
        Untrusted.of(k, s, verdict(s))
        for k, s in settings.items()
        if is_route_key(k) and not verdict(s).trusted
    ]
    found += [
        Untrusted.variable(key, project[n], f"{project[n].where}, expanded in {written}")
        for key, (written, names) in expanded.items()
        for n in names
        if n in project and is_route_key(key)
    ]
    uri_pv = project.get(FIELDS_BY_NAME["uri"].env)
    if uri_from_env and uri_pv is not None:
        found.append(Untrusted.variable("uri", uri_pv))
    found += [Untrusted.variable(n, pv) for n, pv in project.items() if environment.decides_transport(n)]
    if profile_from_env and PROFILE_ENV in project:
        found.append(Untrusted.variable("profile", project[PROFILE_ENV]))
    elif default is not None and not default[1].trusted:
        line = default[0].file.line_of("default")
        at = f"{default[0].file.path}:{line}" if line else str(default[0].file.path)
        found.append(Untrusted("default", f"{at} (default)", line, default[1]))
    return tuple(found)


@dataclass(frozen=True)
class Reference:
    """A secret reference written in a profile file, and the trust of that file."""

    setting: Setting
    trust: FileTrust

    @property
    def value(self) -> Mapping[str, object]:
        return self.setting.value if isinstance(self.setting.value, Mapping) else {}


@dataclass(frozen=True)
class SecretRequest:
    """What a provider is told: everything is passed in, nothing is read from the process by a provider."""

    profile: str | None
    uri: str
    user: str | None
    route: Route
    environ: Mapping[str, str]
    arguments: Mapping[str, str] = field(default_factory=dict)  # password=, token=
    references: Mapping[str, Reference] = field(default_factory=dict)
    project: Mapping[str, environment.ProjectVariable] = field(default_factory=dict)  # set by a .env
    uri_credentials: bool = False  # the URI's own token@ or user:password@, which pymilvus sends
    secure: bool = False  # TLS on an http URI: the keyring account is keyed https
    run_commands: bool = True  # False where a secret is only reported: a command is named, not run

    @property
    def wanted(self) -> SecretField:
        return secret_field(self.user)


@dataclass(frozen=True)
class Credential:
    """A secret and where it came from. ``repr`` never shows the secret."""

    kind: SecretField
    origin: Origin
    secret: str = field(repr=False)


Provider = tuple[OriginKind, Callable[[SecretRequest], bool], Callable[[SecretRequest], Credential | None]]
"""A source of secrets: its ``Origin.kind``, whether it may have one (not looked up), and the lookup."""


def withheld(method: OriginKind, request: SecretRequest) -> SecretWithheldError | None:
    """Why a secret of ``method`` may not go to this request's route, as the error that says so, or None."""
    if method == "kwarg":
        return None  # the caller's explicit choice for this connection
    reason = request.route[0] if request.route else None
    what = "no stored secret is sent"
    if method == "reference":
        ref = request.references[request.wanted]
        what = f"the {request.wanted} reference ({reference.describe(ref.value)}) is not followed"
        if not ref.trust.trusted:
            # pragma: no mutate start - written: the error names the file alone, not this key or place
            reason = Untrusted(request.wanted, str(ref.trust.path), None, ref.trust, written=True)
            # pragma: no mutate end
    if method == "env":  # a .env's MILVUS_TOKEN is the project's, not a secret you exported
        names = [v for v in SECRET_VARIABLES.values() if request.environ.get(v)]
        what = " and ".join(names) + (" is" if len(names) == 1 else " are") + " set but not sent"
        if names[0] in request.project:
            reason = Untrusted.variable(names[0], request.project[names[0]])
    target = f"profile {request.profile}" if request.profile else "the connection"
    return reason.withheld(target, what, method) if reason is not None else None


def find_secret(
    request: SecretRequest, providers: tuple[Provider, ...]
) -> tuple[Credential | None, MilvusProfilesError | None]:
    """The first credential of the providers, or why there is none (returned: connect() raises it)."""
    for method, offers, provide in providers:
        if not offers(request):
            continue
        error = withheld(method, request)
        if error is not None:
            return None, error
        try:
            credential = provide(request)
        except MilvusProfilesError as e:
            return None, e
        if credential is not None:
            return credential, None
    return None, None


def takes_secret(uri: str) -> bool:
    """Whether a connection to ``uri`` takes a secret at all: Milvus Lite ignores credentials."""
    return not is_lite(uri)


def no_secret_for_lite(profile: str | None, uri: str, *, hint: str | None = None) -> ConfigError:
    return ConfigError(
        f"profile {profile or '(none)'} is a Milvus Lite database ({uri}), which takes no secret",
        hint=hint or "secrets are for Milvus servers; Milvus Lite ignores credentials",
    )


def _argument(request: SecretRequest) -> Credential:
    name = next(f for f in SECRET_ORDER if request.arguments.get(f))
    return Credential(name, Origin("kwarg", name), request.arguments[name])


def _variable(request: SecretRequest) -> Credential:
    name, variable = next((f, v) for f, v in SECRET_VARIABLES.items() if request.environ.get(v))
    return Credential(name, Origin("env", variable), request.environ[variable])


def _reference(request: SecretRequest) -> Credential:
    ref = request.references[request.wanted]
    where = f"profile {ref.setting.profile}: {request.wanted}"
    detail = f"{reference.describe(ref.value)} ({ref.setting.location})"
    if "command" in ref.value and not request.run_commands:
        raise CommandNotRunError(
            f"{where} comes from a command reference (not run): {detail}",
            field=request.wanted,
            reference=detail,
            hint="it runs for a connection (`test`, `exec`, connect()) or with `show --reveal`",
        )
    secret = reference.fetch(ref.value, where=where, environ=request.environ)
    return Credential(request.wanted, Origin("reference", detail), secret)


def _keyring(request: SecretRequest) -> Credential | None:
    stored = keyring_store.get_secret(request.uri, request.user, secure=request.secure)
    key = keyring_store.account(request.uri, request.user, secure=request.secure)
    return None if stored is None else Credential(request.wanted, Origin("keyring", key), stored)


ARGUMENT: Provider = ("kwarg", lambda r: any(r.arguments.get(f) for f in SECRET_ORDER), _argument)
"""``password=`` or ``token=`` given to ``connect()``/``resolve()``: always used, whatever the route."""
ENVIRONMENT: Provider = ("env", lambda r: any(map(r.environ.get, SECRET_VARIABLES.values())), _variable)
"""``MILVUS_TOKEN`` or ``MILVUS_PASSWORD``. A variable exported in a shell reaches every command run there,
whatever repository it runs in, so it counts as stored: it goes only to a trusted route."""
REFERENCE: Provider = ("reference", lambda r: r.wanted in r.references and not r.uri_credentials, _reference)
"""A reference in a profile file (:mod:`reference`); a command runs only with ``run_commands``."""
KEYRING: Provider = ("keyring", lambda r: not r.uri_credentials, _keyring)
"""The secret stored for the endpoint and user (:func:`keyring_store.account`): another route finds none."""
