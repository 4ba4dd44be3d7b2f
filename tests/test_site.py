"""The built documentation site, read as a browser gets it: what a copy button copies runs as it is, no
Sphinx role shows raw, and the API page describes every public name and shows no internal one.

The site is the one `scripts/test` builds (its folder in DOCS_SITE); run alone, these tests build it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|data|attr|exc|obj):(?:`|<code)")
PROMPT = re.compile(r"^(?:\$|>>>) ", flags=re.M)
LONGEST = 80  # characters of a command or code line: longer ones scroll sideways at 1280 px


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = os.environ.get("DOCS_SITE")
    if built:
        return Path(built)
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install -e '.[docs]')")
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return folder


@dataclass
class Block:
    classes: list[str]
    text: str = ""

    @property
    def copyable(self) -> bool:
        # Material puts a copy button on every code block but those inside `.no-copy` (transcripts)
        return "no-copy" not in self.classes and "mermaid" not in self.classes

    @property
    def language(self) -> str:
        found = [c.removeprefix("language-") for c in self.classes if c.startswith("language-")]
        return found[-1] if found else ""


@dataclass
class Page(HTMLParser):
    blocks: list[Block] = field(default_factory=list)
    stack: list[list[str]] = field(default_factory=list)
    current: Block | None = None

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append(classes)
        if tag == "pre" and self.current is None:
            self.current = Block([c for level in self.stack for c in level])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "pre" and self.current is not None:
            self.blocks.append(self.current)
            self.current = None
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.text += data


def pages(site: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(site.rglob("index.html")):
        name = path.parent.relative_to(site).as_posix()
        name = "home" if name == "." else name
        if name.startswith(("assets", "search")):
            continue
        yield name, path.read_text(encoding="utf-8")


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_the_site_has_its_pages(site: Path) -> None:
    names = dict(pages(site))
    for name in ("home", "quickstart", "api", "secrets", "cli", "cli/profiles", "security", "releasing"):
        assert name in names, name
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://milvus-profiles.github.io/milvus-profiles/quickstart/</loc>" in sitemap


def test_copy_buttons_copy_commands_without_prompts_or_output(site: Path) -> None:
    found = []
    for name, html in pages(site):
        for block in parse(html).blocks:
            if block.copyable and PROMPT.search(block.text):
                first = PROMPT.search(block.text)
                assert first is not None
                line = block.text[first.start() :].split("\n", 1)[0]
                found.append(f"{name}: {line}")
    assert found == [], "a prompt in a copyable block: put the command in its own block, output in `text`"


def test_no_command_or_code_line_scrolls_sideways(site: Path) -> None:
    found = []
    for name, html in pages(site):
        for block in parse(html).blocks:
            if not block.copyable or block.language in ("text", "json"):
                continue  # output wraps (docs/stylesheets/extra.css)
            found += [f"{name}: {line}" for line in block.text.splitlines() if len(line) > LONGEST]
    assert found == []


def test_no_sphinx_role_shows_raw(site: Path) -> None:
    found = [f"{name}: {m.group(0)}" for name, html in pages(site) for m in ROLE.finditer(html)]
    assert found == []


def test_no_escape_shows_inside_code(site: Path) -> None:
    # `\|` in a table cell's code span is shown as typed: a code span needs no escape for its pipes
    found = [
        f"{name}: {m.group(0)}" for name, html in pages(site) for m in re.finditer(r"<code>[^<]*\\\|", html)
    ]
    assert found == []


def test_the_home_page_starts_with_the_install_line_and_get_started(site: Path) -> None:
    html = dict(pages(site))["home"]
    article = html.split('<article class="md-content__inner md-typeset">', 1)[1]
    first_screen = article[:3000]
    assert "pip install" in re.sub(r"<[^>]+>", "", first_screen)
    button = '<a class="md-button md-button--primary" href="quickstart/">Get started</a>'
    assert button in first_screen


HEADING = re.compile(r'<h(\d) id="(milvus_profiles\.[\w.]+)" class="doc doc-heading">')
INTERNAL = ("secret_error", "route", "notes")
FIELDS = ("name", "uri", "db_name", "timeout", "user", "password", "token", "tls", "grpc_options", "origins")
FUNCTIONS = ("connect", "connect_async", "resolve", "save_secret", "delete_secret")


def api_objects(site: Path) -> dict[str, str]:
    """Every object the API page documents (by its full name), with its part of the page."""
    html = dict(pages(site))["api"]
    found = list(HEADING.finditer(html))
    return {
        m.group(2): html[m.end() : found[i + 1].start() if i + 1 < len(found) else len(html)]
        for i, m in enumerate(found)
    }


def description(part: str) -> str:
    contents = part.split('<div class="doc doc-contents', 1)[1]
    contents = re.sub(r'<p class="doc doc-class-bases">.*?</p>', "", contents, flags=re.S)
    own = re.split(r'<div class="doc doc-(?:children|object)', contents, maxsplit=1)[0]
    return re.sub(r"<[^>]+>", "", own).strip()


def test_the_api_page_documents_every_public_name(site: Path) -> None:
    import milvus_profiles

    objects = api_objects(site)
    short = {name.rsplit(".", 1)[1] for name in objects}
    public = [n for n in milvus_profiles.__all__ if not n.startswith("_")]
    assert [n for n in public if n not in short] == []
    profile_fields = {n.rsplit(".", 1)[1] for n in objects if ".ResolvedProfile." in n}
    assert [f for f in FIELDS if f not in profile_fields] == []
    assert [name for name, part in objects.items() if not description(part)] == []


def test_the_api_page_shows_no_internal_name(site: Path) -> None:
    html = dict(pages(site))["api"]
    assert [name for name in INTERNAL if name in html] == []
    assert [n for n in api_objects(site) if any(p.startswith("_") for p in n.split("."))] == []


def test_each_function_has_its_arguments_result_errors_and_an_example(site: Path) -> None:
    objects = api_objects(site)
    missing = []
    for function in FUNCTIONS:
        part = next(p for n, p in objects.items() if n.endswith(f".{function}"))
        for section in ("Parameters:", "Returns:", "Raises:", "Examples:"):
            if f'doc-section-title">{section}<' not in part:
                missing.append(f"{function}: {section}")
    assert missing == []
    # what **overrides takes is said, field by field
    for function in FUNCTIONS[:3]:
        part = next(p for n, p in objects.items() if n.endswith(f".{function}"))
        row = part.split("<code>**overrides</code>", 1)[1].split("</tr>", 1)[0]
        said = [
            f
            for f in ("uri", "db_name", "timeout", "user", "password", "token")
            if f"<code>{f}</code>" in row
        ]
        assert len(said) == 6, f"{function}: **overrides names only {said}"
