"""The reference tables of the documentation, rendered from the code: the one field table
(:data:`milvus_profiles.fields.FIELDS`, :data:`~milvus_profiles.fields.TLS_KEYS`) and the JSON Schema of the
models, so the docs cannot say a key, a type, a default or a variable the code does not have.

Each table lives in a docs page between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` lines. In a
checkout, ``scripts/generate`` (``python scripts/docs_reference.py``) rewrites those blocks, the
packaged ``profiles.schema.json`` and the ``#:schema`` line of ``profiles.example.toml``; ``--check`` only
reports what is out of date. A test does the same check, so the docs and the code never disagree for long.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from milvus_profiles.fields import FIELDS, FILES_ENV, PROFILE_ENV, TLS_KEYS

TYPE_NAMES = {"str": "string", "float": "number > 0"}

OTHER_ENV = {
    PROFILE_ENV: "The profile to use when none is named (before the files' `default`).",
    FILES_ENV: "The profile files to read instead of discovering them: paths separated by `os.pathsep` "
    "(`:`, or `;` on Windows), highest precedence first; each must exist.",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _profile_properties() -> dict[str, Any]:
    from milvus_profiles.config.json_schema import profile_schema

    profile: dict[str, Any] = profile_schema()["properties"]["profiles"]["additionalProperties"]
    return dict(profile["properties"])


def _code_tables(text: str) -> str:
    """Inline TOML tables (``{ env = "X" }``) in a description as code."""
    return re.sub(r"(\{[^{}]*\})", r"`\1`", text)


def _default(value: str | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def fields_table() -> str:
    """The keys of a ``[profiles.NAME]`` table: type, variable, built-in default and meaning."""
    properties = _profile_properties()
    rows = []
    for f in FIELDS:
        if f.secret:
            in_file = properties.get(f.name)
            key = f"`{f.name}`" if in_file else "—"
            kind = "secret reference" if in_file else "secret"
            meaning = f.help
            if in_file:
                described = _code_tables(in_file["description"])
                meaning += " In a file: " + described[:1].lower() + described[1:]
            rows.append([key, kind, f"`{f.env}`", "—", meaning])
        else:
            kind = TYPE_NAMES[f.type] + (f", at most {f.maximum:g}" if f.maximum is not None else "")
            rows.append([f"`{f.name}`", kind, f"`{f.env}`", _default(f.default), f.help])
    names = {f.name for f in FIELDS}
    for key, spec in properties.items():
        if key not in names:
            kind = "table" if spec.get("type") == "object" else str(spec.get("type"))
            more = " See [TLS](#tls)." if key == "tls" else ""
            rows.append([f"`{key}`", kind, "—", "—", spec.get("description", "") + more])
    return _table(["key", "type", "environment variable", "default", "meaning"], rows)


def tls_table() -> str:
    """The keys of a ``[profiles.NAME.tls]`` table."""
    properties = _profile_properties()["tls"]["properties"]
    rows = []
    for key, help_text in TLS_KEYS.items():
        kind = "path" if key.endswith("_path") else str(properties[key]["type"])
        rows.append([f"`{key}`", kind, help_text])
    return _table(["key", "type", "meaning"], rows)


def env_table() -> str:
    """Every environment variable milvus-profiles reads."""
    rows = [[f"`{f.env}`", f"`{f.name}`" + (" (a secret)" if f.secret else ""), f.help] for f in FIELDS]
    rows += [[f"`{name}`", "—", text] for name, text in OTHER_ENV.items()]
    return _table(["variable", "sets", "meaning"], rows)


def precedence_table() -> str:
    """The chain of :data:`milvus_profiles.resolution.precedence.PRECEDENCE`, highest first."""
    from milvus_profiles.resolution.precedence import PRECEDENCE

    rows = [
        f"| {n} | **{x.title}** | {x.settings or '-'} | {x.secrets or '-'} |"
        for n, x in enumerate(PRECEDENCE, 1)
    ]
    return "\n".join(["| | layer | settings | secret |", "|---|---|---|---|", *rows])


def grpc_table() -> str:
    """The gRPC options a profile file may set (the allow-list)."""
    from milvus_profiles.fields import GRPC_OPTIONS

    return _table(
        ["option", "value", "what it does"], [[f"`{k}`", v[0], v[1]] for k, v in GRPC_OPTIONS.items()]
    )


def expansion_table() -> str:
    """The words of the ``${...}`` expansion allow-list."""
    from milvus_profiles.resolution.expansion import ALLOWED_LAST_WORDS, SECRET_WORDS

    return _table(
        ["rule", "words"],
        [
            [
                "the name starts with `MILVUS_` and its last word is one of",
                ", ".join(f"`{w}`" for w in sorted(ALLOWED_LAST_WORDS)),
            ],
            ["and none of its words is one of", ", ".join(f"`{w}`" for w in sorted(SECRET_WORDS))],
        ],
    )


BLOCKS: dict[str, Callable[[], str]] = {
    "fields": fields_table,
    "tls": tls_table,
    "env": env_table,
    "precedence": precedence_table,
    "grpc": grpc_table,
    "expansion": expansion_table,
}
"""Block name -> the function that renders it."""

_BLOCK = re.compile(r"(<!-- (\w+):start -->\n)(.*?)(<!-- \2:end -->)", re.DOTALL)


def render_blocks(text: str) -> str:
    """``text`` with every known ``<!-- NAME:start -->`` ... ``<!-- NAME:end -->`` block regenerated."""

    def replace(match: re.Match[str]) -> str:
        render = BLOCKS.get(match.group(2))
        if render is None:
            return match.group(0)
        return f"{match.group(1)}{render()}\n{match.group(4)}"

    return _BLOCK.sub(replace, text)


def generated_files(root: Path) -> dict[Path, str]:
    """Every generated file of a checkout at ``root``, with the text it should have."""
    from milvus_profiles.config.json_schema import SCHEMA_PATH, schema_text

    expected = {root / SCHEMA_PATH: schema_text()}
    example = root / "profiles.example.toml"
    if example.exists():
        first, _, rest = example.read_text(encoding="utf-8").partition("\n")
        if first.startswith("#:schema "):
            expected[example] = f"#:schema ./{SCHEMA_PATH}\n{rest}"
    for page in sorted((root / "docs").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        rendered = render_blocks(text)
        if rendered != text or _BLOCK.search(text):
            expected[page] = rendered
    return expected


def stale_files(root: Path) -> list[Path]:
    """The generated files of ``root`` that differ from what the code generates."""
    return [
        path
        for path, text in generated_files(root).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """``python scripts/docs_reference.py [--check] [ROOT]``: refresh (or check) a checkout."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    root = Path(args[0]) if args else Path.cwd()
    stale = stale_files(root)
    if check:
        for path in stale:
            print(f"out of date: {path}; run scripts/generate")
        return 1 if stale else 0
    expected = generated_files(root)
    for path in stale:
        path.write_text(expected[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
