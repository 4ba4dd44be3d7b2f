"""The public surface: names, light imports, and no secret in any repr, str or error."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import milvus_profiles
from milvus_profiles import errors, resolve, save_secret
from milvus_profiles.fields import FIELDS

from .helpers import SENTINEL, trusted, write

HEAVY = ("pymilvus", "pandas", "grpc")
ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_is_the_object_the_api_page_documents() -> None:
    """Each name of ``__all__`` resolves (lazily) to the function or class of that name, and the API page
    documents it, by its own entry or its module's."""
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: (milvus_profiles[\w.]*)$", page, flags=re.M))
    for name in milvus_profiles.__all__:
        value = getattr(milvus_profiles, name)
        if name == "__version__":
            assert re.fullmatch(r"\d+\.\d+\.\d+\S*", value)
            continue
        assert value.__name__ == name
        assert {f"{value.__module__}.{name}", value.__module__} & documented, f"{name}: not on docs/api.md"
    with pytest.raises(AttributeError):
        _ = milvus_profiles.nothing_here


def test_errors_share_one_base() -> None:
    for name in milvus_profiles.__all__:
        value = getattr(milvus_profiles, name)
        if isinstance(value, type) and name.endswith("Error"):
            assert issubclass(value, errors.MilvusProfilesError)


def test_every_public_error_takes_the_hint_and_summary_its_base_takes() -> None:
    for name in milvus_profiles.__all__:
        value = getattr(milvus_profiles, name)
        if isinstance(value, type) and issubclass(value, errors.MilvusProfilesError):
            error = value("it failed", hint="do this", summary="uri=http://h:1")
            assert str(error).splitlines()[1:] == ["hint: do this", "values used: uri=http://h:1"], name


def modules_after(code: str) -> list[str]:
    report = f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    script = f"import sys\n{code}\nimport json\n{report}"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.splitlines()[-1]))


def test_import_is_light() -> None:
    assert modules_after("import milvus_profiles") == []


def test_resolve_does_not_import_pymilvus(isolated: Path) -> None:
    write(isolated / "milvus.toml", '[profiles.a]\nuri = "a.db"\n')
    assert modules_after("import milvus_profiles; milvus_profiles.resolve('a')") == []


def test_env_file_is_not_loaded_before_resolving(isolated: Path) -> None:
    """pymilvus loads .env into os.environ on import; resolve() must never see those values.

    In a new interpreter: under pytest pymilvus is already imported, so its .env loading is long done."""
    write(isolated / ".env", "MILVUS_DB_NAME=from_dotenv\n")
    write(isolated / "milvus.toml", '[profiles.a]\nuri = "a.db"\n')
    code = (
        "import os, milvus_profiles\n"
        "print(milvus_profiles.resolve('a').db_name)\n"
        "import pymilvus\n"
        "print(os.environ.get('MILVUS_DB_NAME'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # the second line proves that importing pymilvus here does load the .env file
    assert done.stdout.splitlines() == ["default", "from_dotenv"]


def test_field_table_env_names() -> None:
    assert [(f.name, f.env, f.secret) for f in FIELDS] == [
        ("uri", "MILVUS_URI", False),
        ("db_name", "MILVUS_DB_NAME", False),
        ("timeout", "MILVUS_TIMEOUT", False),
        ("user", "MILVUS_USER", False),
        ("password", "MILVUS_PASSWORD", True),
        ("token", "MILVUS_TOKEN", True),
    ]


def test_sentinel_secret_never_shows(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trusted(
        write(
            isolated / "milvus.toml",
            '[profiles.a]\nuri = "http://h:1"\nuser = "u"\n[profiles.t]\nuri = "https://t"\n',
        )
    )
    save_secret("a", SENTINEL)
    save_secret("t", SENTINEL)
    shown = []
    for cfg in (resolve("a"), resolve("t"), resolve("a", password=SENTINEL)):
        shown += [repr(cfg), str(cfg), cfg.explain(), cfg.summary(), repr(cfg.origins), str(cfg.rows())]
        assert SENTINEL in json.dumps(cfg.client_kwargs())  # only when asked for
    monkeypatch.setenv("MILVUS_TOKEN", SENTINEL)
    cfg = resolve("t")
    shown += [repr(cfg), cfg.explain()]
    for text in shown:
        assert SENTINEL not in text
    assert "********" in resolve("a").explain()
