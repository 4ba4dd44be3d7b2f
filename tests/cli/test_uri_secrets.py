"""A user part of MILVUS_URI, whatever characters it holds, never shows in show, env, test --json, list or
connect()'s errors: each reads the URI as pymilvus does and masks everything before the last '@'."""

from __future__ import annotations

import pytest

from milvus_profiles import MilvusProfilesError, connect

from ..helpers import SENTINEL, Run

USER_PARTS = [
    f"app:Ab/{SENTINEL}",
    f"app:{SENTINEL}?x",
    f"app:{SENTINEL}#x",
    f"app:p@{SENTINEL}",
    f"app:{SENTINEL}:x",
    SENTINEL,
]


@pytest.mark.parametrize("user_part", USER_PARTS)
@pytest.mark.parametrize(
    "command",
    [("show", "--explain"), ("show",), ("env",), ("env", "--format", "json"), ("test", "--json"), ("list",)],
)
def test_no_part_of_the_uri_user_part_is_printed(cli: Run, user_part: str, command: tuple[str, ...]) -> None:
    result = cli(*command, env={"MILVUS_URI": f"http://{user_part}@127.0.0.1:9/mydb"})
    assert SENTINEL not in result.output
    assert "Ab/" not in result.output
    assert "p@" not in result.output


@pytest.mark.parametrize("user_part", USER_PARTS)
def test_connect_errors_never_show_the_uri_user_part(user_part: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILVUS_URI", f"http://{user_part}@127.0.0.1:9/mydb")
    with pytest.raises(MilvusProfilesError) as failed:
        connect(timeout=0.5)
    assert SENTINEL not in str(failed.value)
    assert "Ab/" not in str(failed.value)
