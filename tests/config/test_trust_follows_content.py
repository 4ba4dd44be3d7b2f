"""Trust follows what decides where a secret goes, profile by profile: the bytes of the TLS files a
profile names end its trust when they change, another profile's change does not, and a version trusted
once stays trusted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from milvus_profiles import SecretWithheldError, resolve
from milvus_profiles.config import toml, trust
from milvus_profiles.config.toml import clear_cache

from ..helpers import SENTINEL, trusted, write

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows files have no group/other mode bits")

CA = "-----BEGIN CERTIFICATE-----\nMIIBteamCA\n-----END CERTIFICATE-----\n"
EVIL_CA = "-----BEGIN CERTIFICATE-----\nMIIBevilCA\n-----END CERTIFICATE-----\n"
PROD = (
    '[profiles.prod]\nuri = "https://prod:19530"\nuser = "app"\n'
    '[profiles.prod.tls]\nca_pem_path = "certs/ca.pem"\n'
)
STAGING = '[profiles.staging]\nuri = "http://staging:19530"\nuser = "app"\n'


@pytest.fixture(autouse=True)
def password(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_PASSWORD", SENTINEL)


def sent(profile: str) -> bool:
    """Whether the stored secret (MILVUS_PASSWORD) is released to the profile's connection."""
    cfg = resolve(profile)
    return cfg.password is not None and cfg.password.get_secret_value() == SENTINEL


def verdict(path: Path) -> trust.FileTrust:
    clear_cache()
    return trust.assess(toml.read_file(path), "project")


def test_a_new_certificate_ends_the_trust_of_the_profiles_that_name_it(isolated: Path) -> None:
    write(isolated / "certs" / "ca.pem", CA)
    path = trusted(write(isolated / "milvus.toml", PROD + STAGING))
    assert sent("prod")
    write(isolated / "certs" / "ca.pem", EVIL_CA)  # a pull replaces it; no clear_cache: the process notices
    error = resolve("prod").secret_error
    assert isinstance(error, SecretWithheldError)
    assert "changed since you trusted it: the file of profiles.prod.tls.ca_pem_path changed" in error.message
    assert sent("staging")
    assert (
        verdict(path).why == "changed since you trusted it: the file of profiles.prod.tls.ca_pem_path changed"
    )
    record = trust.store_path().read_text(encoding="utf-8")
    assert "MIIB" not in record  # a digest of the bytes, never the content
    assert "ca.pem" not in record


def test_a_certificate_that_appears_or_goes_ends_the_trust(isolated: Path) -> None:
    trusted(write(isolated / "milvus.toml", PROD))
    assert sent("prod")  # trusted while the file named is missing
    write(isolated / "certs" / "ca.pem", CA)
    assert not sent("prod")
    trusted(isolated / "milvus.toml")
    assert sent("prod")
    write(isolated / "certs" / "ca.pem", EVIL_CA)
    assert not sent("prod")
    (isolated / "certs" / "ca.pem").unlink()
    assert sent("prod")  # as it was first trusted, without the file: a version trusted once


def test_an_absolute_certificate_path_is_covered_too(isolated: Path, tmp_path: Path) -> None:
    ca = write(tmp_path / "elsewhere" / "ca.pem", CA)
    trusted(write(isolated / "milvus.toml", PROD.replace("certs/ca.pem", str(ca))))
    assert sent("prod")
    write(ca, EVIL_CA)
    assert not sent("prod")


@pytest.mark.parametrize(
    "change",
    [
        "added",  # a branch adds a profile
        "removed",
        "moved",  # another profile's server changes
    ],
)
def test_a_change_to_another_profile_keeps_the_trust_of_this_one(isolated: Path, change: str) -> None:
    write(isolated / "certs" / "ca.pem", CA)
    path = trusted(write(isolated / "milvus.toml", PROD + STAGING))
    text = {
        "added": PROD + STAGING + '[profiles.exp]\nuri = "http://exp:19530"\n',
        "removed": PROD,
        "moved": PROD + STAGING.replace("staging:19530", "elsewhere:19530"),
    }[change]
    write(path, text)
    assert sent("prod")
    if change != "removed":
        assert not sent("exp" if change == "added" else "staging")
    found = verdict(path)
    assert found.trusted is (change == "removed")
    assert found.for_profile("prod").trusted
    assert found.for_profile("prod").why.startswith("trusted on ")


def test_a_version_trusted_once_stays_trusted(isolated: Path) -> None:
    main = PROD + STAGING
    branch = main.replace("prod:19530", "prod-next:19530") + '[profiles.exp]\nuri = "http://exp:19530"\n'
    path = trusted(write(isolated / "milvus.toml", main))
    write(path, branch)
    assert not sent("prod")
    trusted(path)
    assert sent("prod")
    assert sent("exp")
    write(path, main)  # back on main: `git checkout milvus.toml`
    assert sent("prod")
    assert verdict(path).trusted
    write(path, branch)  # and on the branch again
    assert sent("prod")
    assert sent("exp")


def test_the_versions_remembered_are_bounded(isolated: Path) -> None:
    path = write(isolated / "milvus.toml", STAGING)
    versions = [STAGING.replace("staging:19530", f"staging{i}:19530") for i in range(trust.VERSIONS + 1)]
    for text in versions:
        trusted(write(path, text))
    write(path, versions[0])
    assert not sent("staging")
    write(path, versions[1])
    assert sent("staging")


def test_an_edit_made_here_keeps_each_profile_as_trusted_as_it_was(isolated: Path) -> None:
    from click.testing import CliRunner

    from milvus_profiles.cli import main

    path = trusted(write(isolated / "milvus.toml", PROD + STAGING))
    write(path, PROD + STAGING.replace("staging:19530", "evil:19530"))  # someone else's change
    result = CliRunner().invoke(
        main, ["set", "prod", "uri", "https://moved:19530"], prog_name="milvus-profiles"
    )
    assert result.exit_code == 0, result.output
    clear_cache()
    assert resolve("prod").uri == "https://moved:19530"
    assert sent("prod")  # your edit of a trusted profile keeps its trust
    assert not sent("staging")  # and does not trust what someone else changed


def test_a_record_of_the_first_version_keeps_its_trust(isolated: Path) -> None:
    import json

    path = trusted(write(isolated / "milvus.toml", STAGING + '[profiles.lite]\ndb_name = "x"\n'))
    record = json.loads(trust.store_path().read_text(encoding="utf-8"))
    for entry in record["files"].values():
        del entry["items"]  # as the first version wrote it: one routing table for the file
    record["version"] = 1
    trust.store_path().write_text(json.dumps(record), encoding="utf-8")
    clear_cache()
    assert verdict(path).trusted
    assert sent("staging")


def test_a_lapse_names_the_profile_that_changed_and_the_review_command(isolated: Path) -> None:
    path = trusted(write(isolated / "milvus.toml", PROD + STAGING))
    write(path, PROD.replace("prod:19530", "evil:19530") + STAGING)
    found = verdict(path).for_profile("prod")
    assert not found.trusted
    assert found.why == "changed since you trusted it: profiles.prod.uri changed (now https://evil:19530)"
    assert found.fix == (
        "review the change (`git diff ORIG_HEAD -- milvus.toml`), then run "
        "`milvus-profiles trust milvus.toml` again"
    )
    assert verdict(path).for_profile("staging").trusted


def test_a_symlinked_file_does_not_lend_its_trust_to_the_certificates_beside_the_link(
    isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team"
    write(team / "certs" / "ca.pem", CA)
    trusted(write(team / "milvus.toml", PROD))
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    write(clone / "certs" / "ca.pem", EVIL_CA)
    (clone / "milvus.toml").symlink_to(Path("..") / "team" / "milvus.toml")
    monkeypatch.chdir(clone)
    clear_cache()
    cfg = resolve("prod")
    # the certificate used is the one the trust covers, found from the real folder of the file
    assert cfg.tls["ca_pem_path"] == str(team / "certs" / "ca.pem")
    assert cfg.password is not None
    write(team / "certs" / "ca.pem", EVIL_CA)
    assert not sent("prod")


def test_a_certificate_two_profiles_name_ends_the_trust_of_both(isolated: Path) -> None:
    write(isolated / "certs" / "ca.pem", CA)
    both = PROD + PROD.replace("prod", "next").replace("https://next", "https://prod")
    path = trusted(write(isolated / "milvus.toml", both))
    assert sent("prod")
    assert sent("next")
    write(isolated / "certs" / "ca.pem", EVIL_CA)
    assert verdict(path).why == (
        "changed since you trusted it: the file of profiles.prod.tls.ca_pem_path changed, "
        "the file of profiles.next.tls.ca_pem_path changed"
    )
    assert not sent("prod")
    assert not sent("next")
