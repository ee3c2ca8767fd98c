"""What a question asks: its constraints.

A question is read into the things an answer must carry:

* **kind**: an amount, a count (of what: ``چند تعاونی``, ``چند نفر``), a percentage, a person, a name, a
  date, a year, a weekday, a place, a list (``کدام``), contact details, a reason, or anything else;
* **unit**, when the question names one (``چند دلار``, ``به ریال``, ``چند تن``) or its measure implies
  money (``سود``, ``تسهیلات``, ``درآمد`` asked with ``چقدر``);
* **periods** it names (``سال ۱۴۰۰``, ``سال گذشته``, ``پنج ماه نخست امسال``), read by ``index/persian/dates.py``;
* **subject**: the provinces it names;
* **words**: every other content word (the measure, the group, the product, the town, ...), each with
  the keys it matches on (``index/persian/lexicon.py``: stems, colloquial spellings, words meaning the
  same). ``assistant/match.py`` checks a sentence against all of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from index.errors import AssistantError, Failure
from index.persian.normalize import TOKEN, TextNormalizer, clean_invisible
from index.persian.places import find_provinces, province_spans

class QuestionError(AssistantError, ValueError):
    """The question cannot be asked (not text, empty or only spaces and ZWNJs, too long). ``code`` names which, for
    the front ends' error codes."""

    failure = Failure.INVALID

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def question_text(value: object, limit: int, what: str = "the question") -> str:
    """``value`` as a question is asked: invisible and control characters removed (``clean_invisible``, the table
    the index applies to the articles), trimmed, and checked: text, more than spaces and ZWNJs, at most ``limit``
    characters. Every front end and the chain check a question here; ``what`` names it in the message."""
    if not isinstance(value, str):
        raise QuestionError(f"{what} must be text, got {type(value).__name__}", "not_text")
    text = clean_invisible(value).strip()
    if not text.replace("\u200c", "").strip():      # nothing, or only spaces and ZWNJs
        raise QuestionError(f"{what} is empty", "empty")
    if len(text) > limit:
        raise QuestionError(f"{what} has {len(text)} characters; the limit is {limit}", "too_long")
    return text


Kind = Literal["amount", "count", "percent", "who", "name", "date", "when", "year", "weekday", "place", "which",
               "contact", "reason", "yesno", "other"]
AnswerType = Literal["amount", "who", "when", "which", "other"]  # the coarse type the sentence scoring uses

# Question words and fillers (canonical form): they say what kind of answer is wanted, not what about.
QUESTION_WORDS = frozenset("""
چقدر چقد چند چندتا چندین چه چی چیه چیست چیا کدام کدوم کدامیک کدومش کدامند کی کیه کیست کیا کجا کجاست چطور چطوری
چگونه چگونگی آیا چرا مگه مگر بود بوده است هست هستند بودند بودن باشد داشت داشته داشتند داشتن دارد دارند دارن میشه
شد شده شدند شدن کرد کرده کردند کردن میکنن میکنند میکند بگو بگید بفرمایید لطفا لطفاً خب حالا اون آن این اینکه
واسه برای با در به از را رو که تا ها های ای یه یک
how much many what which who whom whose when where why is are was were did does do the a an of in on to for by
and or with from at as it its that this there their about be been has have had any
""".split())

_LATIN = re.compile(r"[A-Za-z]")
_COUNT = re.compile(r"(?<!\w)(چند|چندتا|چه تعداد|تعداد|شمار|how many|number of)(?!\w)", re.IGNORECASE)
_AMOUNT = re.compile(r"چقدر|چقد(?!\w)|چه میزان|چه مقدار|چه\s+(?:مبلغ|اعتبار|هزینه|بودجه|درآمد|سرمایه|ارزش)\w*|(?<!\w)میزان(?!\w)|(?<!\w)رقم(?!\w)|(?<!\w)مبلغ(?!\w)|"
                     r"(?<!\w)ارزش(?!\w)|\bhow much\b|\bamount\b", re.IGNORECASE)
_PERCENT = re.compile(r"(چند|چه|چقدر)\s*درصد|درصد\w*\s*(چقدر|چند)|\bpercent", re.IGNORECASE)
_RATE = re.compile(r"(?<!\w)نرخ(?!\w)|\brate\b", re.IGNORECASE)  # a percentage or a price: unit class «rate»
_WHO = re.compile(r"چه کس|چه شخص|(?<!\w)کیست|(?<!\w)کیه(?!\w)|(?<!\w)کیا(?!\w)|(?<!\w)کی بود|\bwho\b|\bwhom\b|"
                  r"(?<!\w)(را|رو)\s+کی\s+\S+\s*[؟?]?\s*$", re.IGNORECASE)  # «خرج برندسازی رو کی میده؟»
_NAME = re.compile(r"(?<!\w)(نام|اسم)(ش)?(?!\w)|\bname\b", re.IGNORECASE)
_YEAR = re.compile(r"چه سال|کدام سال|کدوم سال|چندم سال|\bwhat year\b|\bwhich year\b", re.IGNORECASE)
_DAY = re.compile(r"چه روز|کدام روز|کدوم روز|\bwhat day\b|\bwhich day\b", re.IGNORECASE)
_DATE = re.compile(r"چه تاریخ|چه زمان|چه ماه|کدام ماه|(?<!\w)کی(?!\w)(?!\s*(است|هست|بود|ه\b))|\bwhen\b|what date|"
                   r"از چه وقت|چه وقت", re.IGNORECASE)
_PLACE = re.compile(r"(?<!\w)کجا|در کدام (شهر|استان|کشور|منطقه)|\bwhere\b", re.IGNORECASE)
_WHICH = re.compile(r"(?<!\w)(کدام|کدوم|کدامیک|کدامین)(?!\w)|چه (کشور|محصول|کالا|شهر|استان|شرکت|تعاونی|نهاد|بانک)|"
                    r"چه\s+\w+(هایی|ای|یی)(?!\w)|\bwhich\b|what (countries|products)", re.IGNORECASE)
_NOW = re.compile(r"(?<!\w)(?:در\s+)?(?:حال\s+حاضر|هم\s*اکنون|اکنون)(?!\w)")
_SCALE = frozenset({"هزار", "میلیون", "میلیارد", "تریلیون"})
_QUANTITY = frozenset({"چند", "چندتا", "چه", "چقدر", "به", "بر", "حسب", "چندین", "میزان"})
# the units index/persian/numbers.py reads amounts in; others («متر», «کیلوگرم») are checked as what is counted
_READ_UNITS = frozenset({"USD", "IRR", "IRT", "EUR", "percent", "tons", "hectares", "people"})
# «کدام کشورها», «کدام استان»: the answer must say the word or name one (match.py knows the names)
_NAMED_CLASSES = frozenset({"کشور", "استان"})
# words that say which part of a name is asked for, not what about
_NAME_PARTS = frozenset({"کوچک", "فامیل", "خانوادگی", "کامل"})
_REASON = re.compile(r"(?<!\w)(چرا|چگونه|چطور|به چه دلیل|علت|دلیل)(?!\w)|\bwhy\b|\bhow\b", re.IGNORECASE)
_YESNO = re.compile(r"^(آیا|ایا)(?!\w)", re.IGNORECASE)
_PERSON_CONTEXT = re.compile(r"مدیرکل|مدیر|رئیس|رییس|معاون|وزیر|استاندار|مدیرعامل|دبیر|نماینده|سرپرست|مسئول|"
                             r"کوچک|فامیل|خانوادگی|مهندس|دکتر|\bperson\b|director|head|minister|governor",
                             re.IGNORECASE)


@dataclass(frozen=True)
class QWord:
    """A content word of the question that the answer sentence must hold (or match by its keys)."""

    text: str                      # canonical, as it stands in the question
    keys: frozenset[str]
    role: str = "content"          # "content", "title" (a speaker's role), "attribution" (whose words),
                                   # "predicate" (the noun of a compound verb: «ارائه» of «ارائه داده») or
                                   # "implied" (goods, in a question on exports): scored, never required
    pos: int = 0                   # index of the word in the question (neighbours may form a compound)
    before: str = ""               # the question's token right before it («شهرستان» of «شهرستان رشت»)


@dataclass(frozen=True)
class Question:
    text: str                 # as typed
    canonical: str            # canonical matching form
    terms: tuple[str, ...]    # content terms (surface words and stems), question words removed: for scoring
    answer_type: AnswerType
    provinces: tuple[str, ...]
    english: bool             # written mostly in Latin letters
    kind: Kind = "other"
    unit: str | None = None                      # a unit code (USD, IRT, percent, tons...) or a class (money)
    counted: tuple[str, ...] = ()                # what «چند ...» counts (canonical words)
    periods: tuple = ()                          # index.persian.dates.Period, read without a reference
    amounts: tuple[float, ...] = ()              # values the question itself states
    contact: str | None = None                   # phone, address, web, hours
    which: str | None = None                     # the noun after «کدام»
    words: tuple[QWord, ...] = field(default=())  # content words the answer must hold

    @property
    def constrained(self) -> bool:
        """Whether the question says what it is about (a content word, a province or a count)."""
        return bool(self.words or self.provinces or self.counted)


def answer_type(kind: Kind) -> AnswerType:
    return {"amount": "amount", "count": "amount", "percent": "amount", "who": "who", "name": "who",
            "date": "when", "when": "when", "year": "when", "weekday": "when", "which": "which"}.get(kind, "other")


def _kind(canonical: str, lex) -> tuple[Kind, str | None]:
    asked = [lex.contact[w] for w in canonical.split() if w in lex.contact]
    # «آدرس سایت», «نشانی ایمیل» ask for a site or a mailbox: a street address only when nothing else is named
    contact = next((c for c in asked if c != "address"), asked[0] if asked else None)
    if contact is None and re.search(r"شماره\s*(تلفن|تماس)|ساعت\s*(کار|چند)", canonical):
        contact = "hours" if "ساعت" in canonical else "phone"
    if contact:
        return "contact", contact
    if _PERCENT.search(canonical):
        return "percent", None
    if _RATE.search(canonical) and not _WHO.search(canonical) and not _YEAR.search(canonical):
        return "amount", None  # a rate: analyse() gives it the unit class «rate»
    if _YEAR.search(canonical):
        return "year", None
    if _WHO.search(canonical):
        return ("name" if _NAME.search(canonical) else "who"), None
    if _NAME.search(canonical) and re.search(r"چیست|چیه|چی(?!\w)|چه|کدام|\bwhat\b", canonical, re.IGNORECASE):
        # «نام مدیرکل ...» asks for a person; «نام تعاونیهای ...» for the names of things (like «کدام»)
        return ("name" if _PERSON_CONTEXT.search(canonical) else "which"), None
    if _COUNT.search(canonical):
        return "count", None
    if _AMOUNT.search(canonical):
        return "amount", None
    if _DAY.search(canonical):
        return "weekday", None
    if _PLACE.search(canonical):
        return "place", None
    if _DATE.search(canonical):
        # «چه تاریخی» wants a date; «کی»/«چه زمانی» a date or a day («روز چهارشنبه»)
        return ("date" if re.search(r"چه تاریخ|what date", canonical, re.IGNORECASE) else "when"), None
    if _WHICH.search(canonical):
        return "which", None
    if _REASON.search(canonical):
        return "reason", None
    if _YESNO.search(canonical):
        return "yesno", None
    return "other", None


def _counted(tokens: list[tuple[int, int, str]], lex, stops: list[tuple[int, int]]) -> tuple[str, ...]:
    """The noun phrase after «چند» / «تعداد»: ``چند تا از تعاونیهای مرزنشین`` → (تعاونیهای, مرزنشین);
    ``از طرحهای تعاونی ... چند تاش خدماتی`` → (طرحهای, خدماتی)."""
    for i, (_a, _b, w) in enumerate(tokens):
        if w in ("چند", "چندتا") and i + 1 < len(tokens) and tokens[i + 1][2] in ("تاش", "تاشون", "تاشان"):
            before = [t for _a2, _b2, t in tokens[:i]]
            if "از" in before:
                j = before.index("از") + 1
                head = next((t for t in before[j:] if lex.role(t) in ("content", "generic")), None)
                rest = []
                for _a2, _b2, w2 in tokens[i + 2:]:
                    if lex.role(w2) in ("function", "verb", "question") or len(rest) >= 2:
                        break
                    rest.append(w2)
                if head:
                    return (head, *rest)
        if w in ("چند", "چندتا", "تعداد", "شمار") or (w == "تعداد" and i and tokens[i - 1][2] == "چه"):
            out: list[str] = []
            for a2, _b2, w2 in tokens[i + 1:]:
                if (w2 in ("تا", "عدد", "از", "تاش", "تاشون", "تاشان") or w2 in _SCALE) and not out:
                    continue
                role = lex.role(w2)
                if (w2[:1].isdigit() or role in ("function", "verb", "question") or len(out) >= 3
                        or any(s <= a2 < e for s, e in stops)):
                    break
                if role == "generic" and out and w2 not in ("استان",):
                    break
                out.append(w2)
            if out:
                return tuple(out)
    return ()


def analyse(text: str, normalizer: TextNormalizer) -> Question:
    from index.persian.dates import find_periods
    from index.persian.numbers import find_amounts
    from index.persian.lexicon import lexicon

    lex = lexicon()
    canonical = normalizer.canonical(text)
    stop = normalizer.stopwords
    terms = [t for word, word_terms in normalizer.words(canonical, canonical=True)
             if word not in QUESTION_WORDS and word not in stop for t in word_terms]
    latin = len(_LATIN.findall(canonical))
    english = latin > 0.5 * max(1, sum(ch.isalpha() for ch in canonical))
    kind, contact = _kind(canonical, lex)
    rate = kind == "amount" and _RATE.search(canonical) is not None
    lowered = canonical.lower()
    tokens = [(m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(lowered)]

    # spans that other constraints account for: periods, amounts, provinces
    periods = tuple(find_periods(canonical))
    taken = [(p.start_offset, p.end_offset) for p in periods]
    amounts = [a for a in find_amounts(canonical) if not any(s <= a.start < e for s, e in taken)]
    taken += [(a.start, a.end) for a in amounts if a.unit is not None or a.value >= 10]
    taken += [(s, e) for s, e, _ in province_spans(canonical)]
    taken += [m.span() for m in _NOW.finditer(canonical)]  # «در حال حاضر»: the present, not what about

    unit: str | None = None
    for i, (_a, _b, w) in enumerate(tokens):
        code = lex.unit_of(w)
        before = tokens[i - 1][2] if i else ""
        # a unit the amounts are read in (index/persian/numbers.py), said of the amount asked for: «چند دلار»,
        # «به ریال», «۲۵ درصدی»; not «رئال مادرید» (canonical «ریال»), not «متر» (counted instead)
        if code in _READ_UNITS and (before in _QUANTITY or before[:1].isdigit() or before in _SCALE):
            unit = code
            break
    counted = _counted(tokens, lex, [(s, e) for s, e, _ in province_spans(canonical)]) if kind == "count" else ()
    if kind == "count" and counted and lex.unit_of(counted[0]) in _READ_UNITS and lex.unit_of(counted[0]) != "people":
        kind, counted = "amount", ()  # «چند دلار», «چند تن»: an amount in that unit, not a count
    if kind == "percent":
        unit = "percent"
    elif rate and unit is None:
        unit = "rate"
    elif kind in ("amount", "count") and unit is None and not counted:
        if any(w in lex.money_measures for _a, _b, w in tokens):
            unit = "money"
        elif kind == "amount" and any({"≈صادرات", "≈واردات"} & lex.word_keys(w) for _a, _b, w in tokens):
            unit = "trade"
    which = None
    if kind == "which":
        after = re.search(r"(?:کدام|کدوم|کدامیک|کدامین|چه)\s+([^\s؟?]+)", lowered)
        if after is None:  # «نام (برخی از) تعاونیهای ...»
            after = re.search(r"(?:نام|اسم)\s+(?:(?:برخی|بعضی|همه)\s+(?:از\s+)?)?([^\s؟?]+)", lowered)
        which = after.group(1) if after else None

    attribution_spans = []
    for phrase in lex.attribution:
        for m in re.finditer(rf"(?<!\w){re.escape(phrase)}\s+([^،,؟?]+?)(?=[،,؟?]|\s+(?:در|از|به|چه|چند|کدام)\s|$)",
                         lowered):
            attribution_spans.append((m.start(1), m.end(1)))
    words: list[QWord] = []
    seen: set[str] = set()
    trade = any({"≈صادرات", "≈واردات"} & lex.word_keys(w) for _a, _b, w in tokens)
    counted_set = set(counted)
    for pos, (a, b, w) in enumerate(tokens):
        if w in seen or any(s <= a < e for s, e in taken):
            continue
        role = lex.role(w)
        if role not in ("content", "title"):
            continue
        if pos == len(tokens) - 1 and w in lex.past_stems:
            continue  # «... مهم دانست؟»: a question ends on its verb
        if w in lex.units or lex.unit_of(w):
            continue  # the unit is checked on the amounts
        if kind == "contact" and (w in lex.contact or w in ("شماره", "ساعت", "کاری")):
            continue  # what kind of contact detail is asked: checked on the sentence's contact details
        if w in counted_set and (w in lex.people or lex.unit_of(w) == "people"):
            continue  # «چند نفر»: any count of people
        if english and _LATIN.match(w):
            continue  # English questions are matched by meaning (sentence embeddings), not by word
        if (kind == "name" and w in _NAME_PARTS) or w in lex.asked.get(kind, ()) or \
                (kind == "which" and w == which and any(b in lex.class_nouns for b in lex.bases(w))):
            continue  # «در چه تاریخی», «چه کسی», «کدام نهاد»: the kind of answer, not what about
        implied = trade and any(b in lex.groups and "≈محصول" in lex.groups[b] for b in lex.bases(w))
        if kind == "which" and w == which and not any(b in _NAMED_CLASSES for b in lex.bases(w)):
            implied = True  # «کدام حشره»: the answer names one without saying «حشره»
        seen.add(w)
        in_attribution = any(s <= a < e for s, e in attribution_spans)
        following = tokens[pos + 1][2] if pos + 1 < len(tokens) else ""
        # a light verb after a noun makes it a predicate: «ارائه داده»، «افتتاح شد»، «استفاده کردن»
        predicate = bool(following) and lex.is_light_verb(following) and not lex.is_measure(w)
        setting = any(b in lex.setting for b in lex.bases(w))
        role_name = ("attribution" if in_attribution or setting else "title" if role == "title"
                     else "implied" if implied else "predicate" if predicate else "content")
        words.append(QWord(w, lex.word_keys(w), role_name, pos, tokens[pos - 1][2] if pos else ""))
    return Question(
        text=text,
        canonical=canonical,
        terms=tuple(dict.fromkeys(terms)),
        answer_type=answer_type(kind),
        provinces=tuple(find_provinces(canonical)),
        english=english,
        kind=kind,
        unit=unit,
        counted=counted,
        periods=periods,
        amounts=tuple(float(a.value) for a in amounts),
        contact=contact,
        which=which,
        words=tuple(words),
    )
