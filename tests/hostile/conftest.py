"""The hostile-input tests: property-based tests count the cases they run, and the count is printed in
the terminal summary (``hypothesis: N generated cases``), so CI logs show how much was tried."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

F = TypeVar("F", bound=Callable[..., Any])

CASES: Counter[str] = Counter()


def counted(test: F) -> F:
    """Count every case Hypothesis runs through ``test`` (put it under ``@given``)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        CASES[test.__name__] += 1
        return test(*args, **kwargs)

    return run  # type: ignore[return-value]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    each = ", ".join(f"{name}: {n}" for name, n in sorted(CASES.items()))
    terminalreporter.write_line(f"hypothesis: {sum(CASES.values())} generated cases ({each})")
