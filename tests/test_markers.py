"""`pytest -m integration` selects the integration tests, all of them and nothing else: the marker is what
lets a developer run them alone, or leave them out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def collected(*args: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MILVUS_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: nothing selected
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_the_integration_marker_selects_every_integration_test_and_no_other() -> None:
    everything = collected("tests/integration", "tests/test_uri.py")
    integration = {test for test in everything if test.startswith("tests/integration/")}
    assert len(integration) > 30
    assert len(everything - integration) > 10
    assert collected("-m", "integration", "tests/integration", "tests/test_uri.py") == integration
