"""Helpers the tests share (fixtures stay in conftest.py): values, files, an in-memory keyring, and the
installed command run in a new process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import keyring.backend
import keyring.errors
from click.testing import Result

SENTINEL = "s3ntinel-Secret-7f1c"
"""A secret that must never show up anywhere the tests look."""

# a profile file whose `prod` misspells `db_name`: a problem of that profile (and `child`) alone
BROKEN_PROD = """\
default = "local"
[profiles.local]
uri = "./data/milvus.db"
[profiles.prod]
uri = "http://prod.example.com:19530"
dbname = "analytics"
[profiles.child]
extends = "prod"
"""


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def trusted(path: Path) -> Path:
    """Record a project file as trusted, as `milvus-profiles trust PATH` does; returns the path."""
    from milvus_profiles.config import toml, trust

    problems = trust.trust(toml.read_file(path.absolute()))
    assert not problems, problems
    return path


def trusted_content(path: Path) -> Path:
    """Record a file trusted by its content (a project's `.env`), as `milvus-profiles trust .env` does."""
    from milvus_profiles.config import trust

    problems = trust.trust_content(path.absolute(), path.read_bytes())
    assert not problems, problems
    return path


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict: for unit tests of our own logic only."""

    priority = 1  # type: ignore[assignment, unused-ignore]

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call, unused-ignore]
        self.store: dict[tuple[str, str], str] = {}
        self.lookups: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.lookups.append((service, username))
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


Run = Callable[..., Result]
"""The type of the `cli` fixture: `cli("list", "--json")`."""


def entry_point() -> str:
    """The installed ``milvus-profiles`` script of the Python running the tests."""
    beside = Path(sys.executable).parent / "milvus-profiles"
    found = str(beside) if beside.exists() else shutil.which("milvus-profiles")
    assert found, "milvus-profiles is not installed; pip install -e ."
    return found


def run_clean(
    argv: Sequence[str],
    cwd: Path,
    config: Path,
    *,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``argv`` in a new process without MILVUS_* variables, the user folder in ``config``, and a null
    keyring (the in-memory one does not cross processes); ``env`` adds or replaces variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    environ.update(
        XDG_CONFIG_HOME=str(config),
        XDG_STATE_HOME=str(config.parent / "state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    environ.update(env or {})
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_entry_point(
    args: Sequence[str],
    cwd: Path,
    config: Path,
    *,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """The real command in a new process."""
    return run_clean([entry_point(), *args], cwd, config, stdin=stdin, env=env)


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and needle.encode() in path.read_bytes():
            found.append(path)
    return found
