"""An answer as chat HTML: inert (escaped), the quote highlighted, sources numbered."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from assistant.answer import Answer, Source
from ui.render import answer_html, escape


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaped_text_has_no_markup_characters(text):
    out = escape(text)
    import re

    assert not set(re.sub(r"&#?\w+;", "", out)) & set("<>\"'`*_[]()!#|~\\$&")
    # entities decode back to the text
    import html

    assert html.unescape(out) == text


def test_answer_html_highlights_the_quote_and_escapes_everything():
    passage = 'پیش <img src=x onerror="alert(1)"> جملهٔ منبع [link](http://x) پس'
    start = passage.index("جملهٔ")
    source = Source(n=1, doc_id="a/b c", title="<b>عنوان</b>", source="s", text=passage, quote="جملهٔ منبع",
                    score=1.0, quote_start=start, quote_end=start + len("جملهٔ منبع"))
    out = answer_html(Answer(question="q", text="پاسخ ![x](http://evil/x.png) [۱]", sources=[source], abstained=False),
                      "/article")
    assert "<img" not in out and "<b>" not in out and "](http" not in out and "![" not in out
    assert '<mark>جملهٔ منبع</mark>' in out
    assert '<sup class="cite">[۱]</sup>' in out
    assert 'href="/article/a%2Fb%20c&#35;q' in out   # the browser reads &#35; as #
