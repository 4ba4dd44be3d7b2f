"""A writer killed at any moment, or a write that fails, leaves the old file or the new one, whole."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from milvus_profiles.config import locks, toml
from milvus_profiles.config.locks import write_atomic
from milvus_profiles.errors import ConfigError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork, SIGKILL and rlimits")

KILLS = 200

# The writer is forked from a process that has imported everything already, so that a new writer starts
# in a millisecond and 200 kills take seconds. Each writer switches the file to the other version, as
# `add --force` would, again and again, and says `saved` after each write (one write(2) of a few bytes to
# a pipe: a kill cannot cut the line).
FORK_SERVER = """
import os
import sys
from pathlib import Path

from milvus_profiles.write.editor import ProfileEditor
from milvus_profiles.config.locks import locked

target = Path(sys.argv[1])
uris = sys.argv[2:4]


def write_forever() -> None:
    while True:
        with locked(target):
            editor = ProfileEditor.open(target)
            other = uris[1] if editor.profiles["p"]["uri"] == uris[0] else uris[0]
            editor.set_profile("p", {"uri": other})
            editor.save()
        os.write(1, b"saved\\n")


with locked(target):  # loads what taking the lock needs, so a new writer starts at once
    pass
for _ in sys.stdin:
    pid = os.fork()
    if pid == 0:
        try:
            write_forever()
        finally:
            os._exit(1)
    print(pid, flush=True)
    os.waitpid(pid, 0)
    print("dead", flush=True)
"""

PADDING = "".join(f"# line {i} of a long comment that makes each write take a while\n" for i in range(800))
URIS = ("http://old-version:19530", "http://new-version-with-a-longer-name:19530")
VERSIONS = tuple(f'{PADDING}\n[profiles.p]\nuri = "{uri}"\n' for uri in URIS)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def fork_server(isolated: Path) -> Iterator[subprocess.Popen[str]]:
    target = isolated / "milvus.toml"
    target.write_text(VERSIONS[0], encoding="utf-8")
    # `with` closes the pipes at the end
    with subprocess.Popen(
        [sys.executable, "-c", FORK_SERVER, str(target), *URIS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        yield server
        if server.stdin is not None:
            server.stdin.close()
        server.kill()
        server.wait(timeout=10)


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_file(
    isolated: Path, fork_server: subprocess.Popen[str]
) -> None:
    assert fork_server.stdin is not None
    assert fork_server.stdout is not None
    target = isolated / "milvus.toml"
    rng = random.Random(0x5EED)  # noqa: S311 - delays, not secrets
    seen: dict[str, int] = {"old": 0, "new": 0}
    most_leftovers = 0
    for _ in range(KILLS):
        fork_server.stdin.write("go\n")
        fork_server.stdin.flush()
        pid = int(fork_server.stdout.readline())
        # Wait for 0 to 3 whole writes (events, whatever the disk's speed), then kill at a random moment:
        # in the next write, or after some more.
        for _ in range(rng.randrange(4)):
            assert fork_server.stdout.readline() == "saved\n"
        time.sleep(rng.uniform(0, 0.02))
        os.kill(pid, signal.SIGKILL)
        while (line := fork_server.stdout.readline()) == "saved\n":
            pass
        assert line == "dead\n"

        raw = target.read_bytes()
        assert raw.decode("utf-8") in VERSIONS
        parsed = toml.parse_text(raw, target)
        seen["old" if parsed.data["profiles"]["p"]["uri"] == URIS[0] else "new"] += 1
        most_leftovers = max(most_leftovers, len(leftovers(isolated)))

    # Both versions were seen: the number of writes before each kill varied, on a slow disk as on a fast
    # one.
    assert seen["old"] > 10
    assert seen["new"] > 10
    # A killed writer may leave its temporary file; the next writer to take the lock removes it, so they
    # never pile up.
    assert most_leftovers <= 2
    with locks.locked(target):
        write_atomic(target, VERSIONS[1])
    assert leftovers(isolated) == []
    assert sorted(p.name for p in isolated.iterdir()) == ["milvus.toml"]


FULL_DISK = """
import resource
import signal
import sys
from pathlib import Path

from milvus_profiles.config.locks import write_atomic
from milvus_profiles.errors import ConfigError

# Files may grow to 4 KiB only: the kernel refuses longer writes as it does on a full disk.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    write_atomic(Path(sys.argv[1]), "x = 1\\n" * 2000)
except ConfigError as e:
    print(e)
"""


def test_a_write_that_runs_out_of_space_keeps_the_old_file(isolated: Path) -> None:
    target = isolated / "milvus.toml"
    target.write_text(VERSIONS[0][-60:], encoding="utf-8")
    before = target.read_bytes()
    out = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(target)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out == (
        f"{target}: cannot write the file: File too large\n"
        "hint: free some disk space and run the command again; the file is unchanged\n"
    )
    assert target.read_bytes() == before
    assert leftovers(isolated) == []


def test_a_folder_that_cannot_be_made_is_named(isolated: Path) -> None:
    (isolated / "data").write_text("a file, not a folder")
    target = isolated / "data" / "profiles" / "milvus.toml"
    with pytest.raises(ConfigError) as caught:
        write_atomic(target, "")
    assert str(caught.value) == (
        f"{target}: cannot write the file: Not a directory\n"
        f"hint: check that {target.parent} exists and is writable"
    )


def test_a_folder_in_the_way_of_the_file_stays(isolated: Path) -> None:
    target = isolated / "milvus.toml"
    target.mkdir()
    (target / "keep.txt").write_text("kept")
    with pytest.raises(ConfigError) as caught:
        write_atomic(target, 'default = "x"\n')
    assert str(caught.value) == (
        f"{target}: cannot write the file: Is a directory\nhint: check that {isolated} exists and is writable"
    )
    assert (target / "keep.txt").read_text() == "kept"
    assert leftovers(isolated) == []
