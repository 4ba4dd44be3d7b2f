"""The JSON Schema of a profile file, for editors (Taplo, Even Better TOML), generated from the models of
:mod:`milvus_profiles.config.model` so it describes what ``check`` accepts. Plain draft-07, as every TOML
language server reads it: no ``$ref``, no ``null``, ``additionalProperties: false`` on every table. What a
schema cannot say (a URI pymilvus accepts, ``extends`` naming a profile) stays with ``check``. Shipped as
``profiles.schema.json``; ``init`` writes it beside ``milvus.toml`` as :data:`PROJECT_SCHEMA`."""

from __future__ import annotations

import json
from typing import Any

SCHEMA_PATH = "src/milvus_profiles/profiles.schema.json"  # the shipped schema, in a checkout
PROJECT_SCHEMA = "milvus.schema.json"  # what `init` writes beside milvus.toml and names in `#:schema`


def profile_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a profile file, as a dict.

    Returns:
        The schema that `milvus-profiles schema` prints; its top level takes `default` and `profiles`.

    Examples:
        ```python
        import json

        from milvus_profiles.config.json_schema import profile_schema

        print(json.dumps(profile_schema(), indent=2))
        ```
    """
    from .model import ProfileDocument

    raw = ProfileDocument.model_json_schema()
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        **_clean(raw, raw.pop("$defs", {})),
        "description": "A milvus-profiles file (milvus.toml, milvus.local.toml or the user's "
        "profiles.toml): named Milvus connection profiles. Secrets never go in it.",
    }


def schema_text() -> str:
    """The schema as the JSON text ``milvus-profiles schema`` prints and the package ships."""
    return json.dumps(profile_schema(), indent=2, ensure_ascii=False) + "\n"


def _clean(node: Any, defs: dict[str, Any], key: str | None = None) -> Any:
    """One node of pydantic's schema made plain: references written out, nulls dropped, a key's title its
    name (a model's is its configured title)."""
    if isinstance(node, list):
        return [_clean(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    if "anyOf" in node:  # `anyOf: [X, null]` as X
        options = [o for o in node.pop("anyOf") if o != {"type": "null"}]
        node = {**options[0], **node} if len(options) == 1 else {**node, "anyOf": options}
    if isinstance(ref := node.pop("$ref", None), str):
        node = {**defs[ref.rsplit("/", 1)[-1]], **node}
    if node.get("default", ...) is None:
        del node["default"]
    cleaned = {
        k: {n: _clean(sub, defs, n) for n, sub in v.items()} if k == "properties" else _clean(v, defs)
        for k, v in node.items()
    }
    node = cleaned if key is None else {**cleaned, "title": key}
    # title, description and type first: the order people read a schema in
    first = {k: node[k] for k in ("$schema", "$id", "title", "description", "type") if k in node}
    return {**first, **{k: v for k, v in node.items() if k not in first}}
