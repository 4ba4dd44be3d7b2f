"""Runs the keyring backend choice in fresh processes: ours (`keyring_store.backend()`) beside keyring's
own (`keyring.get_keyring()`), so a test can compare them. Shared by the unit and integration tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CHOOSE = """\
import json, sys
try:
    if sys.argv[1] == "ours":
        from milvus_profiles.secrets.keyring_store import backend
        chosen = backend()
    else:
        import keyring
        chosen = keyring.get_keyring()
except Exception as e:
    out = {"error": f"{type(e).__name__}: {e}"}
else:
    import keyring
    name = lambda b: f"{type(b).__module__}.{type(b).__qualname__}"
    out = {
        "backend": name(chosen),
        "chained": [name(b) for b in getattr(chosen, "backends", [])],
        "keyring agrees": keyring.get_keyring() is chosen,
    }
out["imported ctypes.util"] = "ctypes.util" in sys.modules
out["left a mark in sys.modules"] = "keyring.backends.macOS.api" in sys.modules
print(json.dumps(out))
"""


def choice(who: str, env: Mapping[str, str], cwd: Path) -> dict[str, Any]:
    """What ``who`` ("ours" or "keyring") picks in a new process with exactly ``env``."""
    done = subprocess.run(
        [sys.executable, "-c", CHOOSE, who],
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # keyring logs a plugin that fails to load; none may
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def base_env(home: Path, *, session_bus: bool) -> dict[str, str]:
    """This process's environment without keyring settings, with HOME and the config folder in ``home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MILVUS_", "PYTHON_KEYRING")) and k not in {"PYTHONPATH", "KEYRING_PROPERTY_"}
    }
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), LOCALAPPDATA=str(home / "appdata"))
    if not session_bus:
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


def keyringrc(home: Path, text: str) -> None:
    """Write keyring's configuration file where keyring looks for it with `base_env(home)`."""
    done = subprocess.run(
        [sys.executable, "-c", "from keyring.util import platform_; print(platform_.config_root())"],
        env=base_env(home, session_bus=False),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    folder = Path(done.stdout.strip())
    folder.mkdir(parents=True)
    (folder / "keyringrc.cfg").write_text(text, encoding="utf-8")
