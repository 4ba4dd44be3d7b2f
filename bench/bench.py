"""The benchmarks of milvus-profiles. Each figure is measured side by side with its baseline in the same
run: the two alternate (A B A B ...), and the ratio is the median of the per-pair ratios, so a machine
that speeds up or slows down during the run affects both alike. Fresh-process figures are wall-clock
times of whole commands; in-process figures are per-call times of blocks of calls.

Run it with ``bench/run``; ``--quick`` takes fewer repetitions.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
CLI = str(BIN / "milvus-profiles")


@dataclass
class Row:
    what: str
    figure: float
    baseline_name: str
    baseline: float
    ratio: float
    target: str
    met: bool
    unit: str = "ms"


def pairs(a: Callable[[], float], b: Callable[[], float], reps: int) -> tuple[float, float, float]:
    """Alternate a and b; medians of each and the median of the per-pair ratios a/b."""
    a(), b()  # warm-up
    xs, ys = [], []
    for _ in range(reps):
        xs.append(a())
        ys.append(b())
    ratios = [x / y for x, y in zip(xs, ys, strict=True)]
    return statistics.median(xs), statistics.median(ys), statistics.median(ratios)


def command(args: list[str], cwd: Path, env: dict[str, str], expect: int | None = 0) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        done = subprocess.run(
            args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
        )
        elapsed = time.perf_counter() - started
        if expect is not None and done.returncode != expect:
            raise SystemExit(f"{args} exited {done.returncode}: {done.stderr.decode()[-500:]}")
        return elapsed

    return run


def block(fn: Callable[[], object], calls: int) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        return (time.perf_counter() - started) / calls

    return run


def profiles_file(path: Path, count: int, uri: str = "http://127.0.0.1:19530", chain: bool = False) -> Path:
    """``count`` profiles; with ``chain``, each one after the first extends the one before it."""
    lines = ['default = "p0"']
    for i in range(count):
        lines += [f"[profiles.p{i}]"]
        lines += [f'extends = "p{i - 1}"'] if chain and i else [f'uri = "{uri}"', "timeout = 5"]
        lines += [f'db_name = "db{i % 7}"', ""]
    path.write_text("\n".join(lines))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def lite_server(folder: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "milvus-lite"), "server", "--data-dir", str(folder / "lite"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def silent_listeners(count: int) -> Iterator[list[int]]:
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        socks.append(s)
    try:
        yield [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--files-only", action="store_true", help="only the benchmarks of large files (no server, no awscli)"
    )
    args = parser.parse_args()
    reps = 5 if args.quick else 15
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="milvus-profiles-bench-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
        env["XDG_CONFIG_HOME"] = str(work / "config")
        env["HOME"] = str(work)
        env["XDG_STATE_HOME"] = str(work / "state")  # where `milvus-profiles trust` records a trust
        # The in-process figures read the same user folders (and trust records) as the commands.
        for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME"):
            os.environ[name] = env[name]
        if args.files_only:
            report(bench_scale(work, env, reps), reps)
            return
        small = work / "small"
        small.mkdir()
        profiles_file(small / "milvus.toml", 10)
        large = work / "large"
        large.mkdir()
        profiles_file(large / "milvus.toml", 1000)
        (work / ".aws").mkdir()
        (work / ".aws" / "config").write_text(
            "".join(f"[profile p{i}]\nregion = us-east-1\noutput = json\n" for i in range(10))
        )

        a, b, r = pairs(
            command([CLI, "list"], small, env),
            command([str(BIN / "aws"), "configure", "list"], small, env),
            reps,
        )
        rows.append(
            Row(
                "milvus-profiles list, 10 profiles",
                a * 1e3,
                "aws configure list",
                b * 1e3,
                r,
                "<= 0.6",
                r <= 0.6,
            )
        )
        a, b, r = pairs(
            command([CLI, "--version"], small, env), command([sys.executable, "-c", "pass"], small, env), reps
        )
        rows.append(Row("milvus-profiles --version", a * 1e3, "python -c pass", b * 1e3, r, "<= 5", r <= 5))
        a, b, r = pairs(command([CLI, "list"], large, env), command([CLI, "list"], small, env), reps)
        rows.append(
            Row(
                "milvus-profiles list, 1,000 profiles",
                a * 1e3,
                "list, 10 profiles",
                b * 1e3,
                r,
                "<= 1.5",
                r <= 1.5,
            )
        )

        rows += bench_scale(work, env, reps)
        # A project file is trusted with secrets once its user says so; the figures are of trusted files.
        command([CLI, "trust"], small, env)()
        rows.append(bench_file_cache(work, env, reps))
        with lite_server(work) as uri:
            rows.append(bench_resolve(small, uri, reps))
            rows += bench_connect(work, uri, env, reps)
            server = work / "server"
            server.mkdir()
            (server / "milvus.toml").write_text(f'[profiles.lite]\nuri = "{uri}"\n')
            rows += bench_cold(server, uri, env, reps)
            rows.append(bench_test_all(work, uri, env, max(3, reps // 3)))
    report(rows, reps)


# A port nothing listens on (the discard service is not run): `test --all` finds every server unreachable
# at once, so the figures are of milvus-profiles's own work, not of waiting.
UNREACHABLE = "http://127.0.0.1:9"
MEGABYTE_PROFILES = 13_000
"""About as many small profiles as fit in 1 MB, the largest profile file read."""


def bench_scale(work: Path, env: dict[str, str], reps: int) -> list[Row]:
    """``list``, ``check``, ``doctor`` and ``test --all`` grow linearly: 10,000 profiles against 1,000,
    each within 10 s on a 1 MB file, and a 5,000-long ``extends`` chain against 5,000 profiles that
    extend nothing."""
    folders = {}
    for name, count, chain in (("p1k", 1000, False), ("p10k", 10_000, False), ("flat", 5000, False),
                               ("chain", 5000, True), ("mb", MEGABYTE_PROFILES, False)):  # fmt: skip
        folders[name] = work / name
        folders[name].mkdir()
        (folders[name] / ".git").mkdir()  # discovery stops here
        profiles_file(folders[name] / "milvus.toml", count, uri=UNREACHABLE, chain=chain)
    rows = []
    commands = {"list": ["list"], "check": ["check"], "doctor": ["doctor"], "test --all": ["test", "--all"]}
    for cmd, args in commands.items():
        expect = None if cmd == "test --all" else 0  # every server is unreachable: exit 5
        a, b, r = pairs(
            command([CLI, *args], folders["p10k"], env, expect),
            command([CLI, *args], folders["p1k"], env, expect),
            max(3, reps // 3),
        )
        target = 10 if cmd in ("list", "check") else 12
        rows.append(
            Row(f"milvus-profiles {cmd}, 10,000 profiles", a * 1e3, f"{cmd}, 1,000 profiles", b * 1e3, r,
                f"<= {target}", r <= target)
        )  # fmt: skip
    size = (folders["mb"] / "milvus.toml").stat().st_size
    for cmd, args in commands.items():
        expect = None if cmd == "test --all" else 0
        run = command([CLI, *args], folders["mb"], env, expect)
        run()  # warm-up
        figure = statistics.median(run() for _ in range(3))
        rows.append(
            Row(f"milvus-profiles {cmd}, {size / 2**20:.2f} MB file ({MEGABYTE_PROFILES:,} profiles)",
                figure, "10 s", 10.0, figure / 10.0, "< 1", figure < 10.0, unit="s")
        )  # fmt: skip
    for cmd in ("list", "check"):
        a, b, r = pairs(
            command([CLI, cmd], folders["chain"], env), command([CLI, cmd], folders["flat"], env), reps
        )
        rows.append(
            Row(f"milvus-profiles {cmd}, an extends chain 5,000 long", a * 1e3,
                f"{cmd}, 5,000 profiles extending nothing", b * 1e3, r, "<= 1.5", r <= 1.5)
        )  # fmt: skip
    return rows


def bench_resolve(folder: Path, uri: str, reps: int) -> Row:
    """``resolve()`` repeated in one process (it keeps nothing between calls: each reads the environment
    and the secret again), beside the cheapest connection it prepares: a client on a loopback server and
    one call."""
    os.environ["MILVUS_PASSWORD"] = "bench"  # noqa: S105 - the secret comes from the environment
    old = Path.cwd()
    os.chdir(folder)
    try:
        from pymilvus import MilvusClient

        from milvus_profiles import resolve

        def theirs() -> None:
            client = MilvusClient(uri, db_name="default")
            client.list_collections()
            client.close()

        a, b, r = pairs(block(lambda: resolve("p3"), 300), block(theirs, 300), reps)
    finally:
        os.chdir(old)
        del os.environ["MILVUS_PASSWORD"]
    return Row(
        "resolve(profile=...) repeated, in process, secret in MILVUS_PASSWORD",
        a * 1e3,
        "MilvusClient + list_collections",
        b * 1e3,
        r,
        "<= 0.5",
        r <= 0.5,
    )


def bench_connect(work: Path, uri: str, env: dict[str, str], reps: int) -> list[Row]:
    """``connect()`` repeated in one process, beside a bare client: with the token in the environment, and
    with the token stored in the keyring (asked again on every connect, so a rotated secret is used at
    once)."""
    folder = work / "connect"
    folder.mkdir()
    (folder / "milvus.toml").write_text(f'[profiles.local]\nuri = "{uri}"\n')
    command([CLI, "trust"], folder, env)()
    old = Path.cwd()
    os.chdir(folder)
    rows = []
    try:
        from pymilvus import MilvusClient

        from milvus_profiles import connect, delete_secret, save_secret

        def ours() -> None:
            connect(profile="local").close()

        def theirs() -> None:
            client = MilvusClient(uri, db_name="default")
            client.list_collections()
            client.close()

        for how, calls, target in (("token in MILVUS_TOKEN", 300, 1.05), ("keyring consulted", 30, None)):
            if how.startswith("token"):
                os.environ["MILVUS_TOKEN"] = "bench-token"  # noqa: S105 - Milvus Lite takes any
            else:
                save_secret("local", "bench-token")  # found, so the lookup goes all the way
            try:
                a, b, r = pairs(block(ours, calls), block(theirs, calls), reps)
            finally:
                if os.environ.pop("MILVUS_TOKEN", None) is None:
                    delete_secret("local")
            rows.append(
                Row(
                    f'connect(profile="local") with its readiness check, in process, {how}',
                    a * 1e3,
                    "MilvusClient + list_collections",
                    b * 1e3,
                    r,
                    f"<= {target}" if target else "(shown)",
                    r <= target if target else True,
                )
            )
    finally:
        os.chdir(old)
    return rows


def bench_cold(folder: Path, uri: str, env: dict[str, str], reps: int) -> list[Row]:
    """A fresh process that uses a profile, beside one that does not. The project file is trusted and its
    profile has no user: without a token in the environment the keyring is consulted for one. A token is
    stored there, so the lookup goes all the way (with the Secret Service: a D-Bus session and an
    encrypted transfer), as a user's would.
    """
    from milvus_profiles import delete_secret, save_secret

    command([CLI, "trust"], folder, env)()
    keyring_name = keyring_backend_name()
    old = Path.cwd()
    os.chdir(folder)
    try:
        save_secret("lite", "bench-token")
    finally:
        os.chdir(old)
    print(f"cold start: the keyring is {keyring_name}", file=sys.stderr)
    rows = []
    try:
        ours = 'from milvus_profiles import connect; connect("lite").list_collections()'
        theirs = f"from pymilvus import MilvusClient; MilvusClient({uri!r}).list_collections()"
        a, b, r = pairs(
            command([sys.executable, "-c", ours], folder, env),
            command([sys.executable, "-c", theirs], folder, env),
            reps,
        )
        rows.append(
            Row(
                'connect("lite").list_collections(), fresh process, keyring consulted',
                a * 1e3,
                "MilvusClient(uri).list_collections()",
                b * 1e3,
                r,
                "<= 1.10",
                r <= 1.10,
            )
        )
        resolving = [sys.executable, "-c", 'from milvus_profiles import resolve; resolve("lite")']
        bare = command([sys.executable, "-c", "pass"], folder, env)
        a, b, r = pairs(command(resolving, folder, env), bare, reps)
        rows.append(
            Row(
                'resolve("lite"), fresh process, keyring consulted',
                a * 1e3,
                "python -c pass",
                b * 1e3,
                r,
                "<= 12",
                r <= 12,
            )
        )
        token_env = env | {"MILVUS_TOKEN": "bench-token"}
        a, b, r = pairs(command(resolving, folder, token_env), bare, reps)
        rows.append(
            Row(
                'resolve("lite"), fresh process, token in MILVUS_TOKEN',
                a * 1e3,
                "python -c pass",
                b * 1e3,
                r,
                "<= 12",
                r <= 12,
            )
        )
        code = f"from pymilvus import MilvusClient; MilvusClient({uri!r}).get_server_version()"
        checking = command([sys.executable, "-c", code], folder, env)
        for how, test_env in (("keyring consulted", env), ("token in MILVUS_TOKEN", token_env)):
            a, b, r = pairs(command([CLI, "test", "lite"], folder, test_env), checking, reps)
            rows.append(
                Row(
                    f"milvus-profiles test NAME, fresh process, {how}",
                    a * 1e3,
                    "pymilvus get_server_version",
                    b * 1e3,
                    r,
                    "<= 0.3",
                    r <= 0.3,
                )
            )
    finally:
        os.chdir(folder)
        try:
            delete_secret("lite")
        finally:
            os.chdir(old)
    return rows


def keyring_backend_name() -> str:
    from milvus_profiles.secrets import keyring_store

    backend = keyring_store.backend()
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def bench_test_all(work: Path, uri: str, env: dict[str, str], reps: int) -> Row:
    folder = work / "all"
    folder.mkdir()
    with silent_listeners(4) as ports:
        lines = []
        for i in range(4):
            lines += [f"[profiles.up{i}]", f'uri = "{uri}"', ""]
        for i, port in enumerate(ports):
            lines += [f"[profiles.down{i}]", f'uri = "http://127.0.0.1:{port}"', "timeout = 2", ""]
        (folder / "milvus.toml").write_text("\n".join(lines))
        a, b, r = pairs(
            command([CLI, "test", "--all"], folder, env, expect=None),
            command([CLI, "test", "down0"], folder, env, expect=None),
            reps,
        )
    return Row(
        "milvus-profiles test --all, 8 profiles, 4 unreachable (2 s)",
        a * 1e3,
        "the slowest one alone",
        b * 1e3,
        r,
        "<= 1.3",
        r <= 1.3,
    )


def bench_file_cache(work: Path, env: dict[str, str], reps: int) -> Row:
    """What the one cache left (parsed profile files, by path, size and modification time) buys:
    ``doctor`` resolves every profile, each resolve reading the files again."""
    folder = work / "doctor"
    folder.mkdir()
    (folder / ".git").mkdir()
    profiles_file(folder / "milvus.toml", 300)
    command([CLI, "trust"], folder, env)()
    uncached = (
        "import sys\n"
        "import milvus_profiles.config.toml as toml\n"
        "class Forget(dict):\n"
        "    def __setitem__(self, key, value): pass\n"
        "toml._CACHE = Forget()\n"
        "from milvus_profiles.cli import main\n"
        "sys.argv[0] = 'milvus-profiles'\n"
        "main()\n"
    )
    a, b, r = pairs(
        command([CLI, "doctor"], folder, env, expect=None),
        command([sys.executable, "-c", uncached, "doctor"], folder, env, expect=None),
        reps,
    )
    return Row(
        "milvus-profiles doctor, 300 profiles",
        a * 1e3,
        "the same without the parsed-file cache",
        b * 1e3,
        r,
        "< 0.5 keeps the cache",
        r < 0.5,
    )


def report(rows: list[Row], reps: int) -> None:
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {reps} pairs each"
    )
    header = ("benchmark", "figure", "baseline", "baseline figure", "ratio", "target", "met")
    table = [header] + [
        (
            r.what,
            f"{r.figure:.3f} {r.unit}",
            r.baseline_name,
            f"{r.baseline:.3f} {r.unit}",
            f"{r.ratio:.3f}",
            r.target,
            "yes" if r.met else "NO",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())


if __name__ == "__main__":
    main()
