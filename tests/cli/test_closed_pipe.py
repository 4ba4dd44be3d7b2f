"""Standard output closed by its reader (``milvus-profiles list | head -1``): the command stops quietly,
as other programs do, in real processes with real pipes."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ..helpers import entry_point, run_clean

pytestmark = pytest.mark.skipif(shutil.which("bash") is None or os.name != "posix", reason="needs bash")

SIGPIPE_EXIT = 141


@pytest.fixture
def project(repository: Path) -> Path:
    lines = ['default = "p0"']
    for i in range(3000):  # far more than a pipe holds, so writing goes on after head has left
        lines += [f"[profiles.p{i}]", f'uri = "http://127.0.0.1:{19530 + i % 7}"', ""]
    path = repository / "milvus.toml"
    path.write_text("\n".join(lines))
    return path


def test_list_into_head_prints_one_line_and_no_error(project: Path, tmp_path: Path) -> None:
    script = f'"{entry_point()}" list | head -1; echo "status ${{PIPESTATUS[0]}}" >&2'
    done = run_clean(["bash", "-c", script], project.parent, tmp_path / "config")
    assert done.stdout.split() == ["NAME", "URI", "DATABASE", "USER", "FILE", "ALSO", "IN"]
    assert done.stderr == f"status {SIGPIPE_EXIT}\n"


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["show", "p1"], ["doctor"], ["env", "p1"]])
def test_output_to_a_pipe_nobody_reads(args: list[str], project: Path, tmp_path: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # every write now fails with EPIPE, however short the output
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring"
    )
    try:
        done = subprocess.run(
            [entry_point(), *args],
            cwd=project.parent,
            env=env,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (SIGPIPE_EXIT, "")
