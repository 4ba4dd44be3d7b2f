"""The environment as you set it: what a project's ``.env`` put into ``os.environ`` is the project's.

Importing pymilvus runs python-dotenv's ``load_dotenv()``, which copies the first ``.env`` found from the
working folder (in a REPL, a notebook, ``python -c`` or a debugger) or from pymilvus's own folder (in a
script, so a virtual environment inside a repository finds the repository's) upwards into ``os.environ``,
without overriding a variable that is set. A cloned repository's ``.env`` would then speak as your own
shell: choose the server (``MILVUS_URI``), the profile files (``MILVUS_PROFILES_FILE``), the profile, a
proxy or the certificate authorities gRPC reads (``grpc_proxy``, ``https_proxy``,
``GRPC_DEFAULT_SSL_ROOTS_FILE_PATH``...).

Two things keep it out. This package never loads a ``.env`` itself: it imports pymilvus with
``PYTHON_DOTENV_DISABLED=1`` (:func:`milvus_profiles.connection.imports.import_pymilvus`). And when
pymilvus was imported before (by your code, a notebook, a library), any variable this package or gRPC reads
whose value is the one such a ``.env`` sets counts as the project's, not yours: an untrusted value, like
one from a ``milvus.toml`` you have not trusted, until you trust that ``.env`` (``milvus-profiles trust
.env``). :func:`project_variables` finds them.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .read import UnreadableFile, read_limited
from .trust import FileTrust, content_trust

DOTENV_FILE = ".env"
DOTENV_LIMIT = 1024 * 1024

PROXY_VARIABLES = frozenset(
    {"http_proxy", "https_proxy", "no_proxy", "no_grpc_proxy", "all_proxy"}
    | {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "NO_GRPC_PROXY", "ALL_PROXY"}
    | {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"}
)
"""The proxy variables gRPC core reads (``grpc_proxy`` is among the ``GRPC_`` names), and the CA bundles
requests trusts when pymilvus fetches a global cluster's topology with the token."""


def concerns_us(name: str) -> bool:
    """Whether a variable decides where or how a connection goes: the ``MILVUS_*`` variables this package
    and pymilvus read, gRPC's own (``GRPC_*``, ``grpc_proxy``) and the proxies."""
    return name.upper().startswith(("MILVUS_", "GRPC_")) or name in PROXY_VARIABLES


def decides_transport(name: str) -> bool:
    """The variables gRPC reads from the process while it connects: proxies, its CA bundle, its logging."""
    return name in PROXY_VARIABLES or name.upper().startswith("GRPC_")


@dataclass(frozen=True)
class ProjectVariable:
    """A variable whose value is the one a project's ``.env`` sets: the project's, not yours."""

    name: str
    path: Path
    line: int | None
    trust: FileTrust

    @property
    def where(self) -> str:
        """``/repo/.env:3 (MILVUS_URI)``."""
        at = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{at} ({self.name})"


def dotenv_candidates() -> list[Path]:
    """The ``.env`` files python-dotenv's search finds, as ``load_dotenv()`` looks for them: the first one
    from the working folder up, from pymilvus's folder up, and from the running script's folder up."""
    starts: list[Path] = []
    with contextlib.suppress(OSError):  # a working folder that is gone has no .env above it
        starts.append(Path.cwd())
    package = _pymilvus_folder()
    if package is not None:
        starts.append(package)
    main = getattr(sys.modules.get("__main__"), "__file__", None)  # none in a REPL or under python -c
    if isinstance(main, str):
        starts.append(Path(main).absolute().parent)
    found: list[Path] = []
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / DOTENV_FILE
            # python-dotenv's find_dotenv() passes over a folder (a virtual environment named .env)
            if os.path.lexists(candidate) and not candidate.is_dir():
                if candidate not in found:
                    found.append(candidate)
                break
    return found


def _pymilvus_folder() -> Path | None:
    """The folder pymilvus is (or would be) imported from, without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pymilvus")  # an imported module's own spec, else a search
    except (ImportError, ValueError):
        return None
    origin = spec.origin if spec is not None else None
    return Path(origin).absolute().parent if origin else None


def project_variables(environ: Mapping[str, str]) -> dict[str, ProjectVariable]:
    """The variables of ``environ`` that concern a connection and hold the value a project's ``.env``
    sets, by name. A ``.env`` you trusted (as it is now) sets nothing of the project's; one that cannot be
    read (a FIFO, too large) might have set anything, so every such variable counts as its."""
    if not any(concerns_us(name) for name in environ):
        return {}
    found: dict[str, ProjectVariable] = {}
    for path in dotenv_candidates():
        try:
            data = _read(path)
        except FileNotFoundError:  # gone since it was found
            continue
        except (OSError, UnreadableFile):
            data = None
        verdict = content_trust(path, data or b"")  # pragma: no mutate - an unreadable one is never skipped
        if data is not None and verdict.trusted:
            continue
        if data is None:
            values: dict[str, str | None] = {name: environ[name] for name in environ if concerns_us(name)}
            lines: dict[str, int] = {}
        else:
            text = _text(data)
            values = _parse(text)
            lines = dict(_lines(text))
        for name, value in values.items():
            if name in found or not concerns_us(name) or value is None:
                continue
            if environ.get(name) == value:
                found[name] = ProjectVariable(name, path, lines.get(name), verdict)
    return found


def names_set(path: Path) -> list[str]:
    """The names of the variables that concern a connection which the ``.env`` at ``path`` sets (only
    the names, never a value); none when it cannot be read."""
    try:
        text = _text(_read(path))
    except (OSError, UnreadableFile):
        return []
    return sorted({name for name, _ in _lines(text) if concerns_us(name)})


def _read(path: Path) -> bytes:
    return read_limited(path, limit=DOTENV_LIMIT, what=".env file")  # pragma: no mutate - never shown


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")  # pragma: no mutate - codec names ignore case


def _parse(text: str) -> dict[str, str | None]:
    from dotenv import dotenv_values

    # Expanded as load_dotenv() expands it, so a value built from ${...} compares as it was loaded.
    return dict(dotenv_values(stream=io.StringIO(text)))


_ASSIGNMENT = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=")


def _lines(text: str) -> Iterator[tuple[str, int]]:
    """Each assigned name with its line; a later assignment (the one python-dotenv keeps) comes later."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ASSIGNMENT.match(line)
        if match:
            yield match.group(1), number


__all__ = [
    "PROXY_VARIABLES",
    "ProjectVariable",
    "concerns_us",
    "decides_transport",
    "dotenv_candidates",
    "names_set",
    "project_variables",
]
