"""The fitted weights, thresholds and constants of answering and retrieval, read from a versioned data file.

The values live in ``assistant/params.toml`` (shipped with the package), one table per group below, each
value commented with what it is and how it was set; ``ASSISTANT_PARAMS_FILE`` (``Settings.params_file``)
may name another file of the same shape. :func:`load` reads a file once (again only when it changes) and
returns typed, frozen :class:`Params`; :func:`update` rewrites one table's values in place, keeping the
rest of the file and its comments (``bench/answer_weights.py --write``).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import get_type_hints

from assistant.settings import SettingsError

PACKAGED = Path(__file__).resolve().with_name("params.toml")
VERSION = 1  # the shape of the file this code reads


@dataclass(frozen=True)
class Thresholds:
    """When the offline answerer abstains ([thresholds])."""

    min_dense_english: float   # similarity of the best passage, for questions with no lexical signal
    second_sentence: float     # a second (and third) sentence is added when it scores this share of the best
    max_missing_share: float   # words a non-figure answer may lack, as a share of the question's weight
    near_coverage: float       # a refusal explains the nearest sentence when it holds this share of the words
    strict_kinds: tuple[str, ...]          # kinds of question whose answer must hold every binding word
    binding_log_frequency: float | None    # a word binds when hazm's corpus writes it ≤ 10^this times; None: all
    binding_kinds: tuple[str, ...]         # kinds where only binding words must be there


@dataclass(frozen=True)
class SentenceWeights:
    """The weight of each feature of a sentence's score ([sentence_weights], ``ExtractiveAnswerer.score``)."""

    coverage: float          # share of the question's words (weighted by rarity in the index)
    local: float             # the same, words weighted by rarity among the candidate sentences
    kind: float              # holds the kind of thing asked (an amount, a person, a date, a list)
    counted: float           # an amount of it counts the thing «چند ...» asks about
    rank: float              # 1 / (1 + rank of its passage)
    passage_coverage: float  # share of the question's words its passage holds
    meaning: float           # cosine similarity of its stored embedding to the question's

    def score(self, features: dict[str, float]) -> float:
        return sum(getattr(self, name) * value for name, value in features.items())


@dataclass(frozen=True)
class Picking:
    """How the answer's sentences are chosen among those that answer ([picking])."""

    max_sentences: int          # sentences in an answer to «چرا», «چیست», «کدام»
    max_figure_sentences: int   # ... to a question for a figure or a date, a name or a list
    miss_penalty: float         # taken off a sentence's score per miss, when it still answers
    title_penalty: float        # taken off the headline's score
    repeat_overlap: float       # a larger share of words shared with a chosen sentence: a repeat


@dataclass(frozen=True)
class Retrieval:
    """Constants of hybrid retrieval ([retrieval])."""

    rrf_k: int   # reciprocal rank fusion: 1 / (rrf_k + rank)


@dataclass(frozen=True)
class Params:
    """One parameters file, read and checked."""

    version: int
    thresholds: Thresholds
    sentence_weights: SentenceWeights
    picking: Picking
    retrieval: Retrieval
    path: Path   # where they were read from


_SHAPES = {name: cls for name, cls in get_type_hints(Params).items() if name not in ("version", "path")}


def load(path: str | os.PathLike | None = None) -> Params:
    """The parameters in ``path`` (default: the packaged ``assistant/params.toml``), read once per change.

    Raises :class:`~assistant.settings.SettingsError` naming the file, the bad key or value and the fix."""
    p = Path(path) if path is not None else PACKAGED
    if not p.is_file():
        raise SettingsError(f"{p}: no such parameters file (point ASSISTANT_PARAMS_FILE at a changed copy of "
                            f"{PACKAGED}, or unset it)")
    stat = p.stat()
    return _read(str(p.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _read(path: str, _mtime_ns: int, _size: int) -> Params:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{p}: not a TOML file: {exc}{_fix(p)}") from None
    return parse(data, p)


def _fix(p: Path) -> str:
    """How to fix a bad file: it, or (another file than the packaged one) not using it."""
    return " (correct the file" + ("" if p == PACKAGED else f", or unset ASSISTANT_PARAMS_FILE to use {PACKAGED}") + ")"


def parse(data: dict, path: Path) -> Params:
    """:class:`Params` from a parsed file, every key and value checked."""
    def bad(what: str) -> SettingsError:
        return SettingsError(f"{path}: {what}{_fix(path)}")

    if data.get("version") != VERSION:
        raise bad(f"version = {data.get('version')!r}: expected version = {VERSION} (the shape this assistant "
                  "reads)")
    for name in data:
        if name != "version" and name not in _SHAPES:
            raise bad(f"[{name}]: unknown table; expected version and the tables {', '.join(_SHAPES)}")
    tables = {}
    for name, cls in _SHAPES.items():
        table = data.get(name)
        if not isinstance(table, dict):
            raise bad(f"no [{name}] table: expected one with the keys {', '.join(f.name for f in fields(cls))}")
        hints = get_type_hints(cls)
        for key in table:
            if key not in hints:
                raise bad(f"[{name}] {key}: unknown key; expected one of {', '.join(hints)}")
        values = {}
        for key, hint in hints.items():
            if key not in table:
                if hint == float | None:
                    values[key] = None
                    continue
                raise bad(f"[{name}] lacks {key}: add it")
            value, expected = _value(table[key], hint)
            if expected:
                raise bad(f"[{name}] {key} = {table[key]!r}: expected {expected}")
            values[key] = value
        tables[name] = cls(**values)
    return Params(version=VERSION, path=path, **tables)


def _value(value, hint) -> tuple[object, str]:
    """(the value as the field's type, "") or (None, what was expected)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    if hint in (float, float | None):
        return (float(value), "") if number else (None, "a number ≥ 0")
    if hint is int:
        return (value, "") if number and isinstance(value, int) else (None, "a whole number ≥ 0")
    if hint == tuple[str, ...]:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return (tuple(value), "") if ok else (None, 'a list of names like ["amount", "count"]')
    raise TypeError(f"no reader for a field of type {hint}")


def update(path: str | os.PathLike, table: str, values: dict[str, float | int]) -> None:
    """Write ``values`` into ``[table]`` of the parameters file ``path``, in place: every other line (the
    other tables, the comments, the version) stays as it is. The result is checked before it replaces the file."""
    p = Path(path)
    lines = p.read_text(encoding="utf-8").splitlines(keepends=True)
    left = dict(values)
    current = None
    for i, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if head := re.match(r"\s*\[([^\]]+)\]", body):
            current = head.group(1).strip()
            continue
        m = re.fullmatch(r"(\s*(\w+)\s*=\s*)([^#]*?)([ \t]*#.*)?", body)
        if current != table or not m or m.group(2) not in left:
            continue
        old, new, comment = m.group(3), repr(left.pop(m.group(2))), m.group(4) or ""
        if comment:  # the comment stays in its column, as far as the new value allows
            comment = " " * max(1, len(old) + len(comment) - len(comment.lstrip()) - len(new)) + comment.lstrip()
        lines[i] = m.group(1) + new + comment + line[len(body):]
    if left:
        raise SettingsError(f"{p}: [{table}] lacks {', '.join(left)}: add the keys before writing them")
    text = "".join(lines)
    parse(tomllib.loads(text), p)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, p)
    _read.cache_clear()
