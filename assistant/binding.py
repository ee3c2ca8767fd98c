"""Which words of a question a sentence must hold to give its figure: :func:`binds` (the measure, the group,
the place, a rare word; not a preposition or the question's verb) and :func:`contrasted` (the sentence names
another one of what the word qualifies). ``assistant/extractive.py`` asks both for each word a sentence lacks."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from assistant.question import Question, QWord
from index.persian.lexicon import lexicon
from index.persian.normalize import TOKEN
from index.sentences import SentenceInfo

_ORDINAL = re.compile(r"^(?:نخستین|اولین|آخرین|(?:یک|دو|سو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|یازده|دوازده|بیست|سی|چهل|"
                      r"پنجاه|صد|هزار)(?:م|مین)|\w{2,}ترین)$")  # «دومین», «پنجم», «بیشترین»
_PLACE_NOUNS = frozenset("شهرستان شهر روستای روستا بخش دهستان شهرک منطقه استان".split())
# hazm's parts of speech of words that frame a question («زیر پوشش», «به طور»), never what it is about
_FRAMING_TAGS = frozenset({"P", "POSTP", "ADV", "CONJ", "PRO", "DET", "INT", "NUM", "RES", "PR", "PS", "CL"})


@lru_cache(maxsize=1)
def _subgroup_keys() -> frozenset[str]:
    lex = lexicon()
    return frozenset(k for w in lex.subgroups for k in lex.keys(w))


def binds(word: QWord, q: Question, max_log_frequency: float) -> bool:
    """Whether a sentence must hold ``word`` to answer ``q`` (a figure is quoted for what it is of).

    Binding: the measure, a group or kind of cooperative (``subgroups``), what a figure measures
    (``figure_measures``), what a count counts, a person's role, a place after «شهرستان»/«روستای», an ordinal
    or a superlative, and any other word hazm's corpus writes at most 10^``max_log_frequency`` times or does not
    know (names, places, products; ``bench/binding.py`` replays the development sets for other limits). Not
    binding: words that frame the question (prepositions, adverbs, pronouns: «زیر»), the question's verb
    («دانست»), and words commoner than the limit, which the answer says in its own words."""
    lex = lexicon()
    w = word.text
    if word.role == "title" or lex.is_measure(w) or w in q.counted or word.keys & _subgroup_keys() or \
            any(b in lex.figure_measures for b in lex.bases(w) | {w}):
        return True
    if word.before in _PLACE_NOUNS:
        return True  # «شهرستان رشت», «روستای سیهرود»: a place
    if _ORDINAL.match(w):
        return True  # «دومین گرند پری», «بیشترین شمار»: which one
    if w in lex.past_stems or w in lex.present_stems:
        return False  # «... را مهم دانست کیست؟»: the verb of the question
    tags = lex.tags_of(w)
    if "P" in tags or (tags and tags <= _FRAMING_TAGS):
        return False  # a preposition («زیر» is N, P, AJ), an adverb, a pronoun
    frequency = lex.frequency_of(w)
    return frequency <= 0 or math.log10(frequency) <= max_log_frequency


def contrasted(word: QWord, q: Question, s: SentenceInfo) -> bool:
    """Whether the sentence names another one of what ``word`` qualifies: «سکته مغزی» for «سکته قلبی»,
    «تعاونی‌های تولید» for «تعاونی‌های مصرف» (the word before it in the question stands in the sentence, followed
    by another content word)."""
    lex = lexicon()
    head = word.before
    if not head or lex.role(head) != "content":
        return False
    head_keys = lex.keys(head)
    said = TOKEN.findall(s.canonical)
    for i, t in enumerate(said[:-1]):
        if lex.keys(t) & head_keys:
            other = said[i + 1]
            if lex.role(other) == "content" and not lex.keys(other) & word.keys and not other[:1].isdigit():
                return True
    return False
