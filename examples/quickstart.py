"""Connect with a profile, create a collection, insert and search: all on Milvus Lite, no server."""

from __future__ import annotations

import random

from milvus_profiles import connect


def main() -> None:
    client = connect(profile="local")  # a ready client: connected, on the right database
    print(f"connected with profile 'local' (Milvus Lite, {client.get_server_version()})")
    if client.has_collection("quickstart"):
        client.drop_collection("quickstart")
    client.create_collection("quickstart", dimension=4)
    rows = [{"id": i, "vector": [random.random() for _ in range(4)], "text": f"doc {i}"} for i in range(100)]
    inserted = client.insert("quickstart", rows)
    print(f"inserted {inserted['insert_count']} rows into collection 'quickstart' (ids 0 to 99, 4-d vectors)")
    query = rows[7]
    hits = client.search("quickstart", data=[query["vector"]], limit=3, output_fields=["text"])
    print(f"searched for the 3 rows nearest to row {query['id']} ({query['text']!r}):")
    for rank, hit in enumerate(hits[0], start=1):
        print(f"  {rank}. id {hit['id']}, text {hit['entity']['text']!r}, cosine similarity {hit['distance']:.3f}")
    client.close()


if __name__ == "__main__":
    main()
