"""The chat and the widget in a real Chromium: ask, see the cited answer, stay on localhost, stay inert."""

from __future__ import annotations

from urllib.parse import urlsplit

from conftest import HostPage  # tests/ui/conftest.py
import pytest

pytestmark = pytest.mark.browser

QUESTION = "صادرات تعاونی‌های گیلان چقدر بود؟"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def ask_in(scope, question: str, timeout: float = 90_000):
    """Type ``question`` into the chat inside ``scope`` (a page or a frame) and wait for its answer."""
    box = scope.locator("#question textarea")
    box.fill(question)
    scope.locator("#send").click()
    answer = scope.locator("#chat .answer").last
    answer.wait_for(timeout=timeout)
    return answer


def outside_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")
            and urlsplit(u).hostname not in LOCAL_HOSTS]


def test_chat_answers_with_citation_and_source(server, page, artifacts):
    page.goto(server.url + "/", wait_until="load")
    answer = ask_in(page, QUESTION)
    assert "۳۴ میلیون" in answer.inner_text()
    assert answer.locator("sup.cite").first.inner_text().strip() == "[۱]"
    source = page.locator("#chat details.source").first
    assert "گیلان" in source.locator("summary").inner_text()
    source.locator("summary").click()
    assert "۳۴ میلیون" in source.locator("mark").inner_text()           # the cited sentence, highlighted
    assert source.locator("a.open").get_attribute("href").startswith("/article/001_2df5e54f2db4a315")
    # right-to-left, with the bundled font
    assert page.evaluate("getComputedStyle(document.querySelector('.gradio-container')).direction") == "rtl"
    assert page.evaluate("document.fonts.check('16px Vazirmatn')")
    assert any(u.endswith("/static/fonts/Vazirmatn-Regular.woff2") for u in page.requests)
    # a follow-up uses the chat's history
    follow = ask_in(page, "و گلستان چطور؟")
    page.wait_for_function("document.querySelectorAll('#chat .answer').length >= 2")
    assert "۲۲ میلیون" in follow.inner_text()  # Golestan's exports, though the follow-up names only the province
    page.screenshot(path=str(artifacts / "chat.png"), full_page=True)
    assert outside_requests(page.requests) == []


def test_the_page_narrows_answers_to_an_outlet(server, page):
    """The sample articles name no outlet: narrowed to «ایرنا», the question finds nothing to answer from."""
    page.goto(server.url + "/", wait_until="load")
    page.locator("#filters").get_by_text("محدود کردن به تاریخ و رسانه").click()
    page.locator("#outlet textarea, #outlet input").first.fill("ایرنا")
    answer = ask_in(page, QUESTION)
    assert "۳۴ میلیون" not in answer.inner_text()


def test_article_text_is_never_live_html(server, page, artifacts):
    page.goto(server.url + "/", wait_until="load")
    answer = ask_in(page, "تعاونی آزمایشی زعفران قائنات چند عضو دارد؟")
    page.locator("#chat details.source summary").first.click()
    page.wait_for_timeout(1500)
    text = page.locator("#chat").inner_text()
    assert "<script>" in text or "<img" in text                 # shown as the characters they are
    assert page.evaluate("window.__xss") is None                 # no script ran, no handler fired
    assert page.locator("#chat img[src*='127.0.0.2'], #chat iframe").count() == 0
    assert [u for u in page.requests if "127.0.0.2" in u] == []
    assert answer.inner_text()
    page.screenshot(path=str(artifacts / "chat-hostile-article.png"), full_page=True)


def test_widget_on_an_allowed_intranet_page(server, browser, allowed_port, artifacts):
    host = HostPage(f'<!doctype html><html lang="fa"><body><h1>اینترانت</h1>'
                    f'<script src="{server.url}/widget.js" data-title="دستیار تعاون" data-color="#0f766e" defer>'
                    f'</script></body></html>', port=allowed_port)
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    try:
        page.goto(host.url, wait_until="load")
        page.locator("#taavon-widget-button").click()
        frame = page.frame_locator("#taavon-widget-frame")
        answer = ask_in(frame, QUESTION)
        assert "۳۴ میلیون" in answer.inner_text()
        assert "گیلان" in frame.locator("#chat details.source summary").first.inner_text()
        page.screenshot(path=str(artifacts / "widget.png"))
        assert outside_requests(urls) == []
    finally:
        context.close()
        host.close()


def test_widget_refuses_a_page_that_is_not_allowed(server, page):
    host = HostPage(f'<!doctype html><html><body><script src="{server.url}/widget.js" defer></script></body></html>')
    try:
        page.goto(host.url, wait_until="load")
        page.locator("#taavon-widget-button").click()
        page.wait_for_timeout(3000)
        frame = next(f for f in page.frames if f.parent_frame is not None)
        assert frame.url.startswith("chrome-error://")                  # Chromium refused to render it
        # the browser refuses to render the framed page (CSP frame-ancestors): no chat inside
        assert frame.locator("#question").count() == 0
    finally:
        host.close()


def test_widget_with_an_access_token(ui_index, browser, artifacts):
    """With access control on, the widget inside another site's page still works: its snippet carries the
    token into the iframe URL, and the widget page's own requests carry it in their Referer."""
    from assistant.build import build_assistant
    from assistant.settings import Settings
    from helpers import Server, free_port
    from ui.server import create_app

    host_port = free_port()
    settings = Settings(data_dir=ui_index, access_token="tok-123",
                        allowed_origins=[f"http://127.0.0.1:{host_port}"])
    assistant = build_assistant(settings)
    with Server(create_app(assistant, settings)) as server:
        host = HostPage(f'<!doctype html><html><body><script src="{server.url}/widget.js" data-token="tok-123" defer>'
                        f'</script></body></html>', port=host_port)
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(host.url, wait_until="load")
            page.locator("#taavon-widget-button").click()
            answer = ask_in(page.frame_locator("#taavon-widget-frame"), QUESTION)
            assert "۳۴ میلیون" in answer.inner_text()
            # and without the token the chat is refused
            refused = context.new_page()
            refused.goto(server.url + "/", wait_until="load")
            assert refused.locator("#question").count() == 0 and "توکن" in refused.content()
        finally:
            context.close()
            host.close()
    assistant.close()


def test_a_comparison_shows_a_bar_chart(server, page, artifacts):
    page.goto(server.url + "/", wait_until="load")
    answer = ask_in(page, "کدام استان بیشترین صادرات تعاونی را داشته؟")
    assert "گیلان" in answer.inner_text()
    bars = page.locator("#chat .chart .bar-row")
    assert bars.count() >= 2
    widths = [page.evaluate("(el) => el.getBoundingClientRect().width", b.locator(".bar").element_handle())
              for b in bars.all()]
    chart = server.assistant.ask("کدام استان بیشترین صادرات تعاونی را داشته؟").chart
    ratio = chart[-1]["value"] / chart[0]["value"]
    assert abs(widths[-1] / widths[0] - ratio) < 0.05            # bar lengths are proportional to the figures
    page.screenshot(path=str(artifacts / "chat-comparison.png"), full_page=True)
