"""The verdicts a user reads when a connection fails, and the checks made before connecting: each
verdict of connection/diagnose.py and of client.py's classify() (docs/testing.md, "Mutation testing").

The TLS failures are real: a TLS client against a plain gRPC server on a loopback port, whose error text
is grpc's own."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymilvus.exceptions import MilvusException, ParamError

from milvus_profiles import (
    AuthenticationError,
    DatabaseNotFoundError,
    ProfileWarning,
    ResolvedProfile,
    SecretNotFoundError,
    SecretWithheldError,
    ServerUnreachableError,
    resolve,
)
from milvus_profiles.connection.client import classify, connect
from milvus_profiles.connection.diagnose import diagnose, preflight
from milvus_profiles.errors import ConfigError

from ..helpers import SENTINEL, MemoryKeyring, trusted, write

REFUSED = "auth check failure, please check username and password are correct"


def profile(isolated: Path, body: str, name: str = "p", **overrides: Any) -> ResolvedProfile:
    path = write(isolated / "milvus.toml", f"[profiles.{name}]\n{body}")
    trusted(path)
    return resolve(name, **overrides)


@pytest.fixture(scope="module")
def plain_server() -> Iterator[int]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(None)


def tls_failure(port: int) -> grpc.RpcError:
    channel = grpc.secure_channel(f"127.0.0.1:{port}", grpc.ssl_channel_credentials())
    try:
        channel.unary_unary("/test/x")(b"", timeout=5)
    except grpc.RpcError as e:
        return e
    finally:
        channel.close()
    raise AssertionError("the call succeeded")


def test_tls_to_a_plaintext_server_says_it_does_not_speak_tls(isolated: Path, plain_server: int) -> None:
    cfg = profile(isolated, f'uri = "https://127.0.0.1:{plain_server}"\ntimeout = 2\n')
    found = classify(tls_failure(plain_server), cfg)
    assert isinstance(found, ServerUnreachableError)
    assert found.message == (
        f"profile p: the server at 127.0.0.1:{plain_server} does not speak TLS: "
        f"try http://127.0.0.1:{plain_server}"
    )
    secure = profile(isolated, 'uri = "http://127.0.0.1:1"\n[profiles.p.tls]\nsecure = true\n')
    found = classify(tls_failure(plain_server), secure)
    assert isinstance(found, ServerUnreachableError)
    assert found.message.endswith("does not speak TLS: try `secure = false` in [tls]")


@pytest.mark.parametrize(
    "detail",
    [
        "Ssl handshake failed: SSL_ERROR_SSL: error:1000007d:SSL routines:CERTIFICATE_VERIFY_FAILED",
        "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: "
        "Hostname verification failed",
        "Handshake failed",
        "SSL_ERROR_SYSCALL",
        "error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER",
        "Unwrap failed",
        "tls handshake timed out",
    ],
)
def test_every_tls_failure_grpc_reports_is_a_tls_verdict(isolated: Path, detail: str) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    found = diagnose(cfg, grpc_code="UNAVAILABLE", milvus_code=None, detail=detail)
    assert isinstance(found, ServerUnreachableError)
    assert found.message.startswith("profile p: the TLS handshake with 127.0.0.1:1 failed")


@pytest.mark.parametrize(
    "tls",
    [
        'uri = "https://127.0.0.1:1"\n',
        'uri = "http://127.0.0.1:1"\n[profiles.p.tls]\nsecure = true\n',
        'uri = "http://127.0.0.1:1"\n[profiles.p.tls]\nserver_pem_path = "ca.pem"\n',
    ],
    ids=["https", "secure", "pem"],
)
def test_a_socket_closed_on_a_tls_connection_is_a_tls_verdict(isolated: Path, tls: str) -> None:
    write(isolated / "ca.pem", "-----BEGIN CERTIFICATE-----\n")
    cfg = profile(isolated, tls)
    found = diagnose(cfg, grpc_code="UNAVAILABLE", milvus_code=None, detail="Socket closed")
    assert isinstance(found, ServerUnreachableError)
    assert "TLS handshake" in found.message


def test_a_socket_closed_on_a_plain_connection_suggests_tls(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n[profiles.p.tls]\nsecure = false\n')
    found = diagnose(cfg, grpc_code="UNAVAILABLE", milvus_code=None, detail="Socket closed")
    assert found.message == "profile p: cannot reach the Milvus server at 127.0.0.1:1 (Socket closed)"
    assert found.hint == "the server may expect TLS: use an https:// URI or set `secure = true` in [tls]"
    other = diagnose(cfg, grpc_code="UNAVAILABLE", milvus_code=None, detail="Connection refused")
    assert (
        other.hint
        == "check that the server runs and the URI is right; raise `timeout` if it is slow to answer"
    )


def test_a_deadline_says_the_timeout(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\ntimeout = 2.5\n')
    found = diagnose(cfg, grpc_code="DEADLINE_EXCEEDED", milvus_code=None, detail="Deadline Exceeded")
    assert isinstance(found, ServerUnreachableError)
    assert found.message == "profile p: the Milvus server at 127.0.0.1:1 did not answer within 2.5 s"


@pytest.mark.parametrize(
    ("body", "overrides", "who", "variable"),
    [
        (
            'uri = "http://127.0.0.1:1"\nuser = "alice"\n',
            {"password": "pw-123"},
            "user 'alice'",
            "MILVUS_PASSWORD",
        ),
        ('uri = "http://127.0.0.1:1"\n', {"token": "tok-123"}, "the token", "MILVUS_TOKEN"),
        ('uri = "http://127.0.0.1:1"\n', {}, "a client without credentials", "MILVUS_TOKEN"),
    ],
)
def test_unauthenticated_names_whose_credentials_were_refused(
    isolated: Path, body: str, overrides: dict[str, str], who: str, variable: str
) -> None:
    cfg = profile(isolated, body, **overrides)
    found = diagnose(cfg, grpc_code="UNAUTHENTICATED", milvus_code=None, detail=REFUSED)
    assert isinstance(found, AuthenticationError)
    assert (
        found.message == f"profile p: the server at 127.0.0.1:1 refused the credentials of {who} ({REFUSED})"
    )
    assert found.hint == f"store the right secret with `milvus-profiles secret set p`, or fix {variable}"


def test_unauthenticated_without_the_withheld_secret_says_why_it_was_withheld(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://127.0.0.1:1"\n')  # not trusted
    cfg = resolve("p")
    error = cfg.secret_error
    assert isinstance(error, SecretWithheldError)
    found = diagnose(cfg, grpc_code="UNAUTHENTICATED", milvus_code=None, detail=REFUSED)
    assert isinstance(found, AuthenticationError)
    assert found.message.endswith(f"({REFUSED}); {error.message}")
    assert found.hint == error.hint
    assert f"milvus-profiles trust {path.name}" in str(found.hint)


def test_permission_denied_names_the_user_and_the_database(isolated: Path) -> None:
    cfg = profile(
        isolated, 'uri = "http://127.0.0.1:1"\nuser = "alice"\ndb_name = "analytics"\n', password="pw-123"
    )
    found = diagnose(cfg, grpc_code="PERMISSION_DENIED", milvus_code=None, detail="permission deny")
    assert isinstance(found, AuthenticationError)
    assert found.message == (
        "profile p: the server at 127.0.0.1:1 accepted user 'alice' but denied access to database "
        "'analytics' (permission deny)"
    )


@pytest.mark.parametrize(
    ("code", "detail", "missing"),
    [
        (800, "anything", True),
        (1, "database 'x' does not exist", True),
        (1, "database not found[database=x]", True),
        (1, "collection not found", False),
        (1, "the database is locked", False),
        (801, "", False),
    ],
)
def test_a_missing_database_is_told_by_code_or_by_message(
    isolated: Path, code: int, detail: str, missing: bool
) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\ndb_name = "x"\n')
    found = diagnose(cfg, grpc_code=None, milvus_code=code, detail=detail)
    assert isinstance(found, DatabaseNotFoundError) is missing
    if missing:
        assert found.message == "profile p: database 'x' does not exist on 127.0.0.1:1"


def test_milvus_lite_that_cannot_open_says_so(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "./data/m.db"\n')
    found = diagnose(cfg, grpc_code=None, milvus_code=None, detail="Permission denied")
    assert isinstance(found, ServerUnreachableError)
    assert found.message == f"profile p: cannot open the Milvus Lite database {cfg.uri} (Permission denied)"
    assert str(found.hint).startswith("install Milvus Lite with")


def test_a_unix_socket_is_named_by_its_path(isolated: Path) -> None:
    cfg = resolve(uri="unix:/run/milvus.sock")
    found = diagnose(cfg, grpc_code="UNAVAILABLE", milvus_code=None, detail="No such file")
    assert (
        found.message
        == "profile (no profile): cannot reach the Milvus server at unix:/run/milvus.sock (No such file)"
    )


def test_the_detail_is_scrubbed_and_bounded(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\nuser = "alice"\n', password=SENTINEL)
    detail = f"refused  {SENTINEL}\n at http://alice:{SENTINEL}@127.0.0.1:1 " + "x" * 1000
    found = diagnose(cfg, grpc_code="UNAVAILABLE", milvus_code=None, detail=detail)
    assert SENTINEL not in str(found)
    reason = found.message.split("(", 1)[1]
    assert reason.startswith("refused ******** at http://***@127.0.0.1:1 xxx")
    assert len(reason) == 300 + 1  # the reason is cut at 300 characters, then ")"


def test_a_milvus_error_without_grpc_uses_its_message(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    found = classify(MilvusException(code=2, message="Fail connecting to server on 127.0.0.1:1"), cfg)
    assert isinstance(found, ServerUnreachableError)
    assert found.message == (
        "profile p: cannot reach the Milvus server at 127.0.0.1:1 (Fail connecting to server on 127.0.0.1:1)"
    )


def test_our_own_errors_pass_through_classify(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    error = ServerUnreachableError("as it was")
    assert classify(error, cfg) is error


def test_a_timeout_alone_is_not_a_failed_connection(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    assert classify(TimeoutError(), cfg) is None


def test_an_os_error_is_a_failed_connection_only_for_milvus_lite(isolated: Path) -> None:
    server = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    assert classify(PermissionError(13, "Permission denied"), server) is None
    lite = profile(isolated, 'uri = "./data/m.db"\n')
    found = classify(PermissionError(13, "Permission denied"), lite)
    assert isinstance(found, ServerUnreachableError)
    missing = ModuleNotFoundError("No module named 'milvus_lite'", name="milvus_lite")
    assert isinstance(classify(missing, lite), ServerUnreachableError)
    assert classify(ModuleNotFoundError("No module named 'other'", name="other"), lite) is None


# preflight: what is refused before any connection


def test_a_user_without_a_password_is_refused_before_connecting(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\nuser = "alice"\n')
    with pytest.raises(SecretNotFoundError) as caught:
        preflight(cfg)
    assert caught.value.message == (
        "profile p: user 'alice' has no password: none in the keyring for alice@http://127.0.0.1:1, and "
        "MILVUS_PASSWORD is not set"
    )
    assert caught.value.hint == "store it with `milvus-profiles secret set p`, or set MILVUS_PASSWORD"


def test_a_user_whose_secret_was_withheld_is_refused_with_the_reason(isolated: Path) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://127.0.0.1:1"\nuser = "alice"\n')
    cfg = resolve("p")
    with pytest.raises(SecretWithheldError) as caught:
        preflight(cfg)
    assert caught.value is cfg.secret_error


def test_without_a_user_no_secret_is_fine_and_a_withheld_keyring_is_silent(
    isolated: Path, memory_keyring: MemoryKeyring
) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://127.0.0.1:1"\n')  # not trusted
    cfg = resolve("p")
    assert isinstance(cfg.secret_error, SecretWithheldError)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        preflight(cfg)


def test_without_a_user_a_withheld_variable_is_an_error(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://127.0.0.1:1"\n')  # not trusted
    monkeypatch.setenv("MILVUS_TOKEN", SENTINEL)
    cfg = resolve("p")
    with pytest.raises(SecretWithheldError) as caught:
        preflight(cfg)
    assert caught.value is cfg.secret_error
    assert caught.value.message.startswith("profile p: MILVUS_TOKEN is set but not sent to this connection")
    assert SENTINEL not in str(caught.value)


def test_a_failed_reference_is_raised_even_without_a_user(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.p]\nuri = "http://127.0.0.1:1"\ntoken = { env = "UNSET_ONE" }\n').chmod(0o600)
    cfg = resolve("p")
    with pytest.raises(SecretNotFoundError, match="UNSET_ONE"):
        preflight(cfg)


def test_a_secret_found_or_milvus_lite_needs_nothing_more(isolated: Path) -> None:
    preflight(profile(isolated, 'uri = "http://127.0.0.1:1"\nuser = "alice"\n', password="pw-123"))
    preflight(profile(isolated, 'uri = "./data/m.db"\nuser = "alice"\n'))
    preflight(profile(isolated, 'uri = "http://127.0.0.1:1"\n'))


def test_a_note_of_the_resolver_becomes_a_warning(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.p]\nuri = "http://127.0.0.1:1"\n').chmod(0o644)
    cfg = resolve("p")
    assert cfg.notes
    with pytest.warns(ProfileWarning, match="readable by other users"):
        preflight(cfg)


def test_a_warning_of_connect_points_at_the_line_that_called_it(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.p]\nuri = "http://127.0.0.1:1"\ntimeout = 2\n').chmod(0o644)
    with pytest.warns(ProfileWarning, match="readable") as caught, pytest.raises(ServerUnreachableError):
        connect("p")
    assert [w.filename for w in caught] == [__file__]


def test_without_a_profile_the_hint_stores_the_secret_of_no_profile(isolated: Path) -> None:
    cfg = resolve(uri="http://127.0.0.1:1", user="alice")
    with pytest.raises(SecretNotFoundError) as caught:
        preflight(cfg)
    assert caught.value.message.startswith("profile (no profile): user 'alice' has no password")
    assert caught.value.hint == "store it with `milvus-profiles secret set`, or set MILVUS_PASSWORD"
    found = diagnose(cfg, grpc_code="UNAUTHENTICATED", milvus_code=None, detail=REFUSED)
    assert found.hint == "store the right secret with `milvus-profiles secret set`, or fix MILVUS_PASSWORD"


def test_every_tls_file_is_read_before_connecting(isolated: Path) -> None:
    missing = isolated / "missing-ca.pem"
    cfg = profile(isolated, f'uri = "https://127.0.0.1:1"\n[profiles.p.tls]\nserver_pem_path = "{missing}"\n')
    with pytest.raises(ConfigError) as caught:
        preflight(cfg)
    assert "tls.server_pem_path" in caught.value.message
    assert str(missing) in caught.value.message


def test_the_grpc_detail_wins_over_other_messages_in_the_chain(isolated: Path, plain_server: int) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    channel = grpc.insecure_channel(f"127.0.0.1:{plain_server}")
    try:
        channel.unary_unary("/test/missing")(b"", timeout=5)
    except grpc.RpcError as e:
        rpc = e
    finally:
        channel.close()
    try:
        try:
            try:
                raise TimeoutError("the waiting thread gave up")
            except TimeoutError:
                raise rpc  # noqa: B904 - chained as pymilvus's retry loop chains them
        except grpc.RpcError as inner:
            raise MilvusException(code=2, message="Fail connecting to server") from inner
    except MilvusException as outer:
        found = classify(outer, cfg)
    assert isinstance(found, ServerUnreachableError)
    assert found.message == "profile p: cannot reach the Milvus server at 127.0.0.1:1 (Method not found!)"


def test_what_is_not_a_failed_connection_has_no_verdict(isolated: Path) -> None:
    cfg = profile(isolated, 'uri = "http://127.0.0.1:1"\n')
    assert classify(KeyError("x"), cfg) is None
    assert classify(TimeoutError(), cfg) is None
    assert classify(ParamError(message="invalid timeout"), cfg) is None
