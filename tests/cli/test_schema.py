"""milvus-profiles schema, and the #:schema line that init writes."""

from __future__ import annotations

import json
from pathlib import Path

from milvus_profiles.config.json_schema import PROJECT_SCHEMA, schema_text

from ..helpers import Run


def test_schema_prints_the_generated_schema(cli: Run) -> None:
    result = cli("schema")
    assert result.exit_code == 0, result.output
    assert result.stdout == schema_text()
    assert json.loads(result.stdout)["title"] == "Milvus connection profiles"


def test_init_writes_the_schema_beside_the_file_and_names_it(cli: Run) -> None:
    assert cli("init").exit_code == 0
    assert Path("milvus.toml").read_text(encoding="utf-8").splitlines()[0] == f"#:schema ./{PROJECT_SCHEMA}"
    assert Path(PROJECT_SCHEMA).read_text(encoding="utf-8") == schema_text()
    assert cli("check").exit_code == 0
