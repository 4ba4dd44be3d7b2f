"""milvus-profiles remove."""

from __future__ import annotations

from pathlib import Path

from ..helpers import SENTINEL, MemoryKeyring, Run, trusted, write

PROJECT = """\
# Team profiles.
default = "dev"

# Milvus Lite, for tests
[profiles.local]
uri = "./data/milvus.db"

# The dev server
[profiles.dev]
uri = "http://dev.example.com:19530"  # shared
user = "root"

[profiles.dev.tls]
server_name = "dev.internal"

# Reports share dev's server and user
[profiles.reports]
uri = "http://dev.example.com:19530"
user = "root"
db_name = "reports"

# [profiles.old]
# uri = "http://old:19530"
"""
ACCOUNT = ("milvus-profiles", "root@http://dev.example.com:19530")


def test_remove_keeps_the_comments_of_the_others(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    result = cli("remove", "local")
    assert result.exit_code == 0, result.output
    assert result.output == "removed profile 'local' from milvus.toml\n"
    assert Path("milvus.toml").read_text(encoding="utf-8") == PROJECT.replace(
        '# Milvus Lite, for tests\n[profiles.local]\nuri = "./data/milvus.db"\n\n', ""
    )


def test_removing_the_default_removes_the_default_line(cli: Run, memory_keyring: MemoryKeyring) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    memory_keyring.store[ACCOUNT] = SENTINEL
    result = cli("remove", "dev")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "removed profile 'dev' from milvus.toml",
        "it was the default of milvus.toml, which has no default now",
        "kept the secret of root@http://dev.example.com:19530 in the keyring: profile 'reports' of "
        "milvus.toml uses it too",
    ]
    assert Path("milvus.toml").read_text(encoding="utf-8") == (
        "# Team profiles.\n\n"
        + PROJECT.split("\n\n", 1)[1].replace(
            '# The dev server\n[profiles.dev]\nuri = "http://dev.example.com:19530"  # shared\n'
            'user = "root"\n\n'
            '[profiles.dev.tls]\nserver_name = "dev.internal"\n\n',
            "",
        )
    )
    assert memory_keyring.store == {ACCOUNT: SENTINEL}


def test_the_last_profile_on_an_account_takes_its_secret_along(
    cli: Run, memory_keyring: MemoryKeyring
) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    memory_keyring.store[ACCOUNT] = SENTINEL
    assert cli("remove", "reports").exit_code == 0
    result = cli("remove", "dev")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[-1]
        == "deleted the secret of root@http://dev.example.com:19530 from the keyring: "
        "no other profile uses it"
    )
    assert memory_keyring.store == {}
    assert SENTINEL not in result.output


def test_keep_secret(cli: Run, memory_keyring: MemoryKeyring) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    memory_keyring.store[ACCOUNT] = SENTINEL
    assert cli("remove", "reports").exit_code == 0
    result = cli("remove", "dev", "--keep-secret")
    assert result.exit_code == 0
    assert "secret" not in result.stdout
    assert memory_keyring.store == {ACCOUNT: SENTINEL}


def test_remove_takes_the_highest_file_or_the_scope(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    write(Path("milvus.local.toml"), '[profiles.local]\nuri = "./mine.db"\n')
    result = cli("remove", "local")
    assert result.output == "removed profile 'local' from milvus.local.toml\n"
    assert Path("milvus.local.toml").read_text(encoding="utf-8") == ""
    assert "[profiles.local]" in Path("milvus.toml").read_text(encoding="utf-8")
    missing = cli("remove", "local", "--scope", "local")
    assert missing.exit_code == 3
    assert missing.stderr.splitlines() == [
        "error: milvus.local.toml has no profile named 'local' (it is in: milvus.toml)",
        "hint: `milvus-profiles list` shows the file of every profile",
    ]
    assert cli("remove", "local", "--scope", "project").exit_code == 0


def test_a_profile_that_another_extends_is_kept(cli: Run) -> None:
    write(Path("milvus.toml"), PROJECT + '\n[profiles.child]\nextends = "local"\n')
    result = cli("remove", "local")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "error: cannot remove profile 'local': profile 'child' extends it",
        "hint: change or remove `extends` of 'child' first",
    ]
    assert "[profiles.local]" in Path("milvus.toml").read_text(encoding="utf-8")


def test_an_unknown_profile(cli: Run) -> None:
    trusted(write(Path("milvus.toml"), PROJECT))
    result = cli("remove", "nope")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no profile named 'nope'; known profiles: local, dev, reports;")


def test_a_default_elsewhere_that_names_it_is_reported(cli: Run, user_file: Path) -> None:
    write(Path("milvus.toml"), '[profiles.mine]\nuri = "./m.db"\n')
    write(user_file, 'default = "mine"\n')
    result = cli("remove", "mine")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: the default 'mine' of {user_file} names no profile now",
        "hint: set another with `milvus-profiles set-default NAME`",
    ]


def test_removing_a_cloned_repositorys_profile_never_deletes_your_secret(
    cli: Run, memory_keyring: MemoryKeyring, user_file: Path
) -> None:
    write(user_file, '[profiles.prod]\nuri = "http://dev.example.com:19530"\nuser = "root"\n').chmod(0o600)
    memory_keyring.store[("milvus-profiles", "root@http://dev.example.com:19530")] = SENTINEL
    # the repository's own profile on the same endpoint and user
    write(Path("milvus.toml"), '[profiles.demo]\nuri = "http://DEV.example.com"\nuser = "root"\n')
    result = cli("remove", "demo")
    assert result.exit_code == 0, result.output
    assert (
        "kept the secret of root@http://dev.example.com:19530 in the keyring: milvus.toml is a project "
        in (result.stdout)
    )
    assert memory_keyring.store == {("milvus-profiles", "root@http://dev.example.com:19530"): SENTINEL}


def test_a_profile_that_does_not_resolve_keeps_the_secret(cli: Run, memory_keyring: MemoryKeyring) -> None:
    trusted(
        write(
            Path("milvus.toml"),
            '[profiles.a]\nuri = "http://h.example:1"\nuser = "root"\n'
            '[profiles.b]\nuri = "http://${MILVUS_B_HOST}:1"\nuser = "root"\n',
        )
    )
    memory_keyring.store[("milvus-profiles", "root@http://h.example:1")] = SENTINEL
    result = cli("remove", "a")
    assert result.exit_code == 0, result.output
    assert (
        "kept the secret of root@http://h.example:1 in the keyring: profile 'b' of milvus.toml might use it"
        in result.stdout
    )
    assert ("milvus-profiles", "root@http://h.example:1") in memory_keyring.store


def test_a_secret_your_user_file_needs_stays_when_a_project_shadows_the_profile_that_uses_it(
    cli: Run, memory_keyring: MemoryKeyring, user_file: Path
) -> None:
    """Each file's profiles are judged on their own: in this project `prod` is the project's, but your
    user file's `prod` still connects to your server everywhere else."""
    mine = '[profiles.prod]\nuri = "http://prod.example.com:19530"\nuser = "app"\n'
    write(user_file, mine + '\n[profiles.demo]\nuri = "http://prod.example.com:19530"\nuser = "app"\n')
    user_file.chmod(0o600)
    trusted(write(Path("milvus.toml"), '[profiles.prod]\nuri = "http://staging.example.com:19530"\n'))
    account = ("milvus-profiles", "app@http://prod.example.com:19530")
    memory_keyring.store[account] = SENTINEL
    result = cli("remove", "demo")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"removed profile 'demo' from {user_file}",
        f"kept the secret of {account[1]} in the keyring: profile 'prod' of {user_file} uses it too",
    ]
    assert memory_keyring.store == {account: SENTINEL}
    result = cli("remove", "prod", "--scope", "user")  # the secret of your prod, not of the project's
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"deleted the secret of {account[1]} from the keyring: no other profile uses it"
    )
    assert memory_keyring.store == {}


def test_a_project_profile_that_only_overrides_a_key_keeps_the_secret_of_the_one_below(
    cli: Run, memory_keyring: MemoryKeyring, user_file: Path
) -> None:
    """A table that adds a database to your profile uses your profile's server: a file is judged with the
    files read below it."""
    write(user_file, '[profiles.prod]\nuri = "http://prod.example.com:19530"\nuser = "app"\n').chmod(0o600)
    trusted(write(Path("milvus.toml"), '[profiles.prod]\ndb_name = "reports"\n'))
    account = ("milvus-profiles", "app@http://prod.example.com:19530")
    memory_keyring.store[account] = SENTINEL
    result = cli("remove", "prod", "--scope", "project")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"kept the secret of {account[1]} in the keyring: profile 'prod' of {user_file} uses it too"
    )
    assert memory_keyring.store == {account: SENTINEL}
