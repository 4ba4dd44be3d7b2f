"""The other examples of docs/integrations.md: the keys `client_kwargs()` has, and a URI and token for a
library that takes only those, accepted by the server."""

from __future__ import annotations

from pymilvus import MilvusClient

from .conftest import DATABASE, Server, example


def test_the_keys_are_those_the_page_shows(prod: Server) -> None:
    shown = example("kwargs")

    printed, _ = shown.run()

    if prod.kind == "auth":
        assert printed == shown.output
    else:  # no user, no password: the same keys less those two
        assert printed == "['db_name', 'timeout', 'uri']\n"


def test_the_uri_and_token_reach_the_profiles_database(prod: Server) -> None:
    _, values = example("token").run()
    with prod.client(DATABASE) as root:
        root.create_collection("only_here", dimension=2)

    client = MilvusClient(uri=values["uri"], token=values["token"], db_name=values["db_name"])
    try:
        assert client.list_collections() == ["only_here"]
    finally:
        client.close()
