"""A command run in a pseudo-terminal, driven as a person at a keyboard drives it: it sees a terminal on
its standard input, output and error, and `/dev/tty` is that terminal (its controlling terminal), so
`getpass` turns echo off there exactly as it does for a person. POSIX only (the `pty` module)."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

# A new session whose controlling terminal is the pty on standard input, then the command itself.
_LAUNCH = (
    "import fcntl, os, sys, termios\n"
    "os.setsid()\n"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
    "os.execvpe(sys.argv[1], sys.argv[1:], os.environ)\n"
)
# Colours and cursor movements (CSI and OSC sequences), which the assertions read past.
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>]")


class Terminal:
    """``argv`` in a new pseudo-terminal; ``shown`` is everything it printed so far, as text."""

    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> None:
        import pty

        self._main, secondary = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH, *argv],
            stdin=secondary, stdout=secondary, stderr=secondary, env=dict(env), cwd=cwd, close_fds=True,
        )  # fmt: skip
        os.close(secondary)
        self._raw = b""
        self._cursor = 0

    @property
    def shown(self) -> str:
        """The output so far, without colour codes, with the terminal's CRLF line ends made LF."""
        return _CONTROL.sub("", self._raw.decode("utf-8", errors="replace")).replace("\r\n", "\n")

    def expect(self, text: str, timeout: float = 60) -> str:
        """Wait until ``text`` is shown after what the previous `expect` found; returns ``shown``."""
        deadline = time.monotonic() + timeout
        while (found := self.shown.find(text, self._cursor)) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(left):
                raise AssertionError(f"{text!r} was not shown; the terminal shows:\n{self.shown}")
        self._cursor = found + len(text)
        return self.shown

    def type(self, line: str) -> None:
        """Type ``line`` and Enter, as a keyboard sends it (Enter is a carriage return)."""
        os.write(self._main, line.encode() + b"\r")

    def press_ctrl_c(self) -> None:
        """Ctrl-C, as a keyboard sends it: the terminal sends SIGINT to the command."""
        os.write(self._main, b"\x03")

    def wait(self, timeout: float = 60) -> int:
        """Read until the command ends; its exit status."""
        deadline = time.monotonic() + timeout
        while self._read(max(deadline - time.monotonic(), 0)):
            pass
        return self.process.wait(timeout=max(deadline - time.monotonic(), 1))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._main)

    def _read(self, timeout: float) -> bool:
        """Read what is there within ``timeout``; False once the terminal is closed or nothing came."""
        ready, _, _ = select.select([self._main], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self._main, 65536)
        except OSError:  # EIO: every process holding the terminal has ended
            return False
        self._raw += chunk
        return bool(chunk)
