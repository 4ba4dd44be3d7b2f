"""`milvus-profiles trust .env`: a file of variables is trusted for its exact content, in the same record
and under the same lock as profile files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from milvus_profiles.config import trust

from ..helpers import Run, write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")


def test_content_is_trusted_exactly_as_recorded(isolated: Path) -> None:
    env = write(isolated / ".env", "MILVUS_URI=http://team:19530\n")
    data = env.read_bytes()
    first = trust.content_trust(env, data)
    assert not first.trusted
    assert first.kind == "project"
    assert first.fix == "read it, then run `milvus-profiles trust .env`"
    assert trust.trust_content(env, data) == []
    assert trust.content_trust(env, data).trusted
    changed = trust.content_trust(env, b"MILVUS_URI=http://evil:19530\n")
    assert not changed.trusted
    assert changed.why == "changed since you trusted it"
    assert changed.fix == (
        "review the change (`git diff ORIG_HEAD -- .env`), then run `milvus-profiles trust .env` again"
    )
    assert "team" not in trust.store_path().read_text(encoding="utf-8")  # a digest, never the content


def test_a_file_of_variables_others_can_write_is_not_trusted(isolated: Path) -> None:
    env = write(isolated / ".env", "MILVUS_URI=http://team:19530\n")
    env.chmod(0o666)
    found = trust.trust_content(env, env.read_bytes())
    assert [p.fix for p in found] == [f"chmod o-w {env}"]
    assert not trust.content_trust(env, env.read_bytes()).trusted


@pytest.mark.parametrize("name", [".env", ".env.local"])
def test_trust_and_untrust_a_dotenv_file(cli: Run, name: str) -> None:
    env = write(Path(name), "MILVUS_URI=http://team:19530\n")
    result = cli("trust", name)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith(f"trusted {name}:")
    assert trust.content_trust(env.absolute(), env.read_bytes()).trusted
    listed = cli("trust", "--list", "--json")
    assert '"status": "trusted"' in listed.stdout
    result = cli("untrust", name)
    assert result.exit_code == 0, result.output
    assert f"no longer trusted: {name}" in result.stdout
    assert not trust.content_trust(env.absolute(), env.read_bytes()).trusted


def test_trusting_a_dotenv_file_keeps_the_profile_files_trusted(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.a]\nuri = "http://a:19530"\n')
    assert cli("trust").exit_code == 0
    write(Path(".env"), "X=1\n")
    assert cli("trust", ".env").exit_code == 0
    assert sorted(p.name for p, _ in trust.trusted_files()) == [".env", "milvus.toml"]
