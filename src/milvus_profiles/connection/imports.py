"""Importing the transport libraries so that they read nothing they should not.

Importing pymilvus runs python-dotenv's ``load_dotenv()`` (a project's ``.env`` would act as your shell,
see :mod:`milvus_profiles.config.environment`), and gRPC's core reads its log level once, as it starts.
Every import of pymilvus and grpc in this package goes through here; each function imports once, under
a lock (threads importing at the same time can see a module half-initialised), and puts the
environment back as it was.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from types import ModuleType

DOTENV_SWITCH = "PYTHON_DOTENV_DISABLED"
GRPC_LOG_LEVEL = "GRPC_VERBOSITY"
_IMPORTING = threading.RLock()


def import_grpc() -> ModuleType:
    """grpc, imported so that its core logs errors only, unless you chose its log level yourself.

    gRPC's core writes its own lines to standard error (``I1204 ... Handshake failed``) for failures the
    typed errors already explain. It reads ``GRPC_VERBOSITY`` once, as it starts: when the variable is not
    set, it is set to ``ERROR`` for the import only and removed afterwards, so the programs you run (``exec``)
    and your own setting are untouched.
    """
    module = sys.modules.get("grpc")
    if module is not None:
        return module
    with _IMPORTING:
        chosen = GRPC_LOG_LEVEL in os.environ
        if not chosen:
            os.environ[GRPC_LOG_LEVEL] = "ERROR"
        try:
            return importlib.import_module("grpc")
        finally:
            if not chosen:
                os.environ.pop(GRPC_LOG_LEVEL, None)


def import_pymilvus() -> ModuleType:
    """pymilvus, imported without letting it load a ``.env`` file.

    python-dotenv skips ``load_dotenv()`` while ``PYTHON_DOTENV_DISABLED`` is set (python-dotenv 1.2 and
    later), so the variable is set for the import and then put back as it was. grpc is imported first,
    quiet (:func:`import_grpc`).
    """
    module = sys.modules.get("pymilvus")
    if module is not None:
        return module
    import_grpc()
    with _IMPORTING:
        previous = os.environ.get(DOTENV_SWITCH)
        os.environ[DOTENV_SWITCH] = "1"
        try:
            return importlib.import_module("pymilvus")
        finally:
            if previous is None:
                os.environ.pop(DOTENV_SWITCH, None)
            else:
                os.environ[DOTENV_SWITCH] = previous


__all__ = ["import_grpc", "import_pymilvus"]
