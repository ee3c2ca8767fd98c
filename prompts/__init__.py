"""Texts sent to a language model, one file each, loaded by name (``load("answer_system")``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_DIR = Path(__file__).parent


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The prompt ``prompts/<name>.md`` (raises ``FileNotFoundError`` naming it when missing)."""
    path = _DIR / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"prompt {name!r} not found: expected {path}")
    return path.read_text(encoding="utf-8").strip()
