"""docs/architecture.md is true to the code: it names every module, and every function it names exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "src" / "milvus_profiles"


def test_every_module_of_the_package_is_on_the_page() -> None:
    modules = sorted(p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")
    missing = [str(m) for m in modules if not re.search(rf"\b{re.escape(m.stem)}\b", PAGE)]
    assert missing == []


def test_every_function_the_page_names_exists_where_it_says() -> None:
    named = set(re.findall(r"\b(config|secrets|resolution|connection|write|cli)/(\w+)\.(\w+)\b", PAGE))
    assert len(named) >= 10
    absent = [
        f"{package}/{module}.{name}"
        for package, module, name in sorted(named)
        if name != "py" and not hasattr(importlib.import_module(f"milvus_profiles.{package}.{module}"), name)
    ]
    assert absent == []
