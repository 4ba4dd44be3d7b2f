"""The keyring backend secrets go to is the one keyring itself picks, whatever the user configured, and
finding it imports nothing that can only work on another operating system."""

from __future__ import annotations

import platform
import sys
import textwrap
from pathlib import Path

from .keyring_choice import base_env, choice, keyringrc

OTHER_SYSTEM = platform.system() != "Darwin"
# Where keyring's own search is known to import ctypes.util for the macOS backend, and nothing else does.
LINUX = sys.platform.startswith("linux")


def backend_module(folder: Path, module: str, priority: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(
        textwrap.dedent(f"""\
            import keyring.backend

            class Keyring(keyring.backend.KeyringBackend):
                priority = {priority}

                def get_password(self, service, username):
                    return None

                def set_password(self, service, username, password):
                    raise NotImplementedError

                def delete_password(self, service, username):
                    raise NotImplementedError
            """),
        encoding="utf-8",
    )


def installed_plugin(site: Path, module: str, priority: float) -> None:
    """A third-party backend registered as keyring documents it: a `keyring.backends` entry point."""
    backend_module(site, module, priority)
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[keyring.backends]\n{module} = {module}\n")


def same_choice(home: Path, env: dict[str, str]) -> dict[str, object]:
    ours, theirs = choice("ours", env, home), choice("keyring", env, home)
    assert not ours["left a mark in sys.modules"]
    for result in (ours, theirs):
        result.pop("imported ctypes.util")
        result.pop("left a mark in sys.modules")
    assert ours == theirs
    return ours


def test_without_configuration_the_highest_priority_backend_wins(tmp_path: Path) -> None:
    env = base_env(tmp_path, session_bus=False)
    ours, theirs = choice("ours", env, tmp_path), choice("keyring", env, tmp_path)
    assert ours["backend"] == theirs["backend"]
    assert ours["chained"] == theirs["chained"]
    assert ours["keyring agrees"]
    if LINUX:
        # keyring's own search looks for macOS frameworks here; ours does not
        assert theirs["imported ctypes.util"]
        assert not ours["imported ctypes.util"]
    assert not ours["left a mark in sys.modules"]


def test_a_third_party_backend_is_still_found(tmp_path: Path) -> None:
    # above the chainer's 10: it wins whatever else is installed
    installed_plugin(tmp_path / "site", "thirdparty_backend", 20)
    env = base_env(tmp_path, session_bus=False) | {"PYTHONPATH": str(tmp_path / "site")}
    assert same_choice(tmp_path, env)["backend"] == "thirdparty_backend.Keyring"


def test_two_usable_backends_are_chained_as_keyring_chains_them(tmp_path: Path) -> None:
    installed_plugin(tmp_path / "site", "first_backend", 3)
    installed_plugin(tmp_path / "site", "second_backend", 2)
    env = base_env(tmp_path, session_bus=False) | {"PYTHONPATH": str(tmp_path / "site")}
    chosen = same_choice(tmp_path, env)
    assert chosen["backend"] == "keyring.backends.chainer.ChainerBackend"
    chained = chosen["chained"]
    assert isinstance(chained, list)
    assert chained[:2] == ["first_backend.Keyring", "second_backend.Keyring"]  # then any installed ones


def test_python_keyring_backend_decides(tmp_path: Path) -> None:
    installed_plugin(tmp_path / "site", "thirdparty_backend", 3)
    env = base_env(tmp_path, session_bus=False) | {
        "PYTHONPATH": str(tmp_path / "site"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    assert same_choice(tmp_path, env)["backend"] == "keyring.backends.null.Keyring"


def test_python_keyring_backend_naming_the_macos_backend_fails_as_in_keyring(tmp_path: Path) -> None:
    env = base_env(tmp_path, session_bus=False) | {"PYTHON_KEYRING_BACKEND": "keyring.backends.macOS.Keyring"}
    chosen = same_choice(tmp_path, env)
    if OTHER_SYSTEM:
        assert chosen == {"error": "RuntimeError: macOS required"}


def test_keyringrc_decides(tmp_path: Path) -> None:
    installed_plugin(tmp_path / "site", "thirdparty_backend", 3)
    keyringrc(tmp_path, "[backend]\ndefault-keyring = keyring.backends.null.Keyring\n")
    env = base_env(tmp_path, session_bus=False) | {"PYTHONPATH": str(tmp_path / "site")}
    assert same_choice(tmp_path, env)["backend"] == "keyring.backends.null.Keyring"


def test_keyringrc_keyring_path_is_honoured(tmp_path: Path) -> None:
    backend_module(tmp_path / "mine", "my_backend", 0.5)
    keyringrc(
        tmp_path, f"[backend]\ndefault-keyring = my_backend.Keyring\nkeyring-path = {tmp_path / 'mine'}\n"
    )
    assert same_choice(tmp_path, base_env(tmp_path, session_bus=False))["backend"] == "my_backend.Keyring"


def test_the_environment_variable_outranks_keyringrc(tmp_path: Path) -> None:
    keyringrc(tmp_path, "[backend]\ndefault-keyring = keyring.backends.null.Keyring\n")
    env = base_env(tmp_path, session_bus=False) | {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    assert same_choice(tmp_path, env)["backend"] == "keyring.backends.fail.Keyring"


def test_a_backend_set_in_the_program_is_used() -> None:
    import keyring
    import keyring.backends.null

    from milvus_profiles.secrets import keyring_store

    chosen = keyring.backends.null.Keyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(chosen)
    try:
        assert keyring_store.backend() is chosen
    finally:
        keyring.set_keyring(previous)
