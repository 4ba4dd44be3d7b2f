"""A Secret Service that owns its D-Bus name but never answers: secretstorage waits on it with no
timeout, so only the thread a keyring call runs in (`keyring_store._call`) ends the command, with exit 4
and the variables to use instead. Without it `milvus-profiles test` hangs until killed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers import entry_point, run_clean, trusted, write
from .conftest import require

SILENT = """\
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
connection = open_dbus_connection(bus="SESSION")
connection.send_and_get_reply(message_bus.RequestName("org.freedesktop.secrets"))
print("ready", flush=True)
while True:
    connection.receive()  # every call is read and none is answered
"""


@pytest.fixture
def silent_bus() -> Iterator[str]:
    """The address of a private D-Bus session where org.freedesktop.secrets never answers."""
    require(shutil.which("dbus-daemon") is not None, "dbus-daemon", "D-Bus is not installed")
    with subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE, text=True
    ) as bus:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        with subprocess.Popen(
            [sys.executable, "-c", SILENT], env={"DBUS_SESSION_BUS_ADDRESS": address},
            stdout=subprocess.PIPE, text=True,
        ) as service:  # fmt: skip
            assert service.stdout is not None
            assert service.stdout.readline() == "ready\n"
            yield address
            service.kill()
        bus.kill()


def test_a_secret_service_that_never_answers_ends_the_command_with_exit_4(
    isolated: Path, silent_bus: str
) -> None:
    trusted(write(isolated / "milvus.toml", '[profiles.dev]\nuri = "http://127.0.0.1:1"\nuser = "u"\n'))
    done = run_clean(
        [entry_point(), "test", "dev"], isolated, isolated.parent / "config",
        env={
            "DBUS_SESSION_BUS_ADDRESS": silent_bus,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
        },
    )  # fmt: skip
    assert done.returncode == 4, done.stderr
    assert done.stderr == (
        "error: cannot read a secret: the keyring did not answer within 10 s\n"
        "hint: unlock the keyring or check that its service runs (`milvus-profiles doctor`), or set "
        "MILVUS_PASSWORD or MILVUS_TOKEN in the environment instead\n"
    )
