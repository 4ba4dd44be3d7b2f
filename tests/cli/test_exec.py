"""`exec`: the program takes the place of the command, with the profile's variables, secrets included,
and nothing else gets them; its exit status and the signals sent to it are its own, as if run alone."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from ..helpers import SENTINEL, Run, entry_point, trusted, write

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

PROFILES = """\
[profiles.app]
uri = "http://127.0.0.1:19530"
user = "app"
db_name = "analytics"

[profiles.lite]
uri = "./data/milvus.db"

[profiles.tls]
uri = "https://127.0.0.1:443"

[profiles.tls.tls]
server_name = "milvus.internal"

[profiles.secure]
uri = "http://127.0.0.1:19531"

[profiles.secure.tls]
secure = true
"""

# The child reports its environment, process id and command line; with --wait it says
# `ready` on its standard output, then the name of every signal it gets, each as it arrives.
CHILD = """\
import json, os, signal, sys, time
report = sys.argv[1]
def handler(number, frame):
    os.write(1, signal.Signals(number).name.encode() + b"\\n")
    if number == signal.SIGTERM:
        sys.exit(3)
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, handler)
with open("/proc/self/cmdline", "rb") as f:
    cmdline = f.read().decode(errors="replace")
with open(report, "w") as f:
    json.dump({"env": {k: v for k, v in os.environ.items() if k.startswith("MILVUS_")},
               "pid": os.getpid(), "cmdline": cmdline}, f)
if "--wait" in sys.argv:
    os.write(1, b"ready\\n")
    deadline = time.monotonic() + 30  # the longest it waits for a signal
    while time.monotonic() < deadline:
        time.sleep(0.05)
    sys.exit(99)
sys.exit(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
"""


@pytest.fixture
def setup(isolated: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A profile file, a plain-text file keyring shared by every process of the test, and the child."""
    trusted(write(isolated / "milvus.toml", PROFILES))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        MILVUS_PROFILE="lite",  # the child must not see it: the profile is chosen already
    )
    stored = subprocess.run(
        [entry_point(), "secret", "set", "app", "--stdin"], input=SENTINEL, env=env, cwd=isolated,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    write(tmp_path / "child.py", CHILD)
    return env, tmp_path


def exec_argv(tmp_path: Path, *child_args: str, profile: str = "app") -> list[str]:
    return [entry_point(), "exec", profile, "--", sys.executable, str(tmp_path / "child.py"), *child_args]


def test_the_program_is_the_process_started_with_the_profile_and_its_secret_on_no_command_line(
    setup: tuple[dict[str, str], Path], isolated: Path
) -> None:
    env, tmp = setup
    report = tmp / "report.json"
    argv = exec_argv(tmp, str(report))
    with subprocess.Popen(
        argv, env=env, cwd=isolated, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    seen = json.loads(report.read_text())
    assert seen["pid"] == process.pid  # no process of ours stays behind, holding the secret
    assert seen["cmdline"].split("\0")[:-1] == argv[argv.index("--") + 1 :]
    assert seen["env"] == {
        "MILVUS_URI": "http://127.0.0.1:19530",
        "MILVUS_DB_NAME": "analytics",
        "MILVUS_TIMEOUT": "10",
        "MILVUS_USER": "app",
        "MILVUS_PASSWORD": SENTINEL,
        "MILVUS_PROFILES_EXPORTED": "app",
    }
    assert SENTINEL not in " ".join(argv)
    assert SENTINEL not in stdout + stderr


def test_a_tls_setting_no_variable_carries_is_refused_and_nothing_runs(
    setup: tuple[dict[str, str], Path], isolated: Path
) -> None:
    env, tmp = setup
    done = subprocess.run(
        exec_argv(tmp, str(tmp / "r.json"), profile="tls"), env=env, cwd=isolated, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stderr.startswith(
        f"error: profile tls: tls.server_name (file {isolated / 'milvus.toml'}:13 [profiles.tls]) cannot be "
        "passed in MILVUS_* variables: a program given only them would connect without it, unlike `test` "
        "and connect()\nhint: use the profile from Python"
    )
    assert not (tmp / "r.json").exists()


def test_an_http_uri_with_tls_reaches_the_program_as_https(
    setup: tuple[dict[str, str], Path], isolated: Path
) -> None:
    env, tmp = setup
    done = subprocess.run(
        exec_argv(tmp, str(tmp / "r.json"), profile="secure"), env=env, cwd=isolated, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp / "r.json").read_text())["env"]["MILVUS_URI"] == "https://127.0.0.1:19531"


@pytest.mark.parametrize(
    ("script", "status"),
    [("exit 7", 7), ("exit 0", 0), ("kill -KILL $$", 128 + 9), ("kill -TERM $$", 128 + 15)],
)
def test_a_shell_sees_the_programs_exit_status_as_if_it_ran_alone(
    setup: tuple[dict[str, str], Path], isolated: Path, script: str, status: int
) -> None:
    env, _ = setup
    ours = subprocess.run(
        ["sh", "-c", '"$@"; exit $?', "sh", entry_point(), "exec", "lite", "--", "sh", "-c", script],
        env=env, cwd=isolated, timeout=60, check=False,
    )  # fmt: skip
    alone = subprocess.run(["sh", "-c", '"$@"; exit $?', "sh", "sh", "-c", script], timeout=60, check=False)
    assert ours.returncode == alone.returncode == status


def test_the_program_starts_with_the_signals_a_program_run_alone_ignores(
    setup: tuple[dict[str, str], Path], isolated: Path
) -> None:
    """Python ignores SIGPIPE; a program that inherited that would not end when its reader goes."""
    env, _ = setup
    show = ["grep", "^SigIgn:", "/proc/self/status"]
    ours = subprocess.run(
        [entry_point(), "exec", "lite", "--", *show], env=env, cwd=isolated, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    alone = subprocess.run(show, capture_output=True, text=True, timeout=60, check=True)
    assert (ours.returncode, ours.stdout) == (0, alone.stdout)
    pipeline = subprocess.run(
        ["sh", "-c", '"$0" exec lite -- yes | head -n 1', entry_point()], env=env, cwd=isolated,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (pipeline.stdout, pipeline.stderr) == ("y\n", "")


def test_a_missing_program_exits_127_and_an_unrunnable_one_126(
    setup: tuple[dict[str, str], Path], isolated: Path
) -> None:
    env, tmp = setup
    missing = subprocess.run(
        [entry_point(), "exec", "lite", "--", "no-such-program-here"], env=env, cwd=isolated,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert missing.returncode == 127
    assert missing.stderr.startswith("error: cannot run 'no-such-program-here': command not found\n")
    unrunnable = subprocess.run(
        [entry_point(), "exec", "lite", "--", str(tmp / "child.py")], env=env, cwd=isolated,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert unrunnable.returncode == 126
    assert unrunnable.stderr.startswith(f"error: cannot run {str(tmp / 'child.py')!r}: permission denied\n")


def next_line(stream: IO[str], timeout: float = 60) -> str:
    """The next line the child writes, waiting for it (an event) up to ``timeout`` seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        assert selector.select(timeout), f"nothing written in {timeout} s"
    return stream.readline()


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])  # names: Windows has no SIGHUP to collect
def test_a_signal_sent_to_exec_reaches_the_program_once(
    setup: tuple[dict[str, str], Path], isolated: Path, name: str
) -> None:
    sent = signal.Signals[name]
    env, tmp = setup
    argv = exec_argv(tmp, str(tmp / "report.json"), "0", "--wait")
    with subprocess.Popen(
        argv, env=env, cwd=isolated, stdout=subprocess.PIPE, text=True, bufsize=1
    ) as process:
        assert process.stdout is not None
        assert next_line(process.stdout) == "ready\n", "the child did not start"
        process.send_signal(sent)
        assert next_line(process.stdout) == f"{sent.name}\n"
        if sent != signal.SIGTERM:  # the child keeps running: stop it
            process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=60)
        rest = process.stdout.read()
    # A second delivery of the signal would have reached the child before the SIGTERM sent after it.
    assert rest == ("" if sent == signal.SIGTERM else "SIGTERM\n")
    assert status == 3  # the child's own exit status, after it handled SIGTERM


def test_exec_needs_a_command(cli: Run) -> None:
    write(Path("milvus.toml"), PROFILES)
    result = cli("exec", "lite", "--")
    assert result.exit_code == 2
    assert "no command given: milvus-profiles exec NAME -- COMMAND [ARG]..." in result.stderr


def test_exec_refuses_a_profile_whose_password_is_missing(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROFILES))
    result = cli("exec", "app", "--", "true")
    assert result.exit_code == 4
    assert result.stderr.startswith("error: profile app: user 'app' has no password")
