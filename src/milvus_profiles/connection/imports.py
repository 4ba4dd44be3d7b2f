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

_IMPORTING = threading.RLock()


def import_grpc() -> ModuleType:
    """grpc, imported so that its core logs errors only, unless you chose its log level yourself.

    gRPC's core writes its own lines to standard error (``I1204 ... Handshake failed``) for failures the
    typed errors already explain. It reads ``GRPC_VERBOSITY`` once, as it starts: when the variable is not
    set, it is set to ``ERROR`` for the import only, so the programs you run (``exec``) and your own
    setting are untouched.
    """
    with _IMPORTING:
        if "grpc" in sys.modules:
            return sys.modules["grpc"]
        chosen = "GRPC_VERBOSITY" in os.environ
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
        try:
            return importlib.import_module("grpc")
        finally:
            if not chosen:
                os.environ.pop("GRPC_VERBOSITY", None)


def import_pymilvus(module: str = "pymilvus") -> ModuleType:
    """pymilvus (or one of its modules), imported without letting it load a ``.env`` file: python-dotenv
    skips ``load_dotenv()`` while ``PYTHON_DOTENV_DISABLED`` is set (1.2 and later), so it is set for the
    import and then put back as it was. grpc is imported first, quiet (:func:`import_grpc`)."""
    with _IMPORTING:
        if "pymilvus" not in sys.modules:
            import_grpc()
            previous = os.environ.get("PYTHON_DOTENV_DISABLED")
            os.environ["PYTHON_DOTENV_DISABLED"] = "1"
            try:
                importlib.import_module("pymilvus")
            finally:
                if previous is None:
                    os.environ.pop("PYTHON_DOTENV_DISABLED", None)
                else:
                    os.environ["PYTHON_DOTENV_DISABLED"] = previous
    return importlib.import_module(module)


__all__ = ["import_grpc", "import_pymilvus"]
