"""Secret references: a profile file may say where its secret is kept, never the secret itself.

``password = { env = "PROD_MILVUS_PASSWORD" }`` reads an environment variable (its name must contain
MILVUS); ``token = { command = ["op", "read", "op://vault/milvus/token"] }`` runs a program without a shell,
with a time limit, and takes its standard output, trimmed. A failing command is reported with its exit
status and standard error, never its output. Command results are cached for the life of the process.

A command only runs from a file the user chose: the user-level file, or a file named with ``--file``,
``files=`` or ``MILVUS_PROFILES_FILE``. A discovered project file comes with whatever repository was
cloned, and must not be able to run programs.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from typing import Any

from ..errors import SecretNotFoundError

COMMAND_TIMEOUT = 30.0  # seconds; a password manager may wait for the user to unlock it

_COMMAND_CACHE: dict[tuple[str, ...], str] = {}


def clear_cache() -> None:
    """Forget every command output of this process."""
    _COMMAND_CACHE.clear()


def describe(reference: Mapping[str, Any]) -> str:
    """``env PROD_MILVUS_TOKEN`` or ``command op read op://...``, for origins and messages."""
    if "env" in reference:
        return f"env {reference['env']}"
    return "command " + " ".join(str(a) for a in reference["command"])


def fetch(reference: Mapping[str, Any], *, where: str, environ: Mapping[str, str] | None = None) -> str:
    """The secret a reference points at; ``where`` names the profile and field for messages."""
    env = os.environ if environ is None else environ
    if "env" in reference:
        name = str(reference["env"])
        value = env.get(name)
        if not value:
            raise SecretNotFoundError(
                f"{where} refers to the environment variable {name}, which is not set",
                hint=f"set {name}, or change the reference in the profile file",
            )
        return value
    command = tuple(str(a) for a in reference["command"])
    if command in _COMMAND_CACHE:
        return _COMMAND_CACHE[command]
    shown = " ".join(command)
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL, check=False
        )
    except FileNotFoundError:
        raise SecretNotFoundError(
            f"{where} runs `{shown}`, but {command[0]!r} is not installed or not on PATH",
            hint="install it, or change the reference in the profile file",
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
    _COMMAND_CACHE[command] = secret
    return secret
