"""`set`, `unset`, `rename`, `copy`: one change, every other line as written; and what `add --force` drops."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from milvus_profiles import resolve

from ..helpers import Run, trusted, write

FILE = """\
#:schema ./milvus.schema.json
default = "prod"

# the production cluster, behind the load balancer
[profiles.prod]
uri = "https://milvus.example.com:443"  # the LB, not a node
user = "app"
timeout = 10

# reports read from the same server
[profiles.reports]
extends = "prod"
db_name = "reports"
"""


@pytest.fixture
def project() -> Path:
    return write(Path("milvus.toml"), FILE)


def test_set_replaces_one_value_and_keeps_its_comment(cli: Run, project: Path) -> None:
    result = cli("set", "prod", "uri", "https://milvus2.example.com:443")
    assert result.exit_code == 0, result.output
    assert result.stdout == "set uri of profile 'prod' to https://milvus2.example.com:443 in milvus.toml\n"
    assert project.read_text() == FILE.replace("milvus.example.com", "milvus2.example.com")


def test_set_adds_a_key_and_a_tls_table_and_resolves_as_typed(cli: Run, project: Path) -> None:
    assert cli("set", "prod", "db_name", "analytics").exit_code == 0
    assert cli("set", "prod", "timeout", "2.5").exit_code == 0
    assert cli("set", "prod", "tls.server_name", "milvus.internal").exit_code == 0
    text = project.read_text()
    assert text.startswith(FILE.split("timeout = 10\n", maxsplit=1)[0])  # everything above, as written
    assert (
        'timeout = 2.5\ndb_name = "analytics"\n\n[profiles.prod.tls]\nserver_name = "milvus.internal"\n'
        in text
    )
    assert text.endswith(FILE.split("timeout = 10\n")[1])
    cfg = resolve("prod")
    assert (cfg.db_name, cfg.timeout, cfg.user, dict(cfg.tls)) == (
        "analytics", 2.5, "app", {"server_name": "milvus.internal"},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("password", "x"), "error: password is a secret and never goes in a profile file"),
        (("colour", "x"), "error: 'colour' is not a profile key"),
        (("timeout", "soon"), "error: timeout: 'soon' is not a number of seconds"),
        (("extends", "nowhere"), "error: "),
    ],
)
def test_set_refuses_what_the_file_cannot_hold(
    cli: Run, project: Path, args: tuple[str, str], message: str
) -> None:
    result = cli("set", "prod", *args)
    assert result.exit_code == 3
    assert result.stderr.startswith(message)
    assert project.read_text() == FILE


def test_set_on_an_unknown_profile_suggests_the_close_name(cli: Run, project: Path) -> None:
    result = cli("set", "prdo", "db_name", "x")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no profile named 'prdo' (did you mean 'prod'?); known profiles:")


def test_unset_removes_the_line_and_says_where_the_value_comes_from_now(cli: Run, project: Path) -> None:
    result = cli("unset", "prod", "timeout")
    assert result.exit_code == 0, result.output
    assert project.read_text() == FILE.replace("timeout = 10\n", "")
    assert "timeout now comes from the built-in default, 10.0" in result.stdout
    assert cli("set", "prod", "tls.secure", "true").exit_code == 0
    assert cli("unset", "prod", "tls.secure").exit_code == 0
    assert project.read_text() == FILE.replace("timeout = 10\n", "")  # the emptied table went too


def test_set_goes_to_the_file_that_defines_the_key(cli: Run, project: Path) -> None:
    local = write(Path("milvus.local.toml"), '[profiles.prod]\nuser = "me"\n')
    assert cli("set", "prod", "user", "alice").exit_code == 0
    assert local.read_text() == '[profiles.prod]\nuser = "alice"\n'
    assert project.read_text() == FILE
    overridden = cli("set", "prod", "user", "bob", "--scope", "project")
    assert overridden.exit_code == 0
    assert "warning: user of profile 'prod' is also set in milvus.local.toml, which wins" in overridden.stderr


def test_rename_keeps_the_layout_and_moves_default_and_extends(cli: Run, project: Path) -> None:
    result = cli("rename", "prod", "production")
    assert result.exit_code == 0, result.output
    assert project.read_text() == (
        FILE.replace('default = "prod"', 'default = "production"')
        .replace("[profiles.prod]", "[profiles.production]")
        .replace('extends = "prod"', 'extends = "production"')
    )
    assert resolve().name == "production"
    assert resolve("reports").user == "app"


def test_rename_refuses_a_name_in_use(cli: Run, project: Path) -> None:
    result = cli("rename", "prod", "reports")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: a profile named 'reports' exists already (in milvus.toml)")
    assert project.read_text() == FILE


def test_copy_adds_the_table_under_a_new_name(cli: Run, project: Path) -> None:
    result = cli("copy", "prod", "prod-eu")
    assert result.exit_code == 0, result.output
    text = project.read_text()
    assert text.startswith(FILE)
    data = tomllib.loads(text)
    assert data["profiles"]["prod-eu"] == data["profiles"]["prod"]


def test_add_force_says_it_replaced_the_whole_profile_and_what_was_dropped(cli: Run, project: Path) -> None:
    result = cli(
        "add", "prod", "--force", "--uri", "https://milvus.example.com:443", "--db-name", "analytics"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "replaced the whole profile 'prod' in milvus.toml\n"
    assert result.stderr.splitlines() == [
        "warning: keys of the old profile not given again are gone: timeout, user",
        "hint: to change one key and keep the rest, use `milvus-profiles set prod KEY VALUE`",
    ]


def _staging(canary: Path) -> str:
    """A cloned repository's profile whose token comes from a command: it would create ``canary``."""
    python = sys.executable.replace("\\", "\\\\")
    return (
        "[profiles.staging]\n"
        'uri = "http://staging.example.com:19530"\n'
        'db_name = "staging"\n'
        f'token = {{ command = ["{python}", "-c", "open(r\'{canary}\', \'w\')"] }}\n'
    )


@pytest.mark.parametrize("scope", ["user", "local"])
def test_copy_never_carries_an_untrusted_files_server_or_command_into_another_file(
    cli: Run, tmp_path: Path, user_file: Path, scope: str
) -> None:
    """The user file is trusted, and a new milvus.local.toml is trusted as written: neither takes what
    decides where a secret goes from a file you have not trusted."""
    canary = tmp_path / "ran"
    project = write(Path("milvus.toml"), _staging(canary))
    result = cli("copy", "staging", "mine", "--scope", scope)
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines() == [
        f"error: {project.absolute()}:2: profile 'staging' is not copied to "
        f"{user_file if scope == 'user' else 'milvus.local.toml'}: its uri, token would be trusted there, "
        "and this file is not: a project file you have not trusted yet (one you wrote, or a cloned "
        "repository's)",
        "hint: read it, then run `milvus-profiles trust milvus.toml`, then copy it again",
    ]
    assert not user_file.exists()
    assert not Path("milvus.local.toml").exists()
    assert not canary.exists()
    assert project.read_text(encoding="utf-8") == _staging(canary)
    trusted(project)
    result = cli("copy", "staging", "mine", "--scope", scope)
    assert result.exit_code == 0, result.output
    written = user_file if scope == "user" else Path("milvus.local.toml")
    assert (
        tomllib.loads(written.read_text())["profiles"]["mine"]
        == tomllib.loads(_staging(canary))["profiles"]["staging"]
    )
    assert not canary.exists()  # copying runs nothing


def test_copy_within_an_untrusted_file_keeps_it_untrusted(cli: Run, tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    project = write(Path("milvus.toml"), _staging(canary))
    result = cli("copy", "staging", "staging2")
    assert result.exit_code == 0, result.output
    assert "staging2" in tomllib.loads(project.read_text())["profiles"]
    result = cli("trust", "--list")
    assert str(project.absolute()) not in result.output
    assert not canary.exists()


def test_copy_takes_a_database_and_timeout_from_an_untrusted_file(cli: Run, user_file: Path) -> None:
    """Nothing there decides where a secret goes."""
    write(Path("milvus.toml"), '[profiles.reports]\ndb_name = "reports"\ntimeout = 30\n')
    result = cli("copy", "reports", "mine", "--scope", "user")
    assert result.exit_code == 0, result.output
    assert tomllib.loads(user_file.read_text())["profiles"]["mine"] == {"db_name": "reports", "timeout": 30}


BROKEN = FILE + '\n[profiles.local]\nuri = "http://localhost:19530"\n'


def test_a_broken_profile_stops_no_edit_of_another_and_can_be_fixed_with_unset(cli: Run) -> None:
    project = write(Path("milvus.toml"), BROKEN.replace("timeout = 10\n", 'timeout = 10\ndbname = "x"\n'))
    assert cli("set", "local", "timeout", "5").exit_code == 0
    assert cli("add", "new", "--uri", "http://localhost:19531").exit_code == 0
    assert cli("set-default", "local", "--scope", "project").exit_code == 0
    assert cli("unset", "prod", "dbname").exit_code == 0  # the problem fixed by the command its hint names
    assert tomllib.loads(project.read_text())["profiles"]["prod"] == {
        "uri": "https://milvus.example.com:443",
        "user": "app",
        "timeout": 10,
    }


def test_an_edit_that_breaks_a_profile_is_refused_and_writes_nothing(cli: Run) -> None:
    project = write(Path("milvus.toml"), BROKEN.replace("timeout = 10\n", 'timeout = 10\ndbname = "x"\n'))
    before = project.read_bytes()
    result = cli("set", "local", "extends", "nosuch")
    assert result.exit_code == 3, result.output
    assert "nosuch" in result.output
    assert project.read_bytes() == before


def test_a_profile_whose_parent_was_gone_before_stops_no_command_that_writes_the_file(cli: Run) -> None:
    project = write(Path("milvus.toml"), BROKEN + '\n[profiles.orphan]\nextends = "gone"\n')
    assert cli("set", "local", "timeout", "5").exit_code == 0
    assert cli("unset", "local", "timeout").exit_code == 0
    assert cli("copy", "local", "local2").exit_code == 0
    assert cli("rename", "local2", "local3").exit_code == 0
    assert cli("add", "new", "--uri", "http://localhost:19531").exit_code == 0
    assert cli("set-default", "new", "--scope", "project").exit_code == 0
    assert cli("remove", "local3").exit_code == 0
    data = tomllib.loads(project.read_text())
    assert data["default"] == "new"
    assert set(data["profiles"]) == {"prod", "reports", "local", "orphan", "new"}


def test_every_write_refuses_to_break_the_extends_of_a_profile_that_worked(cli: Run) -> None:
    project = write(Path("milvus.toml"), FILE)
    before = project.read_bytes()
    result = cli("add", "prod", "--uri", "http://h:19530", "--extends", "reports", "--force")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: profile 'prod' not added to milvus.toml: ")
    assert "cycle" in result.stderr
    result = cli("remove", "prod")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: cannot remove profile 'prod': profile 'reports' extends it")
    result = cli("set", "reports", "extends", "nosuch")
    assert result.exit_code == 3, result.output
    assert project.read_bytes() == before


@pytest.mark.parametrize("command", ["copy", "rename"])
def test_a_profile_that_came_after_your_trust_stays_untrusted_under_a_new_name(
    cli: Run, tmp_path: Path, command: str
) -> None:
    """You trusted the file; a pull added `staging`: copied or renamed within the file, it is still
    content you never trusted, not an item this edit added."""
    from milvus_profiles import SecretWithheldError

    canary = tmp_path / "ran"
    project = trusted(write(Path("milvus.toml"), FILE))
    write(project, FILE + "\n" + _staging(canary))  # git pull
    assert isinstance(resolve("staging").secret_error, SecretWithheldError)
    result = cli(command, "staging", "mine")
    assert result.exit_code == 0, result.output
    assert isinstance(resolve("mine").secret_error, SecretWithheldError)
    assert not canary.exists(), "the repository's command ran"


@pytest.mark.parametrize("command", ["copy", "rename"])
def test_a_profile_copied_or_renamed_within_a_file_you_trusted_stays_trusted(cli: Run, command: str) -> None:
    from milvus_profiles.config import toml, trust

    project = trusted(write(Path("milvus.toml"), FILE))
    result = cli(command, "prod", "production")
    assert result.exit_code == 0, result.output
    verdict = trust.assess(toml.read_file(project.absolute()), "project")
    assert verdict.for_profile("production", "reports").trusted, verdict.why


def test_unset_of_an_empty_key_is_refused_as_no_profile_key(cli: Run, project: Path) -> None:
    before = project.read_bytes()
    result = cli("unset", "prod", "")
    assert result.exit_code == 3, result.output
    assert result.stderr.splitlines()[0] == "error: '' is not a profile key"
    assert project.read_bytes() == before
