"""What each sentence of an article states, worked out once at ingest and kept in the record.

For every sentence: its canonical form, the amounts it states with the words that say what each one
counts (``۱۳ تعاونی مرزنشین فعال`` → 13, counted ``تعاونی مرزنشین فعال``), the periods it names
(``index/persian/dates.py``, read against the article's own date), the provinces it names, the people it
names (given names, and the surnames the article pairs with them), whether it holds a calendar date
or a weekday, and contact details (a phone number, a web or mail address, a street address). For the
article: the provinces it names (most named first) and the surnames of the people it names.

The answerer checks a question's constraints against these (``assistant/match.py``) instead of
normalizing passages again for every question.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources

from index.persian.dates import WEEKDAY_NAMES
from index.persian.fold import fold_word
from index.persian.normalize import TextNormalizer

ANALYSIS_VERSION = "7"  # bump when what is stored here changes: ingest then analyses every document again

_PHONE = re.compile(r"(?<![\d/.-])(?:\+?98[\s-]?|0)?\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\d/.])")
_WEB = re.compile(r"https?://|www\.|\b[\w.-]+\.(?:ir|com|org|net)\b|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_ADDRESS = re.compile(r"(?<!\w)(خیابان|بلوار|کوچه|میدان|پلاک|نبش|بزرگراه|کدپستی|کد پستی)(?!\w)")
# a year or a time written without «سال»: «در ۱۹۱۲», «قرن نوزدهم», «۶۲۲ میلادی», «دهه ۶۰»
_YEARISH = re.compile(r"(?<![\d/.-])(1\d{3}|20\d{2})(?![\d/.-])|(?<!\w)(قرن|سده|دهه|هزاره)(?!\w)|"
                      r"\d+\s*(میلادی|هجری|شمسی|قمری|خورشیدی|پیش از میلاد|قبل از میلاد)")
_MONTH = re.compile(r"(?<!\w)(ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوییه|ژوئیه|اوت|سپتامبر|اکتبر|نوامبر|دسامبر|محرم|صفر|"
                    r"ربیعالاول|ربیعالثانی|جمادیالاول|جمادیالثانی|رجب|شعبان|رمضان|شوال|ذیقعده|ذیالقعده|ذیحجه|ذیالحجه)(?!\w)")
_WEEKDAY = re.compile(rf"(?<!\w)({'|'.join(fold_word(d) for d in WEEKDAY_NAMES)})(?!\w)")
_NUMBER_WORD = re.compile(r"^(\d+(\.\d+)?|و|یک|دو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|یازده|دوازده|سیزده|چهارده|پانزده|"
                          r"شانزده|هفده|هجده|نوزده|بیست|سی|چهل|پنجاه|شصت|هفتاد|هشتاد|نود|صد|یکصد|دویست|سیصد|"
                          r"چهارصد|پانصد|ششصد|هفتصد|هشتصد|نهصد|هزار|میلیون|میلیارد|تریلیون|حدود|بیش|از|نزدیک|به)$")
_GLUED_NUMBER = re.compile(r"^(?:یک|دو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|بیست|سی|چهل|پنجاه|شصت|هفتاد|هشتاد|نود|صد|یکصد|"
                           r"دویست|سیصد|چهارصد|پانصد|ششصد|هفتصد|هشتصد|نهصد|هزار|میلیون|میلیارد){2,}$")
_CLAUSE_END = re.compile(r"[،,؛;:.!؟?()«»\n]")
_SPEECH = re.compile(r"(?<!\w)(گفت|افزود|اظهار|تصریح|خبر داد|بیان کرد|ادامه داد|یادآور|خاطرنشان|عنوان کرد|تاکید|"
                     r"تأکید|اعلام کرد|اشاره کرد)")
# «به گزارش خبرگزاری فارس از زنجان، ...»: where the reporter was, not (by itself) what the story is about
_DATELINE = re.compile(r"^\s*به\s*گزارش[^،,:.\n]{0,80}?\s+از\s+([^،,:.\n]{2,40})[،,]")
_LOCAL = re.compile(r"(?<!\w)(استان|شهرستان|استانی)(?!\w)")
_AUXILIARIES = frozenset("است اند بود بودند باشد باشند شد شدند".split())
_HONORIFIC = frozenset("مهندس دکتر آقای خانم حجتالاسلام سردار سرهنگ".split())


@dataclass(frozen=True)
class AmountSpan:
    value: float
    unit: str | None
    start: int                      # offsets in the sentence (display text)
    end: int
    counted: tuple[str, ...]        # canonical words after the number: what it counts


@dataclass(frozen=True)
class PeriodSpan:
    label: str
    shape: tuple                    # Period.shape: ("year", offset), ("part", offset, m1, m2), ...
    year: int | None                # the Jalali year it falls in, when known
    start: int
    end: int


@dataclass(frozen=True)
class SentenceInfo:
    start: int                      # offsets in the document text
    end: int
    canonical: str
    amounts: tuple[AmountSpan, ...] = ()
    periods: tuple[PeriodSpan, ...] = ()
    provinces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()     # canonical person-name words
    date: bool = False              # a day, a month or a year (``۱۲ دی``, ``1397/08/03``, ``سال ۱۴۰۱``)
    year: bool = False              # a year named outright (not «سال جاری»)
    weekday: bool = False
    contact: tuple[str, ...] = ()   # "phone", "web", "address"

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "SentenceInfo":
        d = json.loads(text)
        d["amounts"] = tuple(AmountSpan(**{**a, "counted": tuple(a["counted"])}) for a in d["amounts"])
        d["periods"] = tuple(PeriodSpan(**{**p, "shape": tuple(p["shape"])}) for p in d["periods"])
        for key in ("provinces", "names", "contact"):
            d[key] = tuple(d[key])
        return cls(**d)


@dataclass(frozen=True)
class DocumentInfo:
    provinces: tuple[str, ...]      # the provinces the article names, most named first
    surnames: tuple[str, ...]       # words the article writes right after a given name
    sentences: tuple[SentenceInfo, ...]
    title: str = ""                 # canonical

    def header_json(self) -> str:
        return json.dumps({"provinces": self.provinces, "surnames": self.surnames, "title": self.title},
                          ensure_ascii=False)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    text = resources.files("index.persian").joinpath("given_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().replace("\u200c", "") for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def is_given_name(word: str) -> bool:
    names = given_names()
    if word in names:
        return True
    # compound given names: محمدجعفر, حسینعلی, عبدالرضا
    return any(word[:i] in names and word[i:] in names for i in range(2, len(word) - 1))


def _role(word: str) -> str:
    from index.persian.lexicon import lexicon

    return lexicon().role(word)


def _plain(word: str) -> bool:
    """Could be a surname: a content word that names no place, count or role."""
    from index.persian.lexicon import lexicon

    lex = lexicon()
    return (_role(word) == "content" and not word[:1].isdigit() and word not in lex.groups
            and not is_given_name(word) and word not in _HONORIFIC and word not in _NOT_NAMES)


_NOT_NAMES = frozenset("استان استانداری اداره وزارت وزارتخانه اتاق شورا سازمان بانک تعاونی تعاونیها شرکت جلسه نشست "
                       "همایش خبرنگار گزارش مدیران اعضای مشکلات اهداف".split())


def _counted(canonical_after: str, normalizer: TextNormalizer) -> tuple[str, ...]:
    """The words after a number that say what it counts, up to the end of the noun phrase."""
    from index.persian.lexicon import lexicon

    lex = lexicon()
    clause = _CLAUSE_END.split(canonical_after, 1)[0]
    words = [w for w, _ in normalizer.words(clause, canonical=True)]
    i = 0
    while i < len(words) and (_NUMBER_WORD.match(words[i]) or _GLUED_NUMBER.match(words[i])):
        i += 1  # «یکهزار و 18 پروژه»: number words written together are the number too
    out: list[str] = []
    for j in range(i, len(words)):
        w = words[j]
        if len(out) >= 3 or w[:1].isdigit():
            break
        role = lex.role(w)
        if role in ("function", "verb", "question") or (role == "generic" and out):
            break
        if out and j + 1 < len(words) and lex.is_light_verb(words[j + 1]) and (
                not words[j + 1].endswith("ه") or (j + 2 < len(words) and words[j + 2] in _AUXILIARIES)):
            break  # «۱۰ هزار فرصت شغلی ایجاد کرده است»: «ایجاد» is the verb's (not «نیروی بیمه شده»)
        out.append(w)
    return tuple(out)


def analyse_document(text: str, title: str, spans: list[tuple[int, int]], normalizer: TextNormalizer,
                     date: str | None = None) -> DocumentInfo:
    """The analysis of one document whose sentences are ``spans`` (offsets into ``text``)."""
    from index.persian.dates import article_date, find_periods, parse_date
    from index.persian.numbers import find_amounts
    from index.persian.places import find_provinces, province_spans

    reference = (parse_date(date) if date else None) or article_date(text, title)
    canonical_title = normalizer.canonical(title)
    sentences = []
    counts: dict[str, int] = {}
    surnames: dict[str, None] = {}
    datelined: dict[int, tuple[str, ...]] = {}  # sentence index → provinces named only in its dateline
    local = bool(_LOCAL.search(canonical_title))
    for name in find_provinces(canonical_title):
        counts[name] = counts.get(name, 0) + 2
    for s, e in spans:
        sentence = text[s:e]
        canonical = normalizer.canonical(sentence)
        words = [w for w, _ in normalizer.words(canonical, canonical=True)]
        for a, b in zip(words, words[1:]):
            if (is_given_name(a) or a in _HONORIFIC) and not is_given_name(b) and len(b) > 2 and _plain(b):
                surnames.setdefault(b)
        if words and _SPEECH.search(canonical) and _plain(words[0]) and len(words[0]) > 3:
            surnames.setdefault(words[0])  # «لقمانی ادامه داد», «مجتبوی با تاکید بر ... افزود»: the speaker
        for a, b in zip(words, words[1:]):
            if _plain(a) and len(a) > 3 and _role(b) == "title" and b in ("ریاست", "رئیس", "رییس", "مدیرکل",
                                                                         "مدیرعامل", "دبیر", "معاون"):
                surnames.setdefault(a)  # «مجتبوی ریاست اتاق ...»
        periods = []
        for p in find_periods(sentence, reference):
            year = p.start.year if p.start is not None else None
            periods.append(PeriodSpan(p.label, p.shape, year, p.start_offset, p.end_offset))
        amounts = []
        for amount in find_amounts(sentence):
            if any(p.start <= amount.start < p.end for p in periods):
                continue  # the «یک» of «یک سال گذشته», the «پنج» of «پنج ماه نخست»
            after = normalizer.canonical(sentence[amount.start:min(len(sentence), amount.end + 60)])
            amounts.append(AmountSpan(float(amount.value), amount.unit, amount.start, amount.end,
                                      _counted(after, normalizer)))
        provinces = tuple(find_provinces(canonical))
        dateline = _DATELINE.match(canonical)
        body = canonical
        if dateline:
            spans_here = province_spans(canonical)
            inside = {n for a, b, n in spans_here if a >= dateline.start(1) and b <= dateline.end(1)}
            outside = {n for a, b, n in spans_here if not (a >= dateline.start(1) and b <= dateline.end(1))}
            if inside - outside:
                datelined[len(sentences)] = tuple(inside - outside)
            body = canonical[dateline.end():]
        local = local or bool(_LOCAL.search(body))
        for name in provinces:
            counts[name] = counts.get(name, 0) + 1
        contact = tuple(kind for kind, pattern in (("phone", _PHONE), ("web", _WEB), ("address", _ADDRESS))
                        if pattern.search(sentence if kind != "address" else canonical))
        named = [p for p in find_periods(sentence) if p.shape[0] != "window"]
        year = any(not p.relative for p in named) or bool(_YEARISH.search(canonical))
        sentences.append(SentenceInfo(
            start=s, end=e, canonical=canonical, amounts=tuple(amounts), periods=tuple(periods),
            provinces=provinces, names=tuple(w for w in words if is_given_name(w)),
            date=year or any(p.shape[0] in ("day", "month") for p in named) or bool(_MONTH.search(canonical)),
            year=year,
            weekday=bool(_WEEKDAY.search(canonical)), contact=contact,
        ))
    # a province named only in a dateline is the story's when the story speaks of a province or county, or names
    # it again; otherwise it is where the reporter was (a national figure reported from Zanjan is not Zanjan's)
    for i, names in datelined.items():
        away = tuple(n for n in names if counts.get(n, 0) <= 1 and not local)
        if away:
            for n in away:
                counts.pop(n, None)
            s = sentences[i]
            sentences[i] = SentenceInfo(**{**s.__dict__, "provinces": tuple(p for p in s.provinces if p not in away)})
    # surnames found anywhere in the article name people in every sentence that uses them
    known = set(surnames)
    sentences = [s if not (known & set(s.canonical.split())) else
                 SentenceInfo(**{**s.__dict__, "names": tuple(dict.fromkeys(
                     s.names + tuple(w for w in s.canonical.split() if w in known)))})
                 for s in sentences]
    provinces = tuple(sorted(counts, key=lambda n: -counts[n]))
    return DocumentInfo(provinces=provinces, surnames=tuple(surnames), sentences=tuple(sentences),
                        title=canonical_title)
