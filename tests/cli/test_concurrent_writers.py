"""Many ``milvus-profiles`` processes changing one file at once: each one's change survives."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from milvus_profiles.config.toml import read_file

from ..helpers import entry_point

WRITERS = 32


def start(args: list[str], cwd: Path, config: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env.update(XDG_CONFIG_HOME=str(config), PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    return subprocess.Popen(
        [entry_point(), *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out, err))
    return results


def test_32_concurrent_adds_all_land(repository: Path, tmp_path: Path) -> None:
    target = repository / "milvus.toml"
    target.write_text("# Team profiles: keep this comment.\n", encoding="utf-8")
    processes = [
        start(["add", f"p{i}", "--uri", f"http://host{i}:19530"], repository, tmp_path / "config")
        for i in range(WRITERS)
    ]
    results = finish(processes)
    assert [r for r in results if r[0] != 0] == []
    assert sorted(out for _, out, _ in results) == sorted(
        f"added profile 'p{i}' to milvus.toml\n" for i in range(WRITERS)
    )
    data = read_file(target).data
    assert data["profiles"] == {f"p{i}": {"uri": f"http://host{i}:19530"} for i in range(WRITERS)}
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Team profiles: keep this comment.\n\n[profiles.")
    assert sorted(p.name for p in repository.iterdir()) == [".git", "milvus.toml"]


def test_adds_removes_and_set_default_at_once_lose_nothing(repository: Path, tmp_path: Path) -> None:
    target = repository / "milvus.toml"
    target.write_text(
        "".join(f'[profiles.old{i}]\nuri = "http://old{i}:19530"\n\n' for i in range(8)), encoding="utf-8"
    )
    config = tmp_path / "config"
    processes = [
        start(["add", f"new{i}", "--uri", f"http://new{i}:19530"], repository, config) for i in range(8)
    ]
    processes += [start(["remove", f"old{i}"], repository, config) for i in range(4)]
    processes.append(start(["set-default", "old7", "--scope", "project"], repository, config))
    results = finish(processes)
    assert [r for r in results if r[0] != 0] == []
    data = read_file(target).data
    assert sorted(data["profiles"]) == sorted(
        [f"new{i}" for i in range(8)] + [f"old{i}" for i in range(4, 8)]
    )
    assert data["default"] == "old7"


def test_concurrent_inits_create_the_file_once_and_leave_no_lock_files(
    repository: Path, tmp_path: Path
) -> None:
    results = finish([start(["init"], repository, tmp_path / "config") for _ in range(4)])
    assert sorted(code for code, _, _ in results) == [0, 3, 3, 3]
    assert [err for code, _, err in results if code == 3] == [
        "error: milvus.toml already exists\nhint: use --force to overwrite it with the template\n"
    ] * 3
    made = [p.name for p in repository.iterdir()]
    assert {".gitignore", "milvus.toml"} <= set(made)
    assert [name for name in made if "lock" in name or name.endswith(".tmp")] == []
    assert (repository / ".gitignore").read_text(encoding="utf-8") == "milvus.local.toml\n/data/\n"
