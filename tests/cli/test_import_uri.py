"""milvus-profiles import --from env with credentials and a database in MILVUS_URI: the user part reaches
the keyring and no file, the path becomes db_name, and a URI pymilvus would misread is refused."""

from __future__ import annotations

from pathlib import Path

from ..helpers import SENTINEL, MemoryKeyring, Run, files_containing, write

SERVICE = "milvus-profiles"
PROJECT = '[profiles.local]\nuri = "./data/milvus.db"\n'


def test_a_token_in_the_uri_user_part_goes_to_the_keyring_and_the_path_to_db_name(
    cli: Run, memory_keyring: MemoryKeyring, repository: Path
) -> None:
    write(repository / "milvus.toml", PROJECT)
    env = {"MILVUS_URI": f"https://{SENTINEL}@cloud.example.com:443/mydb"}
    result = cli("import", "--from", "env", "--name", "cloud", env=env)
    assert result.exit_code == 0, result.output
    assert (
        Path("milvus.toml")
        .read_text(encoding="utf-8")
        .endswith('[profiles.cloud]\nuri = "https://cloud.example.com:443"\ndb_name = "mydb"\n')
    )
    assert memory_keyring.store[(SERVICE, "https://cloud.example.com:443")] == SENTINEL
    assert SENTINEL not in result.output
    assert files_containing(repository, SENTINEL) == []


def test_a_password_holding_a_slash_is_refused_and_written_nowhere(
    cli: Run, memory_keyring: MemoryKeyring, repository: Path
) -> None:
    write(repository / "milvus.toml", PROJECT)
    env = {"MILVUS_URI": f"http://app:Ab/{SENTINEL}@db.example.com:19530"}
    result = cli("import", "--from", "env", "--name", "dev", env=env)
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: MILVUS_URI in the environment: 'http://***@db.example.com:19530' has an '@' after a '/'"
    )
    assert "Ab/" not in result.output
    assert SENTINEL not in result.output
    assert Path("milvus.toml").read_text(encoding="utf-8") == PROJECT
    assert memory_keyring.store == {}
    assert files_containing(repository, SENTINEL) == []
