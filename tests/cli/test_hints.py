"""The hints a newcomer gets for a slip of the keyboard: a misspelt key, a global option after the
command, a program that is not found, a secret asked for where no terminal can hide it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..helpers import Run, entry_point, write


def test_set_suggests_the_key_meant_as_check_does(cli: Run) -> None:
    write(Path("milvus.toml"), '[profiles.prod]\nuri = "http://127.0.0.1:19530"\n')
    result = cli("set", "prod", "timout", "5")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == "error: 'timout' is not a profile key"
    assert result.stderr.splitlines()[1].startswith("hint: did you mean 'timeout'? the keys are: uri, ")


@pytest.mark.parametrize(("option", "shown"), [("--file", "--file PATH"), ("--no-color", "--no-color")])
def test_a_global_option_after_the_command_says_where_it_goes(cli: Run, option: str, shown: str) -> None:
    result = cli("list", option, *(["X"] if option == "--file" else []))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: No such option '{option}'. {option} is a global option: it goes before the command, "
        f"as in `milvus-profiles {shown} list ...`"
    )


def test_an_option_no_command_knows_gets_no_global_hint(cli: Run) -> None:
    result = cli("list", "--nope")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: No such option '--nope'."


@pytest.mark.skipif(sys.platform == "win32", reason="exec's tests are POSIX")
def test_a_program_not_found_after_the_separator_is_not_told_to_add_it(isolated: Path) -> None:
    from ..helpers import run_entry_point

    write(isolated / "milvus.toml", '[profiles.local]\nuri = "./data/milvus.db"\n')
    done = run_entry_point(["exec", "local", "--", "nosuchprog-7f1c"], isolated, isolated.parent / "config")
    assert done.returncode == 127
    assert done.stderr == (
        "error: cannot run 'nosuchprog-7f1c': command not found\nhint: check the program's name and PATH\n"
    )


@pytest.mark.skipif(sys.platform == "win32", reason="a process without a controlling terminal is POSIX")
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (
            ["add", "prod", "--uri", "http://127.0.0.1:19530", "--user", "app", "--ask-secret"],
            "--secret-stdin",
        ),
        (["secret", "set", "prod"], "--stdin"),
    ],
    ids=["add", "secret-set"],
)
def test_a_piped_secret_prompt_points_to_the_stdin_option(
    isolated: Path, args: list[str], option: str
) -> None:
    project = write(isolated / "milvus.toml", "")
    if args[0] == "secret":
        write(project, '[profiles.prod]\nuri = "http://127.0.0.1:19530"\nuser = "app"\n')
    before = project.read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env.update(
        XDG_CONFIG_HOME=str(isolated.parent / "config"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    done = subprocess.run(  # a new session: no terminal at all, as in CI or a pipe from cron
        [entry_point(), *args],
        cwd=isolated,
        env=env,
        input="typed-secret\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        start_new_session=True,
    )
    assert done.returncode == 2
    assert "GetPassWarning" not in done.stderr
    assert "typed-secret" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "Error: there is no terminal to ask for the secret on without showing it; give it on standard input "
        f"with {option} instead"
    )
    assert project.read_text() == before


@pytest.mark.skipif(sys.platform == "win32", reason="exec's tests are POSIX")
def test_exec_names_the_variables_that_decide_the_profile_it_was_given(isolated: Path) -> None:
    from ..helpers import run_entry_point

    write(isolated / "milvus.toml", '[profiles.local]\nuri = "./data/milvus.db"\n')
    done = run_entry_point(
        ["exec", "local", "--", sys.executable, "-c", "import os; print(os.environ['MILVUS_DB_NAME'])"],
        isolated,
        isolated.parent / "config",
        env={"MILVUS_DB_NAME": "from_prod"},  # as `eval "$(milvus-profiles env prod)"` leaves it
    )
    assert (done.returncode, done.stdout) == (0, "from_prod\n")
    assert done.stderr == (
        "warning: MILVUS_DB_NAME is set in the environment, and wins over profile local's db_name: unset "
        "MILVUS_DB_NAME to use profile local as written\n"
    )


def test_shell_names_the_variables_that_decide_the_profile_it_was_given(isolated: Path) -> None:
    from ..helpers import run_entry_point

    write(isolated / "milvus.toml", '[profiles.local]\nuri = "./data/milvus.db"\n')
    done = run_entry_point(  # standard input ends at once: the prompt closes as after Ctrl-D
        ["shell", "local", "--plain"],
        isolated,
        isolated.parent / "config",
        stdin="",
        env={"MILVUS_TIMEOUT": "7"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(
        "warning: MILVUS_TIMEOUT is set in the environment, and wins over profile local's timeout: unset "
        "MILVUS_TIMEOUT to use profile local as written\n"
    )
