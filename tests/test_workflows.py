"""The GitHub Actions workflows run here only as files: they are valid YAML, their jobs are the ones the
contributing pages name, the Linux job runs what `.ci/run` runs, and a release publishes without a stored
token, only with a changelog entry."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    # YAML 1.1 reads the key `on` as True
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def run_lines(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def jobs_named_in(page: str, heading: str) -> set[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w-]+)` \|", section, flags=re.M))


def test_every_workflow_is_valid_yaml_with_jobs() -> None:
    files = sorted(p.name for p in WORKFLOWS.glob("*.yml"))
    assert files == ["ci.yml", "release.yml"]
    for name in files:
        loaded = workflow(name)
        assert loaded["on"], name
        assert loaded["jobs"], name
        for job_id, job in loaded["jobs"].items():
            assert job["steps"], f"{name}: {job_id}"


def test_the_ci_jobs_are_the_ones_the_testing_page_names() -> None:
    assert set(workflow("ci.yml")["jobs"]) == jobs_named_in("testing.md", "Continuous integration")


def test_the_release_jobs_are_the_ones_the_releasing_page_names() -> None:
    assert set(workflow("release.yml")["jobs"]) == jobs_named_in("releasing.md", "What the workflow does")


def pyproject() -> dict[str, Any]:
    loaded: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return loaded


def claimed_pythons() -> list[str]:
    prefix = "Programming Language :: Python :: "
    found = [c.removeprefix(prefix) for c in pyproject()["project"]["classifiers"] if c.startswith(prefix)]
    return [version for version in found if re.fullmatch(r"3\.\d+", version)]


def test_unit_tests_run_on_every_platform_and_python_the_package_claims() -> None:
    job = workflow("ci.yml")["jobs"]["unit"]
    matrix = job["strategy"]["matrix"]
    assert sorted(matrix["os"]) == ["macos-latest", "ubuntu-latest", "windows-latest"]
    assert matrix["python"] == claimed_pythons()
    # the lowest one claimed is the one pip lets install the package
    assert pyproject()["project"]["requires-python"] == f">={claimed_pythons()[0]}"
    assert job["strategy"]["fail-fast"] is False


def test_the_lowest_versions_run_gets_the_lowest_python_installed() -> None:
    """scripts/test runs the unit tests with the lowest declared versions on `python3.X`, the lowest Python
    claimed; the Linux job must install it beside the Python it runs everything else with."""
    lowest = claimed_pythons()[0]
    assert f"for found in python{lowest} " in (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    job = workflow("ci.yml")["jobs"]["integration"]
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert lowest in str(setup["with"]["python-version"]).split()


def test_every_third_party_action_is_pinned_by_commit() -> None:
    """A tag can be moved to other code; a commit cannot. The release jobs hold an OIDC token."""
    for name in ("ci.yml", "release.yml"):
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        actions = re.findall(r"^\s*(?:- )?uses: (\S+)", text, flags=re.M)
        assert actions, name
        for action in actions:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), f"{name}: {action}"


def test_the_keyring_contract_runs_with_each_platforms_own_keyring() -> None:
    job = workflow("ci.yml")["jobs"]["unit"]
    pytest_runs = [
        (step.get("if", ""), step["run"]) for step in job["steps"] if "pytest" in step.get("run", "")
    ]
    # On Linux the Secret Service needs a D-Bus session: scripts/with-keyring starts one.
    [linux] = [run for condition, run in pytest_runs if condition == "runner.os == 'Linux'"]
    assert linux.startswith("scripts/with-keyring ")
    for test in ("test_native_keyring.py", "test_secret_service.py"):
        assert f"tests/integration/{test}" in linux
        assert (ROOT / "tests" / "integration" / test).is_file()
    # On macOS and Windows keyring picks the Keychain or the Credential Locker by itself.
    [others] = [run for condition, run in pytest_runs if condition == "runner.os != 'Linux'"]
    assert "tests/integration/test_native_keyring.py" in others
    # and the unit tests run everywhere, without the integration folder
    [unit] = [run for condition, run in pytest_runs if not condition]
    assert unit.endswith("--ignore=tests/integration tests")


def test_the_linux_job_runs_what_ci_run_runs() -> None:
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    scripts = re.findall(r"\bscripts/[\w-]+", ci_run)
    assert scripts == ["scripts/test"]
    job = workflow("ci.yml")["jobs"]["integration"]
    assert job["runs-on"].startswith("ubuntu")
    commands = " ".join(run_lines(job))
    for script in scripts:
        assert re.search(rf"(^|\s){re.escape(script)}(\s|$)", commands), script
    assert workflow("ci.yml")["env"]["CI"] == "true"


def test_a_release_builds_once_and_publishes_what_it_built() -> None:
    jobs = workflow("release.yml")["jobs"]
    build, publish = jobs["build"], jobs["publish"]
    assert workflow("release.yml")["on"] == {"push": {"tags": ["v*"]}}
    assert any("python -m build" in line for line in run_lines(build))
    assert any("twine check --strict dist/*" in line for line in run_lines(build))
    assert "actions/attest-build-provenance" in uses(build)
    assert "actions/upload-artifact" in uses(build)
    assert publish["needs"] == "build"
    assert run_lines(publish) == []  # nothing rebuilt
    assert uses(publish) == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]


def test_publishing_uses_trusted_publishing_and_no_stored_token() -> None:
    text = (WORKFLOWS / "release.yml").read_text(encoding="utf-8")
    assert "secrets." not in text
    assert not re.search(r"password|api[-_]?token|TWINE_", text, flags=re.I)
    publish = workflow("release.yml")["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    step = next(s for s in publish["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish"))
    assert "with" not in step  # no user, password or repository override
    assert workflow("release.yml")["permissions"] == {"contents": "read"}


def test_a_release_needs_a_changelog_entry_for_the_version() -> None:
    build = workflow("release.yml")["jobs"]["build"]
    lines = run_lines(build)
    check = next(i for i, line in enumerate(lines) if "scripts/check-release" in line)
    assert check == 0, "the changelog is checked before anything is built"
    assert '--tag "$GITHUB_REF_NAME"' in lines[0]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'path = "src/milvus_profiles/__init__.py"' in pyproject  # the version's one place


def check_release(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = ROOT / "scripts" / "check-release"
    return subprocess.run(
        [sys.executable, str(script), "--root", str(root), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def release_root(tmp_path: Path) -> Path:
    (tmp_path / "src" / "milvus_profiles").mkdir(parents=True)
    shutil.copy(ROOT / "src" / "milvus_profiles" / "__init__.py", tmp_path / "src" / "milvus_profiles")
    return tmp_path


def test_the_changelog_check_passes_on_this_repository() -> None:
    done = check_release(ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: version ")


def test_the_changelog_check_fails_without_an_entry(release_root: Path) -> None:
    from milvus_profiles import __version__

    (release_root / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n- a change\n")
    done = check_release(release_root)
    assert done.returncode == 1
    assert done.stderr == (
        f"error: CHANGELOG.md has no entry for {__version__}: rename `## [Unreleased]` to "
        f"`## [{__version__}] - YYYY-MM-DD` and start a new `## [Unreleased]` above it\n"
    )


def test_the_changelog_check_fails_on_a_tag_of_another_version(release_root: Path) -> None:
    from milvus_profiles import __version__

    (release_root / "CHANGELOG.md").write_text(f"## [{__version__}] - 2026-01-01\n")
    assert check_release(release_root, "--tag", f"v{__version__}").returncode == 0
    done = check_release(release_root, "--tag", "v99.0.0")
    assert done.returncode == 1
    assert done.stderr == (
        f"error: the tag v99.0.0 is not v{__version__}, the version in src/milvus_profiles/__init__.py\n"
    )
