"""The environment as you set it: what a project's ``.env`` put into ``os.environ`` is the project's.
Importing pymilvus runs python-dotenv's ``load_dotenv()``, which copies the first ``.env`` found above the
working folder or pymilvus's own folder into ``os.environ`` (without overriding a set variable), so a
cloned repository's ``.env`` could speak as your shell: the server, the profile files, a proxy, gRPC's CA
bundle. This package never loads one (``PYTHON_DOTENV_DISABLED=1``, see ``connection.imports``), and when
pymilvus was imported before, a variable holding the value such a ``.env`` sets is untrusted until you run
``milvus-profiles trust .env``: :func:`project_variables` finds them."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys
from collections import ChainMap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .read import UnreadableFile, read_limited
from .trust import FileTrust, content_trust

DOTENV_FILE = ".env"
DOTENV_LIMIT = 1024 * 1024

_PROXIES = ("http_proxy", "https_proxy", "no_proxy", "no_grpc_proxy", "all_proxy")
PROXY_VARIABLES = frozenset(
    _PROXIES + tuple(p.upper() for p in _PROXIES) + ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
)
"""The proxy variables gRPC core reads (``grpc_proxy`` is among the ``GRPC_`` names), and the CA bundles
requests trusts when pymilvus fetches a global cluster's topology with the token."""

SECRET_PLACES = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "APPDATA", "LOCALAPPDATA")
"""The folders of the user file, the trust record and keyring's settings: a ``.env`` unset on most desktops
could name its own."""
KEYRING_CHOICE = ("PYTHON_KEYRING_BACKEND", "KEYRING_PROPERTY_")
"""What keyring reads to choose its backend (a class it imports) and to set the backend's properties."""


def concerns_us(name: str) -> bool:
    """Whether a variable decides where or how a connection goes, or where a stored secret comes from."""
    return name.upper().startswith("MILVUS_") or decides_transport(name)


def decides_transport(name: str) -> bool:
    """The variables read while a secret is looked up and sent: gRPC's proxies, CA bundle and logging, the
    folders of the user file and trust record, keyring's choice of backend."""
    upper = name.upper()
    return name in PROXY_VARIABLES or upper.startswith(("GRPC_", *KEYRING_CHOICE)) or upper in SECRET_PLACES


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
    if os.path.isabs(pwd := os.environ.get("PWD", "")):  # where the shell started Python: before a chdir
        starts.append(Path(pwd))
    with contextlib.suppress(ImportError, ValueError):  # pymilvus's folder, without importing it
        spec = importlib.util.find_spec("pymilvus")  # an imported module's own spec, else a search
        if spec is not None and spec.origin:
            starts.append(Path(spec.origin).absolute().parent)
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
                if candidate.is_file() or candidate.is_fifo():  # a link to nothing: find_dotenv() goes on up
                    break
    return found


def project_variables(environ: Mapping[str, str], *, every: bool = False) -> dict[str, ProjectVariable]:
    """The variables of ``environ`` that concern a connection (``every`` variable) and hold the value a
    project's untrusted ``.env`` sets, by name; one that cannot be read (a FIFO, too large) might have set
    any of them. Where names ignore case (Windows), ``milvus_uri=`` sets, and is found as, ``MILVUS_URI``."""
    wanted = (lambda _: True) if every else concerns_us
    if not any(wanted(name) for name in environ):
        return {}
    found: dict[str, ProjectVariable] = {}
    names = set(environ)
    for path, data, verdict in _untrusted():
        if data is None:
            readings: list[dict[str, str | None]] = [{n: environ[n] for n in environ if wanted(n)}]
            lines: dict[str, int] = {}
        else:
            text = data.decode("utf-8", errors="replace")  # pragma: no mutate - codec names ignore case
            readings = _parse(text, environ)
            lines = dict(_lines(text))
        for reading in readings:
            for name, value in reading.items():
                key = name.upper() if name not in names and name.upper() in names else name
                if key not in found and wanted(key) and value is not None and environ.get(key) == value:
                    found[key] = ProjectVariable(key, path, lines.get(name), verdict)
    return found


def _untrusted() -> Iterator[tuple[Path, bytes | None, FileTrust]]:
    """Each ``.env`` found that is not trusted as it is, with its bytes: None when it cannot be read."""
    for path in dotenv_candidates():
        try:
            data = _read(path)
        except FileNotFoundError:  # gone since it was found
            continue
        except (OSError, UnreadableFile):
            data = None
        verdict = content_trust(path, data or b"")  # pragma: no mutate - an unreadable one is never skipped
        if data is None or not verdict.trusted:
            yield path, data, verdict


def names_set(path: Path) -> list[str]:
    """The names (never a value) of the variables that concern a connection a ``.env`` sets."""
    try:
        return sorted(_names(_read(path)))
    except (OSError, UnreadableFile):
        return []


def untrusted_names() -> set[str]:
    """The names that concern a connection which an untrusted ``.env`` sets, of those a program started
    here would find: ``exec`` gives each an empty value, which ``load_dotenv()`` never overrides. A FIFO or
    a link to nothing has none: python-dotenv finds no value there."""
    return {name for _, data, _ in _untrusted() if data is not None for name in _names(data)}


def _read(path: Path) -> bytes:
    return read_limited(path, limit=DOTENV_LIMIT, what=".env file")  # pragma: no mutate - never shown


def _names(data: bytes) -> set[str]:
    text = data.decode("utf-8", errors="replace")  # pragma: no mutate - codec names ignore case
    return {name for name, _ in _lines(text) if concerns_us(name)}


def _parse(text: str, environ: Mapping[str, str]) -> list[dict[str, str | None]]:
    """The values as load_dotenv() expands them (its resolve_variables, without its copy of the environment
    for each line): a variable of the process winning over the file's own (override=False, the default),
    the file's winning, and the process's as it was before any was set (``grpc_proxy=...${grpc_proxy}``)."""
    from dotenv.main import DotEnv
    from dotenv.variables import parse_variables

    # pragma: no mutate start - parse() never expands: interpolate is read by dict() alone
    pairs = list(DotEnv(None, stream=io.StringIO(text), interpolate=False).parse())
    # pragma: no mutate end
    own = {name.upper() for name, _ in pairs}
    process: dict[str, str | None] = dict(environ)
    before: dict[str, str | None] = {k: v for k, v in process.items() if k.upper() not in own}
    readings = []
    for first in (process, None, before):
        values: dict[str, str | None] = {}
        env = ChainMap(values, process) if first is None else ChainMap(first, values)
        for name, value in pairs:
            values[name] = None if value is None else "".join(a.resolve(env) for a in parse_variables(value))
        readings.append(values)
    return readings


def _lines(text: str) -> Iterator[tuple[str, int]]:
    """Each assigned name with its line, as python-dotenv's parser reads it; a later one comes later."""
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.key is not None and binding.value is not None:
            read = binding.original.string  # from the end of the previous binding: blank lines first
            yield binding.key, binding.original.line + read[: len(read) - len(read.lstrip())].count("\n")
