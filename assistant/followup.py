"""Follow-up questions: `و گیلان چطور؟` after a question about Golestan's exports means Gilan's exports.

Without an LLM, rules resolve them: a follow-up (short, or opening with «و», or asking «چطور؟»/«چی؟», or
pointing back with a pronoun) takes the previous question and swaps the province it names, or adds its
own words to the previous question's subject. With an LLM, the `prompts/condense.md` prompt rewrites
it (and the rules are the fallback when the LLM fails).
"""

from __future__ import annotations

import re

from assistant.question import QUESTION_WORDS
from index.persian.normalize import TextNormalizer
from index.persian.places import find_provinces, province_spans

# the earlier turns a question may carry, in every front end (and in a reader's stored feedback)
MAX_HISTORY_ITEMS = 20

_MARKERS = re.compile(
    r"^(و|ولی|اما|خب|خوب|پس|حالا|همچنین)\s|چطور|چطوره|چه طور|چی\s*[؟?]?\s*$|چه\s*[؟?]\s*$|"
    r"^(what|how) about\b|^and\b", re.IGNORECASE)
# words that point back at the previous question's subject: اسمش، رئیسش، آن، این، همین
_POINTERS = re.compile(r"(?<=\w\w)ش(?=\s|[؟?]|$)|(?<!\w)(آن|اون|این|همین|همان|اونجا|آنجا|its|their|there)(?!\w)",
                       re.IGNORECASE)
_FILLER = re.compile(r"^(و|ولی|اما|خب|خوب|پس|حالا|همچنین)\s+|(what|how) about\s+|^and\s+|چطور[هی]?|چه طور|"
                     r"\s*[؟?]\s*$", re.IGNORECASE)


def _history_questions(history) -> list[str]:
    """Previous user questions from a history of strings or {"role", "content"} messages."""
    out = []
    for item in history or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and item.get("role", "user") == "user" and isinstance(item.get("content"), str):
            out.append(item["content"])
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):  # (question, answer) pairs
            out.append(item[0])
    return [q for q in out if q.strip()]


def is_follow_up(question: str, normalizer: TextNormalizer) -> bool:
    canonical = normalizer.canonical(question)
    if _MARKERS.search(canonical) or _POINTERS.search(canonical):
        return True
    content = [w for w, _ in normalizer.words(canonical, canonical=True)
               if w not in QUESTION_WORDS and w not in normalizer.stopwords]
    provinces = find_provinces(canonical)
    province_words = {w for p in provinces for w in p.split()}
    rest = [w for w in content if w not in province_words]
    # "چند نفر شاغل شدند؟": a short question that names no subject of its own
    return len(rest) <= 1 or (len(rest) <= 2 and not provinces)


def resolve_by_rules(question: str, history, normalizer: TextNormalizer) -> str:
    """The standalone form of ``question`` given earlier questions (oldest first)."""
    previous = _history_questions(history)
    if not previous or not is_follow_up(question, normalizer):
        return question
    # the previous question may itself have been a follow-up
    prev = resolve_by_rules(previous[-1], previous[:-1], normalizer)
    prev_canonical = normalizer.canonical(prev)
    canonical = normalizer.canonical(question)
    new_provinces = find_provinces(canonical)
    old_spans = province_spans(prev_canonical)
    rest = _FILLER.sub(" ", _POINTERS.sub(" ", canonical))
    rest = " ".join(w for w in rest.split() if w not in new_provinces and not any(w in p.split() for p in new_provinces))
    if new_provinces and old_spans:
        # swap: every province the previous question named becomes the new one
        out, cursor = [], 0
        for start, end, _ in old_spans:
            out.append(prev_canonical[cursor:start])
            out.append(" و ".join(new_provinces))
            cursor = end
        out.append(prev_canonical[cursor:])
        swapped = "".join(out)
        return f"{swapped} {rest}".strip() if len(rest.split()) > 1 else swapped
    if new_provinces:
        return f"{prev_canonical.rstrip('؟?')} در {' و '.join(new_provinces)}؟"
    if _ASKS_PERSON.search(canonical):
        # «اسمش چیه؟», «رئیسش کیه؟»: the person of the previous question's subject, not of all its words
        subject = _first_phrase(prev_canonical)
        provinces = [p for p in find_provinces(prev_canonical) if p not in subject]
        words = rest.replace("؟", " ").replace("?", " ").split()
        asked = [w for w in words if w not in QUESTION_WORDS]
        qword = next((w for w in words if w in QUESTION_WORDS), "کیست")
        return " ".join([*asked, subject, *provinces, qword]).strip() + "؟"
    # a new measure or a pronoun about the same subject: the follow-up's words + the previous subject
    subject = " ".join(w for w, _ in normalizer.words(prev_canonical, canonical=True)
                       if w not in QUESTION_WORDS and w not in normalizer.stopwords)
    return f"{rest.strip()} {subject}؟".strip()


_ASKS_PERSON = re.compile(r"(?<!\w)(اسم|نام|کی|کیه|کیست|چه کسی)|(رییس|رئیس|مدیر|مسئول|مسیول)ش(?!\w)|\bwho\b|\bname\b",
                          re.IGNORECASE)


def _first_phrase(canonical: str) -> str:
    """The first noun phrase of a question: «معاون وزیر تعاون در جلسه ...» → «معاون وزیر تعاون»."""
    from index.persian.lexicon import lexicon

    lex = lexicon()
    out: list[str] = []
    for w in re.findall(r"[^\W\d_]+|\d+", canonical):
        role = lex.role(w)
        if not out and role in ("question", "function", "generic", "verb", "digit"):
            continue
        if out and (role in ("question", "function", "verb") or w in QUESTION_WORDS):
            break
        out.append(w)
    return " ".join(out)


def condense_messages(question: str, history) -> list[tuple[str, str]]:
    """Chat messages asking an LLM for the standalone form of ``question``."""
    from prompts import load

    previous = _history_questions(history)
    lines = "\n".join(f"- {q}" for q in previous[-6:])
    from assistant.llm import fill

    return [("human", fill(load("condense"), history=lines, question=question))]


def clean_condensed(text: str, question: str, max_chars: int = 500) -> str | None:
    """The LLM's rewrite, or None when it is unusable (empty, several lines of talk, far too long)."""
    text = (text or "").strip().strip('"«»').strip()
    text = re.sub(r"^(standalone question|پرسش مستقل)\s*[:：]\s*", "", text, flags=re.IGNORECASE)
    if not text or "\n" in text.strip() or len(text) > max(max_chars, 4 * len(question)):
        return None
    return text
