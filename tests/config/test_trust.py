"""The trust of profile files: whose file is trusted, what ends the trust of a project file, and what
keeps it. Written to kill the mutants of ``scripts/mutate`` in config/trust.py that survived the rest of
the suite (see docs/testing.md, "Mutation testing")."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from milvus_profiles import SecretWithheldError, resolve
from milvus_profiles.cli import main
from milvus_profiles.config import toml, trust

from ..helpers import SENTINEL, trusted, write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")

BASE = (
    'default = "dev"\n'
    "[profiles.base]\n"
    'uri = "http://base:19530"\n'
    "[profiles.dev]\n"
    'uri = "http://dev:19530"\n'
    'user = "alice"\n'
    'db_name = "analytics"\n'
    "timeout = 10\n"
    "[profiles.dev.tls]\n"
    'server_name = "dev.internal"\n'
    "[profiles.dev.grpc]\n"
    '"grpc.keepalive_time_ms" = 10000\n'
)


@pytest.fixture
def project(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    return trusted(write(isolated / "milvus.toml", BASE))


def sent(profile: str = "dev") -> bool:
    """Whether the stored secret (MILVUS_PASSWORD) is released to the profile's connection."""
    toml.clear_cache()  # a rewritten file of the same size, within one tick of the clock
    cfg = resolve(profile)
    return cfg.password is not None and cfg.password.get_secret_value() == SENTINEL


def why(path: Path) -> trust.FileTrust:
    return trust.assess(toml.read_file(path), "project")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('db_name = "analytics"', 'db_name = "other"'),
        ("timeout = 10", "timeout = 30"),
        ("[profiles.base]\n", "# a comment\n[profiles.base]\n"),
    ],
)
def test_a_change_that_routes_nothing_keeps_the_trust(project: Path, old: str, new: str) -> None:
    assert sent()
    write(project, BASE.replace(old, new))
    assert sent()
    assert why(project).trusted


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (
            'uri = "http://dev:19530"',
            'uri = "http://evil:19530"',
            "profiles.dev.uri changed (now http://evil:19530)",
        ),
        ('user = "alice"', 'user = "mallory"', "profiles.dev.user changed"),
        ('user = "alice"\n', 'user = "alice"\nextends = "base"\n', "profiles.dev.extends added (now base)"),
        ('user = "alice"\n', 'user = "alice"\npassword = { env = "X" }\n', "profiles.dev.password added"),
        ('user = "alice"\n', 'user = "alice"\ntoken = { env = "X" }\n', "profiles.dev.token added"),
        ('server_name = "dev.internal"', 'server_name = "evil"', "profiles.dev.tls.server_name changed"),
        ('server_name = "dev.internal"\n', "", "profiles.dev.tls.server_name removed"),
        ("= 10000", "= 20000", 'profiles.dev.grpc."grpc.keepalive_time_ms" changed'),
        ('default = "dev"', 'default = "base"', "default changed (now base)"),
        (
            'uri = "http://base:19530"',
            'uri = "http://evil:19530"',
            "profiles.base.uri changed (now http://evil:19530)",
        ),
    ],
)
def test_a_change_to_where_a_secret_goes_ends_the_trust_and_names_the_key(
    project: Path, old: str, new: str, changed: str
) -> None:
    write(project, BASE.replace(old, new))
    verdict = why(project)
    assert not verdict.trusted
    assert verdict.why == f"changed since you trusted it: {changed}"
    assert verdict.fix == (
        "review the change (`git diff ORIG_HEAD -- milvus.toml`), then run "
        "`milvus-profiles trust milvus.toml` again"
    )
    # trust is kept per profile: dev named explicitly is withheld only when dev itself changed
    assert sent() is not changed.startswith("profiles.dev")
    trusted(project)
    assert why(project).trusted


def test_a_profile_chosen_by_a_changed_default_is_not_trusted(project: Path) -> None:
    write(project, BASE.replace('default = "dev"', 'default = "base"'))
    toml.clear_cache()
    cfg = resolve()
    assert cfg.name == "base"
    assert cfg.password is None
    assert isinstance(cfg.secret_error, SecretWithheldError)
    assert "default changed (now base)" in cfg.secret_error.message
    assert sent("base")  # named explicitly, the unchanged base is trusted


def test_a_profile_that_is_not_a_table_is_part_of_the_route(project: Path) -> None:
    trusted(write(project, BASE.replace("[profiles.base]", "[profiles]\nodd = 1\n[profiles.base]")))
    write(project, BASE.replace("[profiles.base]", '[profiles]\nodd = "text"\n[profiles.base]'))
    assert why(project).why == "changed since you trusted it: profiles.odd changed"


def test_a_tls_or_grpc_value_that_is_not_a_table_counts_too(project: Path) -> None:
    trusted(write(project, '[profiles.dev]\ntls = true\ngrpc = "x"\ndb_name = "a"\n'))
    write(project, '[profiles.dev]\ntls = false\ngrpc = "y"\ndb_name = "b"\n')
    assert why(project).why == (
        "changed since you trusted it: profiles.dev.grpc changed, profiles.dev.tls changed"
    )


def test_only_digests_are_recorded(project: Path) -> None:
    record = trust.store_path().read_text(encoding="utf-8")
    assert "dev.internal" not in record
    assert "http://dev" not in record
    assert (trust.store_path().stat().st_mode & 0o777) == 0o600
    files = json.loads(record)["files"]
    assert list(files) == [os.path.realpath(project)]
    assert set(files[os.path.realpath(project)]["routing"]) == {
        "default",
        "profiles.base.uri",
        "profiles.dev.uri",
        "profiles.dev.user",
        "profiles.dev.tls.server_name",
        'profiles.dev.grpc."grpc.keepalive_time_ms"',
    }


def test_an_untrusted_project_file_and_what_fixes_it(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    path = write(isolated / "milvus.toml", BASE)
    verdict = why(path)
    assert not verdict.trusted
    assert verdict.kind == "project"
    assert verdict.fix == "read it, then run `milvus-profiles trust milvus.toml`"
    assert not sent()
    trusted(path)
    assert sent()
    assert re.fullmatch(r"trusted on \d{4}-\d\d-\d\d \d\d:\d\d UTC", why(path).why)


def test_the_user_file_and_named_files_are_yours(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    write(user_file, BASE).chmod(0o600)
    assert trust.kind_of(user_file, explicit=False) == "user"
    assert trust.kind_of(user_file, explicit=True) == "user"
    assert trust.assess(toml.read_file(user_file), "user").why == "your user file"
    assert sent()
    named = write(isolated / "elsewhere" / "team.toml", BASE)
    assert trust.kind_of(named, explicit=True) == "named"
    assert trust.kind_of(named, explicit=False) == "project"
    cfg = resolve("dev", files=[named])
    assert cfg.password is not None
    assert trust.assess(toml.read_file(named), "named").why == (
        "named with --file, files= or MILVUS_PROFILES_FILE"
    )


def test_a_trusted_file_others_can_write_is_not_trusted(project: Path) -> None:
    project.chmod(0o666)
    verdict = why(project)
    assert not verdict.trusted
    assert verdict.why == (
        "the file is writable by other users, so whoever can change it could send your secret elsewhere"
    )
    assert verdict.fix == f"chmod o-w {project}"
    assert not sent()


def test_a_file_others_can_write_cannot_be_trusted(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", BASE)
    path.chmod(0o666)
    found = trust.trust(toml.read_file(path))
    assert [p.problem for p in found] == ["the file is writable by other users"]
    assert not trust.store_path().exists()
    path.chmod(0o644)
    assert trust.trust(toml.read_file(path)) == []
    assert why(path).trusted


def test_the_user_files_folders_up_to_home_count(
    isolated: Path, tmp_path: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    write(user_file, BASE).chmod(0o600)
    assert trust.boundary_of(user_file, "user") == tmp_path
    assert trust.boundary_of(user_file, "project") == user_file.parent
    assert sent()
    config = tmp_path / "config"
    config.chmod(0o777)  # between home and the file: others could replace the folder below
    try:
        verdict = trust.assess(toml.read_file(user_file), "user")
        assert not verdict.trusted
        assert verdict.fix == f"chmod o-w {config}"
        assert not sent()
    finally:
        config.chmod(0o755)


def test_a_user_file_outside_home_is_checked_up_to_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write(tmp_path / "other" / "profiles.toml", BASE)
    assert trust.boundary_of(path, "user") == path.parent


def test_untrust(project: Path) -> None:
    assert trust.untrust(project) is True
    assert not why(project).trusted
    assert not sent()
    assert trust.untrust(project) is False
    assert list(trust.trusted_files()) == []


def test_the_list_of_trusted_files(project: Path) -> None:
    [(path, when)] = list(trust.trusted_files())
    assert path == Path(os.path.realpath(project))
    assert when.endswith(" UTC")


def test_an_unreadable_record_trusts_nothing(project: Path) -> None:
    for text in ("{not json", '{"files": []}', "[]", '{"files": {"x": 1}}'):
        trust.store_path().write_text(text, encoding="utf-8")
        assert not why(project).trusted, text
        assert not sent()
    trusted(project)
    assert sent()


def test_a_record_changed_by_another_process_is_read_again(project: Path) -> None:
    assert why(project).trusted
    other = json.loads(trust.store_path().read_text(encoding="utf-8"))
    other["files"] = {}
    trust.store_path().write_text(json.dumps(other) + "   ", encoding="utf-8")  # another size
    assert not why(project).trusted


def edit(*args: str) -> None:
    result = CliRunner().invoke(main, list(args), prog_name="milvus-profiles")
    assert result.exit_code == 0, result.output


def test_an_edit_made_here_keeps_the_trust_of_a_trusted_file(project: Path) -> None:
    edit("set", "dev", "uri", "http://moved:19530")
    assert why(project).trusted
    assert resolve("dev").uri == "http://moved:19530"
    assert sent()


def test_an_edit_made_here_does_not_trust_an_untrusted_file(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    path = write(isolated / "milvus.toml", BASE)
    edit("set", "dev", "db_name", "other")
    assert not why(path).trusted
    assert not sent()


def test_an_edit_after_someone_else_changed_the_route_does_not_trust_their_change(project: Path) -> None:
    write(project, BASE.replace("http://dev:19530", "http://evil:19530"))
    edit("set", "dev", "db_name", "other")
    assert not why(project).trusted
    assert not sent()


def test_an_edit_of_a_trusted_file_others_can_write_does_not_trust_it_again(project: Path) -> None:
    project.chmod(0o666)
    edit("set", "dev", "uri", "http://moved:19530")
    project.chmod(0o644)
    # the record was not renewed from a file anyone could have changed: it still holds the old route
    verdict = why(project)
    assert not verdict.trusted
    assert verdict.why == "changed since you trusted it: profiles.dev.uri changed (now http://moved:19530)"


def test_a_file_made_here_is_trusted(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    (isolated / ".git").mkdir()
    edit("init")
    path = isolated / "milvus.toml"
    assert path.exists()
    assert why(path).trusted
    edit("add", "dev", "--uri", "http://made:19530", "--user", "alice", "--scope", "project")
    assert why(path).trusted
    assert sent()


def test_an_edit_of_the_user_file_records_nothing(user_file: Path) -> None:
    write(user_file, BASE).chmod(0o600)
    edit("set", "dev", "db_name", "other")
    assert not trust.store_path().exists()


def test_making_the_user_file_records_nothing(isolated: Path, user_file: Path) -> None:
    edit("add", "dev", "--uri", "http://made:19530", "--scope", "user")
    assert user_file.exists()
    assert not trust.store_path().exists()


def test_a_damaged_entry_of_the_record_trusts_nothing(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", '[profiles.p]\ndb_name = "x"\n')
    trusted(path)
    record = json.loads(trust.store_path().read_text(encoding="utf-8"))
    del record["files"][os.path.realpath(path)]["routing"]
    del record["files"][os.path.realpath(path)]["items"]
    trust.store_path().write_text(json.dumps(record), encoding="utf-8")
    verdict = why(path)
    assert not verdict.trusted
    assert verdict.why == "a project file you have not trusted yet (one you wrote, or a cloned repository's)"


def test_the_withheld_error_names_the_lapsed_trust(project: Path) -> None:
    write(project, BASE.replace("http://dev:19530", "http://evil:19530"))
    error = resolve("dev").secret_error
    assert isinstance(error, SecretWithheldError)
    assert "changed since you trusted it: profiles.dev.uri changed" in error.message
