"""Secret references, followed each time the secret is needed: ``{ env = "VAR" }``, ``{ file = "..." }``
(as Kubernetes and Docker mount secrets) or ``{ command = ["op", "read", "op://..."] }`` (no shell, a time
limit, its output trimmed and never shown; found in PATH's absolute folders only, never a clone's)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import environment, permissions
from ..errors import SecretNotFoundError

COMMAND_TIMEOUT = 30.0  # seconds; a password manager may wait for the user to unlock it
MAX_SECRET_FILE = 64 * 1024  # a secret file holds a token or a password; anything larger is the wrong file


def describe(reference: Mapping[str, Any]) -> str:
    """``env PROD_MILVUS_TOKEN`` or ``command op read op://...``, for origins and messages."""
    for kind in ("env", "file"):
        if kind in reference:
            return f"{kind} {reference[kind]}"
    command = reference.get("command")
    return "command " + " ".join(str(a) for a in command) if isinstance(command, list) else "reference"


def fetch(reference: Mapping[str, Any], *, where: str, environ: Mapping[str, str]) -> str:
    """The secret a reference points at; ``where`` names the profile and field for messages."""
    if "env" in reference:
        name = str(reference["env"])
        if not (value := environ.get(name)):
            raise SecretNotFoundError(
                f"{where} refers to the environment variable {name}, which is not set",
                hint=f"set {name}, or change the reference in the profile file",
            )
        return value
    if "file" in reference:
        return read_secret_file(Path(str(reference["file"])).expanduser(), where=where)
    command = tuple(str(a) for a in reference["command"])
    shown = " ".join(command)
    found = program(command[0], environ=environ)
    try:
        if found is None:  # or gone before it ran
            raise FileNotFoundError
        theirs = environment.project_variables(os.environ, every=True)  # a .env's BASH_ENV, LD_PRELOAD...
        done = subprocess.run(
            (found, *command[1:]),
            env={k: v for k, v in os.environ.items() if k not in theirs},
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        raise SecretNotFoundError(
            f"{where} runs `{shown}`, but {command[0]!r} is not installed or not on PATH",
            hint="install it, or change the reference in the profile file (only PATH's absolute folders are "
            "searched)",
        ) from None
    except subprocess.TimeoutExpired:
        raise SecretNotFoundError(
            f"{where} runs `{shown}`, which did not finish within {COMMAND_TIMEOUT:g} s",
            hint="run the command yourself to see what it waits for (a locked password manager?)",
        ) from None
    except OSError as e:
        raise SecretNotFoundError(f"{where} cannot run `{shown}`: {e.strerror}") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = f": {' / '.join(stderr[-3:])[:300]}" if stderr else " and printed nothing on standard error"
        raise SecretNotFoundError(
            f"{where} runs `{shown}`, which exited with status {done.returncode}{said}",
            hint="run the command yourself to fix it; its output is never shown here",
        )
    secret = done.stdout.decode("utf-8", "replace").strip()
    if not secret:
        raise SecretNotFoundError(
            f"{where} runs `{shown}`, which printed nothing",
            hint="the command must print the secret on standard output",
        )
    return secret


def program(name: str, *, environ: Mapping[str, str]) -> str | None:
    """``name`` if absolute (``~`` expanded), else the first executable in PATH's absolute folders."""
    path = os.path.expanduser(name)
    if os.path.isabs(path):
        return path
    if not name or os.sep in name or (os.altsep is not None and os.altsep in name):
        return None
    suffixes = [""]
    if sys.platform == "win32":
        suffixes += [s for s in environ.get("PATHEXT", ".COM;.EXE;.BAT;.CMD").split(";") if s]
    for folder in filter(os.path.isabs, environ.get("PATH", os.defpath).split(os.pathsep)):
        for suffix in suffixes:
            candidate = os.path.join(folder, name + suffix)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


def read_secret_file(path: Path, *, where: str) -> str:
    """The secret in a small regular file only you (and root) can change, one trailing newline removed;
    a FIFO or a device is refused before it is read, so this never blocks."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise SecretNotFoundError(
            f"{where} refers to the file {path}, which does not exist",
            hint="mount or create the file, or change the reference in the profile file",
        ) from None
    except (OSError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else "the path is not valid"
        raise SecretNotFoundError(f"{where} cannot read the file {path}: {reason}") from None
    try:
        st = os.fstat(fd)
        regular = stat.S_ISREG(st.st_mode)
        if not regular or st.st_size > MAX_SECRET_FILE:
            wrong = f"{st.st_size} bytes: too large for a secret" if regular else "not a regular file"
            raise SecretNotFoundError(
                f"{where} refers to {path}, which is {wrong}",
                hint="point the reference at the file that holds the secret",
            )
        if found := permissions.problems(path):
            raise SecretNotFoundError(
                f"{where} refers to {path}, but {found[0].problem}, so it is not read", hint=found[0].fix
            )
        raw = os.read(fd, MAX_SECRET_FILE + 1)
    finally:
        os.close(fd)
    text = raw.decode("utf-8", "replace")
    text = text[:-1].removesuffix("\r") if text.endswith("\n") else text
    if not text:
        raise SecretNotFoundError(f"{where} refers to the file {path}, which is empty")
    return text
