"""Every import of pymilvus and grpc goes through here, so that they read nothing they should not.

Importing pymilvus runs python-dotenv's ``load_dotenv()`` (a project's ``.env`` would act as your shell, see
:mod:`milvus_profiles.config.environment`), and gRPC's core reads its log level once, as it starts. Each is
imported once, under a lock (threads can see a module half-initialised), the environment put back after."""

from __future__ import annotations

import importlib
import os
import sys
import threading
from types import ModuleType

_IMPORTING = threading.RLock()


def _import_with(name: str, env: dict[str, str]) -> ModuleType:
    """``name`` imported (once, under the lock) with ``env`` set in ``os.environ`` for the import only."""
    with _IMPORTING:
        if name in sys.modules:
            return sys.modules[name]
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        try:
            return importlib.import_module(name)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def import_grpc() -> ModuleType:
    """grpc, its core logging errors only (``GRPC_VERBOSITY=ERROR`` for the import) unless you chose a level:
    it would write lines (``I1204 ... Handshake failed``) for failures the typed errors already explain."""
    return _import_with("grpc", {} if "GRPC_VERBOSITY" in os.environ else {"GRPC_VERBOSITY": "ERROR"})


def import_pymilvus(module: str = "pymilvus") -> ModuleType:
    """pymilvus (or one of its modules), imported with ``PYTHON_DOTENV_DISABLED=1`` so python-dotenv (1.2 and
    later) loads no ``.env``; grpc first, quiet."""
    import_grpc()
    _import_with("pymilvus", {"PYTHON_DOTENV_DISABLED": "1"})
    return importlib.import_module(module)


__all__ = ["import_grpc", "import_pymilvus"]
