"""The JSON Schema of a profile file: generated from the models, shipped up to date, and in agreement with
the validation of files on every fixture file of the tests and on the example file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

import milvus_profiles
from milvus_profiles.cli import main
from milvus_profiles.config.json_schema import SCHEMA_PATH, profile_schema, schema_text
from milvus_profiles.config.model import (
    ProfileDocument,
    ProfileTable,
    TlsTable,
    located_problems,
)
from milvus_profiles.config.toml import read_file

from ..helpers import write

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = Path(milvus_profiles.__file__).parent / "profiles.schema.json"  # package data, as installed
TESTS = ROOT / "tests"
# Every TOML file under tests/ is a profile file: valid, unless it sits in a folder named `invalid`.
FIXTURES = sorted(TESTS.rglob("*.toml"))
VALID = [p for p in FIXTURES if "invalid" not in p.relative_to(TESTS).parts]
INVALID = [p for p in FIXTURES if "invalid" in p.relative_to(TESTS).parts]


def schema_errors(path: Path) -> list[str]:
    validator = jsonschema.Draft7Validator(profile_schema())
    return [e.message for e in validator.iter_errors(read_file(path).data)]


def nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes(value)


def test_the_shipped_schema_is_up_to_date() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == schema_text(), (
        "src/milvus_profiles/profiles.schema.json is out of date: run scripts/generate"
    )


def test_it_is_a_plain_draft_07_schema() -> None:
    schema = profile_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    for node in nodes(schema):
        assert "$ref" not in node
        assert "$defs" not in node
        assert node.get("type") != "null"
        assert {"type": "null"} not in node.get("anyOf", [])
        if "properties" in node:
            assert node["additionalProperties"] is False, node.get("title")
            for key, spec in node["properties"].items():
                assert spec["title"] == key
                assert spec["description"], key


def test_it_has_every_key_of_the_models() -> None:
    schema = profile_schema()
    assert list(schema["properties"]) == list(ProfileDocument.model_fields)
    profile = schema["properties"]["profiles"]["additionalProperties"]
    assert list(profile["properties"]) == list(ProfileTable.model_fields)
    assert list(profile["properties"]["tls"]["properties"]) == list(TlsTable.model_fields)


def test_the_shipped_file_is_where_the_example_points() -> None:
    assert ROOT / SCHEMA_PATH == SHIPPED


def test_there_are_fixtures_of_both_kinds() -> None:
    assert len(VALID) >= 2
    assert len(INVALID) >= 5


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(TESTS)))
def test_a_valid_fixture_passes_the_schema_and_the_model(path: Path) -> None:
    assert schema_errors(path) == []
    assert located_problems(read_file(path)) == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: str(p.relative_to(TESTS)))
def test_an_invalid_fixture_fails_the_schema_and_the_model(path: Path) -> None:
    assert schema_errors(path) != []
    assert located_problems(read_file(path)) != []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: str(p.relative_to(TESTS)))
def test_the_schema_and_the_model_agree_on_which_profile_a_problem_belongs_to(path: Path) -> None:
    pf = read_file(path)
    flagged = [
        list(e.absolute_path) for e in jsonschema.Draft7Validator(profile_schema()).iter_errors(pf.data)
    ]
    # an editor marks a profile's table; `check` and `list` name that profile (None: the file's own problem)
    assert {str(p[1]) if p[:1] == ["profiles"] and len(p) > 1 else None for p in flagged} == {
        owner for owner, _ in located_problems(pf)
    }


def test_the_example_file_passes_the_schema() -> None:
    example = ROOT / "profiles.example.toml"
    assert schema_errors(example) == []
    assert example.read_text(encoding="utf-8").startswith(f"#:schema ./{SCHEMA_PATH}\n")


REFERENCES_CHECK_ACCEPTS = [
    '{ env = "MILVUS_APP_PASSWORD" }',
    '{ env = "_1" }',
    '{ command = ["op", "read", "op://vault/milvus/password"] }',
    '{ command = ["/usr/bin/pass", "show", "milvus"] }',
    '{ file = "/run/secrets/milvus_password" }',
    '{ file = "~/.secrets/milvus" }',
    "{ file = 'C:\\secrets\\milvus' }",
]
REFERENCES_CHECK_REFUSES = [
    '{ file = "/run/secrets/x", env = "X" }',
    '{ env = "X", command = ["pass"] }',
    "{}",
    '{ file = "" }',
    '{ file = "run/secrets/x" }',
    '{ env = "1X" }',
    '{ env = "_" }',
    '{ env = "A-B" }',
    "{ command = [] }",
    '{ command = [""] }',
    "{ env = 1 }",
    '{ path = "/run/secrets/x" }',
    '{ file = "/run/secrets/x", mode = "0600" }',
]


def reference_file(reference: str) -> Path:
    body = f'[profiles.p]\nuri = "http://h:19530"\nuser = "app"\npassword = {reference}\n'
    return write(Path("milvus.toml"), body)


@pytest.mark.parametrize(
    ("reference", "valid"),
    [(r, True) for r in REFERENCES_CHECK_ACCEPTS] + [(r, False) for r in REFERENCES_CHECK_REFUSES],
)
def test_check_and_the_schema_agree_on_a_secret_reference(reference: str, valid: bool) -> None:
    path = reference_file(reference)
    result = CliRunner().invoke(main, ["check", str(path)], prog_name="milvus-profiles")
    assert result.exit_code == (0 if valid else 1), result.output
    assert (schema_errors(path) == []) is valid
