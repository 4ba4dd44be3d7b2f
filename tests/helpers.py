"""Helpers the tests share (fixtures stay in conftest.py)."""

from __future__ import annotations

from pathlib import Path

SENTINEL = "s3ntinel-Secret-7f1c"
"""A secret that must never show up anywhere the tests look."""


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def trusted(path: Path) -> Path:
    """Record a project file as trusted, as `milvus-profiles trust PATH` does; returns the path."""
    from milvus_profiles.config import toml, trust
    from milvus_profiles.resolution.cache import clear_cache

    problems = trust.trust(toml.read_file(path.absolute()))
    assert not problems, problems
    clear_cache()
    return path
