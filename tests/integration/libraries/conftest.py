"""The examples of docs/integrations.md, run as the page shows them against real servers.

Each example is the fenced block after an `<!-- example:NAME -->` comment on the page, executed as it is
after a prelude that defines what the page leaves to the reader: the embedding model. The prelude swaps
in a deterministic fake (LangChain's `DeterministicFakeEmbedding`, LlamaIndex's `MockEmbedding`), so no
model is downloaded or called. The profile `prod` the page uses is written for each server, trusted as
`milvus-profiles trust` does, with its database `analytics` dropped and created again by the page's own
example; a plain `pymilvus.MilvusClient` is the oracle for where the documents landed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymilvus
import pytest
from pymilvus import MilvusClient

from milvus_profiles import save_secret

from ...helpers import trusted, write
from ..conftest import require
from ..servers import ROOT_PASSWORD, LiteServer, MilvusServer

PAGE = Path(__file__).resolve().parents[3] / "docs" / "integrations.md"
DATABASE = "analytics"
DOCUMENT = "Milvus is a vector database."
PYMILVUS_MAJOR = int(pymilvus.__version__.split(".", 1)[0])

PRELUDES = {
    "langchain": (
        "from langchain_core.embeddings import DeterministicFakeEmbedding\n"
        "embeddings = DeterministicFakeEmbedding(size=1536)\n"
    ),
    "llama-index": (
        "from llama_index.core import MockEmbedding\nembed_model = MockEmbedding(embed_dim=1536)\n"
    ),
}
"""What the page leaves to the reader, by example name: the embedding model, as a fake."""


@dataclass(frozen=True)
class Example:
    name: str
    code: str
    output: str | None
    """The `text` block right after the code: what the code prints."""

    @property
    def collection(self) -> str:
        """The collection the example names (`collection_name="..."`), as the page writes it."""
        found = re.search(r'collection_name="([^"]+)"', self.code)
        assert found is not None, f"the example {self.name!r} names no collection"
        return found.group(1)

    def run(self) -> tuple[str, dict[str, Any]]:
        """Runs the prelude and the code in a fresh namespace; returns what it printed and the namespace."""
        namespace: dict[str, Any] = {"__name__": f"docs_example_{self.name}"}
        exec(PRELUDES.get(self.name, ""), namespace)  # noqa: S102 - our own fixed prelude
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(self.code, f"{PAGE}#example:{self.name}", "exec"), namespace)  # noqa: S102
        return printed.getvalue(), namespace


def example(name: str) -> Example:
    """The example `name` of docs/integrations.md."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(
        rf"^<!-- example:{re.escape(name)} -->\n```python\n(.*?)^```\n(?:\n```text\n(.*?)^```\n)?",
        text,
        flags=re.S | re.M,
    )
    assert found is not None, f"docs/integrations.md has no example {name!r}"
    return Example(name, found.group(1), found.group(2))


def library(module: str, package: str, pymilvus_major: int) -> None:
    """Skips when `package` cannot be installed next to this pymilvus; else it must be installed."""
    try:
        installed = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        installed = False
    if not installed and pymilvus_major != PYMILVUS_MAJOR:
        pytest.skip(
            f"{package} requires pymilvus {pymilvus_major} and this is pymilvus {pymilvus.__version__}: "
            f"scripts/test runs it in its pymilvus {pymilvus_major} environment"
        )
    require(installed, package, f"it is not installed (pip install {package})")


@dataclass(frozen=True)
class Server:
    """A server the profile `prod` points at, and the root credentials of the oracle client."""

    kind: str
    uri: str
    token: str

    @contextlib.contextmanager
    def client(self, db_name: str = "default") -> Iterator[MilvusClient]:
        client = MilvusClient(uri=self.uri, token=self.token, db_name=db_name, timeout=30)
        try:
            yield client
        finally:
            client.close()

    def collections(self, db_name: str) -> list[str]:
        with self.client(db_name) as client:
            return sorted(client.list_collections())

    def texts(self, db_name: str, collection: str) -> list[str]:
        """The `text` of every entity; a strong read, so another client's fresh inserts are seen."""
        with self.client(db_name) as client:
            rows = client.query(
                collection, filter="", output_fields=["text"], limit=100, consistency_level="Strong"
            )
        return sorted(str(row["text"]) for row in rows)

    def drop_database(self, db_name: str) -> None:
        with self.client() as admin:
            if db_name not in admin.list_databases():
                return
        with self.client(db_name) as client:
            for collection in client.list_collections():
                client.drop_collection(collection)
        with self.client() as admin:
            admin.drop_database(db_name)


@pytest.fixture(scope="session", params=["lite", "auth"])
def component(request: pytest.FixtureRequest) -> LiteServer | MilvusServer:
    """Milvus Lite on a port, or Milvus standalone. Session-scoped, so it starts before a test's
    isolation clears MILVUS_SERVER_BIN from the environment."""
    name = "lite_server" if request.param == "lite" else "milvus_server"
    server: LiteServer | MilvusServer = request.getfixturevalue(name)
    return server


@pytest.fixture
def prod(request: pytest.FixtureRequest, component: LiteServer | MilvusServer, isolated: Path) -> Server:
    """The profile `prod` of the page: a Milvus Lite server on a port, or Milvus 2.3.5 with
    authentication and the password in the Secret Service; its database created by the page's example."""
    if isinstance(component, LiteServer):
        server = Server("lite", component.uri, "")
        user = ""
    else:
        component.ensure(0)  # authentication, no TLS
        request.getfixturevalue("secret_service")
        server = Server("auth", component.uri, f"root:{ROOT_PASSWORD}")
        user = 'user = "root"\n'
    path = write(
        isolated / "milvus.toml",
        f'[profiles.prod]\nuri = "{server.uri}"\n{user}db_name = "{DATABASE}"\ntimeout = 30\n',
    )
    trusted(path)
    if user:
        save_secret("prod", ROOT_PASSWORD)
    server.drop_database(DATABASE)
    assert not {example(n).collection for n in PRELUDES} & set(server.collections("default"))
    example("create-database").run()
    return server
