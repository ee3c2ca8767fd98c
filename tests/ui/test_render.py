"""What the chat shows: inert HTML from any text, Persian messages, streamed LLM answers."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from assistant.answer import Answer, Source
from assistant.build import build_assistant
from assistant.settings import Settings
from fake_llm import FakeLLM
from assistant.wording import MSG_EMPTY, MSG_TOO_LONG
from ui.app import make_respond
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


def test_chat_handler_messages_in_persian(sample_index):
    a = build_assistant(Settings(data_dir=sample_index))
    respond = make_respond(a, max_chars=50, article_url="/article")
    *_, (box, messages) = respond("   ", [])
    assert box == "" and escape(MSG_EMPTY) in messages[-1]["content"]
    *_, (box, messages) = respond("س" * 51, [])
    assert escape(MSG_TOO_LONG.format(limit=50)) in messages[-1]["content"]
    a.close()


def test_chat_handler_streams_an_llm_answer_and_passes_history(sample_index):
    with FakeLLM() as fake:
        fake.respond_with(lambda body: "صادرات تعاونی‌های گلستان" if any(
            "Standalone question" in m["content"] for m in body["messages"]) else
            "صادرات تعاونی‌های گیلان ۳۴ میلیون دلار بود [1].")
        a = build_assistant(Settings(data_dir=sample_index, llm_base_url=fake.base_url, llm_model="fake-model"))
        respond = make_respond(a, max_chars=1000, article_url="/article")
        updates = list(respond("صادرات تعاونی‌های گیلان چقدر بود؟", []))
        contents = [m[-1]["content"] for _, m in updates]
        streamed = [c for c in contents if c.startswith('<div dir="rtl">')]
        assert len(streamed) >= 3                                   # tokens arrive one update at a time
        assert "۳۴ میلیون دلار بود" in contents[-1] and '<sup class="cite">[۱]</sup>' in contents[-1]
        history = updates[-1][1]
        list(respond("و گلستان چطور؟", history))
        condense = [b for b in fake.requests if any("Standalone question" in m["content"] for m in b["messages"])]
        assert condense and "صادرات تعاونی‌های گیلان چقدر بود؟" in condense[-1]["messages"][0]["content"]
        a.close()
