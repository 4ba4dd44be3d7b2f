"""What chose the route of a withheld secret, as its error names it: an untrusted file's ``default``, a
``.env``'s ``MILVUS_PROFILE``, a ``.env`` variable expanded into a route key, a profile a changed one
extends. Written to kill the mutants of ``scripts/mutate`` in secrets/chain.py that survived the rest of
the suite (see docs/testing.md, "Mutation testing")."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from milvus_profiles import SecretWithheldError, resolve
from milvus_profiles.config import toml

from ..helpers import SENTINEL, MemoryKeyring, trusted, write

SERVICE = "milvus-profiles"
MINE = "http://mine:19530"
UNTRUSTED = "a project file you have not trusted yet (one you wrote, or a cloned repository's)"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")


@pytest.fixture
def own_profile(isolated: Path, user_file: Path, memory_keyring: MemoryKeyring) -> Path:
    """Your profile `dev` in your user file, with its password in the keyring."""
    write(user_file, f'[profiles.dev]\nuri = "{MINE}"\nuser = "alice"\n').chmod(0o600)
    memory_keyring.store[(SERVICE, f"alice@{MINE}")] = SENTINEL
    return user_file


@pytest.fixture
def no_other_dotenv(monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    """The `.env` search starts in the work folder only (no script's or pymilvus's folder above)."""
    monkeypatch.setitem(sys.modules, "pymilvus", None)  # so find_spec finds no pymilvus folder
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)
    monkeypatch.setenv("PWD", str(isolated))


def withheld(profile: str | None = None) -> SecretWithheldError:
    toml.clear_cache()
    cfg = resolve(profile)
    assert cfg.password is None
    assert isinstance(cfg.secret_error, SecretWithheldError)
    return cfg.secret_error


def test_a_profile_chosen_by_an_untrusted_files_default_gets_no_secret_and_the_error_names_that_line(
    isolated: Path, own_profile: Path
) -> None:
    project = write(isolated / "milvus.toml", '# theirs\ndefault = "dev"\n')
    error = withheld()
    assert (error.key, error.path, error.line, error.method) == ("default", project, 2, "keyring")
    assert error.message == (
        f"profile dev: no stored secret is sent to this connection, because its default comes from "
        f"{project}:2 (default), {UNTRUSTED}"
    )
    password = resolve("dev").password  # named by you, your profile gets its secret
    assert password is not None
    assert password.get_secret_value() == SENTINEL


def test_an_untrusted_default_whose_line_is_unknown_is_named_by_its_file(
    isolated: Path, own_profile: Path
) -> None:
    from milvus_profiles.config.catalog import Setting
    from milvus_profiles.config.toml import ProfileFile
    from milvus_profiles.config.trust import FileTrust
    from milvus_profiles.secrets.chain import Untrusted, route_of

    path = isolated / "milvus.toml"
    # a file whose text no longer shows where the key is (as for a key spelled with escapes)
    pf = ProfileFile(path, {"default": "dev"}, "")
    verdict = FileTrust(path, "project", False, "a project file you have not trusted")
    route = route_of(
        {},
        lambda _: verdict,
        {},
        {},
        uri_from_env=False,
        profile_from_env=False,
        default=(Setting("dev", pf, "dev", ("default",)), verdict),
    )
    assert route == (Untrusted("default", f"{path} (default)", None, verdict),)


def test_a_profile_chosen_by_a_dotenvs_milvus_profile_gets_no_secret_and_the_error_names_that_line(
    isolated: Path, own_profile: Path, monkeypatch: pytest.MonkeyPatch, no_other_dotenv: None
) -> None:
    dotenv = write(isolated / ".env", "# theirs\nMILVUS_PROFILE=dev\n")
    monkeypatch.setenv("MILVUS_PROFILE", "dev")  # as pymilvus's load_dotenv() set it
    error = withheld()
    assert (error.key, error.path, error.line) == ("profile", dotenv, 2)
    assert error.message.startswith(
        "profile dev: no stored secret is sent to this connection, because its profile comes from "
        f"{dotenv}:2 (MILVUS_PROFILE), "
    )
    assert "milvus-profiles trust .env" in (error.hint or "")


def test_a_dotenv_variable_expanded_into_the_uri_withholds_the_secret_and_both_places_are_named(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch, no_other_dotenv: None
) -> None:
    write(user_file, '[profiles.dev]\nuser = "alice"\nuri = "http://${MILVUS_HOST}:19530"\n').chmod(0o600)
    dotenv = write(isolated / ".env", "MILVUS_HOST=theirs\n")
    monkeypatch.setenv("MILVUS_HOST", "theirs")
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    error = withheld("dev")
    assert (error.key, error.path, error.line, error.method) == ("uri", dotenv, 1, "env")
    assert error.message.startswith(
        "profile dev: MILVUS_PASSWORD is set but not sent to this connection, because its uri comes from "
        f"{dotenv}:1 (MILVUS_HOST), expanded in {user_file}:3 [profiles.dev], "
    )
    assert SENTINEL not in str(error)


def test_every_untrusted_part_of_the_route_is_kept_not_only_the_last_found(
    isolated: Path, user_file: Path, monkeypatch: pytest.MonkeyPatch, no_other_dotenv: None
) -> None:
    write(user_file, '[profiles.dev]\nuser = "alice"\nuri = "http://${MILVUS_HOST}:19530"\n').chmod(0o600)
    project = write(isolated / "milvus.toml", '[profiles.dev.tls]\nserver_name = "theirs"\n')
    write(isolated / ".env", "MILVUS_HOST=theirs\n")
    monkeypatch.setenv("MILVUS_HOST", "theirs")
    cfg = resolve("dev")
    assert cfg.route is not None
    assert [(u.key, u.line) for u in cfg.route] == [("tls.server_name", 2), ("uri", 1)]
    assert cfg.route[0].where == f"{project}:2 (profiles.dev.tls.server_name)"


BASE = (
    'default = "dev"\n[profiles.base]\nuri = "http://base:19530"\n[profiles.dev]\nuri = "http://dev:19530"\n'
)


def test_every_route_value_of_a_profile_chosen_by_a_changed_default_is_named(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    project = trusted(write(isolated / "milvus.toml", BASE))
    write(project, BASE.replace('default = "dev"', 'default = "base"'))
    toml.clear_cache()
    cfg = resolve()
    assert cfg.name == "base"
    assert cfg.route is not None
    assert [(u.key, u.line) for u in cfg.route] == [("uri", 3), ("default", 1)]
    assert cfg.secret_error is not None
    assert cfg.secret_error.message.startswith(
        f"profile base: MILVUS_PASSWORD is set but not sent to this connection, because its uri comes from "
        f"{project}:3 (profiles.base.uri), changed since you trusted it: default changed (now base)"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('extends = "base"\n', 'extends = "base"\n'),  # the profile it extends changed where it goes
        ('extends = "other"\n', 'extends = "base"\n'),  # it now extends another, unchanged profile
    ],
)
def test_a_value_inherited_by_a_profile_whose_route_changed_is_not_trusted(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, before: str, after: str
) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    text = (
        '[profiles.base]\nuser = "alice"\nuri = "http://base:19530"\n[profiles.other]\nuri = "http://o:1"\n'
    )
    project = trusted(write(isolated / "milvus.toml", text + "[profiles.dev]\n" + before))
    changed = text.replace("base:19530", "theirs:19530") if before == after else text
    write(project, changed + "[profiles.dev]\n" + after)
    error = withheld("dev")
    assert (error.key, error.path, error.line) == ("uri", project, 3)  # base's uri
    assert "changed since you trusted it" in error.message
