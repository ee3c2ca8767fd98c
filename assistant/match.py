"""Does a sentence answer what was asked? Every constraint of the question, checked.

:func:`check` compares a :class:`~assistant.question.Question` with one sentence of an article (its
analysis from ``index/sentences.py``) and returns what the sentence does not carry, as :class:`Miss`
items; an empty list means it answers. Checked:

* **words**: every content word of the question (the measure, the group, the product, the town...)
  is in the sentence, in any spelling the lexicon knows (stems, colloquial forms, glued or split
  compounds, words meaning the same). Words of the article's title, the role of a quoted speaker and
  whose words they are («به گفته X») may stand anywhere in the article, except the measure of a figure
  asked when the sentence gives its figure for another measure (exports in the title, investment here);
* **amounts**: a count (``چند تعاونی``) needs a number of that thing (``۲۵ شرکت تعاونی``, not
  ``۳۱ طرح تعاونی``); an amount asked in a unit (``چند دلار``, ``به ریال``, ``چند تن``) needs an amount
  in that unit; a percentage needs a percentage; a number the question itself states is no answer;
* **periods**: a year or period the question names must be the sentence's (``سال ۱۴۰۱`` is not
  ``پنج ماه نخست ۱۴۰۱``, ``سال جاری`` is ``امسال``, ``یک سال گذشته`` is ``دوازده ماه گذشته``);
* **kind**: a person's name for «چه کسی»/«نام», a date, a year or a weekday for «کی»/«چه سالی»/«چه
  روزی», contact details for «تلفن»/«نشانی»/«سایت», names rather than a count for «کدام»;
* **subject**: a sentence that names only other provinces is not about the one asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.coverage import PART, sentence_keys
from assistant.periods import period_missing, period_part
from assistant.question import Question, QWord
from index.persian.lexicon import Lexicon, lexicon
from index.persian.normalize import TOKEN
from index.sentences import AmountSpan, DocumentInfo, SentenceInfo

_SPEECH = re.compile(r"(?<!\w)(گفت|افزود|اظهار|تصریح|خبر داد|بیان کرد|ادامه داد|یادآور|خاطرنشان|عنوان کرد|تاکید کرد|"
                     r"تأکید کرد|اعلام کرد|اشاره کرد)")
_NUMBERISH = re.compile(r"^(\d+(\.\d+)?|یک|دو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|صد|هزار|میلیون|میلیارد|بیست|سی|چهل|"
                        r"پنجاه|شصت|هفتاد|هشتاد|نود|دویست|سیصد|چهارصد|پانصد)$")
_OFFICES = frozenset("وزارت وزارتخانه معاونت سازمان اداره بانک اتحادیه اتاق شورا صندوق استانداری دولت مجلس "
                     "شهرداری فرمانداری".split())
_WHOLE_PROVINCE = re.compile(r"(?<!\w)(کل استان|سطح استان|سراسر استان|کل این استان)(?!\w)")
_PART_OF_PROVINCE = re.compile(r"(?<!\w)(شهرستان|منطقه|بخش|روستای|دهستان|شهر)\s+\w+")
_COUNTRY = re.compile(r"(?<!\w)(کل کشور|در کشور|سطح کشور|سراسر کشور)(?!\w)")
_COUNTERS = frozenset("شرکت واحد عدد مورد فقره باب نوع دستگاه قطعه راس رأس نفر ثبت".split())
_WHEN_KINDS = ("date", "when", "year", "weekday")
_FIGURE_KINDS = ("amount", "count", "percent")
_TIME_UNITS = frozenset("سال ماه روز هفته".split())
_HUMAN = frozenset("نفر نیرو عضو اعضا شاغل کارگر کارمند فرد افراد کارکن جوان زن مرد دانشجو".split())
_UNIT_COUNTS = {"cooperatives": ("تعاونی", "شرکت"), "companies": ("شرکت", "تعاونی"), "countries": ("کشور",),
                "members": ("عضو",), "jobs": ("شغل", "اشتغال")}


@dataclass(frozen=True)
class Miss:
    """One constraint the sentence does not carry."""

    kind: str        # word, unit, count, amount, percent, period, contact, name, date, year, weekday, which, subject
    asked: str       # the question's piece (canonical words, a unit code, a period label)
    found: str = ""  # what the sentence has instead, when it has something
    soft: bool = False  # a predicate's noun («ارائه» of «ارائه داده»): often said in other words


@dataclass
class Article:
    """What the checks need of one article: its analysis, title, and every word's keys."""

    doc_id: str
    title: str
    info: DocumentInfo
    title_keys: frozenset[str] = field(default_factory=frozenset)
    keys: frozenset[str] = field(default_factory=frozenset)
    speech_roles: tuple[tuple[str, ...], ...] = ()  # roles of people quoted without their name («معاون وزیر»)
    main_person: str | None = None
    vectors: dict = field(default_factory=dict)  # sentence start → its embedding, when the index keeps them

    @classmethod
    def build(cls, doc_id: str, title_canonical: str, info: DocumentInfo, vectors: dict | None = None) -> "Article":
        all_keys: set[str] = set()
        speech: list[tuple[str, ...]] = []
        for s in info.sentences:
            all_keys |= sentence_keys(s.canonical)
            said = _SPEECH.search(s.canonical)
            if said and not s.names:  # «مدیرکل ... گفت»: the role of the speaker, before the verb of saying
                speech.extend(title_runs(s.canonical[:said.start()])[:1])
        title_keys = sentence_keys(title_canonical)
        counts: dict[str, int] = {}
        for s in info.sentences:
            for n in s.names:
                if n in info.surnames:
                    counts[n] = counts.get(n, 0) + 1
        main = max(counts, key=lambda n: counts[n]) if counts else None
        return cls(doc_id, title_canonical, info, title_keys, frozenset(all_keys | title_keys), tuple(speech), main,
                   dict(vectors or {}))


def title_runs(canonical: str) -> list[tuple[str, ...]]:
    """The role words of each role a text names: «معاون امور تعاون وزیر کار» → [("معاون", "وزیر")]
    (role words at most two words apart, within one clause)."""
    lex = lexicon()
    runs = []
    for clause in re.split(r"[،,:؛.()«»]", canonical):
        run: list[str] = []
        gap = 0
        tokens = TOKEN.findall(clause)
        joined: list[str] = []
        for t in tokens:  # «مدیر عامل» written apart is «مدیرعامل»
            if joined and lex.role(joined[-1] + t) == "title" and lex.role(t) != "title":
                joined[-1] += t
            else:
                joined.append(t)
        for t in joined:
            if lex.role(t) == "title":
                run.append(t)
                gap = 0
            elif run:
                gap += 1
                if gap > 2:
                    runs.append(tuple(run))
                    run, gap = [], 0
        if run:
            runs.append(tuple(run))
    return runs


def _same_role(asked: list[QWord], run: tuple[str, ...], lex: Lexicon) -> bool:
    return len(asked) == len(run) and all(w.keys & lex.keys(t) for w, t in zip(asked, run))


def _word_in(word: QWord, keys: frozenset[str], lex: Lexicon) -> bool:
    if word.keys & keys:
        return True
    # a part of a compound: «دانش» of «دانشبنیان» (not a money measure: «سرمایه» is not «سرمایهگذاری»)
    if word.text not in lex.money_measures and {PART + k for k in word.keys} & keys:
        return True
    for base in lex.bases(word.text):
        for a, b in lex.parts(base):
            if _key_in(lex.keys(a), keys) and _key_in(lex.keys(b), keys):
                return True
    return False


def _key_in(wanted: frozenset[str], keys: frozenset[str]) -> bool:
    return bool(wanted & keys) or any(PART + k in keys for k in wanted)


def missing_words(q: Question, s: SentenceInfo, article: Article) -> list[QWord]:
    """Content words of the question that neither the sentence nor (where allowed) the article holds."""
    lex = lexicon()
    keys = sentence_keys(s.canonical)
    before = [x for x in article.info.sentences if x.end <= s.start]
    previous = sentence_keys(before[-1].canonical) if before else None
    out = []
    glued_ok: set[int] = set()
    words = list(q.words)
    for i, (w1, w2) in enumerate(zip(words, words[1:])):
        # «یارانه بگیر» = «یارانهبگیر»: the compound itself, not a stem of it that is one of its parts
        # («جمعیت یمن» glued is not «جمعیت»)
        if w2.pos == w1.pos + 1 and (lex.keys(w1.text + w2.text) - lex.keys(w1.text) - lex.keys(w2.text)) & keys:
            glued_ok |= {i, i + 1}
    who = q.kind in ("who", "name")
    # a sentence about a province the question does not name («... روستایی مازندران» for «شهرستان بابل») borrows
    # nothing from the article's title or the sentence before: it is not about the article's topic
    elsewhere = bool(s.provinces) and not set(s.provinces) & set(q.provinces)
    for i, w in enumerate(words):
        if i in glued_ok or w.role == "implied" or _word_in(w, keys, lex):
            continue
        if q.kind in _FIGURE_KINDS and lex.is_measure(w.text) and _names_other_measure(q, s, lex):
            # a figure of the sentence's own measure («سرمایهگذاری ۵۰۸ میلیارد ریال») is not one of the measure
            # asked («صادرات»), however much the article's title or the sentence before speak of that
            out.append(w)
            continue
        if w.text == q.which and _names_one(w.text, s, lex):
            continue  # «کدام کشورها» → «ترکمنستان، عراق»
        if w.text == q.which:
            out.append(w)  # reported as a «which» miss by check()
            continue
        if q.kind not in _WHEN_KINDS and not elsewhere and _word_in(w, article.title_keys, lex):
            continue  # the article's topic: «وی», «این استان» in the sentence (not for «when»: the date is the event's)
        if previous is not None and q.kind not in _WHEN_KINDS and not elsewhere and _word_in(w, previous, lex):
            continue  # said in the sentence before, which «وی», «این» and «آن» refer back to
        if (w.role in ("title", "attribution") or who or w.text in article.info.surnames) and \
                _word_in(w, article.keys, lex):
            continue  # who said it / the role of the person asked about: anywhere in the article
        out.append(w)
    return out


def _names_other_measure(q: Question, s: SentenceInfo, lex: Lexicon) -> bool:
    """Whether the sentence names a measure that none of the question's words is."""
    asked = frozenset(k for w in q.words for k in w.keys)
    return any(lex.is_measure(t) and not lex.keys(t) & asked for t in TOKEN.findall(s.canonical))


def _of_other_measure(q: Question, amounts: list[AmountSpan], lex: Lexicon) -> tuple[str, str] | None:
    """(the measure asked, the one the figures are of) when every figure says it is of another measure:
    «بیست و پنج درصد تسهیلات» for «سهم ... از اشتغال چند درصد»."""
    asked = [w for w in q.words if lex.is_measure(w.text)]
    if not asked or not amounts:
        return None
    keys = frozenset(k for w in asked for k in w.keys)
    found = ""
    for a in amounts:
        measures = [w for w in a.counted[:2] if lex.is_measure(w)]
        if not measures or any(lex.keys(m) & keys for m in measures):
            return None
        found = found or measures[0]
    return asked[0].text, found


def _names_one(which: str, s: SentenceInfo, lex: Lexicon) -> bool:
    """Whether the sentence names a country (for «کدام کشور») or a province (for «کدام استان»)."""
    bases = lex.bases(which)
    if "استان" in bases:
        return bool(s.provinces)
    if "کشور" in bases:
        return any(t in lex.countries for t in TOKEN.findall(s.canonical))
    return False


def _unit_ok(unit: str, a: AmountSpan, lex: Lexicon) -> bool:
    if unit in lex.unit_classes:
        return a.unit in lex.unit_classes[unit]
    if unit == "trade":
        return a.unit in lex.unit_classes["money"] + lex.unit_classes["weight"]
    return a.unit == unit


def _counts(counted: tuple[str, ...], a: AmountSpan, lex: Lexicon, asked: frozenset[str]) -> bool:
    """Whether amount ``a`` is a number of what ``counted`` names (and not of a narrower group:
    «۱۳ تعاونی مرزنشین» does not answer «چند تعاونی»; ``asked`` holds the keys of the question's words)."""
    if not counted:
        return True
    if any(w in lex.subgroups and not lex.keys(w) & asked for w in a.counted[1:]):
        return False
    head = counted[0]
    head_keys = lex.keys(head)
    if head in lex.people or lex.unit_of(head) == "people" or lex.keys(head) & _HUMAN_KEYS():
        # «چند جوان»: a count of people; who they are («جوان») is a word the sentence must hold
        return a.unit in ("people", "members", "jobs") or any(lex.keys(w) & _HUMAN_KEYS() for w in a.counted[:2])
    if a.counted and head_keys & lex.keys(a.counted[0]):
        return True
    if len(a.counted) >= 2 and a.counted[0] in _COUNTERS and head_keys & lex.keys(a.counted[1]):
        return True  # «۲۵ شرکت تعاونی» counts cooperatives; «۳۱ طرح تعاونی» counts projects
    if len(a.counted) >= 2 and head_keys & lex.keys(a.counted[0] + a.counted[1]):
        return True  # «نفر ساعت» = «نفرساعت»
    return any(head_keys & lex.keys(x) for x in _UNIT_COUNTS.get(a.unit or "", ()))


@lru_cache(maxsize=1)
def _HUMAN_KEYS() -> frozenset[str]:
    lex = lexicon()
    return frozenset(k for w in _HUMAN for k in lex.keys(w))


def _answers(q: Question, s: SentenceInfo) -> list[AmountSpan]:
    """The sentence's amounts that are not numbers the question itself states."""
    return [a for a in s.amounts if a.value not in q.amounts]


def _names_ok(q: Question, s: SentenceInfo, article: Article, lex: Lexicon) -> bool:
    names = [n for n in s.names if n not in q.canonical.split()]
    if not names:
        if q.kind != "who":
            return False
        # «چه کسی ریاست ... را داشت؟» → «به ریاست استاندار گیلان»: right after the role asked, another role;
        # «خرج ... را کی می‌دهد؟» → «توسط معاونت تعاون وزارت ...»: an office
        asked = {k for w in q.words if w.role == "title" for k in w.keys}
        tokens = TOKEN.findall(s.canonical)
        if not asked:
            return any(lex.role(t) == "title" or t in _OFFICES for t in tokens)
        return any(lex.keys(t) & asked and any(lex.role(u) == "title" and not lex.keys(u) & asked
                                               for u in tokens[i + 1:i + 3])
                   for i, t in enumerate(tokens))
    titles = [w for w in q.words if w.role == "title"]
    if not titles:
        return True
    # the role asked: the question's roles, or one run of them («مدیرعامل بانک ... که به نامه وزیر پاسخ داد»)
    by_text = {w.text: w for w in titles}
    asked = [titles] + [[by_text[t] for t in run if t in by_text] for run in title_runs(q.canonical)]
    asked = [a for a in asked if a]
    if any(_same_role(a, run, lex) for a in asked for run in title_runs(s.canonical)):
        return True  # «علی لقمانی مدیرکل ...»: the name and the role together (not «معاون وزیر» for «وزیر»)
    # the article's main person, quoted under that role elsewhere («مدیرکل ... گفت»)
    return article.main_person in names and any(_same_role(a, run, lex) for a in asked for run in article.speech_roles)


def _which_count_only(q: Question, s: SentenceInfo, lex: Lexicon) -> bool:
    """«کدام کشورها ...؟» answered by «به ۲۳ کشور»: the sentence counts the things instead of naming them."""
    if not q.which:
        return False
    want = lex.keys(q.which)
    tokens = [m.group() for m in TOKEN.finditer(s.canonical)]
    hits = [i for i, t in enumerate(tokens) if lex.keys(t) & want]
    return bool(hits) and all(i > 0 and _NUMBERISH.match(tokens[i - 1]) for i in hits)


def check(q: Question, s: SentenceInfo, article: Article) -> list[Miss]:
    """What ``s`` (a sentence of ``article``) fails to carry of what ``q`` asks; [] when it answers."""
    lex = lexicon()
    misses = [Miss("which" if w.text == q.which else "word", w.text, soft=w.role == "predicate")
              for w in missing_words(q, s, article)]
    if q.provinces and s.provinces and not set(q.provinces) & set(s.provinces):
        misses.append(Miss("subject", " و ".join(q.provinces), " و ".join(s.provinces)))
    elif (q.provinces and not s.provinces and _COUNTRY.search(s.canonical) and not _COUNTRY.search(q.canonical)
          and not re.search(r"(?<!\w)(استان|این استان)(?!\w)", s.canonical)):
        misses.append(Miss("subject", " و ".join(q.provinces), "کل کشور"))  # a national figure, not the province's
    elif (not q.provinces and _COUNTRY.search(q.canonical) and not _COUNTRY.search(s.canonical)
          and (s.provinces or re.search(r"(?<!\w)(استان|این استان|شهرستان)(?!\w)", s.canonical))):
        misses.append(Miss("subject", "کل کشور", " و ".join(s.provinces) or "استان"))  # a province's, not the country's
    elif (_WHOLE_PROVINCE.search(q.canonical) and not s.provinces
          and not re.search(r"(?<!\w)استان(?!\w)", s.canonical)):
        # «در کل استان ...» asked: a figure that is not said of the province («اراضی منطقه مهربان», one farmer's)
        part = _PART_OF_PROVINCE.search(s.canonical)
        misses.append(Miss("subject", "کل استان", part.group() if part else "بخشی از آن"))
    elif q.provinces and not s.provinces and article.info.provinces[:1] and \
            not set(q.provinces) & set(article.info.provinces[:1]):
        # a sentence naming no province speaks of the article's own: the province it names most
        misses.append(Miss("subject", " و ".join(q.provinces), article.info.provinces[0]))
    answers = _answers(q, s)
    if q.kind == "count":
        asked = frozenset(k for w in q.words for k in w.keys) | frozenset(k for c in q.counted for k in lex.keys(c))
        window = q.counted and q.counted[0] in _TIME_UNITS and any(p.shape[:1] == ("window",) for p in s.periods)
        if not window and not any(_counts(q.counted, a, lex, asked) and (q.unit is None or _unit_ok(q.unit, a, lex))
                                  for a in answers):
            found = next((" ".join(a.counted) for a in answers if a.counted), "")
            misses.append(Miss("count", " ".join(q.counted), found))
    elif q.kind in ("amount", "percent"):
        if q.unit and not any(_unit_ok(q.unit, a, lex) for a in answers):
            found = next((a.unit for a in answers if a.unit and a.unit != "percent"), "")
            misses.append(Miss("unit" if q.kind == "amount" else "percent", q.unit, found or ""))
        elif not answers:
            misses.append(Miss("amount", ""))
        else:
            other = _of_other_measure(q, [a for a in answers if not q.unit or _unit_ok(q.unit, a, lex)], lex)
            if other:
                misses.append(Miss("word", other[0], other[1]))
    elif q.kind in ("who", "name"):
        if not _names_ok(q, s, article, lex):
            # certain only when a name or a role is asked for: names of people from abroad are not known here
            strict = q.kind == "name" or any(w.role == "title" for w in q.words)
            misses.append(Miss("name", "", soft=not strict))
    elif q.kind == "date" and not s.date:
        misses.append(Miss("date", ""))
    elif q.kind == "when" and not (s.date or s.weekday):
        misses.append(Miss("date", "", soft=True))  # «کی», «چه زمانی»: also «هفته ششم بارداری», «وقتی که ...»
    elif q.kind == "year" and not s.year:
        misses.append(Miss("year", ""))
    elif q.kind == "weekday" and not (s.weekday or s.date):
        misses.append(Miss("weekday", ""))
    elif q.kind == "contact":
        ok = (re.search(r"ساعت\s*\d", s.canonical) is not None) if q.contact == "hours" else q.contact in s.contact
        if not ok:
            misses.append(Miss("contact", q.contact or ""))
    elif q.kind == "which" and _which_count_only(q, s, lex):
        misses.append(Miss("which", q.which or ""))
    period = period_missing(q, s, article.info)
    part = period_part(q, s) if period else None
    if part:  # a part of the year asked: an answer, its period said (and a whole year's figure is preferred)
        misses.append(Miss("period", period, part, soft=True))
    elif period:
        found = "، ".join(p.label for p in s.periods)
        misses.append(Miss("period", period, found))
    return sorted(misses, key=lambda m: _PRIORITY.index(m.kind))


# the order in which misses are explained: the most telling first
_PRIORITY = ["contact", "unit", "percent", "period", "count", "which", "word", "name", "date", "year", "weekday",
             "amount", "subject"]
