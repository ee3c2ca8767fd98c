"""Periods: whether a sentence states the year or period a question names (:func:`period_missing`), and
when it gives a part of the year asked (:func:`period_part`, «پنج ماه نخست سال جاری» for «سال جاری»)."""

from __future__ import annotations

from assistant.question import Question
from index.sentences import DocumentInfo, SentenceInfo


def _period_keys(s: SentenceInfo) -> tuple[set, set, set, set]:
    whole, any_year, months, windows = set(), set(), set(), set()
    for p in s.periods:
        kind, off = p.shape[0], (p.shape[1] if len(p.shape) > 1 else None)
        keys = set()
        if off is not None and kind != "mrel":
            keys.add(("rel", off))
        if p.year is not None and (off is None or kind in ("year", "part")):
            keys.add(("abs", p.year))
        if kind in ("year", "gyear"):
            whole |= keys
        if kind in ("year", "gyear", "part", "month", "day"):
            any_year |= keys
        if kind == "part":
            months.add(tuple(p.shape[2:4]))
        if kind == "window":
            windows.add(p.shape[1])
    return whole, any_year, months, windows


def period_missing(q: Question, s: SentenceInfo, article: DocumentInfo) -> str | None:
    """The label of a period the question names that the sentence does not state (a day or a month may stand
    anywhere in its ``article``: the dateline), or None."""
    if not q.periods:
        return None
    whole, any_year, months, windows = _period_keys(s)
    for p in q.periods:
        kind = p.shape[0] if p.shape else "year"
        off = p.shape[1] if len(p.shape) > 1 else None
        key = ("rel", off) if off is not None else ("abs", p.start.year if p.start else None)
        if kind in ("year", "gyear"):
            ok = key in whole or (key == ("rel", -1) and 12 in windows)
        elif kind == "part":
            ok = key in any_year and tuple(p.shape[2:4]) in months
        elif kind == "window":
            ok = p.shape[1] in windows or (p.shape[1] == 12 and ("rel", -1) in whole)
        else:  # a day or a month: the dateline of the article, or the sentence
            wanted = p.label
            ok = any(x.label == wanted for x in s.periods) or any(
                x.label == wanted for other in article.sentences for x in other.periods)
        if not ok:
            return p.label
    return None


def period_part(q: Question, s: SentenceInfo) -> str | None:
    """When the sentence gives a part of a year the question asks for («پنج ماه نخست سال جاری» for «سال
    جاری»), the label of that part; it answers, with its period said."""
    whole, any_year, _months, _windows = _period_keys(s)
    for p in q.periods:
        kind = p.shape[0] if p.shape else "year"
        if kind not in ("year", "gyear"):
            continue
        off = p.shape[1] if len(p.shape) > 1 else None
        key = ("rel", off) if off is not None else ("abs", p.start.year if p.start else None)
        if key not in whole and key in any_year:
            part = next((x.label for x in s.periods if x.shape[0] in ("part", "month", "day")), None)
            if part:
                return part
    return None
