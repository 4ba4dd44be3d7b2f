"""The trust record is guarded like a file that holds a secret: who can change it, what it is, one lock
for every change, and a damaged record repaired without losing what can be read of it."""

from __future__ import annotations

import json
import multiprocessing
import os
import warnings
from collections.abc import Callable
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from milvus_profiles import SecretWithheldError, resolve
from milvus_profiles.config import toml, trust
from milvus_profiles.config.toml import clear_cache
from milvus_profiles.errors import ConfigError, ProfileWarning

from ..helpers import SENTINEL, trusted, write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")

PROFILE = '[profiles.dev]\nuri = "http://dev:19530"\nuser = "alice"\n'


@pytest.fixture
def project(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)
    return trusted(write(isolated / "milvus.toml", PROFILE))


def verdict(path: Path) -> trust.FileTrust:
    clear_cache()
    return trust.assess(toml.read_file(path), "project")


def sent() -> bool:
    clear_cache()
    cfg = resolve("dev")
    return cfg.password is not None and cfg.password.get_secret_value() == SENTINEL


def recorded() -> dict[str, object]:
    files = json.loads(trust.store_path().read_text(encoding="utf-8"))["files"]
    assert isinstance(files, dict)
    return files


# ---- who can change it


def test_a_record_others_can_write_vouches_for_nothing_and_says_how_to_fix_it(project: Path) -> None:
    store = trust.store_path()
    store.chmod(0o666)
    found = verdict(project)
    assert not found.trusted
    assert found.why == f"the trust record vouches for nothing: {store}: the file is writable by other users"
    assert found.fix == f"chmod o-w {store}"
    assert not sent()
    with pytest.raises(ConfigError) as error:
        trust.trust(toml.read_file(project))
    assert error.value.hint == f"chmod o-w {store}"
    assert "others could make it vouch for their files" in error.value.message
    store.chmod(0o600)
    assert sent()


def test_a_record_in_a_folder_others_can_write_vouches_for_nothing(project: Path) -> None:
    folder = trust.store_path().parent
    assert sent()
    folder.chmod(0o777)
    try:
        assert resolve("dev").password is None  # a running process notices, without clearing a cache
        found = verdict(project)
        assert not found.trusted
        assert found.fix == f"chmod o-w {folder}"
        assert not sent()
    finally:
        folder.chmod(0o700)
    assert sent()


def test_no_record_is_made_in_a_folder_others_can_write(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", PROFILE)
    folder = trust.store_path().parent
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    try:
        with pytest.raises(ConfigError) as error:
            trust.trust(toml.read_file(path))
        assert error.value.hint == f"chmod o-w {folder}"
        assert "the folder is writable by other users" in error.value.message
        assert not trust.store_path().exists()
    finally:
        folder.chmod(0o700)


def test_a_record_owned_by_another_user_vouches_for_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.getuid() == 0:
        os.chown(trust.store_path(), 4242, 4242)
    else:  # without root no file can be given away: see what the check makes of another owner
        monkeypatch.setattr(os, "getuid", lambda: 4242)
    found = verdict(project)
    assert not found.trusted
    assert "is owned by another user" in found.why
    assert str(found.fix).startswith("sudo chown ")
    assert not sent()


# ---- what it is


def test_a_fifo_in_place_of_the_record_trusts_nothing_and_blocks_nothing(project: Path) -> None:
    store = trust.store_path()
    store.unlink()
    os.mkfifo(store, 0o600)
    found = verdict(project)  # a blocking open would wait here for a writer that never comes
    assert not found.trusted
    assert found.why == "the trust record is a FIFO (named pipe), not a trust record"
    assert found.fix == f"remove it (rm {store}), then trust your files again"
    assert not sent()
    with pytest.raises(ConfigError) as error:
        trust.trust(toml.read_file(project))
    assert error.value.message == f"{store}: the trust record is a FIFO (named pipe), not a trust record"


def test_an_oversized_record_trusts_nothing_until_trust_moves_it_aside(project: Path) -> None:
    store = trust.store_path()
    store.write_bytes(b" " * (trust.STORE_LIMIT + 1))
    assert not verdict(project).trusted
    assert not sent()
    with pytest.warns(ProfileWarning, match="moved aside to"):
        trust.trust(toml.read_file(project))
    [aside] = store.parent.glob("trusted.json.corrupt-*")
    assert aside.stat().st_size == trust.STORE_LIMIT + 1
    assert sent()


def test_an_unparseable_record_is_moved_aside_by_the_next_trust(project: Path, isolated: Path) -> None:
    store = trust.store_path()
    store.write_text("{not json", encoding="utf-8")
    assert not verdict(project).trusted
    other = write(isolated / "sub" / "milvus.toml", PROFILE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trust.trust(toml.read_file(other))
    [aside] = store.parent.glob("trusted.json.corrupt-*")
    assert aside.read_text(encoding="utf-8") == "{not json"
    assert [str(w.message) for w in caught] == [
        f"the trust record {store} cannot be parsed as a trust record; it was moved aside to "
        f"{aside}, and files trusted before must be trusted again"
    ]
    assert verdict(other).trusted
    assert not verdict(project).trusted


def test_trust_keeps_every_entry_of_the_record_that_parses(project: Path, isolated: Path) -> None:
    store = trust.store_path()
    good = recorded()
    store.write_text(json.dumps({"files": {**good, "/broken": 1, "/odd": {"x": 1}}}), encoding="utf-8")
    assert verdict(project).trusted  # the broken entries vouch for nothing; the good one still does
    other = write(isolated / "sub" / "milvus.toml", PROFILE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing was moved aside
        trust.trust(toml.read_file(other))
    assert sorted(recorded()) == sorted([*good, os.path.realpath(other)])
    assert verdict(project).trusted
    assert not list(store.parent.glob("trusted.json.corrupt-*"))


# ---- one lock for every change


def _trust_all(paths: list[str], ready: Event, go: Event) -> None:
    from milvus_profiles.config import toml as toml_module
    from milvus_profiles.config import trust as trust_module

    files = [toml_module.read_file(Path(p)) for p in paths]
    ready.set()
    go.wait(60)
    for pf in files:
        assert trust_module.trust(pf) == []


def _untrust_all(paths: list[str], ready: Event, go: Event) -> None:
    from milvus_profiles.config import trust as trust_module

    ready.set()
    go.wait(60)
    for p in paths:
        assert trust_module.untrust(Path(p)) is True


def _race(*jobs: tuple[Callable[[list[str], Event, Event], None], list[Path]]) -> None:
    """Run each job in its own process, started together."""
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    started = []
    for target, paths in jobs:
        ready = ctx.Event()
        process = ctx.Process(target=target, args=([str(p) for p in paths], ready, go))
        process.start()
        started.append((process, ready))
    for _, ready in started:
        assert ready.wait(120)
    go.set()
    for process, _ in started:
        process.join(120)
        assert process.exitcode == 0


def test_two_processes_trusting_at_once_keep_every_file(isolated: Path) -> None:
    first = [write(isolated / f"a{i}" / "milvus.toml", PROFILE) for i in range(25)]
    second = [write(isolated / f"b{i}" / "milvus.toml", PROFILE) for i in range(25)]
    _race((_trust_all, first), (_trust_all, second))
    assert sorted(recorded()) == sorted(os.path.realpath(p) for p in first + second)
    assert all(verdict(p).trusted for p in first + second)


def test_an_untrust_racing_a_trust_is_never_undone(isolated: Path) -> None:
    gone = [trusted(write(isolated / f"u{i}" / "milvus.toml", PROFILE)) for i in range(25)]
    new = [write(isolated / f"n{i}" / "milvus.toml", PROFILE) for i in range(25)]
    _race((_untrust_all, gone), (_trust_all, new))
    assert sorted(recorded()) == sorted(os.path.realpath(p) for p in new)
    assert not any(verdict(p).trusted for p in gone)


def test_a_withheld_secret_names_the_record_that_vouches_for_nothing(project: Path) -> None:
    trust.store_path().chmod(0o606)
    clear_cache()
    error = resolve("dev").secret_error
    assert isinstance(error, SecretWithheldError)
    assert "the trust record vouches for nothing" in error.message
