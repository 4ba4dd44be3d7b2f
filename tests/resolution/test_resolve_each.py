"""Going through every profile (``doctor``, ``test --all``): the same results as one ``resolve()`` per
profile, with the files read, indexed and assessed once, so the work grows with the profiles, not their
square."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from milvus_profiles import ConfigError, ProfileNotFoundError, resolve
from milvus_profiles.config import catalog, trust
from milvus_profiles.config.discovery import discover
from milvus_profiles.config.toml import ProfileFile
from milvus_profiles.resolution.resolver import resolve_each

from ..helpers import MemoryKeyring, trusted, write


def many(count: int) -> str:
    lines = ['default = "p0"']
    for i in range(count):
        lines += [f"[profiles.p{i}]", f'uri = "http://h{i % 3}.example:19530"', f'db_name = "db{i % 7}"']
        lines += ['user = "u"', 'password = { env = "P_MILVUS_PW" }'] if i % 5 == 0 else []
    lines += ["[profiles.bad]", 'extends = "nothing"']
    return "\n".join(lines) + "\n"


@pytest.mark.filterwarnings("ignore:profile 'p3' of .* shadows the one in your user file")
def test_each_profile_resolves_as_resolve_gives_it(
    isolated: Path, user_file: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted(write(isolated / "milvus.toml", many(40)))
    write(user_file, '[profiles.p3]\nuri = "http://mine.example:19530"\n').chmod(0o600)
    memory_keyring.store[("milvus-profiles", "http://h1.example:19530")] = "stored"
    monkeypatch.setenv("P_MILVUS_PW", "from-env")
    names = [f"p{i}" for i in range(40)]
    for name, got in zip(names, resolve_each(names), strict=True):
        expected = resolve(name)
        assert got == expected, name  # every value and its origin, secrets included
        assert str(got.secret_error) == str(expected.secret_error)
    broken = resolve_each(["bad", "missing"])
    with pytest.raises(ConfigError) as bad:
        resolve("bad")
    with pytest.raises(ProfileNotFoundError) as missing:
        resolve("missing")
    assert [type(e) for e in broken] == [ConfigError, ProfileNotFoundError]
    assert [str(e) for e in broken] == [str(bad.value), str(missing.value)]


def test_the_files_are_indexed_and_assessed_once_for_all_profiles(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusted(write(isolated / "milvus.toml", many(200)))
    assessed: list[Path] = []
    real_assess = trust.assess

    def assess(pf: ProfileFile, kind: trust.FileKind, **options: Any) -> trust.FileTrust:
        assessed.append(pf.path)
        return real_assess(pf, kind, **options)

    monkeypatch.setattr(trust, "assess", assess)
    indexed: list[int] = []
    index = catalog.Catalog.__dict__["_tables_by_name"]  # a cached_property: its function runs once
    real_index = index.func

    def counted(self: catalog.Catalog) -> object:
        indexed.append(1)
        return real_index(self)

    monkeypatch.setattr(index, "func", counted)
    found = resolve_each([f"p{i}" for i in range(200)])
    assert all(not isinstance(f, Exception) for f in found)
    assert assessed == [isolated / "milvus.toml"]
    assert len(indexed) == 1


def test_a_changed_file_is_a_new_catalog(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", many(3))
    first = catalog.catalog_of(*discover())
    assert catalog.catalog_of(*discover()) is first  # the same parsed file: its catalog is kept
    write(path, many(4))
    import os

    os.utime(path, ns=(1, 1))  # a change the parse cache sees even within one clock tick
    assert catalog.catalog_of(*discover()).names()[:4] == ["p0", "p1", "p2", "p3"]
