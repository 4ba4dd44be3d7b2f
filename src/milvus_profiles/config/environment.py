"""The environment as you set it: what a project's ``.env`` put into ``os.environ`` is the project's.

Importing pymilvus runs python-dotenv's ``load_dotenv()``, which copies the first ``.env`` found above the
working folder or pymilvus's own folder into ``os.environ`` (without overriding a set variable), so a
cloned repository's ``.env`` could speak as your shell: the server, the profile files, a proxy, gRPC's CA
bundle. This package never loads one (``PYTHON_DOTENV_DISABLED=1``, see ``connection.imports``), and when
pymilvus was imported before, a variable holding the value such a ``.env`` sets is untrusted until you run
``milvus-profiles trust .env``: :func:`project_variables` finds them.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .read import UnreadableFile, read_limited
from .trust import FileTrust, content_trust

DOTENV_FILE = ".env"
DOTENV_LIMIT = 1024 * 1024

_PROXIES = ("http_proxy", "https_proxy", "no_proxy", "no_grpc_proxy", "all_proxy")
PROXY_VARIABLES = frozenset(_PROXIES + tuple(p.upper() for p in _PROXIES))
"""The proxy variables gRPC core reads (``grpc_proxy`` is among the ``GRPC_`` names)."""


def concerns_us(name: str) -> bool:
    """Whether a variable decides where or how a connection goes: ``MILVUS_*``, ``GRPC_*``, the proxies."""
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
        return f"{self.path}{'' if self.line is None else f':{self.line}'} ({self.name})"


def dotenv_candidates() -> list[Path]:
    """The ``.env`` files ``load_dotenv()`` finds: the first from the working folder, pymilvus's folder and
    the running script's folder up."""
    starts: list[Path] = []
    with contextlib.suppress(OSError):  # a working folder that is gone has no .env above it
        starts.append(Path.cwd())
    if (package := _pymilvus_folder()) is not None:
        starts.append(package)
    main = getattr(sys.modules.get("__main__"), "__file__", None)  # none in a REPL or under python -c
    if isinstance(main, str):
        starts.append(Path(main).absolute().parent)
    found: list[Path] = []
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / DOTENV_FILE
            if os.path.lexists(candidate):
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
    """The variables of ``environ`` that concern a connection and hold the value a project's untrusted
    ``.env`` sets, by name; one that cannot be read (a FIFO, too large) might have set any of them."""
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
            text = data.decode("utf-8", errors="replace")  # pragma: no mutate - codec names ignore case
            values = _parse(text)
            lines = dict(_lines(text))
        for name, value in values.items():
            if name not in found and concerns_us(name) and value is not None and environ.get(name) == value:
                found[name] = ProjectVariable(name, path, lines.get(name), verdict)
    return found


def names_set(path: Path) -> list[str]:
    """The names (never a value) of the variables that concern a connection a ``.env`` sets."""
    try:
        text = _read(path).decode("utf-8", errors="replace")  # pragma: no mutate - codec names ignore case
    except (OSError, UnreadableFile):
        return []
    return sorted({name for name, _ in _lines(text) if concerns_us(name)})


def _read(path: Path) -> bytes:
    return read_limited(path, limit=DOTENV_LIMIT, what=".env file")  # pragma: no mutate - never shown


def _parse(text: str) -> dict[str, str | None]:
    from dotenv import dotenv_values

    # Expanded as load_dotenv() expands it, so a value built from ${...} compares as it was loaded.
    return dict(dotenv_values(stream=io.StringIO(text)))


def _lines(text: str) -> Iterator[tuple[str, int]]:
    """Each assigned name with its line, as python-dotenv's parser reads it; a later one comes later."""
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.key is not None and binding.value is not None:
            read = binding.original.string  # from the end of the previous binding: blank lines first
            yield binding.key, binding.original.line + read[: len(read) - len(read.lstrip())].count("\n")


__all__ = [
    "PROXY_VARIABLES",
    "ProjectVariable",
    "concerns_us",
    "decides_transport",
    "dotenv_candidates",
    "names_set",
    "project_variables",
]
