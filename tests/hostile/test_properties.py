"""Whatever the files, names, environment and arguments: a resolved profile, or one of our errors that
says where the problem is. Never another exception, never a traceback from the command line, never a
secret in a message."""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from milvus_profiles import MilvusProfilesError, ResolvedProfile, resolve
from milvus_profiles.cli import main
from milvus_profiles.config import toml
from milvus_profiles.errors import ConfigError
from milvus_profiles.write.editor import ProfileEditor

from .conftest import counted

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover
    pass
from .strategies import SECRET, environments, good_names, names, overrides, profile_files, profile_tables

profiles = st.one_of(st.none(), good_names, names)

EXAMPLES = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_numbers = itertools.count()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    found = tmp_path / "cases"
    found.mkdir()
    return found


def write_case(folder: Path, content: str | bytes) -> Path:
    """A new file per case: the caches key on path, size and modification time, and two cases written
    within one clock tick could share all three."""
    path = folder / f"case{next(_numbers)}.toml"
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8", "surrogatepass"))
    else:
        path.write_bytes(content)
    return path


@pytest.fixture
def environ() -> Iterator[Any]:
    """Set variables for one case only."""

    def apply(values: Mapping[str, str]) -> pytest.MonkeyPatch:
        patch = pytest.MonkeyPatch()
        for name in list(os.environ):
            if name.startswith("MILVUS_"):
                patch.delenv(name)
        for name, value in values.items():
            patch.setenv(name, value)
        patches.append(patch)
        return patch

    patches: list[pytest.MonkeyPatch] = []
    yield apply
    for patch in patches:
        patch.undo()


def assert_located(error: MilvusProfilesError, path: Path, env: Mapping[str, str]) -> None:
    """The message names a file, an environment variable or an argument."""
    message = error.message
    places = [str(path), "argument ", *env]
    assert any(place in message for place in places), f"no location in: {message!r}"
    assert SECRET not in str(error)


@EXAMPLES
@given(content=profile_files, profile=profiles, env=environments, kwargs=st.just({}) | overrides)
@counted
def test_resolve_gives_a_profile_or_a_located_error(
    folder: Path, environ: Any, *, content: str | bytes, profile: str | None, env: dict[str, str], kwargs: Any
) -> None:
    path = write_case(folder, content)
    patch = environ(env)
    try:
        toml.clear_cache()
        try:
            cfg = resolve(profile, files=[path], **kwargs)
        except MilvusProfilesError as e:
            assert_located(e, path, env)
            event(type(e).__name__)
        else:
            event("resolved")
            assert isinstance(cfg, ResolvedProfile)
            assert SECRET not in repr(cfg) + cfg.explain() + cfg.summary()
    finally:
        patch.undo()


READ_COMMANDS = (
    ["list"],
    ["list", "--json"],
    ["show", "--explain"],
    ["check"],
    ["env"],
    ["env", "--format", "json"],
)


@EXAMPLES
@given(content=profile_files, profile=profiles, env=environments)
@counted
def test_the_read_commands_never_print_a_traceback(
    folder: Path, content: str | bytes, profile: str | None, env: dict[str, str]
) -> None:
    path = write_case(folder, content)
    variables: dict[str, str | None] = {name: None for name in os.environ if name.startswith("MILVUS_")}
    variables.update(env)
    for command in READ_COMMANDS:
        args = ["--file", str(path), *command]
        if profile is not None and command[0] in ("show", "env"):
            args.append(f"--profile={profile}")
        toml.clear_cache()
        result = CliRunner().invoke(main, args, env=variables)
        output = result.stdout + result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in output
        assert "unexpected" not in output, output
        allowed = {0, 1} if command[0] == "check" else {0, 2, 3, 4}
        assert result.exit_code in allowed, output
        assert SECRET not in output


def refusal(action: Callable[[], object]) -> ConfigError | None:
    """The ConfigError ``action`` raises, if any."""
    try:
        action()
    except ConfigError as e:
        return e
    return None


def without(data: dict[str, Any], key: str, name: str | None) -> dict[str, Any]:
    """``data`` less ``key``, or less profile ``name``; no ``[profiles]`` is the same as an empty one."""
    rest = dict(data)
    if name is not None and isinstance(rest.get("profiles"), dict):
        rest["profiles"] = {n: t for n, t in rest["profiles"].items() if n != name}
    else:
        rest.pop(key, None)
    if rest.get("profiles") == {}:
        del rest["profiles"]
    return rest


def canonical(value: Any) -> Any:
    """Parsed TOML in a form ``==`` compares as TOML means it: keys unordered, ``nan`` equal to itself,
    ``true`` unequal to ``1``."""
    if isinstance(value, dict):
        return sorted((k, canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


@EXAMPLES
@given(content=profile_files, name=names, table=profile_tables, default=names)
@counted
def test_editing_any_file_changes_what_was_asked_or_refuses(
    folder: Path, content: str | bytes, name: str, table: Any, default: str
) -> None:
    path = write_case(folder, content)
    opened = refusal(lambda: ProfileEditor.open(path))
    if isinstance(opened, ConfigError):
        assert opened.path == path
        event("the file cannot be edited")
        return
    editor = ProfileEditor.open(path)
    values = table if isinstance(table, dict) else {"uri": "http://h:19530"}

    def unchanged_but(before: dict[str, Any], key: str, name: str | None = None) -> None:
        after = editor.profile_file().data
        assert canonical(after) == canonical(editor.data)
        assert canonical(without(after, key, name)) == canonical(without(before, key, name))

    def attempt(edit: Callable[[], object], key: str, name: str | None = None) -> bool:
        before = editor.data
        refused = refusal(edit)
        if isinstance(refused, ConfigError):
            assert refused.path == path
            assert editor.data is before  # a refused edit changes nothing
            event(f"{key} edit refused: {refused.message.partition(': ')[2][:40]}")
            return False
        unchanged_but(before, key, name)
        event(f"{key} edited")
        return True

    if attempt(lambda: editor.set_profile(name, values), "profiles", name):
        assert canonical(editor.profiles[name]) == canonical(values)
    if attempt(lambda: editor.set_default(default), "default"):
        assert editor.data["default"] == default
    if attempt(lambda: editor.remove_profile(name), "profiles", name):
        assert name not in editor.profiles
    if attempt(editor.remove_default, "default"):
        assert "default" not in editor.data


_blank_lines = st.text(alphabet=" \t", max_size=3)
_file_lines = st.one_of(
    _blank_lines,
    st.builds(lambda pad, text: f"{pad}# {text}", _blank_lines, st.text(alphabet="abc #=[]", max_size=8)),
    st.builds(lambda n: f"[profiles.p{n}]", st.integers(0, 3)),
    st.builds(lambda n, pad: f'uri{pad}= "./p{n}.db"{pad}', st.integers(0, 3), _blank_lines),
    st.just('default = "p0"'),
)


@st.composite
def whitespace_files(draw: st.DrawFn) -> bytes:
    """Profile files with odd whitespace: blank lines of spaces and tabs, comments, no final newline,
    Windows line endings, a byte-order mark; some are whitespace only."""
    lines = draw(st.lists(_file_lines, max_size=12))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 2]))
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode()


@EXAMPLES
@given(content=whitespace_files())
@counted
def test_adding_then_removing_a_profile_leaves_the_bytes_as_they_were(folder: Path, content: bytes) -> None:
    path = write_case(folder, content)
    try:
        editor = ProfileEditor.open(path)
    except ConfigError:
        event("not a valid file (a key or table twice)")
        return
    editor.set_profile("added", {"uri": "http://h:19530"})
    editor.save()
    assert editor.profile_file().data["profiles"]["added"] == {"uri": "http://h:19530"}
    editor = ProfileEditor.open(path)
    assert editor.remove_profile("added")
    editor.save()
    assert path.read_bytes() == content
