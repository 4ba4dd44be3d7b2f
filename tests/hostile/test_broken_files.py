"""Files no one means to write, and places no file should be: each gives a typed error that says where,
never a traceback from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from milvus_profiles import ConfigError, resolve
from milvus_profiles.cli import main
from milvus_profiles.config import toml
from milvus_profiles.config.toml import MAX_FILE_SIZE

from .strategies import SECRET

UNKNOWN_USER = "no-such-user-7f1c"
TOO_LARGE_HINT = "is this the right file? check --file and MILVUS_PROFILES_FILE"
NESTING_HINT = "a profile file needs no more than three levels: [profiles.NAME.tls]"


@pytest.fixture(autouse=True)
def repository(isolated: Path) -> Path:
    """The working folder is a repository root, so discovery never looks above the test's folder."""
    (isolated / ".git").mkdir()
    return isolated


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    toml.clear_cache()
    result = CliRunner().invoke(main, list(args), env=env)
    assert "Traceback" not in result.output
    return result


def assert_refused(result: Result, message: str, hint: str | None = None) -> None:
    """The command stopped with a configuration error (exit 3) and exactly this message."""
    assert (result.exit_code, result.stderr) == (
        3,
        f"error: {message}\n" + (f"hint: {hint}\n" if hint else ""),
    )


def resolve_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        resolve(files=[path])
    return str(caught.value)


# Bytes that are not a profile file.


def test_invalid_utf8_names_the_line_and_byte(repository: Path) -> None:
    path = repository / "milvus.toml"
    path.write_bytes(b'default = "dev"\n[profiles.dev]\nuri = "http://h\xff:19530"\n')
    message = f"{path}:3: not valid UTF-8 (byte 46)"
    assert resolve_error(path) == f"{message}\nhint: save the file as UTF-8"
    assert_refused(run("show"), message, "save the file as UTF-8")
    assert_refused(run("add", "x", "--uri", "http://x:19530"), message, "save the file as UTF-8")
    assert path.read_bytes().endswith(b'"http://h\xff:19530"\n')


def test_a_50_mb_file_is_refused_before_it_is_read(repository: Path) -> None:
    path = repository / "milvus.toml"
    line = b"# " + b"x" * 97 + b"\n"
    with path.open("wb") as f:
        f.write(b'[profiles.dev]\nuri = "http://h:19530"\n')
        for _ in range(50 * 1024 * 1024 // len(line) // 1024 + 1):
            f.write(line * 1024)
    size = path.stat().st_size / 2**20
    message = f"{path}: is {size:.1f} MB, too large for a profile file (the limit is 1 MB)"
    assert message.startswith(f"{path}: is 50.")
    assert resolve_error(path) == f"{message}\nhint: {TOO_LARGE_HINT}"
    assert_refused(run("list"), message, TOO_LARGE_HINT)
    assert_refused(run("add", "x", "--uri", "http://x:19530"), message, TOO_LARGE_HINT)
    assert path.stat().st_size / 2**20 == size


def test_a_file_at_the_size_limit_is_read(repository: Path) -> None:
    path = repository / "milvus.toml"
    head = b'default = "dev"\n[profiles.dev]\nuri = "http://h:19530"\n'
    path.write_bytes(head + b"#" * (MAX_FILE_SIZE - len(head) - 1) + b"\n")
    assert path.stat().st_size == MAX_FILE_SIZE
    assert resolve(files=[path]).uri == "http://h:19530"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_file_is_refused_unread(repository: Path) -> None:
    message = "/dev/zero: is a character device, not a profile file"
    assert_refused(run("list", env={"MILVUS_PROFILES_FILE": "/dev/zero"}), message, TOO_LARGE_HINT)


@pytest.mark.parametrize(
    "value",
    ["{a = " * 10_000 + "1" + "}" * 10_000, "[" * 10_000 + "1" + "]" * 10_000],
    ids=["inline tables", "arrays"],
)
def test_10000_levels_of_nesting_are_refused(repository: Path, value: str) -> None:
    path = repository / "milvus.toml"
    path.write_text(f"[profiles.dev]\nuri = {value}\n")
    message = f"{path}: tables or arrays nest too deeply to read"
    assert resolve_error(path) == f"{message}\nhint: {NESTING_HINT}"
    assert_refused(run("show"), message, NESTING_HINT)
    assert_refused(run("set-default", "dev"), message, NESTING_HINT)
    checked = run("check")
    assert (checked.exit_code, checked.stdout) == (
        1,
        "milvus.toml: tables or arrays nest too deeply to read\n"
        f"    hint: {NESTING_HINT}\n"
        "1 problem in 1 file\n",
    )


def test_a_line_of_200000_blanks_is_read_at_once(repository: Path) -> None:
    # A key pattern that matched such a line in cubic time hung here for hours; the timeout only
    # stops a hung test, it measures nothing.
    path = repository / "milvus.toml"
    path.write_text('default = "dev"\n' + " " * 200_000 + "\n[profiles.dev]\n" + "\t" * 200_000 + "\n")
    code = "import sys; from milvus_profiles import resolve; print(resolve(files=[sys.argv[1]]).name)"
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout == "dev\n"


# Places where a profile file should be, holding something else.


def test_a_milvus_toml_that_links_to_itself(repository: Path) -> None:
    path = repository / "milvus.toml"
    path.symlink_to(path)
    message = f"{path}: cannot read the profile file: Too many levels of symbolic links"
    assert resolve_error(path) == message
    assert_refused(run("list"), message)
    assert_refused(run("show"), message)


def test_a_link_loop_above_the_working_folder(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repository / "a.toml").symlink_to(repository / "b.toml")
    (repository / "b.toml").symlink_to(repository / "a.toml")
    (repository / "milvus.toml").symlink_to(repository / "a.toml")
    (repository / "src" / "pkg").mkdir(parents=True)
    monkeypatch.chdir(repository / "src" / "pkg")
    message = f"{repository / 'milvus.toml'}: cannot read the profile file: Too many levels of symbolic links"
    assert_refused(run("list"), message)


def test_a_working_folder_reached_through_a_folder_link_loop(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repository / "milvus.toml").write_text('default = "dev"\n[profiles.dev]\nuri = "http://h:19530"\n')
    (repository / "loop").symlink_to(repository)  # loop/loop/loop/... is the repository again
    (repository / "inner").mkdir()
    monkeypatch.chdir(repository / "loop" / "loop" / "loop" / "inner")
    assert resolve().name == "dev"
    listed = run("list")
    assert listed.exit_code == 0
    assert "dev" in listed.stdout


def test_a_dangling_link(repository: Path) -> None:
    path = repository / "milvus.toml"
    path.symlink_to(repository / "shared" / "team.toml")
    message = f"{path}: is a symbolic link to {repository / 'shared' / 'team.toml'}, which does not exist"
    assert_refused(run("list"), message, "fix or remove the link")


def test_a_folder_named_milvus_toml(repository: Path) -> None:
    path = repository / "milvus.toml"
    path.mkdir()
    message = f"{path}: is a folder, not a profile file"
    assert resolve_error(path) == f"{message}\nhint: rename or remove the folder"
    assert_refused(run("list"), message, "rename or remove the folder")
    assert_refused(run("add", "dev", "--uri", "http://h:19530"), message, "rename or remove the folder")
    assert path.is_dir()


def test_milvus_profiles_file_naming_a_missing_file(repository: Path) -> None:
    missing = repository / "nowhere" / "profiles.toml"
    message = f"{missing}: profile file not found"
    hint = "create it with `milvus-profiles init`, or fix the path given by --file or MILVUS_PROFILES_FILE"
    for command in ("list", "show", "env"):
        assert_refused(run(command, env={"MILVUS_PROFILES_FILE": str(missing)}), message, hint)


def test_a_path_with_a_nul_character(repository: Path) -> None:
    path = repository / "bad\x00name.toml"
    message = f"{path}: cannot read the profile file: the path contains a NUL character"
    # shown escaped, like every control character the command line prints
    assert_refused(run("--file", str(path), "list"), message.replace("\x00", "\\x00"))


def test_a_working_folder_that_was_deleted(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = repository / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    message = "the working folder no longer exists, so no milvus.toml can be looked for above it"
    hint = "change to an existing folder, or name the file with --file or MILVUS_PROFILES_FILE"
    assert_refused(run("list"), message, hint)
    with pytest.raises(ConfigError) as caught:
        resolve()
    assert str(caught.value) == f"{message}\nhint: {hint}"


# Files the writers must refuse to change.


def test_adding_a_value_that_is_not_utf8(repository: Path) -> None:
    # What the shell hands Python for the bytes b"http://h\xff:19530"
    result = run("add", "dev", "--uri", "http://h\udcff:19530")
    assert_refused(
        result,
        "--uri: not valid UTF-8 text",
        "give the value in UTF-8, the encoding profile files are written in",
    )
    assert not (repository / "milvus.toml").exists()


def test_adding_to_a_file_whose_profiles_is_not_a_table(repository: Path) -> None:
    path = repository / "milvus.toml"
    path.write_text('# team file\nprofiles = "dev"\n')
    result = run("add", "dev", "--uri", "http://h:19530")
    assert_refused(
        result,
        f"{path}:2: profiles must be a table of profiles",
        "write each profile as a table [profiles.NAME]",
    )
    assert path.read_text() == '# team file\nprofiles = "dev"\n'


@pytest.mark.parametrize("option", ["--uri", "--tls-ca-pem"])
def test_adding_a_path_in_the_home_of_an_unknown_user(repository: Path, option: str) -> None:
    (repository / "sub").mkdir()
    value = f"~{UNKNOWN_USER}/data/milvus.db"
    args = ["add", "dev", "--uri", "http://h:19530", option, value]
    if option == "--uri":
        args = ["add", "dev", "--uri", value]
    assert_refused(
        run(*args),
        f"{option}: cannot expand '~{UNKNOWN_USER}': there is no such user",
        "write the path without ~, or with the home folder written out",
    )
    assert not (repository / "milvus.toml").exists()


# Bugs in modules owned elsewhere; each test passes once its fix is in (see the reason).


def test_resolving_a_path_in_the_home_of_an_unknown_user(repository: Path) -> None:
    path = repository / "milvus.toml"
    path.write_text(f'default = "dev"\n[profiles.dev]\nuri = "~{UNKNOWN_USER}/milvus.db"\n')
    assert resolve_error(path).startswith(f"{path}:3: profiles.dev.uri: ")


def test_checking_a_certificate_in_the_home_of_an_unknown_user(repository: Path) -> None:
    (repository / "milvus.toml").write_text(
        f'[profiles.dev]\nuri = "https://h"\n[profiles.dev.tls]\nca_pem_path = "~{UNKNOWN_USER}/ca.pem"\n'
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("milvus.toml:4: profiles.dev.tls.ca_pem_path: ")


def test_listing_a_profile_with_a_date_as_json(repository: Path) -> None:
    (repository / "milvus.toml").write_text("[profiles.dev]\ndb_name = 1979-05-27\n")
    result = run("list", "--json")
    assert result.exit_code == 0
    assert '"db_name": "1979-05-27"' in result.stdout


def test_listing_a_user_that_is_not_a_string(repository: Path) -> None:
    (repository / "milvus.toml").write_text('[profiles.dev]\nuri = "http://h:19530"\nuser = ["root"]\n')
    result = run("list")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].split()[:5] == ["!", "dev", "http://h:19530", "-", "['root']"]


def test_checking_an_extends_that_is_not_a_name(repository: Path) -> None:
    (repository / "milvus.toml").write_text('[profiles.dev]\nuri = "http://h:19530"\nextends = []\n')
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.startswith("milvus.toml:3: profiles.dev.extends: ")


def test_an_unparsable_uri_never_shows_its_password(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_URI", f"http://root:{SECRET}@h\uff03x:19530")
    with pytest.raises(ConfigError) as caught:
        resolve()
    assert SECRET not in str(caught.value)


def test_resolving_a_path_with_a_nul_character(repository: Path) -> None:
    path = repository / "bad\x00name.toml"
    assert resolve_error(path) == f"{path}: cannot read the profile file: the path contains a NUL character"
