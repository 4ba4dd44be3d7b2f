"""What holds for the examples of docs/integrations.md together, checked on the page itself."""

from __future__ import annotations

from .conftest import example


def test_the_langchain_and_llama_index_examples_use_collections_of_their_own() -> None:
    # Each library makes its collection with its own schema and cannot write to the other's, so the two
    # examples work one after the other in one database only on different collections. No environment
    # holds both libraries (langchain-milvus needs pymilvus 3, llama-index pymilvus < 3): each library's
    # test runs its example and checks its own collection, and this test that the names differ.
    langchain, llama_index = example("langchain").collection, example("llama-index").collection
    assert langchain != llama_index
