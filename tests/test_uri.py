"""milvus_profiles.uri against pymilvus itself: every URI from pymilvus's tests and docs, plus hostile ones,
is read by ``pymilvus.client.connection_manager.ConnectionConfig.from_uri`` (what ``MilvusClient(uri=...)``
calls) and by ``parse_uri``, and the two must agree on host, port, database, TLS and token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from milvus_profiles.errors import ConfigError
from milvus_profiles.uri import (
    MilvusAddress,
    endpoint,
    has_credentials,
    is_lite,
    parse_uri,
    redact,
    uri_problem,
)

FIXTURE = Path(__file__).parent / "fixtures" / "pymilvus_uris.txt"
PYMILVUS_URIS = [
    line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("# ")
]

# Shapes pymilvus's own tests do not cover: the token in the user part, passwords full of delimiters,
# upper-case schemes, path parameters, queries and fragments.
MORE_URIS = [
    "https://0123456789abcdef@in03-abc.serverless.gcp-us-west1.cloud.zilliz.com:443",
    "https://db_admin:Pa55word@in03-abc.cloud.zilliz.com",
    "http://root:Milvus@127.0.0.1:19530/mydb",
    "http://root:Mil:vus@127.0.0.1:19530",
    "http://root:p@ss@127.0.0.1:19530/mydb",
    "http://root:p%40ss@127.0.0.1:19530",
    "http://root:@127.0.0.1:19530",
    "http://@127.0.0.1:19530",
    "HTTPS://Milvus.Example.COM/MyDb",
    "Tcp://127.0.0.1:19530/a",
    "http://127.0.0.1:19530/mydb?timeout=3#frag",
    "http://127.0.0.1:19530/mydb;param",
    "http://127.0.0.1:19530?db=x",
    "http://127.0.0.1:",
    "http://127.0.0.1:0",
    "http://127.0.0.1:65536",
    "http://127.0.0.1:-1",
    "http://[::1]:19530",
    "http://:secret@127.0.0.1:19530",
    "http://app:Ab/cd@127.0.0.1:19530",
    "http://app:Ab?cd@127.0.0.1:19530",
    "http://app:Ab#cd@127.0.0.1:19530",
    "http://127.0.0.1:19530/db@x",
    "grpc://127.0.0.1:19530",
    "127.0.0.1:19530",
    "root:Milvus@127.0.0.1:19530",
    "http://[::1",
    " ",
]


def pymilvus_reading(uri: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any] | Exception:
    """What ``MilvusClient(uri=uri)`` makes of ``uri`` before dialling: address, token, database, TLS."""
    from milvus_lite import server_manager
    from pymilvus.client.connection_manager import ConnectionConfig

    # A Lite URI would start a server; record that pymilvus asked for one instead.
    monkeypatch.setattr(server_manager.server_manager_instance, "start_and_get_uri", lambda path: None)
    try:
        config = ConnectionConfig.from_uri(uri)
    except Exception as e:
        return e
    return {
        "address": config.address,
        "token": config.token,
        "db_name": config.db_name,
        "secure": config.get_handler_kwargs().get("secure", False),
    }


def our_reading(address: MilvusAddress) -> dict[str, Any]:
    credential = address.credential
    return {
        "address": address.target,
        "token": credential.get_secret_value() if credential else "",
        "db_name": address.db_name or "",
        "secure": address.secure,
    }


def why_refused_by_pymilvus(uri: str, theirs: dict[str, Any] | Exception, problem: str) -> bool:
    """A URI we refuse must be one pymilvus refuses, or one it misreads in the way our message says."""
    if isinstance(theirs, Exception):
        return True
    if "has no host" in problem:
        return theirs["address"] == "localhost:" + theirs["address"].rpartition(":")[2]  # type: ignore[no-any-return]
    if "port 0" in problem:
        return theirs["address"].endswith(":19530")  # type: ignore[no-any-return]
    if "IPv6" in problem:
        return theirs["address"].count(":") > 1  # type: ignore[no-any-return]  # "::1:19530": gRPC cannot dial it
    if "password but no user" in problem:
        return theirs["token"] == ""  # type: ignore[no-any-return]
    if "an '@' after" in problem:
        # pymilvus dials a host taken from inside the user part, or the path, instead of the real host
        return theirs["address"].partition(":")[0] != uri.rpartition("@")[2].partition(":")[0]  # type: ignore[no-any-return]
    return False


@pytest.mark.parametrize("uri", PYMILVUS_URIS + MORE_URIS)
def test_a_uri_means_what_pymilvus_reads_or_is_refused_for_what_pymilvus_gets_wrong(
    uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = pymilvus_reading(uri, monkeypatch)
    problem = uri_problem(uri)
    if problem is not None:
        assert why_refused_by_pymilvus(uri, theirs, problem), (problem, theirs)
        with pytest.raises(ConfigError):
            parse_uri(uri)
        return
    ours = parse_uri(uri)
    if ours.scheme == "lite":
        assert isinstance(theirs, Exception)
        assert "Open local milvus failed" in str(theirs)
        return
    assert not isinstance(theirs, Exception), theirs
    assert our_reading(ours) == theirs


def test_the_fixture_holds_the_uris_of_pymilvus_tests_and_docs() -> None:
    assert len(PYMILVUS_URIS) >= 55
    assert "https://user:pass@host:19530/mydb" in PYMILVUS_URIS


def test_the_user_part_is_a_token_or_a_user_and_password_and_never_in_repr() -> None:
    key = parse_uri("https://0123456789abcdef@cloud.example.com")
    assert key.token is not None
    assert key.token.get_secret_value() == "0123456789abcdef"
    assert key.user is None
    assert "0123456789abcdef" not in repr(key)
    pair = parse_uri("http://root:p@ss@127.0.0.1/mydb")
    assert (pair.user, pair.password and pair.password.get_secret_value()) == ("root", "p@ss")
    assert "root" not in repr(pair)
    assert "p@ss" not in repr(pair)


def test_has_credentials_is_true_for_any_user_part() -> None:
    assert has_credentials("https://0123456789abcdef@cloud.example.com")
    assert has_credentials("http://root:Milvus@127.0.0.1")
    assert has_credentials("http://app:Ab/cd@127.0.0.1")
    assert has_credentials("root:Milvus@127.0.0.1:19530")
    assert not has_credentials("http://127.0.0.1:19530/mydb")
    assert not has_credentials("./data/milvus.db")
    assert not has_credentials("unix:/run/a@b.sock")


def test_redact_keeps_host_port_and_database_and_hides_the_whole_user_part() -> None:
    assert redact("http://app:Ab/cd@127.0.0.1:19530/mydb") == "http://***@127.0.0.1:19530/mydb"
    assert redact("https://KEY@cloud.example.com") == "https://***@cloud.example.com"
    assert redact("root:Milvus@127.0.0.1:19530") == "***@127.0.0.1:19530"
    assert redact("http://127.0.0.1:19530/mydb") == "http://127.0.0.1:19530/mydb"
    assert redact("./my@folder/milvus.db") == "./my@folder/milvus.db"


# Any printable text and the delimiters that end a URI part early.
SECRET_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("/@:?#[]%"), min_size=1
).filter(lambda s: s.strip() and len(s.strip()) >= 4)


# Every refusal's words, said of URIs with no user part to hide
MESSAGE_WORDS = " ".join(
    problem
    for uri in (
        "http://z/@h",
        "http://h:x",
        "http://h:0",
        "http://[::1]:1",
        "http://:p@h",
        "grpc://h",
        "http://",
        "http://[::1",
        " ",
    )
    if (problem := uri_problem(uri)) is not None
)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "tcp", "HTTP", "grpc", ""]),
    user=SECRET_TEXT,
    password=st.none() | SECRET_TEXT,
    host=st.sampled_from(["127.0.0.1", "milvus.example.com", "[::1]", "", "h:x"]),
    tail=st.sampled_from(["", ":19530", ":19530/mydb", "/mydb?x=1", "#f"]),
)
def test_no_part_of_a_user_part_survives_redaction_or_a_refusal(
    scheme: str, user: str, password: str | None, host: str, tail: str
) -> None:
    userinfo = user if password is None else f"{user}:{password}"
    uri = f"{scheme}://{userinfo}@{host}{tail}" if scheme else f"{userinfo}@{host}{tail}"
    # text that pymilvus reads as a socket path or a Milvus Lite file has no user part to hide
    assume(not uri.startswith("unix:") and not is_lite(uri))
    shown = redact(uri)
    problem = uri_problem(uri) or ""
    # what is said of the same URI with a neutral user part: its words are the message's, not the secret's
    neutral = uri.replace(f"{userinfo}@", "z@", 1)
    baseline = f"{scheme}://@{host}{tail}***@" + (uri_problem(neutral) or "") + MESSAGE_WORDS
    for secret in (user, password):
        if secret is None:
            continue
        for piece in (secret, secret.strip()):
            # a piece of the secret that is also part of what surrounds it proves nothing
            if piece and piece not in baseline:
                assert piece not in shown
                assert piece not in problem
    assert has_credentials(uri)


def test_a_password_with_a_slash_is_refused_without_showing_it() -> None:
    problem = uri_problem("http://app:Ab/cd@127.0.0.1:19530")
    assert problem is not None
    assert "Ab" not in problem
    assert "cd" not in problem
    assert problem.startswith("'http://***@127.0.0.1:19530' has an '@' after a '/', '?' or '#'")


@pytest.mark.parametrize(
    ("uri", "base"),
    [
        ("http://root:Milvus@127.0.0.1:19530/mydb", "http://127.0.0.1:19530"),
        ("https://KEY@Cloud.Example.com/db?x=1", "https://cloud.example.com:443"),
        ("tcp://127.0.0.1", "http://127.0.0.1:19530"),
        ("unix:/tmp/milvus.sock", "unix:/tmp/milvus.sock"),
        ("./milvus.db", "./milvus.db"),
    ],
)
def test_the_base_of_a_uri_leaves_scheme_host_and_port(uri: str, base: str) -> None:
    assert parse_uri(uri).base == base


def test_the_base_of_a_uri_reaches_the_same_server_as_the_full_one(monkeypatch: pytest.MonkeyPatch) -> None:
    for uri in PYMILVUS_URIS + MORE_URIS:
        if uri_problem(uri) is not None or parse_uri(uri).scheme in ("lite", "unix"):
            continue
        full = pymilvus_reading(uri, monkeypatch)
        stripped = pymilvus_reading(parse_uri(uri).base, monkeypatch)
        assert isinstance(full, dict)
        assert isinstance(stripped, dict)
        assert (stripped["address"], stripped["secure"]) == (full["address"], full["secure"])
        assert (stripped["token"], stripped["db_name"]) == ("", "")
        assert endpoint(uri) == endpoint(parse_uri(uri).base)
