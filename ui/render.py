"""Answers as the chat shows them: every piece of article or answer text is escaped, so nothing in an
article can become live HTML, a Markdown link or an image (``<script>``, ``<img onerror=…>``,
``![](http://elsewhere/x.png)`` all show as the characters they are).

Escaping uses HTML entities for the characters HTML and Markdown give meaning to; the entities show
as the same characters and cannot form markup. Our own markup is a small fixed set of tags that the
Chatbot's sanitizer keeps (``div``, ``p``, ``details``, ``summary``, ``mark``, ``a``, ``span``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from assistant.answer import Answer, Source, fa_number
from assistant.wording import FULL_ARTICLE, MAYBE_RELATED, SOURCES

_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;", "*": "&#42;",
    "_": "&#95;", "[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", "!": "&#33;", "#": "&#35;",
    "|": "&#124;", "~": "&#126;", "\\": "&#92;", "$": "&#36;", "{": "&#123;", "}": "&#125;", "=": "&#61;",
    "+": "&#43;", "-": "&#45;", ":": "&#58;",
}
_ESCAPE = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
# Latin runs and numbers inside Persian text keep their order when isolated (bdi / dir=auto).
_CITATION = re.compile(r"\[([۰-۹0-9،, ]+)\]")


def escape(text: str) -> str:
    """Text → HTML/Markdown-inert text (entities for every markup character; newlines kept)."""
    return _ESCAPE.sub(lambda m: _ENTITIES[m.group(0)], text)


def _answer_html(text: str) -> str:
    escaped = escape(text)
    # citation markers become small superscript badges (built from already-escaped digits)
    escaped = re.sub(r"&#91;([۰-۹0-9،, ]+)&#93;", r'<sup class="cite">[\1]</sup>', escaped)
    paragraphs = [p for p in escaped.split("\n") if p.strip()]
    return "".join(f'<p dir="rtl">{p}</p>' for p in paragraphs)


def _source_html(s: Source, article_url: str) -> str:
    text = s.text
    a, b = s.quote_start, s.quote_end
    if 0 <= a < b <= len(text):
        body = f"{escape(text[:a])}<mark>{escape(text[a:b])}</mark>{escape(text[b:])}"
    else:
        body = escape(text)
    href = f"{article_url}/{quote(s.doc_id, safe='')}" + (f"#q{s.quote_start}" if s.quote_end else "")
    return (
        f'<details class="source" dir="rtl"><summary><span class="n">[{fa_number(s.n)}]</span> '
        f'{escape(s.title)}'
        + (f' <span class="byline">({escape(s.byline)})</span>' if s.byline else "")
        + '</summary>'
        f'<div class="passage" dir="rtl">{body}</div>'
        f'<a class="open" href="{escape(href)}" target="_blank" rel="noopener">{FULL_ARTICLE}</a></details>'
    )


def answer_html(answer: Answer, article_url: str = "article") -> str:
    """The chat message for ``answer``: the answer, notes, then its numbered sources (or related ones)."""
    parts = [f'<div class="answer" dir="rtl">{_answer_html(answer.text)}</div>']
    if answer.chart:
        parts.append(chart_html(answer.chart))
    for note in answer.notes:
        parts.append(f'<p class="note" dir="rtl">⚠ {escape(note)}</p>')
    if answer.sources:
        parts.append(f'<div class="sources"><p class="label">{SOURCES}</p>'
                     + "".join(_source_html(s, article_url) for s in answer.sources) + "</div>")
    elif answer.related:
        parts.append(f'<div class="sources related"><p class="label">{MAYBE_RELATED}</p>'
                     + "".join(_source_html(s, article_url) for s in answer.related) + "</div>")
    return "".join(parts)


def error_html(message_fa: str) -> str:
    return f'<p class="error" dir="rtl">{escape(message_fa)}</p>'


def chart_html(chart: list[dict]) -> str:
    """A small horizontal bar chart of compared figures (plain HTML and CSS: nothing to load)."""
    from assistant.facts_answer import format_amount

    top = max((float(c["value"]) for c in chart), default=0.0) or 1.0
    rows = []
    for c in chart:
        width = max(2, round(100 * float(c["value"]) / top))
        period = f' <span class="period">— {escape(c["period"])}</span>' if c.get("period") else ""
        rows.append(
            f'<div class="bar-row"><span class="bar-label">{escape(str(c["label"]))}</span>'
            f'<span class="track"><span class="bar" style="width:{width}%"></span></span>'
            f'<span class="bar-value">{escape(format_amount(float(c["value"]), c.get("unit")))} '
            f'<sup class="cite">[{fa_number(int(c["n"]))}]</sup>{period}</span></div>')
    return f'<div class="chart" dir="rtl">{"".join(rows)}</div>'
