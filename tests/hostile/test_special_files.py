"""FIFOs, devices, folders and sockets where a profile file or a TLS file should be, keys of thousands of
parts, and a byte-order mark: each ends at once in a typed error that names the file and the key, or is
read as it should be.

Anything that could block runs in a new process with a time limit, so a regression fails the test
instead of hanging the suite; the limit only stops a hung process, it measures nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from milvus_profiles.cli import main
from milvus_profiles.config import toml

from ..helpers import run_entry_point

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")

TOO_DEEP_HINT = "a profile file needs no more than three levels: [profiles.NAME.tls]"
TLS_HINT = "point it at the PEM file; a relative path in a profile file is relative to that file's folder"


@pytest.fixture(autouse=True)
def repository(isolated: Path) -> Path:
    (isolated / ".git").mkdir()
    return isolated


def run(*args: str) -> Result:
    toml.clear_cache()
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


def connect_in_new_process(cwd: Path, profile: str) -> str:
    """What connect() raises in a new process: ``TypeName: message``."""
    code = (
        "import sys\nfrom milvus_profiles import connect\n"
        "try:\n    connect(sys.argv[1])\nexcept Exception as e:\n"
        "    print(f'{type(e).__name__}: {e.args[0]}')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    done = subprocess.run(
        [sys.executable, "-c", code, profile],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_a_fifo_as_milvus_toml_is_refused_unread(repository: Path, tmp_path: Path) -> None:
    path = repository / "milvus.toml"
    os.mkfifo(path)
    message = f"error: {path}: is a FIFO (named pipe), not a profile file"
    for args in (["list"], ["show", "dev"], ["test", "dev"]):
        done = run_entry_point(args, repository, tmp_path / "config")
        assert (done.returncode, done.stderr.splitlines()[0]) == (3, message), args
    checked = run_entry_point(["check"], repository, tmp_path / "config")
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (
        1,
        "milvus.toml: is a FIFO (named pipe), not a profile file",
    )
    assert connect_in_new_process(repository, "dev") == (
        f"ConfigError: {path}: is a FIFO (named pipe), not a profile file"
    )


@pytest.fixture(params=["fifo", "device", "folder", "socket", "missing"])
def tls_path(request: pytest.FixtureRequest, repository: Path) -> Iterator[tuple[Path, str]]:
    """A TLS path that names no certificate, and the reason it is refused."""
    kind = request.param
    if kind == "fifo":
        os.mkfifo(repository / "ca.pem")
        yield repository / "ca.pem", "is a FIFO (named pipe), not a certificate or key file"
    elif kind == "device":
        yield Path("/dev/zero"), "is a character device, not a certificate or key file"
    elif kind == "folder":
        yield repository, "is a folder, not a certificate or key file"
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(str(repository / "ca.sock"))
            yield repository / "ca.sock", "is a socket, not a certificate or key file"
    else:
        yield repository / "nosuch.pem", "does not exist"


def test_a_tls_path_that_is_no_file_is_refused_by_test_check_and_connect(
    repository: Path, tmp_path: Path, tls_path: tuple[Path, str]
) -> None:
    path, reason = tls_path
    project = repository / "milvus.toml"
    project.write_text(
        f'[profiles.prod]\nuri = "https://127.0.0.1:1"\n\n[profiles.prod.tls]\nserver_pem_path = "{path}"\n'
    )
    where = f"tls.server_pem_path (file {project}:5 [profiles.prod])"
    tested = run_entry_point(["test", "prod"], repository, tmp_path / "config")
    assert tested.returncode == 3
    assert f"error: {where}: {path} {reason}\nhint: {TLS_HINT}\n" in tested.stderr
    checked = run_entry_point(["check"], repository, tmp_path / "config")
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (
        1,
        f"milvus.toml:5: profiles.prod.tls.server_pem_path: {path} {reason}",
    )
    assert connect_in_new_process(repository, "prod") == f"ConfigError: {where}: {path} {reason}"


def test_a_certificate_too_large_is_refused(repository: Path) -> None:
    big = repository / "ca.pem"
    big.write_bytes(b"-" * (1024 * 1024 + 1))
    (repository / "milvus.toml").write_text(
        f'[profiles.prod]\nuri = "https://127.0.0.1:1"\n[profiles.prod.tls]\nca_pem_path = "{big}"\n'
    )
    checked = run("check")
    assert checked.stdout.splitlines()[0] == (
        f"milvus.toml:4: profiles.prod.tls.ca_pem_path: {big} is 1.0 MB, too large for a certificate or key "
        "file (the limit is 1 MB)"
    )


@pytest.mark.parametrize("prefix", ["uri.", "tls.", "", "[profiles.dev.x]\n"])
def test_a_key_of_3000_parts_is_refused_at_its_line(repository: Path, prefix: str) -> None:
    path = repository / "milvus.toml"
    path.write_text('[profiles.dev]\nuri = "http://h:19530"\n' + prefix + ".".join(["x"] * 3000) + " = 1\n")
    line = 3 + prefix.count("\n")
    message = f"{path}:{line}: a key of more than 63 dotted parts nests too deeply to read"
    for args in (["list"], ["list", "--json"], ["show", "dev"]):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (3, f"error: {message}\nhint: {TOO_DEEP_HINT}\n"), args
    checked = run("check")
    assert (checked.exit_code, checked.stdout.splitlines()[0]) == (
        1,
        f"milvus.toml:{line}: a key of more than 63 dotted parts nests too deeply to read",
    )


def test_tables_nested_deeper_than_64_by_header_and_key_are_refused(repository: Path) -> None:
    path = repository / "milvus.toml"
    parts = ".".join(["x"] * 40)
    path.write_text(f'[profiles.dev]\nuri = "http://h:19530"\n[profiles.dev.tls.{parts}]\n{parts} = 1\n')
    result = run("list")
    assert (result.exit_code, result.stderr) == (
        3,
        f"error: {path}:4: tables or arrays nest too deeply to read\nhint: {TOO_DEEP_HINT}\n",
    )


def test_a_file_with_a_byte_order_mark_is_read_with_its_lines(repository: Path) -> None:
    (repository / "milvus.toml").write_bytes(
        b'\xef\xbb\xbfdefault = "dev"\n[profiles.dev]\nuri = "http://h:19530"\nusr = "me"\n'
    )
    listed = run("list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[1].split()[:3] == ["*!", "dev", "http://h:19530"]
    checked = run("check")
    assert checked.stdout.splitlines()[0] == "milvus.toml:4: unknown key 'usr' in profiles.dev"


def test_importing_a_fifo_named_dotenv_is_refused_unread(repository: Path, tmp_path: Path) -> None:
    os.mkfifo(repository / ".env")
    done = run_entry_point(["import", "--from", "dotenv", "--name", "x"], repository, tmp_path / "config")
    assert (done.returncode, done.stderr) == (
        3,
        "error: .env: is a FIFO (named pipe), not a .env file\nhint: give the file with --path\n",
    )
