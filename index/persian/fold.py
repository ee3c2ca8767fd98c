"""One fold table for Persian text: digits of three scripts, Arabic letters, diacritics.

* :func:`fold_same_length` changes one character for one character (offsets into the result are
  offsets into the input): Persian ``۰-۹`` and Arabic-Indic ``٠-٩`` digits → ``0-9``, Arabic ``ي ك ى``
  → Persian ``ی ک ی``, the Arabic decimal and thousands separators ``٫ ٬`` and comma ``،`` → ``. , ,``,
  ``٪`` → ``%``. The number and date readers work on it and quote the input back.
* :func:`fold_chars` is the matching form: the same, plus ``ة ۀ ؤ أ إ ٱ`` folded, tatweel and hamza
  dropped, diacritics removed (length-changing).
* :func:`persian_digits` writes Latin digits as Persian ones, for display (``fa_number``).
"""

from __future__ import annotations

import re

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"
ZWNJ = "\u200c"

_SAME_LENGTH = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS + "يكى٫٬،٪", LATIN_DIGITS * 2 + "یکی.,,%")
_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS, PERSIAN_DIGITS)
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ؤ": "و", "أ": "ا", "إ": "ا",
                          "ٱ": "ا", "ـ": None, "ء": None})
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")


def fold_same_length(text: str) -> str:
    """Digits to Latin and Arabic letters to Persian, one character for one (offsets are kept)."""
    return text.translate(_SAME_LENGTH)


def latin_digits(text: str) -> str:
    """Every digit as a Latin digit (``۱۴۰۱`` → ``1401``)."""
    return text.translate(_TO_LATIN)


def persian_digits(text: str | int | float) -> str:
    """Latin digits as Persian ones (``1401`` → ``۱۴۰۱``)."""
    return str(text).translate(_TO_PERSIAN)


def fold_chars(text: str) -> str:
    """Fold letters, digits and diacritics to one spelling. Length-changing; for matching only."""
    return _DIACRITICS.sub("", text.translate(_TO_LATIN).translate(_LETTERS))


def fold_word(word: str) -> str:
    """A word as the canonical form writes it: folded, no half-space (``رئیس‌ها`` → ``رییسها``)."""
    return fold_chars(word.replace(ZWNJ, "")).strip()
