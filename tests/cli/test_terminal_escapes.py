"""Nothing from a profile file reaches the terminal as a control sequence.

A cloned repository's milvus.toml can hold an OSC 52 clipboard write, or cursor-up + erase-line that
would hide the line before it (a warning). Every command prints such values escaped (``\\x1b``), names
holding them are refused where they are read, and our own colours still work.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milvus_profiles.cli.output import Cell, Output, escape
from milvus_profiles.errors import ConfigError

from ..helpers import Run, entry_point, trusted, write

OSC52 = "\x1b]52;c;aGk=\x07"  # puts "hi" on the clipboard
HIDE = "\x1b[1A\x1b[2K"  # cursor up, erase the line
CSI = "\x9b2J"  # C1 CSI: erase the screen, on terminals that take 8-bit controls
BIDI = "\u202e"  # right-to-left override: "exe.png" shown for "gnp.exe"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def t(text: str) -> str:
    """``text`` as the inside of a TOML basic string (TOML has no raw control characters)."""
    return RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text.replace("\\", "\\\\").replace('"', '\\"'))


DB_NAME = f"db{OSC52}{HIDE}{CSI}"
USER = f"u{HIDE}ser"
SERVER_NAME = f"n{OSC52}"
PEM = f"p{HIDE}.pem"
AGENT = f"ua{HIDE}{BIDI}gnp.exe"
PROFILE = f"""\
[profiles.dev]
uri = "http://127.0.0.1:9"
db_name = "{t(DB_NAME)}"
user = "{t(USER)}"
timeout = 0.5

[profiles.dev.tls]
secure = true
server_name = "{t(SERVER_NAME)}"
server_pem_path = "{t(PEM)}"

[profiles.dev.grpc]
"grpc.primary_user_agent" = "{t(AGENT)}"
"""


def raw_controls(text: str) -> list[str]:
    """The control characters in ``text`` other than the newlines between lines."""
    return RAW.findall(text)


@pytest.fixture
def hostile(repository: Path) -> Path:
    return trusted(write(Path("milvus.toml"), PROFILE))


def test_the_fixture_holds_the_payloads(hostile: Path) -> None:
    from milvus_profiles.config.toml import parse_text

    profile = parse_text(hostile.read_bytes(), hostile).data["profiles"]["dev"]
    assert profile["db_name"] == DB_NAME
    assert profile["user"] == USER
    assert profile["tls"] == {"secure": True, "server_name": SERVER_NAME, "server_pem_path": PEM}
    assert profile["grpc"] == {"grpc.primary_user_agent": AGENT}


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["list"], ["db\\x1b]52;c;aGk=\\x07\\x1b[1A\\x1b[2K\\x9b2J", "u\\x1b[1A\\x1b[2Kser"]),
        (
            ["show", "dev", "--explain"],
            [
                "db\\x1b]52;c;aGk=\\x07",
                "n\\x1b]52;c;aGk=\\x07",
                "p\\x1b[1A\\x1b[2K.pem",
                "ua\\x1b[1A\\x1b[2K\\u202e",
            ],
        ),
        (["check"], ["p\\x1b[1A\\x1b[2K.pem does not exist"]),
        (["secret", "status", "dev"], ["u\\x1b[1A\\x1b[2Kser@https://127.0.0.1:9"]),
        (["test", "dev"], ["p\\x1b[1A\\x1b[2K.pem"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and v[0].isalpha() else "",
)
def test_every_command_prints_file_values_escaped(
    cli: Run, hostile: Path, args: list[str], shown: list[str]
) -> None:
    result = cli(*args, env={"MILVUS_PASSWORD": "x"})
    assert result.exit_code in (0, 1, 3, 4, 5, 8), result.output
    assert raw_controls(result.stdout) == []
    assert raw_controls(result.stderr) == []
    for text in shown:
        assert text in result.stdout + result.stderr


def test_json_output_escapes_c1_and_bidi_controls_too(cli: Run, hostile: Path) -> None:
    for args in (["list", "--json"], ["show", "dev", "--json"], ["test", "dev", "--json"]):
        result = cli(*args)
        assert raw_controls(result.stdout) == []
        assert "\\u009b2J" in result.stdout or "\\u202e" in result.stdout


def test_env_comments_are_escaped(cli: Run, repository: Path) -> None:
    write(
        Path("milvus.toml"), '[profiles.dev]\nuri = "http://h:1"\n[profiles.dev.grpc]\n"a\\nb\\u001b" = 1\n'
    )
    result = cli("env", "dev")
    # the gRPC key is either refused where it is read, or shown escaped in its comment
    if result.exit_code == 0:
        assert (
            "# grpc settings have no environment variables and are not exported: a\\x0ab\\x1b"
            in result.stdout
        )
        assert all(line.startswith(("# ", "export ")) for line in result.stdout.splitlines())
    else:
        assert result.exit_code == 3
        assert result.stdout == ""
    assert raw_controls(result.stdout + result.stderr) == []


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals (the pty module) are POSIX")
def test_env_on_a_terminal_does_not_print_control_characters(hostile: Path, tmp_path: Path) -> None:
    """Read by a person (standard output is a terminal), a value holding control characters is left
    out; piped to a shell, it is printed exactly (see test_env_oracles.py)."""
    import pty  # imports termios, which Windows lacks

    # no variable carries tls or grpc settings: env refuses a profile that uses them
    write(hostile, PROFILE.split("[profiles.dev.tls]", maxsplit=1)[0])
    main, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
    env.update(
        XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring"
    )
    with subprocess.Popen(
        [entry_point(), "env", "dev"], cwd=hostile.parent, env=env, stdout=secondary, stderr=subprocess.PIPE
    ) as process:
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=60) == 0
    os.close(main)
    shown = b"".join(chunks).decode()
    assert raw_controls(shown.replace("\r\n", "\n")) == []
    assert "# MILVUS_DB_NAME holds control characters and is not printed to a terminal" in shown
    assert "export MILVUS_URI='http://127.0.0.1:9'" in shown


@pytest.mark.parametrize(
    "toml",
    [
        '[profiles."dev\\u001b]52;c;aGk=\\u0007"]\nuri = "http://h:1"\n',
        '[profiles."dev\\ntouch pwned"]\nuri = "http://h:1"\n',
        'default = "dev\\u001b[2K"\n[profiles.dev]\nuri = "http://h:1"\n',
        '[profiles.dev]\nextends = "base\\u009b2J"\n[profiles.base]\nuri = "http://h:1"\n',
        f'[profiles.{"x" * 65}]\nuri = "http://h:1"\n',
    ],
    ids=["osc52-name", "newline-name", "default", "extends", "too-long"],
)
def test_a_hostile_profile_name_is_refused_where_it_is_read(cli: Run, repository: Path, toml: str) -> None:
    write(Path("milvus.toml"), toml)
    for args in (["list"], ["show", "dev"], ["env", "dev"], ["test", "dev"]):
        result = cli(*args)
        listed = args == ["list"] and "extends" in toml  # a profile's own problem: listed on its row
        assert result.exit_code == (0 if listed else 3), result.output
        assert "is not a valid profile name: use letters, digits, '-' and '_'" in result.output
        assert raw_controls(result.output) == []
        assert "export" not in result.stdout
    checked = cli("check")
    assert checked.exit_code == 1
    assert "is not a valid profile name" in checked.stdout
    assert raw_controls(checked.stdout) == []


def test_escape_shows_every_control_character() -> None:
    assert (
        escape(f"a{OSC52}b\tc\nd\x7f{CSI}\u202e") == "a\\x1b]52;c;aGk=\\x07b\\x09c\\x0ad\\x7f\\x9b2J\\u202e"
    )
    assert escape("C:\\Users\\é ü 日本") == "C:\\Users\\é ü 日本"


def test_our_colours_still_work_and_only_they_reach_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    out = Output(color=True)
    out.table(["NAME", "DATABASE"], [[Cell("dev", "green", bold=True), f"db{HIDE}"]])
    out.pairs([("user", f"u{OSC52}")])
    out.warning(f"user {HIDE} has no password", hint=f"run {OSC52}")
    out.labelled(f"milvus.toml{CSI}", f"message{HIDE}")
    printed = capsys.readouterr()
    for text in (printed.out, printed.err):
        sgr = re.findall(r"\x1b\[[0-9;]*m", text)
        assert sgr, "no colour at all"
        assert raw_controls(re.sub(r"\x1b\[[0-9;]*m", "", text)) == []
    assert "db\\x1b[1A\\x1b[2K" in printed.out
    assert "\x1b[32m" in printed.out  # green
    assert "run \\x1b]52;c;aGk=\\x07" in printed.err


@given(texts=st.lists(st.text(), min_size=4, max_size=4))
def test_no_text_reaches_the_terminal_raw(texts: list[str]) -> None:
    import contextlib
    import io

    out = Output(color=True)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        out.table(["A", "B"], [[Cell(texts[0], "red"), texts[1]]])
        out.pairs([(texts[2], texts[3])])
        out.item("warn", texts[0], hint=texts[1])
        out.error(ConfigError(texts[2], hint=texts[3]))
        out.json({texts[0]: texts[1]})
    assert raw_controls(re.sub(r"\x1b\[[0-9;]*m", "", printed.getvalue())) == []


def test_two_profile_names_given_are_shown_escaped(cli: Run) -> None:
    result = cli("show", f"a{HIDE}", "--profile", "b")
    assert result.exit_code == 2
    assert "two profiles given (a\\x1b[1A\\x1b[2K, b); give one" in result.stderr
    assert raw_controls(result.stderr) == []
