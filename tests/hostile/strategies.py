"""Hypothesis strategies for hostile input: profile files (valid, broken and random), names, URIs,
environment values and ``${MILVUS_...}`` expansions."""

from __future__ import annotations

import json
import re
from typing import Any

import tomli_w
from hypothesis import strategies as st

SECRET = "s3ntinel-Secret-7f1c"
"""A password or token the inputs may carry; no message or output may ever show it."""

KNOWN_KEYS = ("uri", "db_name", "timeout", "user", "password", "token", "extends", "tls", "grpc")
TLS_KEYS = ("secure", "server_pem_path", "server_name", "client_pem_path", "client_key_path", "ca_pem_path")
ENV_NAMES = (
    "MILVUS_URI",
    "MILVUS_DB_NAME",
    "MILVUS_TIMEOUT",
    "MILVUS_USER",
    "MILVUS_PASSWORD",
    "MILVUS_TOKEN",
    "MILVUS_PROFILE",
    "MILVUS_X",
    "MILVUS_EMPTY",
)


texts = st.text(max_size=24)
long_texts = st.text(min_size=300, max_size=2000)

names = st.one_of(
    st.sampled_from(
        ["dev", "prod", "local", "a-b_c", "Dev", "", " ", "a.b", 'q"uote', "\x00", "\u202e", "é"]
    ),
    st.text(max_size=12),
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs"]), min_size=1, max_size=5),
    long_texts,
)

var_names = st.one_of(
    st.sampled_from(
        [
            *ENV_NAMES,
            "MILVUS_UNSET",
            "MILVUS_MY_SECRET",
            "MILVUS_",
            "MILVUS_É",
            "MILVUS-X",
            "milvus_x",
            "HOME",
            "PATH",
            "",
            "MILVUS_X:",
            "${MILVUS_X}",
        ]
    ),
    st.text(max_size=8),
)
expansions = st.builds(
    lambda name, fallback: "${" + name + (f":-{fallback}" if fallback is not None else "") + "}",
    var_names,
    st.none() | texts,
)
templated = st.lists(st.one_of(texts, expansions), max_size=4).map("".join)

hosts = st.one_of(
    st.sampled_from(
        ["localhost", "h", "127.0.0.1", "[::1]", "[::1", "exa mple", "", "xn--bcher-kva.example"]
    ),
    st.from_regex(r"[a-z0-9.-]{0,12}", fullmatch=True),
)
uris = st.one_of(
    st.sampled_from(
        [
            "http://localhost:19530",
            "https://h:443",
            "tcp://h:19530",
            "unix:/tmp/milvus.sock",
            "unix:",
            "./milvus.db",
            "milvus.db",
            ".db",
            "~/milvus.db",
            "http://h:99999",
            "http://h:port",
            "http://",
            "ftp://h",
            "h:19530",
            "",
            " ",
            "https://someone@h",
            "${MILVUS_URI}",
            "${MILVUS_X:-http://h:1}",
            "http://h:1/${MILVUS_DB_NAME}",
        ]
    ),
    st.builds(
        lambda scheme, host, port: f"{scheme}://{host}{port}",
        st.sampled_from(["http", "https", "tcp", "HTTP", "grpc", ""]),
        hosts,
        st.sampled_from(["", ":19530", ":0", ":-1", ":65536", ":\uff11"]),
    ),
    templated,
    texts.map(lambda t: t + ".db"),
)
secret_uris = uris | st.just(f"http://root:{SECRET}@h:19530")
"""URIs, some with a password: only where a URI belongs, since other settings are shown as they are."""

env_values = st.one_of(
    st.sampled_from(
        ["", " ", "0", "-1", "1e309", "nan", "inf", "10", "0.5", "1_000", "dev", "x.db", "\udcff"]
    ),
    uris,
    texts,
).map(lambda value: value.replace("\x00", ""))  # no environment can hold a NUL
environments = st.builds(
    lambda values, uri, secrets: {**values, **uri, **secrets},
    st.dictionaries(st.sampled_from(ENV_NAMES), env_values, max_size=4),
    st.dictionaries(
        st.just("MILVUS_URI"), secret_uris.map(lambda value: value.replace("\x00", "")), max_size=1
    ),
    st.dictionaries(st.sampled_from(["MILVUS_PASSWORD", "MILVUS_TOKEN"]), st.just(SECRET), max_size=1),
)

scalars = st.one_of(
    texts,
    uris,
    templated,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)

table_keys = st.one_of(st.sampled_from(KNOWN_KEYS), texts)
profile_tables = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "uri": secret_uris,
            "db_name": st.one_of(templated, texts, scalars),
            "timeout": st.one_of(st.floats(), st.integers(), texts),
            "user": texts,
            "extends": names,
            "tls": st.dictionaries(st.sampled_from(TLS_KEYS), st.one_of(texts, st.booleans()), max_size=3)
            | toml_values,
            "grpc": st.dictionaries(texts, scalars, max_size=3) | toml_values,
            "password": st.just(SECRET),
        },
    ),
    st.dictionaries(table_keys, toml_values, max_size=4),
    toml_values,
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "default": st.one_of(names, toml_values),
        "profiles": st.dictionaries(names, profile_tables, max_size=4) | toml_values,
        "extra": toml_values,
    },
)


def _dump(document: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # a value TOML cannot hold (such as a naive time with tzinfo)
        return ""


valid_files = documents.map(_dump)

good_names = st.sampled_from(["dev", "prod", "local", "é", "a b"])
plausible_tables = st.fixed_dictionaries(
    {},
    optional={
        "uri": st.sampled_from(
            ["http://localhost:19530", "./m.db", "${MILVUS_URI}", "${MILVUS_X:-https://h}"]
        )
        | secret_uris,
        "db_name": st.sampled_from(["default", "${MILVUS_DB_NAME}", "${MILVUS_DB_NAME:-x}", "db_${MILVUS_X}"])
        | templated,
        "timeout": st.floats(min_value=0.001, max_value=1e6) | st.floats(),
        "user": st.sampled_from(["root", "${MILVUS_USER}", "${MILVUS_PASSWORD}"]) | texts,
        "extends": good_names,
        "tls": st.fixed_dictionaries(
            {},
            optional={
                "secure": st.booleans(),
                "server_pem_path": st.sampled_from(["certs/s.pem", "${MILVUS_X}", "/ca.pem", "~/ca.pem"])
                | texts,
                "server_name": texts,
            },
        ),
        "grpc": st.dictionaries(st.sampled_from(["grpc.keepalive_time_ms", "x"]), scalars, max_size=2),
    },
)
plausible_files = st.fixed_dictionaries(
    {"profiles": st.dictionaries(good_names, plausible_tables, min_size=1, max_size=3)},
    optional={"default": good_names},
).map(_dump)
"""Files that are valid, or nearly: they reach the expansion of variables and the checks of values."""

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key(text: str) -> str:
    return text if _BARE.fullmatch(text) else json.dumps(text)  # JSON strings are TOML strings, mostly


lines = st.one_of(
    st.builds(
        lambda keys, double: ("[[{}]]" if double else "[{}]").format(".".join(map(_key, keys))),
        st.lists(st.one_of(st.just("profiles"), names, table_keys), min_size=1, max_size=4),
        st.booleans(),
    ),
    st.builds(
        lambda key, value: f"{_key(key)} = {value}",
        table_keys,
        st.one_of(
            st.builds(json.dumps, st.one_of(uris, templated, texts)),
            st.sampled_from(["1", "-0.5", "nan", "inf", "true", "[1, 2]", "{a = 1}", '"""a\nb"""', "'lit'"]),
            texts,
        ),
    ),
    st.sampled_from(["", "# a comment", 'default = "dev"', "[profiles]", "[profiles.dev]", " " * 3000]),
    texts,
)
tomlish_files = st.lists(lines, max_size=12).map("\n".join)

profile_files = st.one_of(plausible_files, valid_files, tomlish_files, st.binary(max_size=64))
"""The text (or bytes) of a profile file."""

overrides = st.builds(
    lambda values, uri, secrets: {**values, **uri, **secrets},
    st.dictionaries(
        st.sampled_from(["uri", "db_name", "timeout", "user", "password", "token", "bogus"]),
        st.one_of(st.none(), uris, texts, st.floats(), st.integers(), st.booleans()),
        max_size=3,
    ),
    st.dictionaries(st.just("uri"), secret_uris, max_size=1),
    st.dictionaries(st.sampled_from(["password", "token"]), st.just(SECRET), max_size=1),
)
