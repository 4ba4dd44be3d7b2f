from __future__ import annotations

from pathlib import Path

import pytest

from milvus_profiles.config.catalog import catalog_of
from milvus_profiles.config.model import located_problems
from milvus_profiles.config.toml import read_file
from milvus_profiles.errors import ConfigError

from ..helpers import write


def problem(path: Path) -> ConfigError:
    """The problem that stops the file, or its first profile, from being used."""

    def use() -> None:
        catalog = catalog_of([path], True)
        catalog.layer(catalog.names()[0])

    with pytest.raises(ConfigError) as e:
        use()
    return e.value


def test_unknown_key_suggests_the_right_one(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.dev]\nuri = "http://x:1"\ntimout = 3\n')
    e = problem(path)
    assert (e.path, e.line) == (path, 3)
    assert str(e) == f"{path}:3: unknown key 'timout' in profiles.dev\nhint: did you mean 'timeout'?"


def test_unknown_tls_key(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", "[profiles.dev.tls]\nserver_pem = 'ca.pem'\n")
    assert str(problem(path)) == (
        f"{path}:2: unknown key 'server_pem' in profiles.dev.tls\nhint: did you mean 'server_pem_path'?"
    )


def test_a_profile_outside_the_profiles_table(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[dev]\nuri = "http://x:1"\n')
    assert str(problem(path)) == (
        f"{path}:1: unknown key 'dev' in the top level\n"
        "hint: profiles go in tables named [profiles.NAME]; the top level only has `default`"
    )


def test_wrong_type_names_file_line_and_key(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.dev]\nuri = "http://x:1"\ntimeout = "10"\n')
    assert str(problem(path)) == f"{path}:3: profiles.dev.timeout: Input should be a valid number"


def test_negative_timeout(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", "[profiles.dev]\ntimeout = -1\n")
    assert str(problem(path)) == f"{path}:2: profiles.dev.timeout: Input should be greater than 0"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("3601", "Input should be less than or equal to 3600"),
        ("1e300", "Input should be less than or equal to 3600"),
        ("inf", "Input should be a finite number"),
        ("nan", "Input should be a finite number"),
    ],
)
def test_a_timeout_has_an_upper_bound(isolated: Path, value: str, said: str) -> None:
    path = write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "http://x:1"\ntimeout = {value}\n')
    assert str(problem(path)) == f"{path}:3: profiles.dev.timeout: {said}"


def test_an_hour_is_the_longest_timeout(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from milvus_profiles import resolve

    write(isolated / "milvus.toml", '[profiles.dev]\nuri = "http://x:1"\ntimeout = 3600\n')
    assert resolve("dev").timeout == 3600
    bound = "Input should be less than or equal to 3600"
    with pytest.raises(ConfigError, match=f"^argument timeout=: {bound}$"):
        resolve("dev", timeout=1e300)
    monkeypatch.setenv("MILVUS_TIMEOUT", "1e300")
    with pytest.raises(ConfigError) as e:
        resolve("dev")
    assert (e.value.message, e.value.hint) == (f"MILVUS_TIMEOUT: {bound}", "fix MILVUS_TIMEOUT")


@pytest.mark.parametrize("uri", ["ftp://x:1", "localhost:19530", "milvus.sqlite", "http://:19530"])
def test_rejected_uri_says_what_would_work(isolated: Path, uri: str) -> None:
    path = write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "{uri}"\n')
    message = str(problem(path))
    assert message.startswith(f"{path}:2: profiles.dev.uri: ")
    assert message.endswith(
        "use http://HOST:19530, https://HOST:443, tcp://HOST:19530, unix:/path/to/milvus.sock, "
        "or a Milvus Lite file ending in .db such as ./milvus.db"
    )


@pytest.mark.parametrize(
    "uri", ["http://h:19530", "https://h", "tcp://10.0.0.1:19530", "unix:/run/m.sock", "./a/b.db", "/x.db"]
)
def test_accepted_uris(isolated: Path, uri: str) -> None:
    path = write(isolated / "milvus.toml", f'[profiles.dev]\nuri = "{uri}"\n')
    assert catalog_of([path], True).names() == ["dev"]


@pytest.mark.parametrize("key", ["password", "token"])
def test_secrets_in_files_are_refused(isolated: Path, key: str) -> None:
    path = write(isolated / "milvus.toml", f'[profiles.prod]\nuri = "http://x:1"\n{key} = "hunter2"\n')
    env = "MILVUS_PASSWORD" if key == "password" else "MILVUS_TOKEN"
    e = problem(path)
    assert str(e) == (
        f"{path}:3: profiles.prod.{key}: a {key} does not belong in a profile file; secrets never go in "
        f"files\nhint: remove it, then store it with `milvus-profiles secret set prod`, set {env} in "
        f'the environment, or refer to where it is kept: {key} = {{ env = "VARIABLE" }}, '
        f'{key} = {{ command = ["program", "arg"] }} or {key} = {{ file = "/path" }}'
    )
    assert "hunter2" not in str(e)


def test_a_password_in_the_uri_is_refused(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\nuri = "https://root:hunter2@h:443"\n')
    message = str(problem(path))
    assert "hunter2" not in message
    assert message.startswith(f"{path}:2: profiles.p.uri: the URI contains credentials")


def test_every_problem_of_a_file_is_listed_in_order(isolated: Path) -> None:
    path = write(
        isolated / "milvus.toml",
        '[profiles.a]\npassword = "x"\n[profiles.b]\nuri = "nope"\ndb_nam = "x"\n',
    )
    problems = [e for _, e in located_problems(read_file(path))]
    assert [(p.line, p.message.split(":")[2].strip()) for p in problems] == [
        (2, "profiles.a.password"),
        (4, "profiles.b.uri"),
        (5, "unknown key 'db_nam' in profiles.b"),
    ]


@pytest.mark.parametrize(
    "uri",
    [
        "https://0123456789abcdef@in03-x.cloud.zilliz.com:443",
        "http://dbadmin:hunter2@h:19530",
        "http://app:Ab/cd@h:19530",
        "http://dbadmin:@h",
        "http://:hunter2@h",
    ],
)
def test_any_user_part_in_a_file_uri_is_refused_without_showing_it(isolated: Path, uri: str) -> None:
    path = write(isolated / "milvus.toml", f'[profiles.p]\nuri = "{uri}"\n')
    message = str(problem(path))
    assert message.startswith(
        f"{path}:2: profiles.p.uri: the URI contains credentials (a token or user:password"
    )
    for secret in ("0123456789abcdef", "hunter2", "Ab/cd", "dbadmin"):
        assert secret not in message


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('"grpc.keepalive_time_ms" = "10"', "Input should be a valid integer"),
        ('"grpc.keepalive_time_ms" = true', "Input should be a valid integer"),
        ('"grpc.keepalive_time_ms" = 2147483648', "Input should be less than or equal to 2147483647"),
        ('"grpc.enable_retries" = 1', "Input should be a valid boolean"),
        ('"grpc.primary_user_agent" = 1', "Input should be a valid string"),
    ],
)
def test_a_grpc_option_takes_a_value_of_its_kind_within_what_grpc_takes(
    isolated: Path, line: str, said: str
) -> None:
    path = write(isolated / "milvus.toml", f"[profiles.dev.grpc]\n{line}\n")
    key = line.split(" = ", maxsplit=1)[0]
    assert str(problem(path)) == f"{path}:2: profiles.dev.grpc.{key}: {said}"


def test_a_grpc_option_off_the_allow_list_is_refused_with_the_closest_allowed_one(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.dev.grpc]\n"grpc.keepalive_time" = 1\n')
    assert str(problem(path)) == (
        f"{path}:1: profiles.dev.grpc: 'grpc.keepalive_time' is not a gRPC option a profile file may set: "
        "only options that cannot redirect or intercept the connection are allowed\n"
        "hint: did you mean 'grpc.keepalive_time_ms'?"
    )
    path = write(isolated / "milvus.toml", '[profiles.dev.grpc]\n"grpc.http_proxy" = "http://p:1"\n')
    assert "hint: allowed: grpc.keepalive_time_ms, " in str(problem(path))
