"""The documentation says what the code does: the worked example prints what the docs show, every
command, option and error class is documented, and every page is on the site."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import milvus_profiles
from milvus_profiles import errors, resolve
from milvus_profiles.cli import COMMANDS, main

from .helpers import MemoryKeyring, trusted, write

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SHOWN_AS = "/home/me/app"  # the project folder the docs show


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def show(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_worked_example_of_precedence_prints_what_the_page_shows(
    isolated: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated / ".git").mkdir()
    write(
        isolated / "milvus.toml",
        'default = "dev"\n\n[profiles.dev]\nuri = "http://localhost:19530"\ndb_name = "analytics"\n'
        'user = "alice"\n',
    )
    write(isolated / "milvus.local.toml", "[profiles.dev]\ntimeout = 30\n")
    trusted(isolated / "milvus.toml")  # `milvus-profiles trust`, as the page says
    trusted(isolated / "milvus.local.toml")
    memory_keyring.store[("milvus-profiles", "alice@http://localhost:19530")] = "not shown"

    from_file = show("show", "--explain")
    from_env = show("show", "dev", "--explain", env={"MILVUS_DB_NAME": "staging"})
    monkeypatch.setenv("MILVUS_DB_NAME", "staging")
    from_argument = resolve("dev", db_name="scratch").explain() + "\n"

    text = page("precedence.md")
    shown = {
        "file": "$ milvus-profiles show --explain\n" + from_file,
        "env": "$ MILVUS_DB_NAME=staging milvus-profiles show dev --explain\n" + from_env,
        "argument": '>>> print(resolve("dev", db_name="scratch").explain())\n' + from_argument,
    }
    for name, output in shown.items():
        expected = output.replace(str(isolated), SHOWN_AS)
        block = text.split(f"<!-- example:{name} -->\n", 1)[1].split("```", 2)[1]
        assert expected in block, f"docs/precedence.md, example {name}: the code now prints\n{expected}"


def error_classes(base: type[errors.MilvusProfilesError]) -> list[type[errors.MilvusProfilesError]]:
    """``base`` and every class below it, parents first."""
    found = [base]
    for sub in base.__subclasses__():
        found += error_classes(sub)
    return found


def test_every_error_class_a_user_can_catch_has_a_troubleshooting_section() -> None:
    """The classes come from the code: every subclass of MilvusProfilesError that the package exports
    (the others, such as ConnectError, are only bases of exported ones)."""
    text = page("troubleshooting.md")
    sections = re.findall(r"^## (\w+)$", text, flags=re.M)
    public = [
        cls.__name__
        for cls in error_classes(errors.MilvusProfilesError)[1:]
        if cls.__name__ in milvus_profiles.__all__
    ]
    assert "SecretWithheldError" in public
    assert sorted(sections) == sorted(public)
    for name in public:
        body = text.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert "error: " in body, name
        assert "**Fix:**" in body, name


def _options(command: click.Command, path: str) -> list[tuple[str, str]]:
    found = [(path, opt) for p in command.params if isinstance(p, click.Option) for opt in p.opts]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += _options(sub, f"{path} {name}")
    return [(where, opt) for where, opt in found if opt.startswith("--") and opt != "--help"]


def test_the_cli_reference_documents_every_command_and_option() -> None:
    text = page("cli.md")

    def documented(opt: str) -> bool:
        return re.search(rf"{re.escape(opt)}(?![\w-])", text) is not None

    missing = []
    for name in COMMANDS:
        command = main.get_command(click.Context(main), name)
        assert command is not None
        if not re.search(rf"^### `{re.escape(name)}[ `]", text, flags=re.M):
            missing.append(f"command {name}")
        missing += [f"{where}: {opt}" for where, opt in _options(command, name) if not documented(opt)]
    missing += [f"global: {opt}" for _, opt in _options(main, "") if not documented(opt)]
    assert missing == []


def test_every_page_is_on_the_site_and_every_link_of_the_readme_exists() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = re.findall(r"^\s+- [^:]+: (\S+\.md)$", config, flags=re.M)
    assert sorted(nav) == sorted(p.name for p in DOCS.glob("*.md"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert "docs/index.md" in links
    assert [link for link in links if not (ROOT / link).exists()] == []
