"""Importing the transport libraries so that they read nothing they should not.

Importing pymilvus runs python-dotenv's ``load_dotenv()`` (a project's ``.env`` would act as your shell,
see :mod:`milvus_profiles.config.environment`), and gRPC's core reads its log level once, as it starts.
Every import of pymilvus and grpc in this package goes through here; each function imports once, under
a lock (threads importing at the same time can see a module half-initialised), and puts the
environment back as it was.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

DOTENV_SWITCH = "PYTHON_DOTENV_DISABLED"
GRPC_LOG_LEVEL = "GRPC_VERBOSITY"
_IMPORTING = threading.RLock()


@contextlib.contextmanager
def _variable(name: str, value: str, *, keep_yours: bool) -> Iterator[None]:
    """``name`` set to ``value`` inside (left alone if ``keep_yours`` and you set it), then as it was."""
    previous = os.environ.get(name)
    if not (keep_yours and previous is not None):
        os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def import_grpc() -> ModuleType:
    """grpc, imported so that its core logs errors only, unless you chose its log level yourself.

    gRPC's core writes its own lines to standard error (``I1204 ... Handshake failed``) for failures the
    typed errors already explain. It reads ``GRPC_VERBOSITY`` once, as it starts: when the variable is not
    set, it is set to ``ERROR`` for the import only, so the programs you run (``exec``) and your own
    setting are untouched.
    """
    if "grpc" in sys.modules:
        return sys.modules["grpc"]
    with _IMPORTING, _variable(GRPC_LOG_LEVEL, "ERROR", keep_yours=True):
        return importlib.import_module("grpc")


def import_pymilvus(module: str = "pymilvus") -> ModuleType:
    """pymilvus (or one of its modules), imported without letting it load a ``.env`` file.

    python-dotenv skips ``load_dotenv()`` while ``PYTHON_DOTENV_DISABLED`` is set (python-dotenv 1.2 and
    later), so the variable is set for the import and then put back as it was. grpc is imported first,
    quiet (:func:`import_grpc`).
    """
    if "pymilvus" not in sys.modules:
        import_grpc()
        with _IMPORTING, _variable(DOTENV_SWITCH, "1", keep_yours=False):
            importlib.import_module("pymilvus")
    return importlib.import_module(module)


__all__ = ["import_grpc", "import_pymilvus"]
