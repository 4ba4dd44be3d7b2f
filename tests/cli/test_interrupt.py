"""Ctrl-C during `test` against a server that never answers: the command ends at once with 130, as a
shell reports a program ended by SIGINT, instead of waiting out the profile's timeout."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from ..helpers import entry_point, write
from ..terminal import Terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals (the pty module) are POSIX")

PROFILE_TIMEOUT = 600  # the command would wait this long for the silent server
ENDED_WITHIN = 60  # the bound of the wait below: ending within it can only be the interrupt


def test_ctrl_c_during_test_ends_it_at_once_with_130(isolated: Path, tmp_path: Path) -> None:
    with socket.socket() as silent:  # accepts the connection (the kernel does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        write(
            isolated / "team.toml",
            f'[profiles.s]\nuri = "http://127.0.0.1:{port}"\ntimeout = {PROFILE_TIMEOUT}\n',
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("MILVUS_")}
        env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), TERM="xterm")
        term = Terminal([entry_point(), "--file", "team.toml", "test", "s"], env=env, cwd=isolated)
        try:
            connection, _ = silent.accept()  # the probe is waiting for the server now
            with connection:
                term.press_ctrl_c()
                assert term.wait(timeout=ENDED_WITHIN) == 130
            assert "Aborted!" not in term.shown
            assert "Traceback" not in term.shown
        finally:
            term.close()
