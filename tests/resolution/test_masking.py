"""Secrets in messages: masked where they stand as a value, and a short one nowhere else."""

from __future__ import annotations

import pytest

from milvus_profiles.resolution.resolved import mask_secrets

from ..helpers import SENTINEL


@pytest.mark.parametrize(
    ("text", "secret", "shown"),
    [
        ("password x refused", "x", "password ******** refused"),
        ("token=x&next", "x", "token=********&next"),
        ("value 'x' is illegal", "x", "value '********' is illegal"),
        ("the password is x.", "x", "the password is ********."),
        ("(x)", "x", "(********)"),
        ("x", "x", "********"),
        (f"glued{SENTINEL}glued", SENTINEL, "glued********glued"),
    ],
)
def test_a_secret_standing_as_a_value_is_masked(text: str, secret: str, shown: str) -> None:
    assert mask_secrets(text, secret) == shown


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("cannot reach milvus.example.com:19530", "x"),
        ("cannot reach milvus.example.com:19530", "e"),
        ("ipv4:127.0.0.1:1: Connection refused", "1"),
        ("milvus_lite", "lite"),
        ("Failed to connect to remote host", "o"),
    ],
)
def test_a_short_secret_inside_a_word_or_an_address_is_left_alone(text: str, secret: str) -> None:
    assert mask_secrets(text, secret) == text
