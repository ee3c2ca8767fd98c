"""Word classes and word matching for Persian questions and sentences.

Everything works on canonical words (``TextNormalizer.canonical``: Persian ی ک, no ZWNJ, glued
compounds). ``lexicon.toml`` holds the word classes (function words, units, titles, words that mean
the same thing); hazm's own data (its word list, verb stems and informal-word list) is read too, so
that a glued compound can be split (``دانشبنیان`` = ``دانش`` + ``بنیان``), a conjugated verb
recognised (``شدهاند``, ``میکنن``) and a colloquial spelling read (``جوونا``, ``تعاونیای``).

The central operation is :meth:`Lexicon.keys`: the set of keys a word stands for. Two words match
when their keys meet: the word itself, its stem, its formal spelling, its bases without inflection
(plural, indefinite, pronoun and colloquial copula endings), and the group of words that mean the
same thing (``اشتغال``, ``شاغل``, ``مشغول``). A sentence's keys also hold the parts of its glued
compounds. Nothing here loads at import: :func:`lexicon` builds the tables on first use.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from index.once import once
from index.persian.fold import fold_word

Role = Literal["question", "function", "generic", "title", "verb", "digit", "content"]

# endings removed to find a word's base: plural, indefinite/adjectival, pronoun, colloquial copula
_ENDINGS = ("شدگان", "شده", "شونو", "مونو", "تونو", "هایشان", "هایمان", "هایی", "هایش", "هاست", "های", "ها", "ای", "اند", "ایم", "اید", "ند", "یان", "ان",
            "ات", "یت", "شان", "شون", "اش", "ست", "ش", "یم", "ید", "ی", "ن", "ه", "ا", "یه")
# verb endings after a past stem (canonical: the ZWNJ of ه‌اند is gone)
_PAST_ENDINGS = ("هایم", "هاید", "هاند", "هاست", "هام", "های", "ه", "یم", "ید", "ند", "ن", "م", "ی", "د", "")
_PRESENT_ENDINGS = ("یند", "ییم", "یید", "یم", "ید", "ند", "ن", "ه", "م", "ی", "د")
_LIGHT_VERBS = frozenset("کرد شد داد رسید داشت بود گرفت آمد رفت گفت زد برد نمود گشت گردید یافت".split())
# the light verbs of compound verbs (not «دارد», «است»: «فعال دارد» is «has active ...»)
_LIGHT_VERB = re.compile(r"^(ن?می|ب|ن)?(کرد|کن|شد|شو|ش|داد|ده|گرفت|گیر|یافت|یاب|نمود|نما|رسید|رس|گشت|گرد|زد|زن|"
                         r"گذاشت|گذار|آورد|آور)")
# present stems of light verbs, conjugated without a prefix after «باید», «تا», «که»: «باید چیکار کنیم»
_BARE_PRESENT = re.compile(r"^(کن|شو|ده|دار|گیر|نما|یاب|رس|گرد|زن|آور)(م|ی|د|یم|ید|ند|ن|ه)$")
_SPLIT = re.compile(r"\s+")


def _words(text: str) -> list[str]:
    return [_canon(w) for w in _SPLIT.split(text.strip()) if w]


@dataclass(frozen=True, eq=False)
class Lexicon:
    question: frozenset[str]
    function: frozenset[str]
    generic: frozenset[str]
    titles: frozenset[str]
    attribution: tuple[str, ...]
    colloquial: dict[str, str]
    groups: dict[str, tuple[str, ...]]  # word → the keys of the groups it belongs to
    units: dict[str, str]           # word → unit code
    unit_names: dict[str, str]      # unit code → how an answer names it («دلار»)
    unit_classes: dict[str, tuple[str, ...]]
    money_measures: frozenset[str]
    trade_measures: frozenset[str]
    people: frozenset[str]
    contact: dict[str, str]         # word → contact kind
    tails: frozenset[str]
    asked: dict[str, frozenset[str]]  # kind of answer → words that only name that kind («تاریخ», «کسی»)
    setting: frozenset[str]         # جلسه, نشست, همایش: where something was said
    class_nouns: frozenset[str]     # نهاد, سازمان: classes whose members are named without the class
    measure_words: frozenset[str]   # the words of the measure groups (صادرات, اشتغال, عضو, ...)
    subgroups: frozenset[str]       # kinds of cooperatives and groups of people (مرزنشین, مسکن, زنان)
    figure_measures: frozenset[str]  # what a figure measures (وزن, قد, جمعیت, طول): binds a figure's answer
    countries: frozenset[str]
    known: frozenset[str]           # hazm's word list
    real: frozenset[str]            # the words of that list with a part of speech (fewer fragments)
    past_stems: frozenset[str]
    present_stems: frozenset[str]
    frequency: dict[str, int] = field(default_factory=dict)   # hazm's word list: how often a word is written
    tags: dict[str, frozenset[str]] = field(default_factory=dict)  # ... and its parts of speech (N, AJ, P, ADV...)

    # -------------------------------------------------------------------------------- roles
    def role(self, word: str) -> Role:
        return _role(self, word)

    def _role_of(self, word: str) -> Role:
        role = self._role(word)
        if role == "content" and "ا" in word and "آ" not in word:  # «امد» typed for «آمد»
            for i, ch in enumerate(word):
                if ch == "ا" and (i == 0 or word[i - 1] in "میبن"):
                    alt = self._role(word[:i] + "آ" + word[i + 1:])
                    if alt != "content":
                        return alt
        return role

    def _role(self, word: str) -> Role:
        if word[:1].isdigit():
            return "digit"
        if word in self.question:
            return "question"
        if word in self.function:
            return "function"
        if word in self.generic:
            return "generic"
        if word in self.titles or any(b in self.titles for b in self.bases(word) if len(b) >= 4):
            return "title"
        if self.is_verb(word):
            return "verb"
        return "content"

    def is_light_verb(self, word: str) -> bool:
        """A form of a verb that makes a compound verb with the noun before it: «ارائه داده», «افتتاح شد»."""
        return bool(_LIGHT_VERB.match(word)) and self.role(word) in ("verb", "function")

    def is_verb(self, word: str) -> bool:
        """A conjugated verb form (``میکنند``, ``شدهاند``, ``رسیده``, ``کردن``) or a bare light verb."""
        if word in _LIGHT_VERBS:
            return True
        if word in self.groups or word in self.units:
            return False
        for prefix in ("نمی", "می", "ن", ""):
            if not word.startswith(prefix) or len(word) - len(prefix) < 2:
                continue
            rest = word[len(prefix):]
            for ending in _PAST_ENDINGS:  # past forms: دادن, دانست, کردهاند, میکرد
                if not rest.endswith(ending):
                    continue
                stem = rest[: len(rest) - len(ending)] if ending else rest
                if stem not in self.past_stems or not (ending or prefix):
                    continue
                if not prefix and (ending == "ی" or (ending == "ه" and stem not in _LIGHT_VERBS)):
                    continue  # «آلوده», «بسته»: a participle used as an adjective
                return True
        if _BARE_PRESENT.match(word):
            return True
        noun = word in self.real or any(b in self.real for b in self.bases(word) if b != word)
        for prefix in ("نمی", "می", "ب"):
            if not word.startswith(prefix) or len(word) - len(prefix) < 2:
                continue
            rest = word[len(prefix):]
            for ending in _PRESENT_ENDINGS:
                if rest.endswith(ending) and rest[: -len(ending)] in self.present_stems:
                    if ending in ("ی", "ه") and noun:
                        continue  # «بدهی», «میگوی» (shrimp, with its ezafe): nouns that look like verb forms
                    return True
        return False

    # -------------------------------------------------------------------------------- matching
    def formal(self, word: str) -> str:
        return self.colloquial.get(word, word)

    def bases(self, word: str) -> frozenset[str]:
        """The word and its forms without inflection: ``تعاونیهای`` → ``تعاونی``, ``جوونا`` → ``جوان``."""
        return _bases(self, word)

    def is_measure(self, word: str) -> bool:
        """A measure figures are given for: ``صادرات``, ``سرمایهگذاری``, ``وام``, ``اشتغال``, ``عضویت``..."""
        return any(b in self.measure_words or b in self.money_measures or b in self.trade_measures
                   for b in self.bases(word))

    def _bases(self, word: str) -> frozenset[str]:
        word = self.formal(word)
        out = {word}
        if word.startswith("و") and len(word) >= 6 and word not in self.real and word[1:] in self.real:
            out.add(word[1:])  # «وگردشگری»: the «و» glued to the next word
        for _round in range(2):  # «نظراتشونو» → «نظرات» → «نظر»
            for w in list(out):
                for ending in _ENDINGS:
                    if w.endswith(ending) and len(w) - len(ending) >= 2:
                        base = self.formal(w[: -len(ending)])
                        if base in self.known or base in self.groups or len(base) >= 4:
                            out.add(base)
        return frozenset(out)

    def keys(self, word: str, stem: str | None = None) -> frozenset[str]:
        """Every key ``word`` matches on: its bases, stem and the group of words meaning the same."""
        return _keys(self, word, stem)

    def word_keys(self, word: str) -> frozenset[str]:
        """:meth:`keys` with hazm's stem of the word."""
        return _word_keys(self, word)

    def parts(self, word: str) -> list[tuple[str, str]]:
        """Ways to cut a glued compound into two known words: ``دانشبنیان`` → [(دانش, بنیان)]."""
        return _parts(self, word)

    def frequency_of(self, word: str) -> int:
        """How often hazm's corpus writes ``word`` or its base form (0 when it does not know it)."""
        return max([self.frequency.get(word, 0)] + [self.frequency.get(b, 0) for b in self.bases(word)])

    def tags_of(self, word: str) -> frozenset[str]:
        """hazm's parts of speech of ``word`` (of its base forms when the word itself is not listed)."""
        if word in self.tags:
            return self.tags[word]
        return frozenset().union(*(self.tags.get(b, frozenset()) for b in self.bases(word)))

    def unit_of(self, word: str) -> str | None:
        return self.units.get(word) or next((self.units[b] for b in self.bases(word) if b in self.units), None)


@lru_cache(maxsize=200_000)
def _keys(lex: Lexicon, word: str, stem: str | None) -> frozenset[str]:
    found = set(lex.bases(word))
    if "آ" in word:  # «آب» is also typed «اب», «آلوده» «الوده»
        found |= set(lex.bases(word.replace("آ", "ا")))
    if stem and stem != word:
        found.add(stem)
    found = {w.replace("آ", "ا") for w in found} | found
    for w in list(found):
        found.update(lex.groups.get(w, ()))
    return frozenset(found)


@lru_cache(maxsize=200_000)
def _role(lex: Lexicon, word: str) -> Role:
    return lex._role_of(word)


@lru_cache(maxsize=200_000)
def _bases(lex: Lexicon, word: str) -> frozenset[str]:
    return lex._bases(word)


@once
def _stemmer():
    from hazm import Stemmer

    return Stemmer()


@lru_cache(maxsize=200_000)
def _word_keys(lex: Lexicon, word: str) -> frozenset[str]:
    stem = _stemmer().stem(word) if len(word) > 3 and not word[:1].isdigit() else None
    return _keys(lex, word, stem if stem and len(stem) >= 2 else None)


@lru_cache(maxsize=200_000)
def _parts(lex: Lexicon, word: str) -> list[tuple[str, str]]:
    out = []
    if len(word) < 5 or word[:1].isdigit():
        return out
    for i in range(2, len(word) - 2):
        a, b = word[:i], word[i:]
        if b in lex.tails or a in lex.tails or (len(a) < 3 and a not in ("کم", "پر", "سر", "بی", "هم")):
            continue
        if (a in lex.real or a in lex.groups) and any(x in lex.real or x in lex.groups
                                                      for x in lex.bases(b) if len(x) >= 3):
            out.append((a, b))
    return out


def _read_hazm(name: str) -> list[str]:
    import hazm

    path = Path(hazm.__file__).parent / "data" / name
    return path.read_text(encoding="utf-8").splitlines()


def _canon(word: str) -> str:
    """The canonical spelling of a lexicon word, as ``TextNormalizer.canonical`` writes it (رئیس → رییس)."""
    return fold_word(word)


def _build() -> Lexicon:
    data = tomllib.loads(resources.files("index.persian").joinpath("lexicon.toml").read_text(encoding="utf-8"))
    groups: dict[str, tuple[str, ...]] = {}
    for line in data["variants"]["groups"]:
        members = _words(line)
        for m in members:
            groups[m] = groups.get(m, ()) + ("≈" + members[0],)
    units = {w: code for code, words in data["units"].items() for w in _words(words)}
    contact = {w: kind for kind, words in data["contact"].items() for w in _words(words)}
    colloquial = {}
    for line in _read_hazm("iwords.dat"):
        parts = line.split()
        if len(parts) == 2:
            colloquial[_canon(parts[0])] = _canon(parts[1])
    for pair in _words(data["colloquial"]["map"]):
        a, b = pair.split("=")
        colloquial[_canon(a)] = _canon(b)
    known, real, past, present = set(), set(), set(), set()
    frequency: dict[str, int] = {}
    tags: dict[str, frozenset[str]] = {}
    for line in _read_hazm("words.dat"):
        word, _, rest = line.partition("\t")
        if word:
            w = _canon(word)
            known.add(w)
            count, _, pos = rest.partition("\t")
            if count.isdigit():
                frequency[w] = max(frequency.get(w, 0), int(count))
            if not rest.endswith("\t0"):
                real.add(w)
                tags[w] = tags.get(w, frozenset()) | frozenset(pos.split(","))
    for line in _read_hazm("verbs.dat"):
        if "#" in line:
            p, q = line.split("#", 1)
            if p:
                past.add(_canon(p))
            if q:
                present.add(_canon(q))
    for line in _read_hazm("iverbs.dat"):  # «شد#شو ش 0»: the informal present stem is the second field
        fields = line.split()
        if fields and "#" in fields[0]:
            p, q = fields[0].split("#", 1)
            past.add(_canon(p))
            present.add(_canon(q))
            if len(fields) > 1 and len(fields[1]) >= 1:
                present.add(_canon(fields[1]))
    return Lexicon(
        question=frozenset(_words(data["question"]["words"])),
        function=frozenset(_words(data["function"]["words"])),
        generic=frozenset(_words(data["generic"]["words"])),
        titles=frozenset(_words(data["titles"]["words"])),
        attribution=tuple(data["attribution"]["phrases"]),
        colloquial=colloquial,
        groups=groups,
        units=units,
        unit_names=dict(data["unit_names"]),
        unit_classes={k: tuple(v) for k, v in data["unit_classes"].items()},
        money_measures=frozenset(_words(data["money_measures"]["words"])),
        trade_measures=frozenset(_words(data["money_measures"]["trade"])),
        people=frozenset(_words(data["people"]["words"])),
        contact=contact,
        tails=frozenset(_words(data["compound_tails"]["words"])),
        asked={k: frozenset(_words(v)) for k, v in data["asked"].items()},
        setting=frozenset(_words(data["setting"]["words"])),
        class_nouns=frozenset(_words(data["class_nouns"]["words"])),
        subgroups=frozenset(_words(data["subgroups"]["words"])),
        figure_measures=frozenset(_words(data["figure_measures"]["words"])),
        countries=frozenset(_words(data["countries"]["words"])),
        measure_words=frozenset(w for line in data["variants"]["groups"] if _words(line)[0] in
                                _words(data["measure_groups"]["heads"]) for w in _words(line)),
        known=frozenset(known),
        real=frozenset(real),
        past_stems=frozenset(past),
        present_stems=frozenset(present),
        frequency=frequency,
        tags=tags,
    )


@once
def lexicon() -> Lexicon:
    """The process-wide lexicon (built on first use, ~0.3 s)."""
    return _build()
