"""Filters on where an answer may come from: a date range (Jalali or Gregorian) and an outlet.

``Filters(date_from="1403/01/01", date_to="1403-03-31", outlet="ایرنا")``: dates as ``1403/03/12``,
``۱۴۰۳-۰۳-۱۲``, ``۱۲ خرداد ۱۴۰۳`` or ``2024-06-01`` (``index/persian/dates.parse_date``), both ends included; the
outlet compared after folding letters and digits (``ايرنا`` is ``ایرنا``), a part of the name is enough. An article
with no date is outside every date range; one with no outlet matches no outlet filter. Search, ask, the HTTP API,
MCP and the CLI take them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from index.errors import AssistantError, Failure
from index.persian.dates import parse_date
from index.persian.fold import fold_chars


class FilterError(AssistantError, ValueError):
    """A filter that cannot be read (the message names it and shows the forms it takes)."""

    failure = Failure.INVALID


def _iso(value: str | None, name: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    day = parse_date(str(value).strip())
    if day is None:
        raise FilterError(f"{name} {value!r} is not a date: write 1403/03/12, ۱۲ خرداد ۱۴۰۳ or 2024-06-01")
    return day.togregorian().isoformat()


@lru_cache(maxsize=50_000)
def _day(date: str) -> str | None:
    """An article's date as stored (``2024-06-01``, ``1403/03/12``, ...) as ISO Gregorian."""
    day = parse_date(date.strip()[:10]) or parse_date(date.strip())
    return day.togregorian().isoformat() if day is not None else None


def _fold(text: str) -> str:
    return fold_chars(text).replace("\u200c", " ").strip().lower()


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None   # ISO Gregorian, after :meth:`of`
    date_to: str | None = None
    outlet: str | None = None

    @classmethod
    def of(cls, date_from: str | None = None, date_to: str | None = None, outlet: str | None = None) -> "Filters":
        """Filters from what a user wrote; a :class:`FilterError` for a date that is not one."""
        start, end = _iso(date_from, "date_from"), _iso(date_to, "date_to")
        if start and end and start > end:
            raise FilterError(f"date_from {date_from!r} is after date_to {date_to!r}")
        return cls(start, end, outlet.strip() if outlet and outlet.strip() else None)

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.outlet)

    def admits(self, date: str | None, outlet: str | None) -> bool:
        """Whether an article of this date (ISO) and outlet may answer."""
        if self.date_from or self.date_to:
            day = _day(date) if date else None
            if day is None:
                return False
            if (self.date_from and day < self.date_from) or (self.date_to and day > self.date_to):
                return False
        if self.outlet:
            return bool(outlet) and _fold(self.outlet) in _fold(outlet)
        return True


__all__ = ["FilterError", "Filters"]
