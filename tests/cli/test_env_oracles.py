"""milvus-profiles env, read by the real readers: bash, dash, fish, PowerShell, python-dotenv, Node's
--env-file and npm dotenv.

Each reader gets our output in a file (never a value on a command line) and hands back the environment it
builds; a value must come back unchanged, or be refused with a ConfigError naming the variable before
anything is printed. Every reader runs in an empty folder, so a payload that ran (``$(touch X)``, a
backtick, ``;touch X``) would leave a file there.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milvus_profiles.cli.env import write_line
from milvus_profiles.errors import ConfigError

from ..helpers import Run, trusted, write

ROOT = Path(__file__).parents[2]
NPM_CACHE = ROOT / ".cache" / "node"  # scripts/test installs npm dotenv here

# Payloads that would create a file in the reader's folder if any reader ran them.
PAYLOADS = [
    "$(touch sub)",
    "`touch tick`",
    "';touch sq;'",
    '";touch dq;"',
    "x\ntouch newline",
    "x\n'\ntouch quoted-newline\n'",
    "(touch fish)",
    "$(New-Item ps)",
    "\u2019; New-Item curly; \u2019",
    "${AWS_SECRET_ACCESS_KEY:-$(touch default)}",
    "\\'; touch backslash #",
    "\x1b]52;c;aGk=\x07\x1b[1A\x1b[2K",
]
# What the property test mixes into arbitrary text: the characters each format treats specially.
FRAGMENTS = [
    "'",
    '"',
    "\\",
    "\\\\",
    "$",
    "${HOME}",
    "`",
    "#",
    " ",
    "\n",
    "\r",
    "\t",
    "=",
    "\u2019",
    *PAYLOADS,
]

Reader = Callable[[Path, Path], dict[str, str]]


def _clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "LANG": "C.UTF-8",
    }


def _environ(argv: list[str], cwd: Path, home: Path) -> dict[str, str]:
    """Run ``argv`` (which ends by printing ``env -0``) and return the MILVUS_* variables it exported."""
    done = subprocess.run(argv, cwd=cwd, env=_clean_env(home), capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    found = {}
    for entry in done.stdout.decode().split("\0"):
        name, _, value = entry.partition("=")
        if name.startswith("MILVUS_"):
            found[name] = value
    return found


def _posix(shell: str) -> Reader:
    def read(script: Path, cwd: Path) -> dict[str, str]:
        # as the docs say: eval "$(milvus-profiles env dev)"
        command = 'eval "$(cat "$1")" && exec env -0'
        return _environ([shell, "-c", command, shell, str(script)], cwd, cwd.parent)

    return read


def _fish(script: Path, cwd: Path) -> dict[str, str]:
    # as the docs say: milvus-profiles env dev --format fish | source
    command = "cat $argv[1] | source; and env -0"
    return _environ(["fish", "--no-config", "-c", command, str(script)], cwd, cwd.parent)


def _pwsh(script: Path, cwd: Path) -> dict[str, str]:
    command = (
        "Get-Content -Raw -LiteralPath $args[0] | Invoke-Expression; "
        "Get-ChildItem env: | Where-Object Name -like 'MILVUS_*' | "
        "ForEach-Object { [Console]::Out.Write($_.Name + '=' + $_.Value + [char]0) }"
    )
    return _environ(
        ["pwsh", "-NoProfile", "-NonInteractive", "-Command", command, str(script)], cwd, cwd.parent
    )


def _python_dotenv(script: Path, cwd: Path) -> dict[str, str]:
    # interpolation on, as it is by default: ${...} must not expand
    values = dotenv_values(stream=io.StringIO(script.read_text(encoding="utf-8")))
    return {k: v for k, v in values.items() if v is not None}


def _node(script: Path, cwd: Path) -> dict[str, str]:
    code = "for (const [k, v] of Object.entries(process.env)) process.stdout.write(k + '=' + v + '\\0')"
    return _environ(["node", f"--env-file={script}", "-e", code], cwd, cwd.parent)


@pytest.fixture(scope="session")
def npm_dotenv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The npm ``dotenv`` package: scripts/test installs it in .cache/node, else it is installed here."""
    if (NPM_CACHE / "node_modules" / "dotenv").is_dir():
        return NPM_CACHE / "node_modules" / "dotenv"
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("needs node and npm")
    prefix = tmp_path_factory.mktemp("npm")
    subprocess.run(
        ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), "dotenv@18"],
        check=True,
        timeout=300,
    )
    return prefix / "node_modules" / "dotenv"


def _npm_reader(package: Path) -> Reader:
    def read(script: Path, cwd: Path) -> dict[str, str]:
        code = (
            "const parsed = require(process.argv[1]).parse(require('fs').readFileSync(process.argv[2]));"
            "for (const [k, v] of Object.entries(parsed)) process.stdout.write(k + '=' + v + '\\0')"
        )
        return _environ(["node", "-e", code, str(package), str(script)], cwd, cwd.parent)

    return read


READERS: dict[str, tuple[str, str | None]] = {
    # reader: (format, the program it needs)
    "bash": ("sh", "bash"),
    "dash": ("sh", "dash"),
    "fish": ("fish", "fish"),
    "pwsh": ("powershell", "pwsh"),
    "python-dotenv": ("dotenv", None),
    "node --env-file": ("dotenv", "node"),
    "npm dotenv": ("dotenv", "node"),
}


@pytest.fixture(params=list(READERS))
def reader(request: pytest.FixtureRequest) -> tuple[str, Reader]:
    """``(format, read)`` for each reader installed here."""
    name = request.param
    fmt, program = READERS[name]
    if program is not None and shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")
    read: Reader = {
        "bash": _posix("bash"),
        "dash": _posix("dash"),
        "fish": _fish,
        "pwsh": _pwsh,
        "python-dotenv": _python_dotenv,
        "node --env-file": _node,
    }.get(name) or _npm_reader(request.getfixturevalue("npm_dotenv"))
    return fmt, read


def round_trip(fmt: str, read: Reader, values: list[str], folder: Path) -> None:
    """Write ``values`` as MILVUS_V0, MILVUS_V1... in ``fmt`` and check the reader gets each back
    unchanged (or that it was refused with an error naming it), and that nothing ran."""
    lines = ["# milvus-profiles: profile test"]
    expected: dict[str, str] = {}
    refused: dict[str, str] = {}
    for i, value in enumerate(values):
        name = f"MILVUS_V{i}"
        try:
            lines.append(write_line(fmt, name, value))
        except ConfigError as e:
            refused[name] = e.message
            continue
        expected[name] = value
    for name, message in refused.items():
        assert message.startswith(f"{name} cannot be printed in the {fmt} format: its value ")
    folder.mkdir()
    script = folder.parent / f"{folder.name}.out"
    script.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8", newline="")
    got = read(script, folder)
    assert list(folder.iterdir()) == [], "the reader ran something"
    assert {k: got.get(k) for k in expected} == expected


def test_payloads_come_back_unchanged_and_nothing_runs(reader: tuple[str, Reader], tmp_path: Path) -> None:
    fmt, read = reader
    values = [*PAYLOADS, "", " spaced ", "C:\\Users\\it's", "a'b\"c", "it's ${AWS_SECRET_ACCESS_KEY}"]
    round_trip(fmt, read, values, tmp_path / "run")


TEXT = st.lists(st.one_of(st.text(max_size=8), st.sampled_from(FRAGMENTS)), max_size=6).map("".join)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(TEXT, min_size=20, max_size=25))
def test_any_text_comes_back_unchanged_or_is_refused(
    reader: tuple[str, Reader], tmp_path: Path, values: list[str]
) -> None:
    fmt, read = reader
    folder = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    round_trip(fmt, read, values, folder)


@given(value=st.text())
def test_the_shells_refuse_only_a_nul(value: str) -> None:
    for fmt in ("sh", "fish", "powershell"):
        if "\0" in value:
            with pytest.raises(ConfigError, match="holds a NUL character"):
                write_line(fmt, "MILVUS_X", value)
        else:
            write_line(fmt, "MILVUS_X", value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a\rb", "holds a carriage return"),
        ("it's ${AWS_SECRET_ACCESS_KEY}", "holds ${...}, which python-dotenv would expand"),
        ("${X:-y}", "holds ${...}"),
        ("a'b\"c\nd", "holds a single quote together with a double quote or a backslash"),
        ("it's C:\\new #1", "holds a single quote together with a double quote or a backslash"),
        (" it's C:\\", "holds a single quote together with a double quote or a backslash"),
        ("a\0b", "holds a NUL character"),
    ],
)
def test_dotenv_refuses_what_its_readers_disagree_on(value: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        write_line("dotenv", "MILVUS_PASSWORD", value)
    assert caught.value.message.startswith("MILVUS_PASSWORD cannot be printed in the dotenv format: ")
    assert reason in caught.value.message
    assert value not in caught.value.message


@pytest.mark.parametrize(
    "value", ["a\rb", "it's ${HOME}", "a'b\"c\nd", "it's C:\\new #1", " it's C:\\"], ids=repr
)
def test_no_quoting_of_a_refused_value_reads_back_alike(value: str, tmp_path: Path, npm_dotenv: Path) -> None:
    """Why dotenv refuses: every way to write the value is misread by at least one of the readers."""
    if shutil.which("node") is None:
        pytest.skip("needs node")
    escaped = value.replace("\\", "\\\\")
    candidates = [
        f"'{escaped.replace(chr(39), chr(92) + chr(39))}'",
        f"'{value}'",
        f'"{escaped.replace(chr(34), chr(92) + chr(34))}"',
        f'"{value}"',
        value,
        f"`{value}`",
    ]
    script = tmp_path / "candidates.env"
    script.write_text("".join(f"MILVUS_V{i}={c}\n" for i, c in enumerate(candidates)), newline="")
    readers = [_python_dotenv, _node, _npm_reader(npm_dotenv)]
    read = [r(script, tmp_path) for r in readers]
    for i in range(len(candidates)):
        assert any(got.get(f"MILVUS_V{i}") != value for got in read), candidates[i]


# A profile whose free-text values hold payloads, and a secret that does.
PROFILE = """\
[profiles.dev]
uri = "http://dev.example.com:19530"
db_name = "x$(touch db)`touch db2`';touch db3;'\\u001b]52;c;aGk=\\u0007"
user = "u\\\\\\";touch user;\\"\\nexport MILVUS_URI=evil"

[profiles.dev.tls]
server_name = "dev.internal"
"""
SECRET = "p'$(touch secret)\"${HOME}`x`"


def test_the_command_output_reads_back_in_every_format(
    cli: Run, reader: tuple[str, Reader], tmp_path: Path
) -> None:
    fmt, read = reader
    trusted(write(Path("milvus.toml"), PROFILE))
    # dotenv refuses this secret (python-dotenv would expand ${HOME}): see the test below
    secrets = ["--include-secrets"] if fmt != "dotenv" else []
    result = cli("env", "dev", "--format", fmt, *secrets, env={"MILVUS_PASSWORD": SECRET})
    assert result.exit_code == 0, result.output
    script = tmp_path / "out"
    script.write_text(result.stdout, encoding="utf-8", newline="")
    folder = tmp_path / "run"
    folder.mkdir()
    got = read(script, folder)
    assert list(folder.iterdir()) == []
    assert got["MILVUS_DB_NAME"] == "x$(touch db)`touch db2`';touch db3;'\x1b]52;c;aGk=\x07"
    assert got["MILVUS_USER"] == 'u\\";touch user;"\nexport MILVUS_URI=evil'
    assert got["MILVUS_URI"] == "http://dev.example.com:19530"
    assert got.get("MILVUS_PASSWORD") == (SECRET if secrets else None)


def test_a_value_dotenv_cannot_carry_is_refused_before_anything_is_printed(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROFILE))
    result = cli("env", "dev", "--format", "dotenv", "--include-secrets", env={"MILVUS_PASSWORD": SECRET})
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: MILVUS_PASSWORD cannot be printed in the dotenv format: its value holds ${...}, which "
        "python-dotenv would expand whatever the quotes",
        "hint: use another --format (sh, fish and json carry any text without a NUL), or change the value",
    ]


@pytest.mark.parametrize("shell", ["bash", "fish"])
@pytest.mark.parametrize(
    "toml",
    [
        '[profiles.dev]\nuri = "http://h:1"\n[profiles.dev.grpc]\n"x\\ntouch grpc-key" = 1\n',
        '[profiles."dev\\ntouch name"]\nuri = "http://h:1"\n',
    ],
    ids=["newline-in-grpc-key", "newline-in-profile-name"],
)
def test_a_newline_in_a_key_runs_nothing(cli: Run, tmp_path: Path, shell: str, toml: str) -> None:
    """The attack as reported: eval "$(milvus-profiles env dev)" / | source with a cloned file."""
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    write(Path("milvus.toml"), toml)
    result = cli("env", "dev", "--format", "sh" if shell == "bash" else "fish")
    script = tmp_path / "out"
    script.write_text(result.stdout, encoding="utf-8", newline="")
    folder = tmp_path / "run"
    folder.mkdir()
    got = (_posix("bash") if shell == "bash" else _fish)(script, folder)
    assert list(folder.iterdir()) == []
    if result.exit_code == 0:
        assert got["MILVUS_URI"] == "http://h:1"
    else:  # refused where it is read
        assert result.exit_code == 3
        assert result.stdout == ""


def test_the_real_command_piped_to_a_reader_keeps_every_byte(
    reader: tuple[str, Reader], tmp_path: Path
) -> None:
    """Piped (not a terminal), as `eval "$(milvus-profiles env dev)"` and `> .env.milvus` run it: an
    escape sequence in a value comes back whole, not taken out as colour."""
    from ..helpers import run_entry_point

    fmt, read = reader
    value = "a\x1b[1mb\x1b[0m\x1b]52;c;aGk=\x07c"
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    write(project / "team.toml", '[profiles.dev]\nuri = "http://dev.example.com:19530"\n')
    done = run_entry_point(
        ["--file", "team.toml", "env", "dev", "--format", fmt],
        project,
        tmp_path / "config",
        env={"MILVUS_DB_NAME": value},
    )
    assert done.returncode == 0, done.stderr
    script = tmp_path / "out"
    script.write_text(done.stdout, encoding="utf-8", newline="")
    folder = tmp_path / "run"
    folder.mkdir()
    assert read(script, folder)["MILVUS_DB_NAME"] == value
