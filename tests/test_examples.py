"""The files users copy from: the quick start example and profiles.example.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from milvus_profiles import resolve
from milvus_profiles.config.catalog import catalog_of
from milvus_profiles.config.model import located_problems
from milvus_profiles.config.toml import read_file

from .helpers import write

ROOT = Path(__file__).resolve().parents[1]


def test_quickstart_example_runs_on_milvus_lite(isolated: Path) -> None:
    write(isolated / "milvus.toml", 'default = "local"\n[profiles.local]\nuri = "./data/milvus.db"\n')
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=isolated,
    )
    lines = out.stdout.splitlines()
    assert lines[0].startswith("connected with profile 'local' (Milvus Lite, milvus_lite-")
    assert lines[1:4] == [
        "inserted 100 rows into collection 'quickstart' (ids 0 to 99, 4-d vectors)",
        "searched for the 3 rows nearest to row 7 ('doc 7'):",
        # the nearest neighbour of a stored vector is itself
        "  1. id 7, text 'doc 7', cosine similarity 1.000",
    ]
    assert len(lines) == 6
    assert (isolated / "data" / "milvus.db").is_dir()


def test_example_profile_file_is_valid() -> None:
    example = ROOT / "profiles.example.toml"
    assert located_problems(read_file(example)) == []
    catalog = catalog_of([example], True)
    assert catalog.names() == ["local", "dev", "prod", "cloud"]
    for name in catalog.names():
        catalog.extends_chain(name)
    prod = resolve("prod", files=[example])
    assert set(prod.tls) == {"secure", "server_pem_path", "server_name"}


def test_check_accepts_the_example_file_where_its_certificate_exists(isolated: Path) -> None:
    from click.testing import CliRunner

    from milvus_profiles.cli import main

    example = write(isolated / "milvus.toml", (ROOT / "profiles.example.toml").read_text(encoding="utf-8"))
    write(isolated / "certs" / "ca.pem", "not checked here, only that it exists\n")
    result = CliRunner().invoke(main, ["check", str(example)])
    assert result.exit_code == 0, result.output
    assert result.output == "ok: 1 file, 4 profiles\n"
