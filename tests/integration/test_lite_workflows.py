"""`shell`, `exec` and `current`, the installed command end to end against Milvus Lite served on a loopback
port: a profile whose database holds one collection, which pymilvus itself put there and lists."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymilvus import MilvusClient

from ..helpers import SENTINEL, entry_point, files_containing, trusted, write
from ..terminal import Terminal
from .conftest import require
from .servers import LiteServer

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals (the pty module) are POSIX")


@dataclass
class Project:
    """A trusted project whose default profile `lite` reaches ``db`` on the server as user `app`; profile
    `main` reaches the `default` database."""

    folder: Path
    env: dict[str, str]
    uri: str
    db: str
    collection: str


@pytest.fixture
def project(
    lite_server: LiteServer, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    # the server lives for the whole session: each test gets a database of its own
    db, collection = f"db_{uuid.uuid4().hex[:12]}", "vectors"
    admin = MilvusClient(uri=lite_server.uri)
    admin.create_database(db)
    inside = MilvusClient(uri=lite_server.uri, db_name=db)
    inside.create_collection(collection, dimension=2)
    admin.create_collection(f"outside_{db}", dimension=2)  # in `default`: the profile must not see it
    (isolated / ".git").mkdir()
    trusted(
        write(
            isolated / "milvus.toml",
            f'default = "lite"\n\n[profiles.lite]\nuri = "{lite_server.uri}"\ndb_name = "{db}"\n'
            f'user = "app"\n\n[profiles.main]\nuri = "{lite_server.uri}"\n',
        )
    )
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the file keyring, shared by every process
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "IPYTHONDIR": str(tmp_path / "ipython"),
        "TERM": "xterm",
    }
    stored = subprocess.run(
        [entry_point(), "secret", "set", "lite", "--stdin"], input=SENTINEL, env=env, cwd=isolated,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert stored.returncode == 0, stored.stderr
    try:
        yield Project(isolated, env, lite_server.uri, db, collection)
    finally:
        admin.drop_collection(f"outside_{db}")
        inside.drop_collection(collection)
        admin.drop_database(db)
        inside.close()
        admin.close()


def command(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [entry_point(), *args], env=project.env, cwd=project.folder, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def pymilvus_lists(project: Project, db: str | None = None) -> list[str]:
    """What pymilvus itself lists in the profile's database (or in ``db``)."""
    client = MilvusClient(uri=project.uri, db_name=db or project.db)
    try:
        return sorted(client.list_collections())
    finally:
        client.close()


LIST = (
    "from pymilvus import MilvusClient; import os; "
    "print(MilvusClient(uri=os.environ['MILVUS_URI'], db_name=os.environ['MILVUS_DB_NAME'])"
    ".list_collections())"
)


def test_exec_gives_a_program_the_profiles_database(project: Project) -> None:
    done = command(project, "exec", "lite", "--", sys.executable, "-c", LIST)
    assert done.returncode == 0, done.stderr
    assert ast.literal_eval(done.stdout.strip()) == pymilvus_lists(project) == [project.collection]
    assert SENTINEL not in done.stdout + done.stderr


def test_exec_passes_the_secret_to_a_program_that_connects_with_it(project: Project) -> None:
    """The child reads the password from its environment only; the Lite server takes any."""
    program = (
        "import os; from pymilvus import MilvusClient; "
        "c = MilvusClient(uri=os.environ['MILVUS_URI'], db_name=os.environ['MILVUS_DB_NAME'], "
        "user=os.environ['MILVUS_USER'], password=os.environ['MILVUS_PASSWORD']); "
        f"print(c.list_collections(), os.environ['MILVUS_PASSWORD'] == {SENTINEL!r})"
    )
    done = command(project, "exec", "lite", "--", sys.executable, "-c", program)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"['{project.collection}'] True\n"


def test_current_names_the_profile_that_connect_and_exec_use(project: Project) -> None:
    current = command(project, "current")
    assert current.returncode == 0, current.stderr
    assert current.stdout == "lite\n"
    where = project.folder / "milvus.toml"
    assert current.stderr == f"because it is the default in {where}:1 (defined in milvus.toml)\n"
    as_json = json.loads(command(project, "current", "--json").stdout)
    assert as_json["profile"] == "lite"
    assert as_json["file"] == str(where)
    # connect() with no name, in a program run here, reaches the database `current` names
    program = "import milvus_profiles as m; print(sorted(m.connect().list_collections()))"

    def connect_lists(env: dict[str, str]) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", program], env=env, cwd=project.folder, capture_output=True, text=True,
            timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        listed: list[str] = ast.literal_eval(done.stdout)
        return listed

    assert connect_lists(project.env) == pymilvus_lists(project)
    # MILVUS_PROFILE wins over the file's default: `current` says so, and connect() follows
    switched = {**project.env, "MILVUS_PROFILE": "main"}
    other = subprocess.run(
        [entry_point(), "current"], env=switched, cwd=project.folder, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert (other.stdout, other.stderr) == (
        "main\n",
        "because MILVUS_PROFILE is set (defined in milvus.toml)\n",
    )
    assert connect_lists(switched) == pymilvus_lists(project, "default")
    assert f"outside_{project.db}" in pymilvus_lists(project, "default")


def summary_of(shown: str, project: Project) -> None:
    """The summary printed before the prompt: every value and its origin, the password masked."""
    assert "profile: lite" in shown
    lines = shown.splitlines()
    assert any(line.split()[:2] == ["uri", project.uri] for line in lines), shown
    assert any(line.split()[:2] == ["db_name", project.db] for line in lines), shown
    assert any(line.split()[:2] == ["user", "app"] for line in lines), shown
    password = [line for line in lines if line.startswith("password ")]
    assert len(password) == 1, shown
    assert "keyring" in password[0]
    assert "`client` is a pymilvus.MilvusClient connected with this profile" in shown
    assert "\\x0a" not in shown  # the summary's lines are lines, not escaped newlines
    assert SENTINEL not in shown


@POSIX
def test_shell_plain_python_prompt_has_a_connected_client(project: Project) -> None:
    term = Terminal([entry_point(), "shell", "lite", "--plain"], env=project.env, cwd=project.folder)
    try:
        term.expect(">>> ")
        term.type("client.list_collections()")
        term.expect(repr(pymilvus_lists(project)))
        term.expect(">>> ")
        term.type("profile.db_name")
        term.expect(repr(project.db))
        term.expect(">>> ")
        term.type("exit()")
        assert term.wait() == 0, term.shown
    finally:
        term.close()
    summary_of(term.shown, project)
    assert files_containing(project.folder, SENTINEL) == []


@POSIX
def test_shell_uses_ipython_when_it_is_installed(project: Project) -> None:
    require(importlib.util.find_spec("IPython") is not None, "IPython", "it is not installed (test extra)")
    term = Terminal([entry_point(), "shell", "lite"], env=project.env, cwd=project.folder)
    try:
        term.expect("In [1]: ")
        term.type("client.list_collections()")
        term.expect(f"Out[1]: {pymilvus_lists(project)!r}")
        term.expect("In [2]: ")
        term.type("exit()")
        assert term.wait() == 0, term.shown
    finally:
        term.close()
    summary_of(term.shown, project)
