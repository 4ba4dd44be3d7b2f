"""Which variables a project's `.env` put into the environment: the `.env` files python-dotenv's search
finds, compared with what python-dotenv itself reads from them."""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from dotenv import dotenv_values

from milvus_profiles.config import environment
from milvus_profiles.config.environment import (
    SECRET_PLACES,
    concerns_us,
    decides_transport,
    dotenv_candidates,
    names_set,
    project_variables,
    untrusted_names,
)

from ..helpers import trusted_content, write


@pytest.fixture
def no_pymilvus_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """pymilvus as if imported from ``tmp_path/site/pymilvus``, and a script in ``tmp_path/bin``, with no
    ``.env`` above either."""
    package = tmp_path / "site" / "pymilvus"
    package.mkdir(parents=True)
    fake = types.ModuleType("pymilvus")
    fake.__spec__ = importlib.machinery.ModuleSpec("pymilvus", None, origin=str(package / "__init__.py"))
    monkeypatch.setitem(sys.modules, "pymilvus", fake)
    monkeypatch.setattr(sys.modules["__main__"], "__file__", str(tmp_path / "bin" / "main.py"), raising=False)
    return package


def test_the_nearest_dotenv_above_the_working_folder_is_the_one_found(
    isolated: Path, no_pymilvus_dotenv: Path
) -> None:
    (isolated / "a" / "b").mkdir(parents=True)
    os.chdir(isolated / "a" / "b")
    write(isolated / "a" / ".env", "A=1\n")
    write(isolated / ".env", "A=2\n")
    assert dotenv_candidates() == [isolated / "a" / ".env"]


def test_the_dotenv_above_pymilvus_is_found_as_python_dotenv_finds_it_in_a_script(
    isolated: Path, no_pymilvus_dotenv: Path
) -> None:
    # a virtual environment inside a repository: python-dotenv searches from pymilvus's folder up
    write(no_pymilvus_dotenv.parent / ".env", "MILVUS_URI=http://theirs:1\n")
    assert dotenv_candidates() == [no_pymilvus_dotenv.parent / ".env"]


def test_pymilvus_not_yet_imported_is_looked_up_where_it_is_installed(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path, tmp_path: Path
) -> None:
    monkeypatch.delitem(sys.modules, "pymilvus")
    write(tmp_path / "elsewhere" / "pymilvus" / "__init__.py", "")
    write(tmp_path / "elsewhere" / ".env", "A=1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "elsewhere"))
    assert dotenv_candidates() == [tmp_path / "elsewhere" / ".env"]
    assert "pymilvus" not in sys.modules  # looked up, not imported


def test_no_script_and_no_working_folder_leave_the_other_searches(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path, tmp_path: Path
) -> None:
    monkeypatch.delattr(sys.modules["__main__"], "__file__")  # python -c, a REPL, a notebook
    gone = tmp_path / "gone"
    gone.mkdir()
    os.chdir(gone)
    gone.rmdir()
    write(no_pymilvus_dotenv.parent / ".env", "A=1\n")
    assert dotenv_candidates() == [no_pymilvus_dotenv.parent / ".env"]


def test_a_link_named_env_that_leads_nowhere_hides_no_other_dotenv(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    (isolated / ".env").symlink_to(isolated / "missing")
    write(no_pymilvus_dotenv.parent / ".env", "MILVUS_URI=http://theirs:1\n")
    monkeypatch.setenv("MILVUS_URI", "http://theirs:1")
    assert dotenv_candidates() == [isolated / ".env", no_pymilvus_dotenv.parent / ".env"]
    assert list(project_variables(os.environ)) == ["MILVUS_URI"]


def test_a_trusted_dotenv_does_not_vouch_for_another(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    trusted_content(write(isolated / ".env", "MILVUS_DB_NAME=mine\n"))
    write(no_pymilvus_dotenv.parent / ".env", "MILVUS_URI=http://theirs:1\n")
    monkeypatch.setenv("MILVUS_URI", "http://theirs:1")
    monkeypatch.setenv("MILVUS_DB_NAME", "mine")
    assert list(project_variables(os.environ)) == ["MILVUS_URI"]


def test_a_dotenv_that_is_not_utf8_is_read_as_python_dotenv_reads_it(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    dotenv = isolated / ".env"
    dotenv.write_bytes(b"# caf\xe9\nMILVUS_URI=http://theirs:1\n")
    monkeypatch.setenv("MILVUS_URI", "http://theirs:1")
    assert list(project_variables(os.environ)) == ["MILVUS_URI"]
    assert names_set(dotenv) == ["MILVUS_URI"]
    trusted_content(dotenv)  # the trust is of the bytes as they are
    assert project_variables(os.environ) == {}


def test_the_running_scripts_folder_is_searched_too(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path, tmp_path: Path
) -> None:
    script = write(tmp_path / "app" / "bin" / "main.py", "")
    monkeypatch.setattr(sys.modules["__main__"], "__file__", str(script))
    write(tmp_path / "app" / ".env", "A=1\n")
    assert dotenv_candidates() == [tmp_path / "app" / ".env"]


def test_a_variable_holding_the_dotenvs_value_is_the_projects(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    dotenv = write(
        isolated / ".env",
        "# comment\nexport MILVUS_URI=http://theirs:1\ngrpc_proxy='http://p:8'\nHOME_PAGE=x\nMILVUS_DB_NAME=a\n",
    )
    values = {k: v for k, v in dotenv_values(dotenv).items() if v is not None}  # python-dotenv's reading
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MILVUS_DB_NAME", "mine")  # set by you before: python-dotenv never overrides it
    found = project_variables(os.environ)
    assert sorted(found) == ["MILVUS_URI", "grpc_proxy"]
    assert found["MILVUS_URI"].line == 2
    assert found["grpc_proxy"].where == f"{dotenv}:3 (grpc_proxy)"
    assert not found["MILVUS_URI"].trust.trusted
    assert found["MILVUS_URI"].trust.fix is not None
    assert "milvus-profiles trust .env" in found["MILVUS_URI"].trust.fix


def test_a_dotenv_trusted_as_it_is_sets_nothing_of_the_projects(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    dotenv = write(isolated / ".env", "MILVUS_URI=http://mine:1\n")
    monkeypatch.setenv("MILVUS_URI", "http://mine:1")
    trusted_content(dotenv)
    assert project_variables(os.environ) == {}
    write(dotenv, "MILVUS_URI=http://mine:1\nMILVUS_USER=root\n")
    assert list(project_variables(os.environ)) == ["MILVUS_URI"]


def test_a_dotenv_that_cannot_be_read_might_have_set_any_such_variable(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    for name in ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", *SECRET_PLACES):
        monkeypatch.delenv(name, raising=False)
    os.mkfifo(isolated / ".env")  # python-dotenv reads FIFOs; a read here would block
    monkeypatch.setenv("https_proxy", "http://p:8")
    monkeypatch.setenv("OTHER", "x")
    assert list(project_variables(os.environ)) == ["https_proxy"]


def test_nothing_is_read_when_no_variable_concerns_a_connection(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    monkeypatch.setattr(environment, "dotenv_candidates", lambda cwd=None: pytest.fail("searched"))
    assert project_variables({"HOME": "/root", "PATH": "/bin"}) == {}


@pytest.mark.parametrize(
    ("name", "concerns", "transport"),
    [
        ("MILVUS_URI", True, False),
        ("milvus_uri", True, False),
        ("MILVUS_PROFILES_FILE", True, False),
        ("grpc_proxy", True, True),
        ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", True, True),
        ("https_proxy", True, True),
        ("HTTP_PROXY", True, True),
        ("no_proxy", True, True),
        ("no_grpc_proxy", True, True),
        ("XDG_CONFIG_HOME", True, True),
        ("XDG_STATE_HOME", True, True),
        ("PYTHON_KEYRING_BACKEND", True, True),
        ("KEYRING_PROPERTY_FILE_PATH", True, True),
        ("MY_MILVUS_URI", False, False),
        ("PATH", False, False),
    ],
)
def test_which_variables_decide_a_connection(name: str, concerns: bool, transport: bool) -> None:
    assert concerns_us(name) is concerns
    assert decides_transport(name) is transport


def test_doctor_learns_the_names_a_dotenv_sets_never_the_values(isolated: Path) -> None:
    dotenv = write(isolated / ".env", "MILVUS_TOKEN=s3cret\n  export grpc_proxy=x\nOTHER=1\nMILVUS_TOKEN=y\n")
    assert names_set(dotenv) == ["MILVUS_TOKEN", "grpc_proxy"]
    assert names_set(isolated / "missing") == []


@pytest.mark.parametrize(
    "found",
    [
        None,  # not installed
        importlib.machinery.ModuleSpec("pymilvus", None, origin=None),  # a namespace package with no file
        ImportError("a broken import hook"),  # a finder that fails
        ValueError("pymilvus.__spec__ is None"),  # a stand-in module without a spec
    ],
)
def test_no_pymilvus_to_find_leaves_the_other_searches(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, found: importlib.machinery.ModuleSpec | Exception | None
) -> None:
    # python-dotenv then searches from elsewhere
    def find_spec(name: str) -> importlib.machinery.ModuleSpec | None:
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.delitem(sys.modules, "pymilvus", raising=False)
    monkeypatch.setattr("importlib.util.find_spec", find_spec)
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)
    write(isolated / ".env", "A=1\n")
    assert dotenv_candidates() == [isolated / ".env"]


def test_a_dotenv_of_a_megabyte_of_short_lines_is_read_at_once(tmp_path: Path) -> None:
    # python-dotenv's own expansion copies the environment for each line: on 110,000 lines that took
    # minutes; the timeout only stops a hung test, it measures nothing.
    lines = "".join(f"V{i}=1\n" for i in range(110_000)) + "MILVUS_TIMEOUT=3\n"
    write(tmp_path / ".env", lines)
    assert len(lines) <= environment.DOTENV_LIMIT
    code = "import os\nfrom milvus_profiles.config.environment import project_variables\n"
    code += "print(*project_variables(os.environ))"
    environ = {**os.environ, "MILVUS_TIMEOUT": "3", "PWD": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (out.returncode, out.stdout) == (0, "MILVUS_TIMEOUT\n"), out.stderr


@pytest.mark.parametrize(
    ("text", "name", "before"),
    [
        ("A=1\nB=${A}x\nA=2\nC=${A:-d}${Z:-z}${HOME}\n", "C", "2z" + os.environ["HOME"]),
        ("HOME=${HOME}y\nQ\nR=\"${HOME}\"\nS='${HOME}'\nexport K=${K}1\n", "HOME", "y"),
    ],
)
def test_a_dotenv_is_expanded_as_python_dotenv_expands_it(text: str, name: str, before: str) -> None:
    import io

    from dotenv.main import DotEnv

    readings = environment._parse(text, os.environ)
    for reading, override in zip(readings, (False, True), strict=False):
        assert reading == DotEnv(None, stream=io.StringIO(text), override=override).dict()
    assert readings[2][name] == before  # and as it was expanded before the file set any of its names


def test_every_variable_a_dotenv_set_is_found_for_a_command_a_reference_runs(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    dotenv = write(isolated / ".env", "BASH_ENV=/repo/evil.sh\nMILVUS_URI=http://theirs:1\nOTHER=x\n")
    monkeypatch.setenv("BASH_ENV", "/repo/evil.sh")
    monkeypatch.setenv("MILVUS_URI", "http://theirs:1")
    monkeypatch.setenv("OTHER", "mine")  # yours: python-dotenv never overrides it
    assert list(project_variables(os.environ)) == ["MILVUS_URI"]
    found = project_variables(os.environ, every=True)
    assert sorted(found) == ["BASH_ENV", "MILVUS_URI"]
    assert found["BASH_ENV"].where == f"{dotenv}:1 (BASH_ENV)"
    assert project_variables({"BASH_ENV": "/repo/evil.sh"}, every=True) == {"BASH_ENV": found["BASH_ENV"]}


def test_a_lower_case_name_is_its_own_variable_where_names_are_case_sensitive(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    write(isolated / ".env", "https_proxy=http://theirs:8\n")
    environ = {"https_proxy": "http://theirs:8", "HTTPS_PROXY": "http://mine:8"}
    assert list(project_variables(environ)) == ["https_proxy"]
    assert list(project_variables({"HTTPS_PROXY": "http://theirs:8"})) == ["HTTPS_PROXY"]  # Windows


def test_exec_learns_the_names_each_untrusted_dotenv_above_sets(
    isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    # a name without `=` sets nothing in python-dotenv's load_dotenv()
    dotenv = write(isolated / "app" / ".env", "MILVUS_URI=http://theirs:1\nOTHER=1\nMILVUS_USER\n")
    monkeypatch.chdir(dotenv.parent)
    assert untrusted_names() == {"MILVUS_URI"}
    # the script's folder has its own .env: both are found, whether or not a variable holds its value
    write(tmp_path / "bin" / ".env", "export grpc_proxy=http://p:8\nMILVUS_TOKEN=\n")
    assert untrusted_names() == {"MILVUS_URI", "grpc_proxy", "MILVUS_TOKEN"}
    trusted_content(tmp_path / "bin" / ".env")
    assert untrusted_names() == {"MILVUS_URI"}


def test_a_dotenv_exec_cannot_read_hides_no_other_dotenv(
    isolated: Path, tmp_path: Path, no_pymilvus_dotenv: Path
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(isolated / ".env")  # python-dotenv reads it; a read here would block
    write(tmp_path / "bin" / ".env", "MILVUS_USER=them\n")
    assert untrusted_names() == {"MILVUS_USER"}


def test_a_variable_after_blank_lines_is_named_by_its_own_line(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    dotenv = write(isolated / ".env", "A=1\n\n\n  \nMILVUS_URI=http://theirs:1\n\nMILVUS_USER=them\n")
    monkeypatch.setenv("MILVUS_URI", "http://theirs:1")
    monkeypatch.setenv("MILVUS_USER", "them")
    found = project_variables(os.environ)
    assert (found["MILVUS_URI"].line, found["MILVUS_USER"].line) == (5, 7)
    assert found["MILVUS_URI"].where == f"{dotenv}:5 (MILVUS_URI)"


def test_a_program_started_without_pwd_searches_from_its_working_folder(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    monkeypatch.delenv("PWD", raising=False)  # `env -i`, a service manager
    write(isolated / ".env", "A=1\n")
    assert dotenv_candidates() == [isolated / ".env"]


def test_exec_learns_the_names_of_a_dotenv_that_is_not_utf8(isolated: Path, no_pymilvus_dotenv: Path) -> None:
    (isolated / ".env").write_bytes(b"# caf\xe9\nMILVUS_URI=http://theirs:1\n")
    assert untrusted_names() == {"MILVUS_URI"}


def test_the_folder_the_shell_started_python_in_is_searched_after_a_chdir(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, no_pymilvus_dotenv: Path
) -> None:
    started = write(isolated / "app" / ".env", "A=1\n").parent
    monkeypatch.setenv("PWD", str(started))  # as the shell set it; the program then changed folder
    monkeypatch.chdir(write(isolated / "elsewhere" / "x", "").parent)
    assert dotenv_candidates() == [started / ".env"]
