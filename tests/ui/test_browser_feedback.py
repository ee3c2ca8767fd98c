"""In a real Chromium: the widget stays a chat widget through five questions (the input and the thumbs inside
the panel, at desktop and at phone width), and the thumbs and the comment under an answer are stored."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from conftest import HostPage  # tests/ui/conftest.py

pytestmark = pytest.mark.browser

# Gradio's own Persian labels of the Chatbot's thumbs (the pages are read with locale fa-IR)
LIKE, DISLIKE = "پسندیدم", "نپسندیدم"
QUESTIONS = [
    "صادرات تعاونی‌های گیلان چقدر بود؟",
    "و گلستان چطور؟",
    "چند نفر در گیلان عضو تعاونی‌ها هستند؟",
    "مدیرکل تعاون، کار و رفاه اجتماعی خراسان جنوبی کیست؟",
    "بازار صادرات تعاونی‌های گلستان شامل کدام کشورهاست؟",
]


def stored(assistant, predicate, timeout: float = 20):
    """The newest stored feedback for which ``predicate`` holds, waiting for it up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = [f for f in assistant.feedback() if predicate(f)]
        if found or time.monotonic() > deadline:
            return found[0] if found else None
        time.sleep(0.1)


def inside(box: dict, outer: dict, slack: float = 1.0) -> bool:
    return (box["x"] >= outer["x"] - slack and box["y"] >= outer["y"] - slack
            and box["x"] + box["width"] <= outer["x"] + outer["width"] + slack
            and box["y"] + box["height"] <= outer["y"] + outer["height"] + slack)


@pytest.mark.parametrize("width, height", [(1000, 800), (390, 844)], ids=["desktop", "phone"])
def test_widget_keeps_its_input_and_thumbs_in_the_panel(server, browser, allowed_port, artifacts, width, height):
    host = HostPage(f'<!doctype html><html lang="fa"><body><h1>اینترانت</h1>'
                    f'<script src="{server.url}/widget.js" defer></script></body></html>', port=allowed_port)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fa-IR")
    page = context.new_page()
    try:
        page.goto(host.url, wait_until="load")
        page.locator("#taavon-widget-button").click()
        frame = page.frame_locator("#taavon-widget-frame")
        box = frame.locator("#question textarea")
        box.wait_for()
        panel = page.locator("#taavon-widget-panel").bounding_box()
        frame_box = page.locator("#taavon-widget-frame").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width and panel["y"] >= 0
        # the messages fill the panel from the start: no thin box over blank space
        chat = frame.locator("#chat").bounding_box()
        assert chat["height"] > 0.5 * frame_box["height"], (chat, frame_box)
        for n, question in enumerate(QUESTIONS, 1):
            box.fill(question)
            frame.locator("#send").click()
            frame.locator("#chat .answer").nth(n - 1).wait_for(timeout=90_000)
            frame.locator(f"#chat button[aria-label='{LIKE}']").nth(n - 1).wait_for()
            for what, locator in [("input", box), ("send button", frame.locator("#send")),
                                  ("thumb under the newest answer", frame.locator(f"#chat button[aria-label='{LIKE}']").last)]:
                bounds = locator.bounding_box()
                assert bounds and inside(bounds, panel), f"after question {n}, the {what} {bounds} left the panel {panel}"
            assert frame.locator("#chat").bounding_box()["height"] <= frame_box["height"]  # the messages scroll
        assert "۲۲ میلیون" in frame.locator("#chat .answer").nth(1).inner_text()      # the follow-up was answered
        page.screenshot(path=str(artifacts / f"widget-five-questions-{width}.png"))

        # a thumb under the newest answer, then a comment: stored, and the input still in the panel
        since = {f.id for f in server.assistant.feedback()}     # the server is shared by the other tests
        frame.locator(f"#chat button[aria-label='{LIKE}']").last.click()
        rated = stored(server.assistant, lambda f: f.id not in since and f.question == QUESTIONS[-1]
                       and f.history == QUESTIONS[:-1])
        assert rated is not None and rated.rating == "up" and rated.comment is None
        assert rated.sources and "ترکمنستان" in rated.answer
        comment = frame.locator("#comment textarea")
        comment.wait_for()
        note = f"پاسخ کامل بود ({width})"
        comment.fill(note)
        frame.locator("#send-comment").click()
        assert stored(server.assistant, lambda f: f.id == rated.id and f.comment == note) is not None
        comment.wait_for(state="hidden")
        for what, locator in [("input", box), ("status", frame.locator("#feedback-status"))]:
            bounds = locator.bounding_box()
            assert bounds and inside(bounds, panel), f"after the comment, the {what} {bounds} left the panel {panel}"
        page.screenshot(path=str(artifacts / f"widget-feedback-{width}.png"))
    finally:
        context.close()
        host.close()


def test_thumbs_and_a_comment_in_the_chat(server, page, artifacts):
    question = "چند نفر در گیلان عضو تعاونی‌ها هستند؟"
    hostile = '<img src="http://127.0.0.2:9/c.png" onerror="window.__xss=3"> <b>رقم</b> اشتباه است'
    page.goto(server.url + "/", wait_until="load")
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.locator("#chat .answer").first.wait_for(timeout=90_000)
    since = {f.id for f in server.assistant.feedback()}

    def mine(f):
        return f.id not in since and f.question == question

    page.locator(f"#chat button[aria-label='{DISLIKE}']").last.click()
    rated = stored(server.assistant, lambda f: mine(f) and f.rating == "down")
    assert rated is not None and rated.comment is None and rated.history == []
    page.locator("#comment textarea").fill(hostile)
    page.locator("#send-comment").click()
    assert stored(server.assistant, lambda f: mine(f) and f.comment == hostile) is not None
    page.locator("#comment textarea").wait_for(state="hidden")
    assert page.evaluate("window.__xss") is None and [u for u in page.requests if "127.0.0.2" in u] == []
    # the other thumb: the same rating changed, the comment kept
    page.locator(f"#chat button[aria-label='{LIKE}']").last.click()
    assert stored(server.assistant, lambda f: mine(f) and f.rating == "up" and f.comment == hostile) is not None
    expect(page.locator("#comment textarea")).to_have_value(hostile)   # offered again as the reader wrote it
    assert [f.id for f in server.assistant.feedback() if mine(f)] == [rated.id]
    page.screenshot(path=str(artifacts / "chat-feedback.png"), full_page=True)
    # clicked again: withdrawn
    page.locator("#chat button[aria-label='Liked']").last.click()
    deadline = time.monotonic() + 20
    while [f for f in server.assistant.feedback() if mine(f)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [f for f in server.assistant.feedback() if mine(f)] == []
