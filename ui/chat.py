"""The Gradio chat: the full page (``/``) and the compact widget page (``/widget``).

Both are right-to-left with the bundled Vazirmatn font, send questions with the chat's earlier
questions (for follow-ups), stream an LLM's answer when one is configured, and show each answer's
numbered sources with the cited sentence highlighted (``ui/render.py``: everything escaped).
Under each answer, thumbs up/down (the Chatbot's like event) store a rating through
``Assistant.add_feedback``; a comment box then appears, and its text replaces the rating with a comment.
In the widget the messages fill the frame and scroll while the input stays at the bottom.
"""

from __future__ import annotations

import html
import logging
import os

from assistant.build import Assistant
from assistant.filters import FilterError, Filters
from assistant.question import QuestionError, question_text
from assistant.feedback import MAX_COMMENT_CHARS
from assistant.wording import (CHAT_PLACEHOLDER, CLEAR, COMMENT_PLACEHOLDER, COMMENT_SEND, COMMENT_THANKS,
                               EXAMPLES, EXAMPLES_LABEL, FEEDBACK_THANKS, FILTER_FROM, FILTER_OUTLET, FILTER_TO,
                               FILTERS_LABEL, INPUT_PLACEHOLDER, INTRO, MSG_BAD_FILTER, MSG_COMMENT_TOO_LONG, MSG_EMPTY,
                               MSG_FAILED, MSG_FEEDBACK_FAILED, MSG_TOO_LONG, SEND, TITLE)
from ui.render import answer_html, error_html, escape

log = logging.getLogger(__name__)


CSS = """
@font-face { font-family: Vazirmatn; src: url('/static/fonts/Vazirmatn-Regular.woff2') format('woff2');
             font-weight: 400; font-display: swap; }
@font-face { font-family: Vazirmatn; src: url('/static/fonts/Vazirmatn-Bold.woff2') format('woff2');
             font-weight: 700; font-display: swap; }
.gradio-container, .gradio-container * { font-family: Vazirmatn, Tahoma, sans-serif !important; }
.gradio-container { direction: rtl; }
.answer p { margin: 0 0 .4em 0; line-height: 1.9; }
sup.cite { color: #1d4ed8; font-weight: 700; }
.sources .label { margin: .6em 0 .2em 0; font-weight: 700; }
details.source { border: 1px solid #d1d5db; border-radius: 8px; padding: .3em .6em; margin: .3em 0; }
details.source summary { cursor: pointer; }
details.source .passage { line-height: 1.9; margin: .4em 0; white-space: pre-wrap; }
details.source mark { background: #fde68a; padding: 0 .1em; }
.note { color: #92400e; } .error { color: #b91c1c; }
.chart { margin: .5em 0; display: grid; grid-template-columns: 7em minmax(6em, 1fr) auto; gap: .3em .6em;
         align-items: center; } .bar-row { display: contents; }
.bar { display: block; height: 1em; background: #2563eb; border-radius: 3px; }
.bar-value { white-space: nowrap; font-size: .9em; } .period { color: #555; }
footer { display: none !important; }
/* the widget: its frame's height is shared by the messages, which scroll, and the input, which stays at the
   bottom. Gradio's columns are flex boxes that grow with their content (min-height: auto): let them shrink. */
body *:has(#widget) { min-height: 0 !important; }
#widget { min-height: 0; overflow: hidden; gap: 6px; }
.main:has(#widget) { padding: 8px 10px !important; }
#widget > #chat { flex: 1 1 0 !important; min-height: 0 !important; }
#widget > :not(#chat) { flex: none !important; }
#feedback-status:empty, #feedback-status:has(> div:empty) { display: none; }
.thanks { color: #166534; margin: 0; font-size: .9em; }
"""


def _text(content) -> str:
    """A chat message's text, whatever shape Gradio gives it in."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("value") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text(c) for c in content)
    return ""


def _record(question: str, answer, history: list[str]) -> dict:
    """What a thumb under this answer rates: the question (and the earlier ones), the answer's text and
    its cited sources."""
    return {"question": question, "answer": answer.text, "history": list(history),
            "sources": [{"doc_id": s.doc_id, "title": s.title} for s in answer.sources],
            "feedback_id": None, "rating": None, "comment": None}


def make_respond(assistant: Assistant, *, max_chars: int, article_url: str):
    """The chat handler: (question, chat messages, rated answers) → streams the updated messages and
    the rated-answers state ({message index: what a thumb under that answer rates})."""

    def respond(question: str, messages: list, answers: dict | None = None, date_from: str = "", date_to: str = "",
                outlet: str = ""):
        messages = list(messages or [])
        answers = dict(answers or {})
        try:
            filters = Filters.of(date_from, date_to, outlet)   # the page's «محدود کردن به تاریخ و رسانه»
        except FilterError:
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_BAD_FILTER)}], answers
            return
        # the earlier questions, as typed (the chat shows them escaped: ui/render.escape)
        history = [html.unescape(_text(m.get("content"))) for m in messages
                   if isinstance(m, dict) and m.get("role") == "user"]
        try:
            question = question_text(question or "", max_chars)    # the check every front end makes
        except QuestionError as exc:
            if exc.code == "empty":
                yield "", messages + [{"role": "assistant", "content": error_html(MSG_EMPTY)}], answers
            else:
                yield "", messages + [{"role": "user", "content": escape(str(question or "").strip())},
                                      {"role": "assistant",
                                       "content": error_html(MSG_TOO_LONG.format(limit=max_chars))}], answers
            return
        messages = messages + [{"role": "user", "content": escape(question)}]
        yield "", messages + [{"role": "assistant", "content": "…"}], answers
        try:
            partial = ""
            for event in assistant.stream(question, history, filters=filters):
                if event["type"] == "token":
                    partial += event["text"]
                    yield "", messages + [{"role": "assistant",
                                           "content": f'<div dir="rtl">{escape(partial)}</div>'}], answers
                else:
                    answers[len(messages)] = _record(question, event["answer"], history)
                    yield "", messages + [{"role": "assistant",
                                           "content": answer_html(event["answer"], article_url)}], answers
        except QuestionError:
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_TOO_LONG.format(limit=max_chars))}], \
                answers
        except Exception:  # noqa: BLE001 — the user gets a Persian sentence, the log gets the trace
            log.exception("answering %r failed", question[:200])
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_FAILED)}], answers

    return respond


def make_feedback_handlers(assistant: Assistant):
    """The thumbs and the comment: ``rate(answers, like_index, liked)`` → (answers, index to comment on or
    None, status HTML) and ``comment(text, answers, index)`` → (answers, status HTML, whether it was kept).
    Both store through ``Assistant.add_feedback``; a second thumb or a comment replaces the rating."""

    def rate(answers: dict, index: int, liked) -> tuple[dict, int | None, str]:
        answers = dict(answers or {})
        record = answers.get(index)
        if record is None:                # an error message or an answer still being written
            return answers, None, ""
        record = dict(record)
        try:
            if liked not in (True, False):    # the thumb clicked again: the rating is withdrawn
                if record["feedback_id"]:
                    assistant.delete_feedback(record["feedback_id"])
                record.update(feedback_id=None, rating=None, comment=None)
                answers[index] = record
                return answers, None, ""
            fb = assistant.add_feedback(record["question"], record["answer"], "up" if liked else "down",
                                        record["comment"], record["sources"], history=record["history"],
                                        feedback_id=record["feedback_id"])
        except Exception:  # noqa: BLE001 — the reader gets a Persian sentence, the log the trace
            log.exception("storing feedback failed")
            return answers, None, error_html(MSG_FEEDBACK_FAILED)
        record.update(feedback_id=fb.id, rating=fb.rating)
        answers[index] = record
        return answers, index, f'<p class="thanks" dir="rtl">{escape(FEEDBACK_THANKS)}</p>'

    def comment(text: str, answers: dict, index: int | None) -> tuple[dict, str, bool]:
        answers = dict(answers or {})
        text = (text or "").strip()
        record = answers.get(index) if index is not None else None
        if record is None or not record["feedback_id"] or not text:
            return answers, "", False
        if len(text) > MAX_COMMENT_CHARS:
            return answers, error_html(MSG_COMMENT_TOO_LONG.format(limit=MAX_COMMENT_CHARS)), False
        record = dict(record)
        try:
            fb = assistant.add_feedback(record["question"], record["answer"], record["rating"], text,
                                        record["sources"], history=record["history"],
                                        feedback_id=record["feedback_id"])
        except Exception:  # noqa: BLE001
            log.exception("storing a feedback comment failed")
            return answers, error_html(MSG_FEEDBACK_FAILED), False
        record.update(feedback_id=fb.id, comment=fb.comment)
        answers[index] = record
        return answers, f'<p class="thanks" dir="rtl">{escape(COMMENT_THANKS)}</p>', True

    return rate, comment


def build_blocks(assistant: Assistant, *, compact: bool = False, max_chars: int = 1000,
                 article_url: str = "/article"):
    """The chat page (``compact``: the widget's page, no header or examples: the messages fill the frame
    and scroll, the input stays at its bottom)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    respond = make_respond(assistant, max_chars=max_chars, article_url=article_url)
    rate, comment = make_feedback_handlers(assistant)

    def on_like(answers: dict, data: gr.LikeData):
        index = data.index if isinstance(data.index, int) else data.index[0]
        answers, pending, status = rate(answers, index, data.liked)
        written = (answers.get(pending) or {}).get("comment") or ""     # a comment given before the thumb changed
        return answers, pending, status, gr.update(visible=pending is not None), written

    # Gradio passes the LikeData by the parameter's type hint, resolved in this module's globals, where
    # gradio (imported lazily) is not: give it the class itself.
    on_like.__annotations__ = {"answers": dict, "data": gr.LikeData}

    def on_comment(text: str, answers: dict, pending: int | None):
        answers, status, kept = comment(text, answers, pending)
        return answers, status, gr.update(visible=not kept and pending is not None), "" if kept else text

    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_height=compact) as blocks:
        if not compact:
            gr.HTML(f'<h2 dir="rtl" style="margin:0">{TITLE}</h2>'
                    f'<p dir="rtl" style="margin:.2em 0 0 0">{INTRO}</p>')
        answers = gr.State({})          # {message index: what a thumb under that answer rates}
        pending = gr.State(None)        # the message index a comment would be about
        with gr.Column(elem_id="widget" if compact else "page", scale=1):
            chatbot = gr.Chatbot(
                elem_id="chat", rtl=True, sanitize_html=True, render_markdown=True,
                height="100%" if compact else 520, scale=1 if compact else None,
                show_label=False, feedback_options=["Like", "Dislike"], buttons=["copy"],
                group_consecutive_messages=False, autoscroll=True,
                placeholder=f'<p dir="rtl">{CHAT_PLACEHOLDER}</p>',
            )
            status = gr.HTML("", elem_id="feedback-status")
            with gr.Row(elem_id="comment-row", visible=False) as comment_row:
                comment_box = gr.Textbox(elem_id="comment", show_label=False, rtl=True, scale=5, lines=1, max_lines=3,
                                         max_length=MAX_COMMENT_CHARS, placeholder=COMMENT_PLACEHOLDER)
                comment_send = gr.Button(COMMENT_SEND, elem_id="send-comment", size="sm", scale=1, min_width=70)
            with gr.Row(elem_id="ask-row"):
                box = gr.Textbox(elem_id="question", show_label=False, rtl=True, scale=5, lines=1, max_lines=4,
                                 placeholder=INPUT_PLACEHOLDER, autofocus=not compact)
                send = gr.Button(SEND, elem_id="send", variant="primary", scale=1, min_width=70)
            clear = gr.Button(CLEAR, elem_id="clear", size="sm", variant="secondary")
            inputs = [box, chatbot, answers]
            if not compact:   # the widget stays small: the page alone narrows the answers to dates and outlets
                with gr.Accordion(FILTERS_LABEL, open=False, elem_id="filters"):
                    with gr.Row():
                        inputs += [gr.Textbox(label=FILTER_FROM, elem_id="date-from", rtl=True, max_lines=1),
                                   gr.Textbox(label=FILTER_TO, elem_id="date-to", rtl=True, max_lines=1),
                                   gr.Textbox(label=FILTER_OUTLET, elem_id="outlet", rtl=True, max_lines=1)]
        if not compact:
            gr.Examples(EXAMPLES, inputs=box, label=EXAMPLES_LABEL)
        box.submit(respond, inputs, [box, chatbot, answers], api_visibility="private")
        send.click(respond, inputs, [box, chatbot, answers], api_visibility="private")
        chatbot.like(on_like, [answers], [answers, pending, status, comment_row, comment_box],
                     api_visibility="private")
        comment_box.submit(on_comment, [comment_box, answers, pending], [answers, status, comment_row, comment_box],
                           api_visibility="private")
        comment_send.click(on_comment, [comment_box, answers, pending], [answers, status, comment_row, comment_box],
                           api_visibility="private")
        clear.click(lambda: ("", [], {}, None, "", gr.update(visible=False)), None,
                    [box, chatbot, answers, pending, status, comment_row], api_visibility="private")
    return blocks
