"""Where a value came from: the provenance every resolved value carries, from the file and line down to
the variable, the keyring account or the argument. A leaf: every layer may use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OriginKind = Literal["default", "file", "env", "keyring", "reference", "kwarg"]


@dataclass(frozen=True)
class Origin:
    """Where a value came from; `str()` gives it as `show --explain` prints it.

    Examples:
        ```python
        cfg = resolve("dev")
        print(cfg.origins["db_name"])  # file /home/me/app/milvus.toml:5 [profiles.dev]
        ```
    """

    kind: OriginKind
    """`default`, `file`, `env`, `keyring`, `reference` or `kwarg` (a keyword argument)."""
    detail: str = ""
    """The file and line (`/abs/milvus.toml:7 [profiles.dev]`), the variable name, the keyring account,
    the secret reference and where it is written, or the argument name."""

    def __str__(self) -> str:
        if self.kind == "default":
            return "default"
        if self.kind == "keyring":
            return f"keyring ({self.detail})" if self.detail else "keyring"
        if self.kind == "kwarg":
            return f"argument {self.detail}="
        return f"{self.kind} {self.detail}"
