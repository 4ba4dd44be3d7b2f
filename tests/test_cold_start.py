"""What a fresh process imports to resolve a profile: the rules the start-up figures in
docs/performance.md rely on (the tests assert imports, never timings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .helpers import write

CLIENT = {"pymilvus", "grpc", "pandas", "numpy", "google.protobuf"}
KEYRING = {"keyring", "secretstorage", "jeepney", "cryptography"}
CLI = {"click"}
# On Linux, keyring's macOS backend would look for macOS frameworks with ctypes.util.find_library (which
# runs ldconfig and a C compiler); nothing else on these paths imports ctypes.util there.
OTHER_SYSTEMS = {"ctypes.util"} if sys.platform.startswith("linux") else set()

RESOLVE = """\
import json, sys
from milvus_profiles import resolve
profile = resolve(sys.argv[1])
print(json.dumps({
    "token from": str(profile.origins["token"]) if profile.token is not None else None,
    "modules": sorted(sys.modules),
}))
"""


def fresh_resolve(name: str, folder: Path, **env: str) -> tuple[str | None, set[str]]:
    """Resolve ``name`` in a new process; where its token came from, and every module it imported."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MILVUS_", "PYTHON_KEYRING"))}
    clean.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no Secret Service: the lookup finds no keyring
    if not sys.platform.startswith("linux"):  # never read the developer's own keychain or vault
        clean["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    clean.update(
        XDG_CONFIG_HOME=str(folder / "config"), XDG_STATE_HOME=str(folder / "state"), HOME=str(folder), **env
    )
    done = subprocess.run(
        [sys.executable, "-c", RESOLVE, name],
        cwd=folder,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    return out["token from"], set(out["modules"])


def packages(modules: set[str], names: set[str]) -> set[str]:
    """The members of ``names`` that were imported, themselves or through a submodule."""
    return {n for n in names if any(m == n or m.startswith(n + ".") for m in modules)}


def user_profiles(folder: Path, text: str) -> None:
    """The user's own file: trusted, so a stored secret may go where its profiles point."""
    write(folder / "config" / "milvus-profiles" / "profiles.toml", text)


def test_a_secret_in_the_environment_needs_neither_keyring_nor_client(isolated: Path) -> None:
    user_profiles(isolated, '[profiles.p]\nuri = "http://127.0.0.1:19530"\n')
    origin, modules = fresh_resolve("p", isolated, MILVUS_TOKEN="from-env")
    assert origin == "env MILVUS_TOKEN"
    assert packages(modules, CLIENT | KEYRING | CLI | OTHER_SYSTEMS) == set()


def test_a_keyring_lookup_imports_the_keyring_but_nothing_for_other_systems(isolated: Path) -> None:
    user_profiles(isolated, '[profiles.p]\nuri = "http://127.0.0.1:19530"\n')
    origin, modules = fresh_resolve("p", isolated)
    assert origin is None
    assert "keyring" in modules  # the profile has no user and the environment no token: asked
    assert packages(modules, CLIENT | CLI | OTHER_SYSTEMS) == set()


def test_a_milvus_lite_profile_never_asks_the_keyring(isolated: Path) -> None:
    user_profiles(isolated, '[profiles.lite]\nuri = "./lite.db"\n')
    origin, modules = fresh_resolve("lite", isolated)
    assert origin is None
    assert packages(modules, CLIENT | KEYRING | CLI | OTHER_SYSTEMS) == set()


def test_an_untrusted_project_file_never_loads_the_keyring(isolated: Path) -> None:
    write(isolated / "milvus.toml", '[profiles.p]\nuri = "http://127.0.0.1:19530"\n')
    origin, modules = fresh_resolve("p", isolated)
    assert origin is None  # withheld: the project file is not trusted
    assert packages(modules, CLIENT | KEYRING | CLI | OTHER_SYSTEMS) == set()
