"""Connect with a profile, create a collection, insert and search: all on Milvus Lite, no server."""

from __future__ import annotations

import random

from milvus_profiles import connect


def main() -> None:
    client = connect(profile="local")  # a ready client: connected, on the right database
    if client.has_collection("quickstart"):
        client.drop_collection("quickstart")
    client.create_collection("quickstart", dimension=4)
    rows = [{"id": i, "vector": [random.random() for _ in range(4)], "text": f"doc {i}"} for i in range(100)]
    client.insert("quickstart", rows)
    hits = client.search("quickstart", data=[rows[7]["vector"]], limit=3, output_fields=["text"])
    for hit in hits[0]:
        print(hit["id"], hit["entity"]["text"], round(hit["distance"], 3))
    client.close()


if __name__ == "__main__":
    main()
