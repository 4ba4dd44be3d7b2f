"""Profile files that others can change are refused for connecting; doctor --fix repairs them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from milvus_profiles import ConfigError, ProfileWarning, connect
from milvus_profiles.cli import main
from milvus_profiles.connection.probe import probe
from milvus_profiles.resolution.resolver import resolve

from .conftest import write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")


@pytest.fixture
def project(isolated: Path) -> Path:
    path = write(
        isolated / "milvus.toml",
        '[profiles.local]\nuri = "./data/milvus.db"\n[profiles.srv]\nuri = "http://127.0.0.1:9"\n',
    )
    path.chmod(0o664)
    return path


def test_a_group_writable_file_is_refused_with_the_fix(project: Path) -> None:
    expected = (
        f"{project}: the profile file is writable by other users, who could point its profiles at a "
        "server of theirs and receive your password; it is not used to connect\n"
        f"hint: chmod go-w {project}  (or `milvus-profiles doctor --fix`)"
    )
    with pytest.raises(ConfigError) as e:
        connect("local")
    assert str(e.value) == expected
    with pytest.raises(ConfigError) as e:
        probe(resolve("srv"))
    assert str(e.value) == expected
    assert not (project.parent / "data").exists()  # nothing was done


def test_test_refuses_it_too(project: Path) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["test", "srv"])
    assert result.exit_code == 3
    assert "is writable by other users" in result.output


def test_doctor_fix_repairs_permissions(project: Path, user_file: Path) -> None:
    from click.testing import CliRunner

    write(user_file, '[profiles.mine]\nuri = "http://m.example:1"\n').chmod(0o644)
    result = CliRunner().invoke(main, ["doctor", "--fix"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(project.stat().st_mode) == 0o644
    assert stat.S_IMODE(user_file.stat().st_mode) == 0o600
    assert f"fixed  chmod 644 {project}  (was 664)" in result.output
    assert f"fixed  chmod 600 {user_file}  (was 644)" in result.output
    client = connect("local")
    client.close()


def test_a_user_file_readable_by_others_gives_a_warning(isolated: Path, user_file: Path) -> None:
    write(user_file, '[profiles.mine]\nuri = "./m.db"\n').chmod(0o644)
    with pytest.warns(ProfileWarning, match=r"the user profile file is readable by other users"):
        client = connect("mine")
    client.close()
