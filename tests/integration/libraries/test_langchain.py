"""The LangChain example of docs/integrations.md (`langchain-milvus`), as the page shows it."""

from __future__ import annotations

import pytest
from pymilvus import MilvusException

from .conftest import DATABASE, DOCUMENT, Server, example, library


@pytest.fixture(autouse=True)
def _installed() -> None:
    library("langchain_milvus", "langchain-milvus", pymilvus_major=3)


def test_the_langchain_example_stores_and_finds_the_document_in_the_profiles_database(
    prod: Server,
) -> None:
    shown = example("langchain")

    printed, _ = shown.run()

    assert printed == shown.output == f"{DOCUMENT}\n"
    assert prod.collections(DATABASE) == [shown.collection]
    assert prod.texts(DATABASE, shown.collection) == [DOCUMENT]
    assert shown.collection not in prod.collections("default")


def test_without_the_database_the_langchain_example_fails_and_stores_nothing(prod: Server) -> None:
    prod.drop_database(DATABASE)

    shown = example("langchain")

    with pytest.raises(MilvusException) as e:
        shown.run()

    # in the server's words: "database 'analytics' does not exist" (Milvus Lite), "database:analytics not
    # found" or "database not found[database=analytics]" (Milvus 2.3.5, by the call that meets it first)
    message = str(e.value)
    assert DATABASE in message
    assert "does not exist" in message or "not found" in message
    assert shown.collection not in prod.collections("default")
