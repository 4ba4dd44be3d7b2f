"""The pydantic models of a profile file, and validation errors turned into ``file:line`` messages."""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    create_model,
    model_validator,
)

from ..errors import ConfigError
from ..fields import FIELDS, FIELDS_BY_NAME, GRPC_OPTIONS, TLS_KEYS, profile_name_problem, secret_set_command
from ..fields import Field as TableField
from ..uri import URI_HINT, has_credentials, uri_problem
from .toml import ProfileFile, key_name


def check_uri(value: str) -> str:
    """Accept exactly the URIs pymilvus reads right; a URI in a file must not carry credentials."""
    if "${" in value:
        return value  # checked again once expanded
    if has_credentials(value):
        # pymilvus reads "KEY@host" as a token and "user:password@host" as both: either is a secret
        raise ValueError(
            "the URI contains credentials (a token or user:password before '@'); put the user in `user` and "
            "keep the password or token in the keyring (`milvus-profiles secret set`) or in "
            "MILVUS_PASSWORD / MILVUS_TOKEN"
        )
    if (problem := uri_problem(value)) is not None:
        raise ValueError(f"{problem}: {URI_HINT}")
    return value


def optional(annotation: Any, description: str | None) -> Any:
    """A key of a table: absent, or of its type (TOML has no null)."""
    return annotation | None, Field(None, description=description)


TlsTable: type[BaseModel] = create_model(
    "TlsTable",
    __config__=ConfigDict(extra="forbid", strict=True),
    __doc__="The ``[profiles.NAME.tls]`` table: pymilvus's TLS options. Paths are relative to the file.",
    **{k: optional(bool if k == "secure" else str, words) for k, words in TLS_KEYS.items()},
)

# Two rules said once, as patterns that pydantic checks and the schema states, with the words check prints
VARIABLE_NAME = "^(_+[A-Za-z0-9]|[A-Za-z])[A-Za-z0-9_]*$"
ABSOLUTE_PATH = "^(/|~|[A-Za-z]:[\\\\/])"
REFUSALS = {
    VARIABLE_NAME: "{!r} is not an environment variable name",
    ABSOLUTE_PATH: "the file {!r} must be an absolute path, such as /run/secrets/milvus_token",
}


def check_reference_command(command: list[str]) -> list[str]:
    """A program named by an absolute path or found on PATH, not a relative path into a cloned repository."""
    program = command[0]
    if ("/" in program or "\\" in program) and not re.match(ABSOLUTE_PATH, program):
        raise ValueError(
            f"the program {program!r} is a relative path, which would run a file of whatever folder you "
            "are in; give its absolute path, or a name found on PATH"
        )
    return command


class SecretReference(BaseModel):
    """Where a secret comes from, written in a profile file instead of the secret.

    ``{ env = "ZILLIZ_CLOUD_API_KEY" }``: the value of that environment variable.
    ``{ command = ["op", "read", "op://vault/milvus/password"] }``: what the command prints, trimmed; it
    runs without a shell, with a time limit.
    ``{ file = "/run/secrets/milvus_token" }``: the file's text, one trailing newline removed.
    References are followed only from trusted files.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # the schema says what _one_source checks:
        json_schema_extra=lambda s: s.update(oneOf=[{"required": [n]} for n in s["properties"]]),
    )

    env: str | None = Field(
        None, description="The environment variable that holds the secret.", pattern=VARIABLE_NAME
    )
    command: (
        Annotated[
            list[Annotated[str, Field(min_length=1)]],
            Field(min_length=1),
            AfterValidator(check_reference_command),
        ]
        | None
    ) = Field(None, description="The program and its arguments, run without a shell; it prints the secret.")
    file: str | None = Field(
        None,
        description="An absolute path to a file that holds the secret, as Kubernetes mounts them.",
        pattern=ABSOLUTE_PATH,
    )

    @model_validator(mode="after")
    def _one_source(self) -> SecretReference:
        if sum(x is not None for x in (self.env, self.command, self.file)) != 1:
            raise ValueError(
                'give exactly one of env = "VARIABLE", command = ["program", "arg"] or file = "/path"'
            )
        return self


GRPC_TYPES: dict[str, Any] = {
    "bool": bool,
    "str": str,
    "int": Annotated[int, Field(ge=-(2**31), le=2**31 - 1)],
}
"""The type of each kind of gRPC option: its integers are C ints."""

GrpcTable: type[BaseModel] = create_model(
    "GrpcTable",
    __config__=ConfigDict(extra="forbid", strict=True),
    __doc__="gRPC channel options, passed to pymilvus as grpc_options; only options that cannot redirect or "
    "intercept the connection (keepalive, message sizes, backoff...).",
    **{name: optional(GRPC_TYPES[kind], words) for name, (kind, words) in GRPC_OPTIONS.items()},
)


def check_profile_name(name: str) -> str:
    """A profile name as `fields.PROFILE_NAME` allows: a name in a file is printed and put in shells."""
    if (problem := profile_name_problem(name)) is not None:
        raise ValueError(problem)
    return name


ProfileName = Annotated[str, AfterValidator(check_profile_name)]

FIELD_TYPES: dict[str, Any] = {
    "str": Annotated[str, Field(min_length=1)],
    "float": Annotated[float, Field(gt=0, allow_inf_nan=False)],
    "secret": Annotated[SecretStr, Field(min_length=1)],
}
"""The pydantic type of each kind of field in the table; files and the resolver validate alike."""


def field_type(f: TableField) -> Any:
    """The pydantic type of one field of the table: its kind's, with the field's upper bound if any."""
    kind = FIELD_TYPES[f.type]
    return kind if f.maximum is None else Annotated[kind, Field(le=f.maximum)]


def _file_field(f: TableField) -> Any:
    if f.secret:
        where = '{ env = "VARIABLE" }, { command = ["program", "arg"] } or { file = "/path" }'
        said = f"Where the {f.name} comes from, never the {f.name} itself: {where}; followed only from a "
        return optional(SecretReference, said + "trusted file.")
    uri = f.name == "uri"
    return optional(Annotated[field_type(f), AfterValidator(check_uri)] if uri else field_type(f), f.help)


ProfileTable: type[BaseModel] = create_model(
    "ProfileTable",
    # Taplo writes `initKeys` in a new table of this kind
    __config__=ConfigDict(
        extra="forbid",
        strict=True,
        title="A Milvus connection profile",
        json_schema_extra={"x-taplo": {"initKeys": ["uri"]}},
    ),
    __doc__="One `[profiles.NAME]` table. Every key is optional; files merge key by key.",
    extends=optional(
        Annotated[ProfileName, Field(min_length=1)],
        "A profile to inherit from; its keys are overridden key by key.",
    ),
    tls=optional(TlsTable, "TLS options, as pymilvus takes them."),
    grpc=optional(GrpcTable, GrpcTable.__doc__),
    **{f.name: _file_field(f) for f in FIELDS},
)


class ProfileDocument(BaseModel):
    """A whole profile file."""

    model_config = ConfigDict(extra="forbid", strict=True, title="Milvus connection profiles")

    default: Annotated[ProfileName, Field(min_length=1)] | None = Field(
        None, description="The profile used when none is named."
    )
    profiles: dict[ProfileName, ProfileTable] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="The profiles, by name."
    )


def _error_from_pydantic(pf: ProfileFile, err: Any) -> ConfigError:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    if loc[-1:] == ("[key]",):  # a refused table name: the table is the place
        loc = loc[:-1]
    where, line = key_name(loc), pf.line_of(*map(str, loc))
    field = FIELDS_BY_NAME.get(str(loc[2])) if len(loc) == 3 else None
    if field is not None and field.secret and err["type"] == "model_type":  # a secret written out
        name, secret, env = str(loc[1]), field.name, field.env
        return ConfigError(
            f"{where}: a {secret} does not belong in a profile file; secrets never go in files",
            path=pf.path,
            line=line,
            hint=f"remove it, then store it with `{secret_set_command(name)}`, set {env} in the environment, "
            f'or refer to where it is kept: {secret} = {{ env = "VARIABLE" }}, '
            f'{secret} = {{ command = ["program", "arg"] }} or {secret} = {{ file = "/path" }}',
        )
    if err["type"] == "extra_forbidden":
        model = ProfileDocument if len(loc) == 1 else ProfileTable if len(loc) == 3 else None
        if len(loc) == 4:
            model = {"tls": TlsTable, "grpc": GrpcTable}.get(str(loc[2]), SecretReference)
        unknown, known = str(loc[-1]), list(model.model_fields) if model else []
        table = key_name(loc[:-1]) or "the top level"
        guess = difflib.get_close_matches(unknown, known, n=1)
        hint: str | None
        if guess:
            hint = f"did you mean {guess[0]!r}?"
        elif len(loc) == 1:
            hint = "profiles go in tables named [profiles.NAME]; the top level only has `default`"
        else:
            hint = "known keys: " + ", ".join(known)
        if loc[2:3] == ("grpc",):  # the table is the place: the option may be written `grpc.x = ` in it
            return ConfigError(
                f"{table}: {unknown!r} is not a gRPC option a profile file may set: only options "
                "that cannot redirect or intercept the connection are allowed",
                path=pf.path,
                line=pf.line_of(*map(str, loc[:3])),
                hint=hint if guess else f"allowed: {', '.join(GRPC_OPTIONS)}",
            )
        return ConfigError(f"unknown key {unknown!r} in {table}", path=pf.path, line=line, hint=hint)
    if err["type"] in ("dict_type", "model_type"):
        what = "a table of profiles" if loc == ("profiles",) else "a table"
        hint = "write each profile as a table [profiles.NAME]" if len(loc) <= 2 else None
        return ConfigError(f"{where} must be {what}", path=pf.path, line=line, hint=hint)
    if err["type"] == "string_pattern_mismatch":
        return ConfigError(
            f"{where}: {REFUSALS[err['ctx']['pattern']].format(err['input'])}", path=pf.path, line=line
        )
    message = str(err["msg"]).removeprefix("Value error, ")
    return ConfigError(f"{where}: {message}", path=pf.path, line=line)


def located_problems(pf: ProfileFile) -> list[tuple[str | None, ConfigError]]:
    """Every problem of one file in line order, each with the profile whose table has it, or None for a
    problem of the file itself: its top level, its ``default``, a profile's name, a profile that is no
    table."""
    found: list[tuple[str | None, ConfigError]] = []
    try:
        ProfileDocument.model_validate(pf.data)
    except ValidationError as e:
        for err in e.errors():
            loc = err["loc"]
            owned = len(loc) > 2 and loc[0] == "profiles" and loc[2] != "[key]"
            found.append((str(loc[1]) if owned else None, _error_from_pydantic(pf, err)))
    return sorted(found, key=lambda p: p[1].line or 0)


def profile_problems(pf: ProfileFile) -> dict[str, ConfigError]:
    """The first problem of each profile of a file, by name: a problem belongs to the profile that has it.
    A problem of the file itself is raised. Kept with the parsed file, so a file is validated once."""
    if pf.problems is None:
        found: dict[str, ConfigError] = {}
        for owner, error in located_problems(pf):
            if owner is None:
                raise error
            found.setdefault(owner, error)
        pf.problems = found
    return pf.problems


def validate_file(pf: ProfileFile, before: ProfileFile | None = None) -> None:
    """Validate a file an edit would write; the first problem is raised, except a profile's problem the file
    had ``before`` the edit: it stays that profile's, so editing another profile goes on."""
    known = {e.reason for owner, e in located_problems(before) if owner is not None} if before else set()
    for owner, error in located_problems(pf):
        if owner is None or error.reason not in known:
            raise error
