"""Amounts as Persian news writes them: ``۲۲ میلیون و ۹۹۵ هزار دلار`` → 22_995_000 USD.

Numbers come in three digit scripts (``۰-۹``, ``٠-٩``, ``0-9``), with ``.``/``٫`` (or ``/`` before a
scale word or ``درصد``) as decimal point and ``,``/``٬``/``،`` between thousands, spelled out
(``سیصد و بیست و پنج``), or mixed (``۱۲ هزار و پانصد``), with Arabic ``ي ك`` or Persian ``ی ک``, and
with a space, a ZWNJ or nothing between a number and its scale word (``یک‌میلیون``, ``۳۴میلیون``).

How it works: the text is folded character for character (so offsets stay those of the input),
cut into number tokens (digit runs, number words, scale words, ``و``), and a small grammar joins
them. A number is terms joined by ``و``; a term is a count with scale words after it
(``۲۲ میلیون``, ``۲۰ هزار میلیارد``) or scale words alone (``هزار``). A scale word multiplies all
the parts before it that are smaller than it, so ``هزار و ۵۰۸ میلیارد`` = (1000 + 508) billion.
Each part must be smaller than the place of the part before it, which keeps lists such as
``۳ و ۴ درصد`` apart. ``و`` may be left out between scaled groups: ``۱۲ میلیون ۵۰۰ هزار``.

What :func:`find_amounts` does not count as an amount:

* a bare digit run (no separators, no unit) right after ``سال``/``سال‌های`` or a month name: a year,
  and so is the second year of ``سال‌های ۱۴۰۰ و ۱۴۰۱`` / ``سال ۱۳۹۸ تا ۱۴۰۱``;
* a number right before a month name (``۱۲ دی``, ``۵ تیرماه``): a day of the month;
* dates and other digit runs joined by ``/`` or ``-`` (``1397/08/03``, ``۳-۴``, ``۱۴۰۱/۰۵``);
* a number right after a vague quantifier (``چند``, ``چندین``, ``ده‌ها``, ``صدها``, ``هزاران``,
  ``میلیون‌ها``): ``ده‌ها میلیون دلار`` is not 1_000_000 USD;
* the word ``نه`` alone with no unit: mostly "not", rarely "nine";
* words that only start like a number (``دوست``, ``هفته``, ``صدا``), ordinals (``دومین``,
  ``پنجم``) and vague plurals (``میلیون‌ها``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from index.persian.dates import MONTH_NAMES
from index.persian.fold import ZWNJ, fold_same_length

__all__ = ["Amount", "find_amounts", "parse_amount", "parse_number"]



@dataclass(frozen=True)
class Amount:
    """One amount in a text. ``text == input[start:end]`` spans the number and its unit."""

    value: int | float  # int when exact
    unit: str | None  # USD IRR IRT EUR percent people cooperatives companies jobs countries tons hectares members
    approximate: bool  # "حدود", "نزدیک به", "بیش از", ... right before the number
    start: int
    end: int
    text: str



_ONES = {"یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8, "نه": 9}
_TEENS = {"ده": 10, "یازده": 11, "دوازده": 12, "سیزده": 13, "چهارده": 14, "پانزده": 15, "پونزده": 15,
          "شانزده": 16, "هفده": 17, "هیفده": 17, "هجده": 18, "هیجده": 18, "نوزده": 19}
_TENS = {"بیست": 20, "سی": 30, "چهل": 40, "پنجاه": 50, "شصت": 60, "هفتاد": 70, "هشتاد": 80, "نود": 90}
_HUNDREDS = {"صد": 100, "یک[ \u200c]?صد": 100, "دویست": 200, "سیصد": 300, "چهارصد": 400, "پانصد": 500,
             "پونصد": 500, "ششصد": 600, "هفتصد": 700, "هشتصد": 800, "نهصد": 900}
_SCALES = {"هزار": 10**3, "میلیون": 10**6, "میلیارد": 10**9, "تریلیون": 10**12}

# (pattern, value, place): a part after "و" must be smaller than the place of the part before it.
_WORDS = sorted(
    [(w, v, 1) for w, v in {**_ONES, **_TEENS}.items()]
    + [(w, v, 10) for w, v in _TENS.items()]
    + [(w, v, 100) for w, v in _HUNDREDS.items()]
    + [("صفر", 0, 0), ("نیم", Decimal("0.5"), 0)],
    key=lambda entry: -len(entry[0]),  # longest first: دوازده before دو, سیصد before سی
)
_WORD_RES = [(re.compile(w), Decimal(v), Decimal(p)) for w, v, p in _WORDS]
_SCALE_RE = re.compile("|".join(_SCALES))

_BLOB = re.compile(r"\d+(?:[.,/-]\d+)*")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_SLASH = re.compile(r"(\d+)/(\d+)")
_SLASH_DECIMAL_CUE = re.compile(rf"[ \u200c]*(?:{_SCALE_RE.pattern}|درصد|%|تن|کیلومتر|متر|هکتار|سنت|دلار|ریال|تومان|"
                                r"یورو|کیلوگرم|لیتر)")

_GAP = " \t\u00a0\u202f\u200c"  # what may stand between the tokens of one number (no line break)
_NOT_LETTER = r"(?![^\W\d_]|\u200c)"
_NOT_AFTER_LETTER = r"(?<![^\W\d_])(?<!\u200c)"
_MONTHS = "|".join(MONTH_NAMES)
_SUFFIX = r"(?:ی|ات|\u200cای|\u200c?ها(?:یی|ی)?)?"
_UNITS = {
    "cooperatives": r"شرکت(?:\u200c?های?)?[ \u200c]+تعاونی|تعاونی",
    "jobs": r"فرصت(?:\u200c?های?)?[ \u200c]+شغلی|شغل",
    "companies": "شرکت", "USD": "دلار", "IRR": "ریال", "IRT": "تومان", "EUR": "یورو", "percent": "درصد",
    "people": "نفر", "countries": "کشور", "tons": "تن(?!ها)", "hectares": "هکتار", "members": "عضو",
}
_UNIT_AFTER = re.compile(
    rf"[{_GAP}]*(?:(?P<percent_sign>%)|(?:{'|'.join(f'(?P<{c}>{p})' for c, p in _UNITS.items())}){_SUFFIX}{_NOT_LETTER})"
)
_PERCENT_BEFORE = re.compile(rf"%[{_GAP}]*$")
_APPROX_BEFORE = re.compile(
    rf"{_NOT_AFTER_LETTER}(?:نزدیک(?:[ \u200c]+به)?|حدود(?:اً?|ً)?|بیش(?:تر)?[ \u200c]+از|کمتر[ \u200c]+از|"
    rf"بالغ[ \u200c]+بر|افزون[ \u200c]+بر|قریب(?:[ \u200c]+به)?|تقریبا?ً?)[{_GAP}]+$"
)
_YEAR_BEFORE = re.compile(
    rf"{_NOT_AFTER_LETTER}(?:سال(?:\u200c?های)?(?:[{_GAP}]+\d+[{_GAP}]+(?:و|تا))?|(?:{_MONTHS})(?:[ \u200c]?ماه)?)"
    rf"[{_GAP}]+$"
)
_MONTH_AFTER = re.compile(rf"[{_GAP}]*(?:{_MONTHS})(?:[ \u200c]?ماه)?{_NOT_LETTER}")
_VAGUE_BEFORE = re.compile(
    rf"{_NOT_AFTER_LETTER}(?:چند|چندین|(?:ده|صد|هزار|میلیون|میلیارد)\u200c?ها|هزاران)[{_GAP}]+$"
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "scale", "and", or "skip" (a date or other digits that are not one number)
    value: Decimal
    place: Decimal
    start: int
    end: int
    attached: bool = False  # only spaces or a ZWNJ between this token and the one before
    plain: bool = False  # a digit run without separators or decimals (could be a year)


def _is_letter(ch: str) -> bool:
    return ch.isalpha() or ch == ZWNJ


def _word_ends(s: str, end: int) -> bool:
    """A number word ends at ``end``: no letter follows, or a scale word glued on (``یکمیلیون``)."""
    if end >= len(s) or not _is_letter(s[end]):
        return True
    m = _SCALE_RE.match(s, end + (s[end] == ZWNJ))
    if m is None:  # a unit glued on: «۱۴هزارتومان»
        return s[end] != ZWNJ and _UNIT_AFTER.match(s, end) is not None
    return _word_ends(s, m.end())


def _word_token(s: str, i: int) -> _Token | None:
    if s[i] == "و" and (i + 1 == len(s) or not _is_letter(s[i + 1])):
        return _Token("and", Decimal(0), Decimal(0), i, i + 1)
    if m := _SCALE_RE.match(s, i):
        if _word_ends(s, m.end()):
            value = Decimal(_SCALES[m.group()])
            return _Token("scale", value, value, i, m.end())
    for pattern, value, place in _WORD_RES:
        if (m := pattern.match(s, i)) and _word_ends(s, m.end()):
            return _Token("num", value, place, i, m.end())
    return None


def _digit_token(s: str, m: re.Match, original: str) -> _Token:
    text, (a, b) = m.group(), m.span()
    if _NUMBER.fullmatch(text):
        return _Token("num", Decimal(text.replace(",", "")), Decimal(1), a, b, plain=text.isdigit())
    if (slash := _SLASH.fullmatch(text)) and _SLASH_DECIMAL_CUE.match(s, b):  # ۲/۵ میلیون
        whole, fraction = slash[1], slash[2]
        if original[a:b].isascii() and len(whole) == 1:
            # Latin digits around «/» in a right-to-left text come reversed: «5/21 تن» is 21.5 and «5/1 میلیارد»
            # 1.5 (every such figure of the news archive whose context tells, 7 of 7)
            whole, fraction = fraction, whole
        return _Token("num", Decimal(f"{whole}.{fraction}"), Decimal(1), a, b)
    return _Token("skip", Decimal(0), Decimal(0), a, b)


def _tokenize(s: str, original: str) -> list[_Token]:
    """Number tokens of folded text ``s`` (``original`` before folding), in order."""
    tokens: list[_Token] = []
    i, glued_at = 0, -1
    while i < len(s):
        token = None
        if "0" <= s[i] <= "9":
            m = _BLOB.match(s, i)
            if not (i and s[i - 1].isascii() and s[i - 1].isalpha()):  # not part of "COVID19"
                token = _digit_token(s, m, original)
            i = m.end()
            if i < len(s) and s[i] == ZWNJ:  # a ZWNJ after digits: "۳۴<ZWNJ>میلیون"
                i = glued_at = i + 1
        elif _is_letter(s[i]):
            if i == glued_at or not (i and _is_letter(s[i - 1])):
                token = _word_token(s, i)
            if token is None:
                while i < len(s) and _is_letter(s[i]):  # skip the rest of a word that is no number
                    i += 1
            else:
                i = token.end
                if i < len(s) and _is_letter(s[i]):  # a glued scale word follows
                    i = glued_at = i + (s[i] == ZWNJ)
        else:
            i += 1
        if token is not None:
            attached = bool(tokens) and not s[tokens[-1].end:token.start].strip(_GAP)
            tokens.append(_Token(token.kind, token.value, token.place, token.start, token.end,
                                 attached, token.plain))
    return tokens


_Parts = list[tuple[Decimal, Decimal]]  # (value, place) of each part, largest first


def _term(tokens: list[_Token], j: int, parts: _Parts) -> tuple[_Parts, int] | None:
    """Fold the term at ``tokens[j]`` (a count or a scale, then larger scale words) into ``parts``."""
    first = tokens[j]
    if first.kind not in ("num", "scale") or (parts and first.value >= parts[-1][1]):
        return None
    parts = [*parts, (first.value, first.place)]
    top = first.value if first.kind == "scale" else Decimal(0)
    j += 1
    while j < len(tokens) and tokens[j].kind == "scale" and tokens[j].attached and tokens[j].value > top:
        top, group = tokens[j].value, Decimal(0)
        while parts and parts[-1][0] < top:  # the scale multiplies everything smaller before it
            group += parts.pop()[0]
        parts.append((group * top, top))
        j += 1
    if len(parts) >= 2 and parts[-1][0] >= parts[-2][1]:
        return None  # "۳ میلیون و ۲ میلیون" is two numbers
    return parts, j


def _number_at(tokens: list[_Token], k: int) -> tuple[Decimal, int] | None:
    """The longest number starting at ``tokens[k]``: its value and the index after its last token."""
    got = _term(tokens, k, [])
    if got is None:
        return None
    parts, j = got
    while j < len(tokens):
        token = tokens[j]
        if token.kind == "and" and token.attached and j + 1 < len(tokens) and tokens[j + 1].attached:
            got = _term(tokens, j + 1, parts)
        elif token.kind == "num" and token.attached and tokens[j - 1].kind == "scale":
            got = _term(tokens, j, parts)  # "۱۲ میلیون ۵۰۰ هزار": "و" left out between scaled groups
            if got is not None and tokens[got[1] - 1].kind != "scale":
                got = None
        else:
            break
        if got is None:
            break
        parts, j = got
    return sum((value for value, _ in parts), Decimal(0)), j


def _py(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def find_amounts(text: str) -> list[Amount]:
    """Every amount in ``text``, in order and not overlapping (see the module docs for what is skipped)."""
    s = fold_same_length(text)  # one character for one: offsets stay those of the input
    tokens = _tokenize(s, text)
    amounts: list[Amount] = []
    k, last_end = 0, 0
    while k < len(tokens):
        got = _number_at(tokens, k)
        if got is None:
            k += 1
            continue
        value, j = got
        start, end, single = tokens[k].start, tokens[j - 1].end, j - k == 1
        k = j
        unit = None
        if m := _UNIT_AFTER.match(s, end):
            unit, end = ("percent" if m.lastgroup == "percent_sign" else m.lastgroup), m.end()
        elif m := _PERCENT_BEFORE.search(s, last_end, start):
            unit, start = "percent", m.start()
        if (
            (single and tokens[j - 1].plain and unit is None and _YEAR_BEFORE.search(s, last_end, start))
            or _MONTH_AFTER.match(s, tokens[j - 1].end)
            or _VAGUE_BEFORE.search(s, last_end, start)
            or (single and unit is None and s[start:end] == "نه")
        ):
            continue
        approximate = _APPROX_BEFORE.search(s, max(last_end, start - 24), start) is not None
        amounts.append(Amount(_py(value), unit, approximate, start, end, text[start:end]))
        last_end = end
    return amounts


def parse_amount(text: str) -> Amount | None:
    """The first amount in ``text``, or None."""
    amounts = find_amounts(text)
    return amounts[0] if amounts else None


def parse_number(text: str) -> int | float | None:
    """The value of ``text`` when all of it is one number phrase (``هفت میلیون و ۹۵۰ هزار``), else None."""
    s = fold_same_length(text)  # one character for one: offsets stay those of the input
    tokens = _tokenize(s, text)
    got = _number_at(tokens, 0) if tokens else None
    if got is None or s[: tokens[0].start].strip() or s[tokens[got[1] - 1].end:].strip():
        return None
    return _py(got[0])
