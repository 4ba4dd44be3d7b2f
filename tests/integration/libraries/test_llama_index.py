"""The LlamaIndex example of docs/integrations.md (`llama-index-vector-stores-milvus`), as the page
shows it."""

from __future__ import annotations

import pytest
from pymilvus import MilvusException

from .conftest import DATABASE, DOCUMENT, Server, example, library


@pytest.fixture(autouse=True)
def _installed() -> None:
    library("llama_index.vector_stores.milvus", "llama-index-vector-stores-milvus", pymilvus_major=2)


def test_the_llama_index_example_stores_and_finds_the_document_in_the_profiles_database(
    prod: Server,
) -> None:
    shown = example("llama-index")

    printed, _ = shown.run()

    assert printed == shown.output == f"{DOCUMENT}\n"
    assert prod.collections(DATABASE) == [shown.collection]
    assert prod.texts(DATABASE, shown.collection) == [DOCUMENT]
    assert shown.collection not in prod.collections("default")


def test_without_the_database_the_llama_index_example_fails_and_stores_nothing(prod: Server) -> None:
    prod.drop_database(DATABASE)

    shown = example("llama-index")

    with pytest.raises(MilvusException) as e:
        shown.run()

    # in the server's words: "database 'analytics' does not exist" (Milvus Lite), "database:analytics not
    # found" or "database not found[database=analytics]" (Milvus 2.3.5, by the call that meets it first)
    message = str(e.value)
    assert DATABASE in message
    assert "does not exist" in message or "not found" in message
    assert shown.collection not in prod.collections("default")
