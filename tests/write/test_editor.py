"""edit.py: editing hand-written profile files changes exactly what was asked; writes are atomic."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import tomlkit

from milvus_profiles.config.locks import add_line, write_atomic
from milvus_profiles.errors import ConfigError
from milvus_profiles.write.editor import ProfileEditor

from ..helpers import write

TEXT = """\
# Team profiles.
default = "a"  # the usual one

# about a
[profiles.a]
uri = "./a.db"  # the file
timeout = 3
# commented key of a

# about b
[profiles.b]
uri = "http://b:19530"

[profiles.b.tls]
secure = true

# about c
[profiles.c]
uri = "./c.db"

# [profiles.example]
# uri = "http://example:19530"
"""


def edited(text: str = TEXT) -> ProfileEditor:
    return ProfileEditor(Path("milvus.toml"), text)


def test_remove_takes_a_profile_and_the_comment_above_it() -> None:
    editor = edited()
    assert editor.remove_profile("b")
    assert editor.text == TEXT.replace(
        '# about b\n[profiles.b]\nuri = "http://b:19530"\n\n[profiles.b.tls]\nsecure = true\n\n', ""
    )


def test_remove_the_first_and_the_last() -> None:
    first = edited()
    first.remove_profile("a")
    assert first.text == TEXT.replace(
        '# about a\n[profiles.a]\nuri = "./a.db"  # the file\ntimeout = 3\n# commented key of a\n\n', ""
    )
    last = edited()
    last.remove_profile("c")
    assert last.text == TEXT.replace('# about c\n[profiles.c]\nuri = "./c.db"\n\n', "")


@pytest.mark.parametrize(
    ("text", "key", "after"),
    [
        ('\n[profiles.a]\nuri = "http://a:1"\n', ("uri",), "\n[profiles.a]\n"),
        ('\n\n# c\n[profiles.a]\nuri = "http://a:1"\n', ("uri",), "\n\n# c\n[profiles.a]\n"),
        ("\n\n[profiles.a]\n[profiles.a.tls]\nsecure = true\n", ("tls",), "\n\n[profiles.a]\n"),
    ],
)
def test_unsetting_the_only_key_of_the_first_profile_keeps_the_lines_above_it(
    text: str, key: tuple[str, ...], after: str
) -> None:
    editor = edited(text)
    assert editor.unset_key("a", key)
    assert editor.text == after


@pytest.mark.parametrize(
    ("text", "key", "after"),
    [
        ('[profiles]\na.uri = "http://a:1"\na.timeout = 3\n', ("uri",), "[profiles]\na.timeout = 3\n"),
        (
            '[profiles.a.tls]\nsecure = true\n[profiles.a]\nuri = "http://a:1"\n',
            ("tls",),
            '[profiles.a]\nuri = "http://a:1"\n',
        ),
    ],
)
def test_unset_works_on_dotted_keys_and_on_a_sub_table_written_before_its_profile(
    text: str, key: tuple[str, ...], after: str
) -> None:
    editor = edited(text)
    assert editor.unset_key("a", key)
    assert editor.text == after


def test_remove_an_unknown_profile() -> None:
    editor = edited()
    assert not editor.remove_profile("z")
    assert editor.text == TEXT


def test_replace_keeps_the_place_and_the_comment_above() -> None:
    editor = edited()
    editor.set_profile("b", {"uri": "http://new:19530", "tls": {"server_name": "n"}})
    assert editor.text == TEXT.replace(
        'uri = "http://b:19530"\n\n[profiles.b.tls]\nsecure = true\n',
        'uri = "http://new:19530"\n\n[profiles.b.tls]\nserver_name = "n"\n',
    )


def test_add_appends_and_quotes_names() -> None:
    editor = edited()
    editor.set_profile("new one", {"uri": "./n.db", "timeout": 2.0})
    assert editor.text == TEXT + '\n[profiles."new one"]\nuri = "./n.db"\ntimeout = 2.0\n'


def test_default_is_replaced_in_place_removed_and_inserted_above_the_tables() -> None:
    editor = edited()
    editor.set_default("c")
    assert editor.text == TEXT.replace('default = "a"  # the usual one', 'default = "c"  # the usual one')
    assert editor.remove_default()
    assert editor.text == TEXT.replace('default = "a"  # the usual one\n', "")
    editor.set_default("b")
    assert editor.text == TEXT.replace('default = "a"  # the usual one\n', '\ndefault = "b"\n')
    assert not edited("").remove_default()


def test_an_empty_file() -> None:
    editor = edited("")
    editor.set_profile("dev", {"uri": "http://h:19530"})
    editor.set_default("dev")
    assert editor.text == 'default = "dev"\n\n[profiles.dev]\nuri = "http://h:19530"\n'
    editor.remove_profile("dev")
    editor.remove_default()
    assert editor.text == ""


def test_windows_line_endings_stay() -> None:
    editor = edited(TEXT.replace("\n", "\r\n"))
    editor.set_profile("d", {"uri": "./d.db"})
    editor.remove_profile("a")
    assert "\n" not in editor.text.replace("\r\n", "")


def test_inline_tables_and_dotted_keys_go_through_tomlkit() -> None:
    inline = edited("profiles = {a = {uri = './a.db'}, b = {uri = './b.db'}}\n")
    inline.remove_profile("a")
    inline.set_profile("c", {"uri": "./c.db"})
    assert inline.data == {"profiles": {"b": {"uri": "./b.db"}, "c": {"uri": "./c.db"}}}
    dotted = edited("[profiles]\na.uri = './a.db'\nb.uri = './b.db'\n")
    dotted.remove_profile("a")
    assert dotted.text == "[profiles]\nb.uri = './b.db'\n"


def test_a_file_that_is_not_toml_is_not_rewritten(tmp_path: Path) -> None:
    path = write(tmp_path / "milvus.toml", "[profiles.a\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        ProfileEditor.open(path)


def test_write_atomic_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = write(tmp_path / "milvus.toml", "old\n")
    path.chmod(0o640)
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["milvus.toml", "work"]


def test_a_private_new_file_and_folder(tmp_path: Path) -> None:
    path = tmp_path / "config" / "milvus-profiles" / "profiles.toml"
    write_atomic(path, "x\n", private=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_symlink_stays_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles" / "profiles.toml", "old\n")
    link = tmp_path / "profiles.toml"
    link.symlink_to(real)
    write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "new\n"


def test_a_write_that_fails_is_a_config_error(tmp_path: Path) -> None:
    blocker = write(tmp_path / "blocker", "a file where a folder should be\n")
    with pytest.raises(ConfigError) as caught:
        write_atomic(blocker / "milvus.toml", "x\n")
    assert caught.value.message.startswith(f"{blocker / 'milvus.toml'}: cannot write the file: ")
    assert caught.value.hint == f"check that {blocker} exists and is writable"


def test_add_line(tmp_path: Path) -> None:
    path = tmp_path / ".gitignore"
    assert add_line(path, "milvus.local.toml")
    assert not add_line(path, "milvus.local.toml")
    assert path.read_text(encoding="utf-8") == "milvus.local.toml\n"
    other = write(tmp_path / "other", "/milvus.local.toml")
    assert not add_line(other, "milvus.local.toml", equivalent=["/milvus.local.toml"])


def test_replacing_the_last_profile_keeps_the_blank_line_above_it() -> None:
    text = '# notes about the whole file\n\n[profiles.p]\nuri = "http://a:19530"\n'
    editor = edited(text)
    editor.set_profile("p", {"uri": "http://b:19530"})
    assert editor.text == text.replace("http://a:19530", "http://b:19530")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n",
        "\n\n  \n",
        "  \t",
        "\r\n\r\n",
        "# only a comment",
        '[profiles.a]\nuri = "./a.db"',
        '[profiles.a]\nuri = "./a.db"\n\n\n',
        '[profiles.a]\nuri = "./a.db"\n   ',
        'default = "a"\r\n[profiles.a]\r\nuri = "./a.db"',
    ],
)
def test_adding_then_removing_a_profile_gives_back_the_same_bytes(text: str) -> None:
    editor = edited(text)
    editor.set_profile("new", {"uri": "http://h:19530"})
    editor.remove_profile("new")
    assert editor.text == text


def test_an_edit_adds_no_final_newline_where_there_was_none() -> None:
    editor = edited('[profiles.a]\nuri = "./a.db"')
    editor.set_profile("b", {"uri": "./b.db"})
    assert editor.text == '[profiles.a]\nuri = "./a.db"\n\n[profiles.b]\nuri = "./b.db"'
    editor.set_profile("b", {"uri": "./c.db"})
    assert editor.text == '[profiles.a]\nuri = "./a.db"\n\n[profiles.b]\nuri = "./c.db"'
    editor.set_default("a")
    assert editor.text == 'default = "a"\n\n[profiles.a]\nuri = "./a.db"\n\n[profiles.b]\nuri = "./c.db"'


def test_a_byte_order_mark_is_read_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "milvus.toml"
    path.write_bytes(b'\xef\xbb\xbf[profiles.a]\nuri = "./a.db"\n')
    editor = ProfileEditor.open(path)
    editor.set_profile("b", {"uri": "./b.db"})
    editor.save()
    assert path.read_bytes() == b'\xef\xbb\xbf[profiles.a]\nuri = "./a.db"\n\n[profiles.b]\nuri = "./b.db"\n'


def test_new_files_get_0644_or_0600_whatever_the_umask(isolated: Path) -> None:
    previous = os.umask(0o000)
    try:
        write_atomic(isolated / "milvus.toml", "")
        write_atomic(isolated / "private.toml", "", private=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((isolated / "milvus.toml").stat().st_mode) == 0o644
    assert stat.S_IMODE((isolated / "private.toml").stat().st_mode) == 0o600


def test_an_edit_keeps_the_mode_and_refuses_a_read_only_file(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", "# mine\n")
    path.chmod(0o640)
    write_atomic(path, "# changed\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    path.chmod(0o444)
    with pytest.raises(ConfigError) as e:
        write_atomic(path, "# lost\n")
    assert e.value.reason == "the file is read-only; it is left as it is"
    assert path.read_text() == "# changed\n"


def test_a_file_tomlkit_would_write_back_otherwise_is_refused_not_reformatted() -> None:
    text = 'when = { day = 1979-05-27 }\n\n[profiles.a]\nuri = "./a.db"\n'
    editor = edited(text)
    if tomlkit.parse(text).as_string() == text:  # a tomlkit that writes it back as it was
        editor.set_key("a", ("timeout",), 5)
        assert editor.text == text.replace('"./a.db"\n', '"./a.db"\ntimeout = 5\n')
        return
    with pytest.raises(ConfigError, match="cannot edit this file without changing more than asked"):
        editor.set_key("a", ("timeout",), 5)
    assert editor.text == text


def test_removing_a_default_on_the_first_line_leaves_no_blank_line_at_the_start() -> None:
    editor = edited('default = "a"\n\n[profiles.a]\nuri = "./a.db"\n')
    assert editor.remove_default()
    assert editor.text == '[profiles.a]\nuri = "./a.db"\n'


def test_a_profile_written_as_a_sub_table_only_is_replaced_where_it_stands() -> None:
    text = (
        'default = "dev"\n\n# mine\n[profiles.local.tls]\nsecure = true\n\n[profiles.dev]\nuri = "./d.db"\n'
    )
    editor = edited(text)
    editor.set_profile("local", {"uri": "./l.db"})
    assert editor.text == text.replace(
        "[profiles.local.tls]\nsecure = true", '[profiles.local]\nuri = "./l.db"'
    )


def test_a_value_the_editor_cannot_write_as_asked_is_refused_with_a_typed_error(tmp_path: Path) -> None:
    # found by the hostile-file property: an array of tables inside a profile's table
    editor = ProfileEditor(tmp_path / "milvus.toml")
    with pytest.raises(ConfigError, match="cannot edit this file without changing more than asked"):
        editor.set_profile("dev", {"tls": [{}]})
    assert editor.text == ""
