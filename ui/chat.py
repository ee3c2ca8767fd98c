"""The Gradio chat: the full page (``/``) and the compact widget page (``/widget``).

Both are right-to-left with the bundled Vazirmatn font, send questions with the chat's earlier
questions (for follow-ups), stream an LLM's answer when one is configured, and show each answer's
numbered sources with the cited sentence highlighted (``ui/render.py``: everything escaped).
"""

from __future__ import annotations

import logging
import os

from assistant.build import Assistant
from assistant.chain import QuestionError
from assistant.wording import (CHAT_PLACEHOLDER, CLEAR, EXAMPLES, EXAMPLES_LABEL, INPUT_PLACEHOLDER, INTRO,
                               MSG_EMPTY, MSG_FAILED, MSG_TOO_LONG, SEND, TITLE)
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


def make_respond(assistant: Assistant, *, max_chars: int, article_url: str):
    """The chat handler: (question, chat messages) → streams the updated messages."""

    def respond(question: str, messages: list):
        messages = list(messages or [])
        question = (question or "").strip()
        history = [_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        if not question:
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_EMPTY)}]
            return
        messages = messages + [{"role": "user", "content": escape(question)}]
        if len(question) > max_chars:
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_TOO_LONG.format(limit=max_chars))}]
            return
        yield "", messages + [{"role": "assistant", "content": "…"}]
        try:
            partial = ""
            for event in assistant.stream(question, history):
                if event["type"] == "token":
                    partial += event["text"]
                    yield "", messages + [{"role": "assistant", "content": f'<div dir="rtl">{escape(partial)}</div>'}]
                else:
                    yield "", messages + [{"role": "assistant",
                                           "content": answer_html(event["answer"], article_url)}]
        except QuestionError:
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_TOO_LONG.format(limit=max_chars))}]
        except Exception:  # noqa: BLE001 — the user gets a Persian sentence, the log gets the trace
            log.exception("answering %r failed", question[:200])
            yield "", messages + [{"role": "assistant", "content": error_html(MSG_FAILED)}]

    return respond


def build_blocks(assistant: Assistant, *, compact: bool = False, max_chars: int = 1000,
                 article_url: str = "/article"):
    """The chat page (``compact``: the widget's smaller page, no header or examples)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    respond = make_respond(assistant, max_chars=max_chars, article_url=article_url)
    with gr.Blocks(title=TITLE, analytics_enabled=False, fill_height=compact) as blocks:
        if not compact:
            gr.HTML(f'<h2 dir="rtl" style="margin:0">{TITLE}</h2>'
                    f'<p dir="rtl" style="margin:.2em 0 0 0">{INTRO}</p>')
        chatbot = gr.Chatbot(
            elem_id="chat", rtl=True, sanitize_html=True, render_markdown=True, height=None if compact else 520,
            show_label=False, feedback_options=None, buttons=["copy"], group_consecutive_messages=False,
            placeholder=None if compact else f'<p dir="rtl">{CHAT_PLACEHOLDER}</p>',
        )
        with gr.Row():
            box = gr.Textbox(elem_id="question", show_label=False, rtl=True, scale=5, lines=1, max_lines=4,
                             placeholder=INPUT_PLACEHOLDER, autofocus=not compact)
            send = gr.Button(SEND, elem_id="send", variant="primary", scale=1, min_width=80)
        clear = gr.Button(CLEAR, elem_id="clear", size="sm", variant="secondary")
        if not compact:
            gr.Examples(EXAMPLES, inputs=box, label=EXAMPLES_LABEL)
        box.submit(respond, [box, chatbot], [box, chatbot], api_visibility="private")
        send.click(respond, [box, chatbot], [box, chatbot], api_visibility="private")
        clear.click(lambda: ("", []), None, [box, chatbot], api_visibility="private")
    return blocks
