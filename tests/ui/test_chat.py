"""The chat handler: Persian messages for bad input, an LLM's answer streamed, history passed on; the thumbs
and the comment under an answer stored through the assistant."""

from __future__ import annotations

from assistant.build import build_assistant
from assistant.settings import Settings
from assistant.wording import COMMENT_THANKS, FEEDBACK_THANKS, MSG_COMMENT_TOO_LONG, MSG_EMPTY, MSG_TOO_LONG
from fake_llm import FakeLLM
from ui.chat import make_feedback_handlers, make_respond
from ui.render import escape

HOSTILE = '<script>alert(1)</script> عدد <img src=x onerror="y()"> غلط است'


def test_chat_handler_messages_in_persian(sample_index):
    a = build_assistant(Settings(data_dir=sample_index))
    respond = make_respond(a, max_chars=50, article_url="/article")
    for blank in ("   ", "\u200c \u200c", "\u200b\u202e "):     # spaces, ZWNJs and invisible characters only
        *_, (box, messages, answers) = respond(blank, [])
        assert box == "" and escape(MSG_EMPTY) in messages[-1]["content"] and answers == {}
    *_, (box, messages, answers) = respond("س" * 51, [])
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
        contents = [m[-1]["content"] for _, m, _ in updates]
        streamed = [c for c in contents if c.startswith('<div dir="rtl">')]
        assert len(streamed) >= 3                                   # tokens arrive one update at a time
        assert "۳۴ میلیون دلار بود" in contents[-1] and '<sup class="cite">[۱]</sup>' in contents[-1]
        history = updates[-1][1]
        list(respond("و گلستان چطور؟", history, updates[-1][2]))
        condense = [b for b in fake.requests if any("Standalone question" in m["content"] for m in b["messages"])]
        assert condense and "صادرات تعاونی‌های گیلان چقدر بود؟" in condense[-1]["messages"][0]["content"]
        a.close()


def test_thumbs_and_a_comment_are_stored_through_the_assistant(sample_index, tmp_path):
    import shutil

    data_dir = tmp_path / "index"
    shutil.copytree(sample_index, data_dir)
    a = build_assistant(Settings(data_dir=data_dir))
    respond = make_respond(a, max_chars=1000, article_url="/article")
    rate, comment = make_feedback_handlers(a)
    # the earlier question is passed on as typed, though the chat shows it escaped
    first = "صادرات تعاونی‌های گیلان - چقدر بود؟"
    *_, (_, messages, answers) = respond(first, [])
    *_, (_, messages, answers) = respond("و گلستان چطور؟", messages, answers)
    assert sorted(answers) == [1, 3]                           # the assistant messages' indexes
    assert answers[3]["history"] == [first] and answers[3]["question"] == "و گلستان چطور؟"

    answers, pending, status = rate(answers, 3, False)         # thumb down under the second answer
    assert pending == 3 and escape(FEEDBACK_THANKS) in status
    [stored] = a.feedback()
    assert (stored.question, stored.rating, stored.history, stored.comment) == ("و گلستان چطور؟", "down", [first], None)
    assert stored.answer == answers[3]["answer"] and stored.sources and "۲۲ میلیون" in stored.answer

    answers, status, kept = comment(HOSTILE, answers, pending)  # the comment replaces that rating
    assert kept and escape(COMMENT_THANKS) in status
    [stored] = a.feedback()
    assert (stored.rating, stored.comment) == ("down", HOSTILE)

    answers, pending, _ = rate(answers, 3, True)                # changed to up: still one rating, comment kept
    [stored] = a.feedback()
    assert (stored.rating, stored.comment) == ("up", HOSTILE)
    answers, status, kept = comment("ن" * 4001, answers, pending)
    assert not kept and escape(MSG_COMMENT_TOO_LONG.format(limit=4000)) in status
    assert a.feedback()[0].comment == HOSTILE

    answers, pending, _ = rate(answers, 3, "")                  # the thumb clicked again: withdrawn
    assert pending is None and a.feedback() == []
    assert rate(answers, 2, True)[1:] == (None, "")            # a user message (or an error) is not rated
    answers, pending, _ = rate(answers, 1, True)
    assert [f.question for f in a.feedback()] == [first]
    a.close()


def test_the_chat_narrows_answers_to_a_date_range_and_an_outlet(sample_index):
    """The sample articles have no outlet and no date: any such filter leaves them out; a bad day is a Persian
    sentence, not an error."""
    from assistant.wording import MSG_BAD_FILTER

    a = build_assistant(Settings(data_dir=sample_index, record_refusals=False))
    respond = make_respond(a, max_chars=1000, article_url="/article")
    question = "صادرات تعاونی‌های گیلان چقدر بود؟"
    *_, (_, plain, _) = respond(question, [])
    assert "۳۴ میلیون دلار" in plain[-1]["content"]
    *_, (_, narrowed, answers) = respond(question, [], {}, "", "", "ایرنا")
    assert "۳۴ میلیون دلار" not in narrowed[-1]["content"] and answers[len(narrowed) - 1]["sources"] == []
    *_, (_, bad, _) = respond(question, [], {}, "دیروز", "", "")
    assert escape(MSG_BAD_FILTER) in bad[-1]["content"]
    a.close()
