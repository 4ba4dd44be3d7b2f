from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from milvus_profiles import ConfigError, Origin, ProfileNotFoundError, ProfileWarning, resolve

from ..helpers import MemoryKeyring, trusted, write

DEV = """\
default = "dev"

[profiles.dev]
uri = "http://dev.example:19530"
db_name = "dev_db"
timeout = 5
user = "alice"

[profiles.prod]
extends = "dev"
uri = "https://${MILVUS_PROD_HOST:-prod.example}:443"
db_name = "analytics"

[profiles.prod.tls]
server_pem_path = "certs/ca.pem"
server_name = "milvus.internal"

[profiles.prod.grpc]
"grpc.keepalive_time_ms" = 20000

[profiles.local]
uri = "./data/milvus.db"
"""


@pytest.fixture
def project(isolated: Path) -> Path:
    return trusted(write(isolated / "milvus.toml", DEV))


def test_no_file_at_all_gives_the_defaults(isolated: Path) -> None:
    cfg = resolve()
    assert (cfg.name, cfg.uri, cfg.db_name, cfg.timeout, cfg.user) == (
        None,
        "http://localhost:19530",
        "default",
        10.0,
        None,
    )
    assert {k: str(v) for k, v in cfg.origins.items()} == {
        "profile": "default",
        "uri": "default",
        "db_name": "default",
        "timeout": "default",
    }


def test_precedence_at_every_level(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = resolve("dev")
    assert cfg.db_name == "dev_db"
    assert str(cfg.origins["db_name"]) == f"file {project}:5 [profiles.dev]"
    monkeypatch.setenv("MILVUS_DB_NAME", "from_env")
    cfg = resolve("dev")
    assert cfg.db_name == "from_env"
    assert cfg.origins["db_name"] == Origin("env", "MILVUS_DB_NAME")
    assert str(cfg.origins["db_name"]) == "env MILVUS_DB_NAME"
    cfg = resolve("dev", db_name="from_kwarg")
    assert cfg.db_name == "from_kwarg"
    assert str(cfg.origins["db_name"]) == "argument db_name="
    assert cfg.timeout == 5.0
    assert str(cfg.origins["timeout"]) == f"file {project}:6 [profiles.dev]"


def test_a_none_argument_means_not_given(project: Path) -> None:
    assert resolve("dev", db_name=None).db_name == "dev_db"


def test_selection_order(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve().name == "dev"
    assert str(resolve().origins["profile"]) == f"file {project}:1"
    monkeypatch.setenv("MILVUS_PROFILE", "local")
    assert resolve().name == "local"
    assert resolve("prod").name == "prod"


def test_unknown_profile_lists_names_and_files(project: Path, user_file: Path) -> None:
    with pytest.raises(ProfileNotFoundError) as e:
        resolve("staging")
    assert str(e.value) == (
        "no profile named 'staging'; known profiles: dev, prod, local; "
        f"files searched: {project.parent / 'milvus.local.toml'}, {project}, {user_file}\n"
        "hint: create it with `milvus-profiles add staging --uri URI`, or pick a known profile"
    )


def test_extends_inherits_and_overrides(project: Path) -> None:
    cfg = resolve("prod")
    assert cfg.uri == "https://prod.example:443"
    assert cfg.db_name == "analytics"
    assert cfg.user == "alice"
    assert str(cfg.origins["user"]) == f"file {project}:7 [profiles.dev]"
    assert cfg.tls == {
        "server_pem_path": str(project.parent / "certs/ca.pem"),
        "server_name": "milvus.internal",
    }
    assert cfg.grpc_options == {"grpc.keepalive_time_ms": 20000}
    assert str(cfg.origins["tls.server_name"]) == f"file {project}:16 [profiles.prod]"


def test_lite_paths_are_relative_to_their_file(
    project: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = isolated / "src" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert resolve("local").uri == str(project.parent / "data" / "milvus.db")


def test_same_profile_in_several_files_merges_key_by_key(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.dev]\nuri = "http://user.example:1"\nuser = "bob"\ntimeout = 7\n')
    project = write(isolated / "milvus.toml", '[profiles.dev]\nuri = "http://proj.example:1"\n')
    local = write(isolated / "milvus.local.toml", 'default = "dev"\n[profiles.dev]\ntimeout = 3\n')
    with pytest.warns(ProfileWarning) as warned:
        cfg = resolve()
    assert [str(w.message) for w in warned] == [
        f"profile 'dev' of {project} shadows the one in your user file {user_file} and points at another "
        "server: http://proj.example:1 instead of http://user.example:1"
    ]
    assert (cfg.uri, cfg.user, cfg.timeout) == ("http://proj.example:1", "bob", 3.0)
    assert str(cfg.origins["uri"]) == f"file {project}:2 [profiles.dev]"
    assert str(cfg.origins["user"]) == f"file {user_file}:3 [profiles.dev]"
    assert str(cfg.origins["timeout"]) == f"file {local}:3 [profiles.dev]"


def test_default_comes_from_the_highest_file_that_sets_it(isolated: Path, user_file: Path) -> None:
    write(user_file, 'default = "b"\n[profiles.a]\nuri = "a.db"\n[profiles.b]\nuri = "b.db"\n')
    write(isolated / "milvus.toml", '[profiles.c]\nuri = "c.db"\n')
    assert resolve().name == "b"
    write(isolated / "milvus.local.toml", 'default = "a"\n')
    assert resolve().name == "a"


def test_extends_cycle_reports_the_chain(isolated: Path) -> None:
    path = write(
        isolated / "milvus.toml",
        '[profiles.a]\nextends = "b"\n[profiles.b]\nextends = "c"\n[profiles.c]\nextends = "a"\n',
    )
    with pytest.raises(ConfigError) as e:
        resolve("a")
    assert str(e.value) == (
        f"{path}:6: profiles.c.extends: extends forms a cycle: a -> b -> c -> a\n"
        "hint: remove `extends` from one of these profiles"
    )


def test_extends_a_missing_profile(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.a]\nextends = "nope"\n[profiles.b]\nuri = "b.db"\n')
    with pytest.raises(ConfigError) as e:
        resolve("a")
    assert str(e.value) == (
        f"{path}:2: profiles.a.extends: extends 'nope', which is not a profile; known profiles: b\n"
        "hint: fix the name, or add that profile"
    )


def test_expansion_uses_milvus_variables(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PROD_HOST", "prod-7.internal")
    cfg = resolve("prod")
    assert cfg.uri == "https://prod-7.internal:443"
    assert str(cfg.origins["uri"]) == f"file {project}:11 [profiles.prod] with ${{MILVUS_PROD_HOST}}"


def test_expansion_refuses_other_variables(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "leak-me")
    path = write(
        isolated / "milvus.toml",
        '[profiles.evil]\nuri = "http://attacker.example:80"\ndb_name = "${AWS_SECRET_ACCESS_KEY}"\n',
    )
    with pytest.raises(ConfigError) as e:
        resolve("evil")
    assert str(e.value) == (
        f"{path}:3: profiles.evil.db_name: ${{AWS_SECRET_ACCESS_KEY}} cannot be expanded: a profile file "
        "may only read variables named MILVUS_..._HOST, _PORT, _DB_NAME, _USER and the like, never a secret\n"
        "hint: use a variable such as ${MILVUS_PROD_HOST}; secrets are sent as credentials, from the "
        "keyring, MILVUS_PASSWORD / MILVUS_TOKEN or a reference; the names a file may read are listed in "
        "docs/profiles.md"
    )
    assert "leak-me" not in str(e.value)


def test_expansion_of_a_missing_variable(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\n\nuri = "https://${MILVUS_HOST}:443"\n')
    with pytest.raises(ConfigError) as e:
        resolve("p")
    assert str(e.value) == (
        f"{path}:3: profiles.p.uri: environment variable MILVUS_HOST is not set\n"
        "hint: set MILVUS_HOST, or write ${MILVUS_HOST:-fallback} to give a fallback"
    )


def test_a_missing_variable_only_matters_for_the_profile_used(project: Path) -> None:
    write(project, DEV.replace("${MILVUS_PROD_HOST:-prod.example}", "${MILVUS_PROD_HOST}"))
    assert resolve("dev").uri == "http://dev.example:19530"


def test_an_expanded_uri_is_checked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, DEV.replace("https://${MILVUS_PROD_HOST:-prod.example}:443", "${MILVUS_PROD_HOST}"))
    monkeypatch.setenv("MILVUS_PROD_HOST", "ftp://x")
    with pytest.raises(
        ConfigError, match=rf"^{project}:11: profiles.prod.uri: 'ftp://x' is not a Milvus URI"
    ):
        resolve("prod")


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_TIMEOUT", "soon")
    with pytest.raises(ConfigError) as e:
        resolve()
    assert str(e.value) == (
        "MILVUS_TIMEOUT: Input should be a valid number, unable to parse string as a number\n"
        "hint: fix MILVUS_TIMEOUT"
    )


def test_bad_env_uri_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_URI", "localhost:19530")
    with pytest.raises(ConfigError, match=r"^MILVUS_URI: 'localhost:19530' is not a Milvus URI: use http"):
        resolve()


def test_bad_argument() -> None:
    with pytest.raises(ConfigError, match=r"^argument timeout=: Input should be greater than 0$"):
        resolve(timeout=0)
    with pytest.raises(ConfigError) as e:
        resolve(db="x")
    assert str(e.value) == (
        "unknown argument 'db'\nhint: arguments are: uri, db_name, timeout, user, password, token"
    )
    with pytest.raises(ConfigError, match="did you mean 'db_name'"):
        resolve(dbname="x")


def test_env_uri_may_carry_credentials_but_they_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_URI", "https://root:pw-in-uri@h.example:443")
    cfg = resolve()
    # pymilvus is handed the URI's user part as its token, and the URI without it
    assert cfg.client_kwargs()["uri"] == "https://h.example:443"
    assert cfg.client_kwargs()["token"] == "root:pw-in-uri"
    for text in (repr(cfg), str(cfg), cfg.explain(), cfg.summary()):
        assert "pw-in-uri" not in text
        assert "https://***@h.example:443" in text


def test_explain_table(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", "pw")
    assert resolve("dev", timeout=2).explain().splitlines() == [
        "profile: dev (argument profile=)",
        "field     value                     origin",
        f"uri       http://dev.example:19530  file {project}:4 [profiles.dev]",
        f"db_name   dev_db                    file {project}:5 [profiles.dev]",
        "timeout   2                         argument timeout=",
        f"user      alice                     file {project}:7 [profiles.dev]",
        "password  ********                  env MILVUS_PASSWORD",
        # the order of the chain in resolution/precedence.py, which decided every row
        "precedence: keyword arguments > environment variables > the profile > the keyring > "
        "built-in defaults",
    ]


def test_explain_says_why_no_secret_is_used(isolated: Path, memory_keyring: MemoryKeyring) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://h.example:1"\nuser = "u"\n')
    memory_keyring.store[("milvus-profiles", "u@http://h.example:1")] = "stored"
    lines = resolve("p").explain().splitlines()
    assert lines[-2] == (
        "no secret: profile p: no stored secret is sent to this connection, because its uri comes from "
        f"{path}:2 (profiles.p.uri), a project file you have not trusted yet (one you wrote, or a cloned "
        "repository's)"
    )


def test_client_kwargs(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", "pw")
    assert resolve("prod").client_kwargs() == {
        "uri": "https://prod.example:443",
        "db_name": "analytics",
        "timeout": 5.0,
        "user": "alice",
        "password": "pw",
        "secure": True,  # https:// always means TLS
        "server_pem_path": str(project.parent / "certs" / "ca.pem"),
        "server_name": "milvus.internal",
        "grpc_options": {"grpc.keepalive_time_ms": 20000},
    }


def test_the_next_resolve_sees_every_change_to_what_it_depends_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert resolve("prod").uri == "https://prod.example:443"
    monkeypatch.setenv("MILVUS_PROD_HOST", "moved.example")  # a variable the file expands
    assert resolve("prod").uri == "https://moved.example:443"
    monkeypatch.setenv("MILVUS_TIMEOUT", "3")
    assert resolve("prod").timeout == 3.0
    write(project, DEV.replace('db_name = "analytics"', 'db_name = "renamed_db"'))
    assert resolve("prod").db_name == "renamed_db"
    write(project.parent / "milvus.local.toml", '[profiles.prod]\ndb_name = "mine"\n')  # a new file
    assert resolve("prod").db_name == "mine"


def test_a_resolved_profile_cannot_be_changed(project: Path) -> None:
    cfg = resolve("prod")
    with pytest.raises(TypeError):
        cfg.tls["server_name"] = "evil"  # type: ignore[index]
    with pytest.raises(AttributeError):
        cfg.uri = "http://evil:1"  # type: ignore[misc]


@pytest.mark.parametrize(
    "name",
    [
        "MILVUS_PASSWORD",
        "MILVUS_TOKEN",
        "MILVUS_PROD_SECRET",
        "MILVUS_API_KEY",
        "MILVUS_PASS",
        "MILVUS_PWD",
        "MILVUS_AUTH",
        "MILVUS_URI",  # may carry user:password@
        # an allowed last word does not make a secret's name safe
        "MILVUS_TOKEN_HOST",
        "MILVUS_PASSWORD_USER",
        "MILVUS_PROD_PASSWORD_NAME",
        "MILVUS_SECRET_DB",
    ],
)
def test_expansion_never_reads_a_secret(isolated: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "leak-me")
    path = write(
        isolated / "milvus.toml",
        f'[profiles.evil]\nuri = "http://attacker.example:80"\nuser = "${{{name}}}"\n',
    )
    with pytest.raises(ConfigError) as e:
        resolve("evil")
    assert str(e.value).startswith(f"{path}:3: profiles.evil.user: ${{{name}}} cannot be expanded")
    assert "leak-me" not in str(e.value)


@pytest.mark.parametrize(
    "name",
    ["MILVUS_HOST", "MILVUS_PROD_HOST", "MILVUS_PORT", "MILVUS_DB_NAME", "MILVUS_USER", "MILVUS_DATA_DIR"],
)
def test_expansion_reads_names_of_places(isolated: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "value1")
    write(isolated / "milvus.toml", f'[profiles.p]\nuri = "http://h:1"\ndb_name = "${{{name}}}"\n')
    assert resolve("p").db_name == "value1"


def test_no_warning_when_a_project_file_only_adds_to_a_user_profile(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.dev]\nuri = "http://dev.example:19530"\nuser = "bob"\n')
    write(isolated / "milvus.toml", '[profiles.dev]\nuri = "tcp://DEV.example"\ndb_name = "team"\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve("dev").db_name == "team"  # the same endpoint: nothing to warn about


# A database in the URI's path, as pymilvus reads it (`MilvusClient(uri="http://h:19530/mydb")` works on mydb)


def test_a_database_in_the_uri_path_fills_db_name_at_the_uris_precedence(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        isolated / "p.toml",
        '[profiles.a]\nuri = "http://h:19530/mydb"\n'
        '[profiles.child]\nextends = "a"\ndb_name = "mine"\n'
        '[profiles.both]\nuri = "http://h:19530/mydb"\ndb_name = "other"\n',
    )
    cfg = resolve("a", files=[path])
    assert cfg.db_name == "mydb"
    assert str(cfg.origins["db_name"]) == f"file {path}:2 [profiles.a] (path of uri)"
    assert resolve("child", files=[path]).db_name == "mine"  # the profile's own table beats its parent's
    assert resolve("a", files=[path], db_name="kw").db_name == "kw"  # an argument beats the file
    monkeypatch.setenv("MILVUS_DB_NAME", "from_env")
    assert resolve("a", files=[path]).db_name == "from_env"  # so does the environment
    monkeypatch.setenv("MILVUS_URI", "http://h:19530/envdb")
    cfg = resolve("a", files=[path])  # side by side in the same layer, db_name wins, as in pymilvus
    assert (cfg.db_name, str(cfg.origins["db_name"])) == ("from_env", "env MILVUS_DB_NAME")
    monkeypatch.delenv("MILVUS_DB_NAME")
    cfg = resolve("a", files=[path])
    assert (cfg.db_name, str(cfg.origins["db_name"])) == ("envdb", "env MILVUS_URI (path of uri)")


def test_a_uri_from_the_environment_is_read_once_for_its_database_its_address_and_its_wire(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from milvus_profiles import uri

    read: list[str] = []
    parse = uri._parse

    def counted(text: str) -> uri.MilvusAddress | str:
        read.append(text)
        return parse(text)

    monkeypatch.setattr(uri, "_parse", counted)
    monkeypatch.setenv("MILVUS_URI", "https://h.example/envdb")
    cfg = resolve()
    assert (cfg.db_name, cfg.address.host, cfg.secure) == ("envdb", "h.example", True)
    assert read == ["https://h.example/envdb"]


def test_a_path_and_a_db_name_written_together_in_one_table_must_agree(isolated: Path) -> None:
    path = write(isolated / "p.toml", '[profiles.both]\nuri = "http://h:19530/mydb"\ndb_name = "other"\n')
    with pytest.raises(ConfigError) as e:
        resolve("both", files=[path])
    assert (e.value.path, e.value.line) == (path, 3)
    assert e.value.reason == "db_name 'other' and the path of uri ('mydb') name different databases"


def test_db_name_given_beside_a_uri_with_a_path_wins_as_in_pymilvus(isolated: Path) -> None:
    cfg = resolve(uri="http://h:19530/mydb", db_name="other")
    assert (cfg.db_name, str(cfg.origins["db_name"])) == ("other", "argument db_name=")


@pytest.mark.parametrize("variable", [False, True], ids=["argument", "variable"])
def test_an_empty_db_name_is_not_given_as_an_argument_or_a_variable(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, variable: bool
) -> None:
    path = write(isolated / "p.toml", '[profiles.p]\nuri = "http://h:19530"\ndb_name = "analytics"\n')
    if variable:
        monkeypatch.setenv("MILVUS_DB_NAME", "")
    cfg = resolve("p", files=[path], **({} if variable else {"db_name": ""}))
    assert (cfg.db_name, str(cfg.origins["db_name"])) == ("analytics", f"file {path}:3 [profiles.p]")
    assert resolve(uri="http://h:19530/mydb", **({} if variable else {"db_name": ""})).db_name == "mydb"


def test_a_withheld_secret_is_released_by_the_next_resolve_once_the_file_is_trusted(
    isolated: Path, memory_keyring: MemoryKeyring
) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://h.example:1"\nuser = "u"\n')
    memory_keyring.store[("milvus-profiles", "u@http://h.example:1")] = "stored"
    assert resolve("p").password is None
    from milvus_profiles.config import toml, trust

    assert trust.trust(toml.read_file(path)) == []  # as `milvus-profiles trust` records it; no cache cleared
    password = resolve("p").password
    assert password is not None
    assert password.get_secret_value() == "stored"


def test_only_the_variables_of_the_field_table_are_read_exactly_as_spelled(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a project's .env is checked by the names it sets: a variable read under another spelling, or a table
    # of TLS settings read from one variable, would slip past that check
    monkeypatch.setenv("milvus_uri", "http://lower.example:1")
    monkeypatch.setenv("Milvus_Db_Name", "mixed")
    monkeypatch.setenv("MILVUS_TLS", '{"secure": false}')
    monkeypatch.setenv("MILVUS_GRPC", '{"grpc.keepalive_time_ms": 1}')
    monkeypatch.setenv("MILVUS_EXTRA", "x")
    cfg = resolve("prod")
    assert (cfg.uri, cfg.db_name) == ("https://prod.example:443", "analytics")
    assert dict(cfg.tls) == {
        "server_pem_path": str(project.parent / "certs" / "ca.pem"),
        "server_name": "milvus.internal",
    }
    assert dict(cfg.grpc_options) == {"grpc.keepalive_time_ms": 20000}
    assert {k for k, o in cfg.origins.items() if o.kind == "env"} == set()


def test_the_settings_sources_are_asked_in_the_order_of_the_precedence(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from milvus_profiles.resolution.precedence import PRECEDENCE, ConnectionSettings

    asked: list[str] = []
    declared = ConnectionSettings.settings_customise_sources

    def recording(*args: Any, **kwargs: Any) -> tuple[object, ...]:
        sources = declared(*args, **kwargs)
        asked.extend(type(s).__name__ for s in sources)
        return sources

    monkeypatch.setattr(ConnectionSettings, "settings_customise_sources", staticmethod(recording))
    resolve("dev")
    assert asked == ["InitSettingsSource", "EnvSettingsSource", "ProfileSource"]
    assert [layer.kind for layer in PRECEDENCE] == ["kwarg", "env", "file", "keyring", "default"]
