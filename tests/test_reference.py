"""The reference tables of the docs are generated from the field table and the models, and the docs in
the repository are what the code generates."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from milvus_profiles.config.model import ProfileTable
from milvus_profiles.fields import FIELDS, FILES_ENV, PROFILE_ENV, TLS_KEYS

_SPEC = importlib.util.spec_from_file_location(
    "docs_reference", Path(__file__).parents[1] / "scripts" / "docs_reference.py"
)
assert _SPEC is not None
assert _SPEC.loader is not None
docs_reference = importlib.util.module_from_spec(_SPEC)
sys.modules["docs_reference"] = docs_reference
_SPEC.loader.exec_module(docs_reference)
env_table, fields_table, render_blocks, stale_files, tls_table = (
    docs_reference.env_table,
    docs_reference.fields_table,
    docs_reference.render_blocks,
    docs_reference.stale_files,
    docs_reference.tls_table,
)

ROOT = Path(__file__).resolve().parents[1]


def test_the_generated_files_are_up_to_date() -> None:
    stale = [str(p.relative_to(ROOT)) for p in stale_files(ROOT)]
    assert stale == [], f"out of date: {', '.join(stale)}; run scripts/generate"


def test_profiles_page_holds_the_three_tables() -> None:
    page = (ROOT / "docs" / "profiles.md").read_text(encoding="utf-8")
    for table in (fields_table(), tls_table(), env_table()):
        assert table in page


def test_the_field_table_lists_every_key_of_a_profile() -> None:
    rows = fields_table().splitlines()[2:]
    keys = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert keys == [f"`{name}`" for name in [*(f.name for f in FIELDS), "extends", "tls", "grpc"]]
    assert set(ProfileTable.model_fields) == {f.name for f in FIELDS} | {"extends", "tls", "grpc"}
    for f in FIELDS:
        row = next(r for r in rows if r.startswith(f"| `{f.name}` "))
        assert f"`{f.env}`" in row
        assert " ".join(f.help.split()) in row


def test_the_tls_and_env_tables_list_everything() -> None:
    tls = tls_table()
    for key, help_text in TLS_KEYS.items():
        assert f"| `{key}` |" in tls
        assert help_text in tls
    env = env_table()
    for name in [*(f.env for f in FIELDS), PROFILE_ENV, FILES_ENV]:
        assert f"| `{name}` |" in env


def test_blocks_are_replaced_and_unknown_blocks_left_alone() -> None:
    text = "a\n<!-- tls:start -->\nold\n<!-- tls:end -->\n<!-- other:start -->\nkept\n<!-- other:end -->\n"
    rendered = render_blocks(text)
    assert rendered == (
        f"a\n<!-- tls:start -->\n{tls_table()}\n<!-- tls:end -->\n"
        "<!-- other:start -->\nkept\n<!-- other:end -->\n"
    )
    assert render_blocks(rendered) == rendered
