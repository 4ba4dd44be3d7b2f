"""Every example in a docstring of the package runs, as `pytest --doctest-modules` would run it, and
shows what it says it shows. Each runs in a folder of its own, where the project file `milvus.toml`
(trusted) holds the profile `dev` and the user file holds `local`, a Milvus Lite file."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

import milvus_profiles

from .helpers import trusted, write


def examples() -> list[doctest.DocTest]:
    found: list[doctest.DocTest] = []
    finder = doctest.DocTestFinder(exclude_empty=True)
    for module in pkgutil.walk_packages(milvus_profiles.__path__, "milvus_profiles."):
        found += finder.find(importlib.import_module(module.name))
    found += finder.find(milvus_profiles)
    return sorted((test for test in found if test.examples), key=lambda test: test.name)


EXAMPLES = examples()


def test_the_package_has_examples_to_run() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", EXAMPLES, ids=[test.name for test in EXAMPLES])
def test_a_docstring_example_runs_as_shown(
    example: doctest.DocTest, isolated: Path, user_file: Path, tmp_path: Path
) -> None:
    if "connect(" in (example.docstring or "") and sys.platform == "win32":
        pytest.skip("the example connects to Milvus Lite, which has no Windows build")
    trusted(write(isolated / "milvus.toml", '[profiles.dev]\nuri = "https://milvus.example.com"\n'))
    write(user_file, f"[profiles.local]\nuri = {str(tmp_path / 'local.db')!r}\n").chmod(0o600)
    test = doctest.DocTest(
        example.examples, dict(example.globs), example.name, example.filename, example.lineno, None
    )
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    try:
        runner.run(test, out=report.append, clear_globs=False)
    finally:
        client = test.globs.get("client")
        if client is not None:
            client.close()
    assert runner.failures == 0, "".join(report)
