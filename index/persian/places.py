"""Iran's provinces, as the news names them, for questions and (later) extracted facts.

Names are matched in canonical form (``TextNormalizer.canonical``: Persian letters, no ZWNJ) on word
boundaries; English names are matched case-insensitively, so an English question about Isfahan is
recognised as one about اصفهان.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# canonical Persian name: (other Persian spellings, English names)
PROVINCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "آذربایجان شرقی": ((), ("east azerbaijan", "east azarbaijan")),
    "آذربایجان غربی": ((), ("west azerbaijan", "west azarbaijan")),
    "اردبیل": ((), ("ardabil", "ardebil")),
    "اصفهان": ((), ("isfahan", "esfahan")),
    "البرز": ((), ("alborz",)),
    "ایلام": ((), ("ilam",)),
    "بوشهر": ((), ("bushehr", "bushehr")),
    "تهران": ((), ("tehran",)),
    "چهارمحال و بختیاری": (("چهار محال و بختیاری",), ("chaharmahal and bakhtiari", "chaharmahal")),
    "خراسان جنوبی": ((), ("south khorasan",)),
    "خراسان رضوی": ((), ("razavi khorasan", "khorasan razavi")),
    "خراسان شمالی": ((), ("north khorasan",)),
    "خوزستان": ((), ("khuzestan", "khouzestan")),
    "زنجان": ((), ("zanjan",)),
    "سمنان": ((), ("semnan",)),
    "سیستان و بلوچستان": (("سیستان",), ("sistan and baluchestan", "sistan", "baluchestan")),
    "فارس": ((), ("fars",)),
    "قزوین": ((), ("qazvin", "ghazvin")),
    "قم": ((), ("qom",)),
    "کردستان": ((), ("kurdistan", "kordestan")),
    "کرمان": ((), ("kerman",)),
    "کرمانشاه": ((), ("kermanshah",)),
    "کهگیلویه و بویراحمد": (("کهگیلویه", "کهکیلویه و بویراحمد"), ("kohgiluyeh and boyer-ahmad", "kohgiluyeh")),
    "گلستان": ((), ("golestan",)),
    "گیلان": ((), ("gilan", "guilan")),
    "لرستان": ((), ("lorestan", "luristan")),
    "مازندران": ((), ("mazandaran",)),
    "مرکزی": ((), ("markazi",)),
    "هرمزگان": ((), ("hormozgan",)),
    "همدان": ((), ("hamadan", "hamedan")),
    "یزد": ((), ("yazd",)),
}

# Names that are also ordinary words: مرکزی counts only right after "استان" (بانک مرکزی is not a
# province), فارس not after "خلیج".
_NEEDS_OSTAN = {"مرکزی"}
_NOT_AFTER = {"فارس": r"(?<!خلیج )(?<!خلیج)"}
_LETTER = r"[\w\u200c]"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for name, (variants, english) in PROVINCES.items():
        for form in (name, *variants):
            body = re.escape(form).replace(r"\ ", r"\s*")
            if name in _NEEDS_OSTAN:
                body = r"استان\s*" + body
            body = _NOT_AFTER.get(name, "") + body
            out.append((re.compile(rf"(?<!{_LETTER}){body}(?!{_LETTER})"), name))
        for form in english:
            out.append((re.compile(rf"\b{re.escape(form)}\b", re.IGNORECASE), name))
    # longest names first, so "خراسان رضوی" wins over any shorter overlap
    out.sort(key=lambda p: -len(p[0].pattern))
    return out


@lru_cache(maxsize=1)
def _outlet_pattern() -> re.Pattern:
    """A news agency or outlet named as the source of a report: «خبرگزاری فارس», «به گزارش فارس», «خبرنگار
    فارس», «فارس نیوز», «فارس:» opening a line. Its name is not a place (``index/agencies.txt`` lists them)."""
    text = resources.files("index").joinpath("agencies.txt").read_text(encoding="utf-8")
    names = [line.strip().replace("\u200c", "") for line in text.splitlines()
             if line.strip() and not line.startswith("#")]
    body = "|".join(re.escape(n).replace(r"\ ", r"\s*") for n in sorted(names, key=len, reverse=True))
    lead = (r"(?:(?:خبرنگار|گروه|سرویس)(?:\s+[\w\u200c]+){0,2}?|خبرگزاری|گزارش|پایگاه خبری|به نقل از)\s+")
    return re.compile(rf"(?<![\w\u200c])(?:{lead}(?:{body})|(?:{body})\s*(?:نیوز|news)|^\s*(?:{body})\s*[:：])"
                      rf"(?![\w\u200c])", re.IGNORECASE | re.MULTILINE)


def outlet_spans(canonical_text: str) -> list[tuple[int, int]]:
    """Where ``canonical_text`` names a news outlet as its source (the name, not a place)."""
    return [m.span() for m in _outlet_pattern().finditer(canonical_text)]


def find_provinces(canonical_text: str) -> list[str]:
    """Provinces named in ``canonical_text`` (canonical Persian or English), in order of appearance.
    A news agency's name is not its province: «خبرگزاری فارس» names no province."""
    return list(dict.fromkeys(name for _s, _e, name in province_spans(canonical_text)))


def province_spans(canonical_text: str) -> list[tuple[int, int, str]]:
    """(start, end, province) for every mention, in order."""
    spans: list[tuple[int, int, str]] = []
    outlets = outlet_spans(canonical_text)
    for pattern, name in _patterns():
        for m in pattern.finditer(canonical_text):
            if any(m.start() < e and s < m.end() for s, e in outlets):
                continue
            if not any(m.start() < e and s < m.end() for s, e, _ in spans):
                spans.append((m.start(), m.end(), name))
    return sorted(spans)
