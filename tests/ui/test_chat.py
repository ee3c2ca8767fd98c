"""The chat handler: Persian messages for bad input, an LLM's answer streamed, history passed on."""

from __future__ import annotations

from assistant.build import build_assistant
from assistant.settings import Settings
from assistant.wording import MSG_EMPTY, MSG_TOO_LONG
from fake_llm import FakeLLM
from ui.chat import make_respond
from ui.render import escape


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
