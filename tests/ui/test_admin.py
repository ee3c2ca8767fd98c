"""The admin API over real HTTP: tokens, uploads (good, broken, hostile, too large), the list, delete,
409 while another process writes, and questions answered during an upload."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from helpers import Server

ADMIN = "admin-token-123"
READER = "reader-token-456"
REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "tests" / "data" / "documents"
A = {"Authorization": f"Bearer {ADMIN}"}
R = {"Authorization": f"Bearer {READER}"}

KASHAN = ("تعاونی فرش دستباف کاشان در سال ۱۴۰۲ به میزان ۱۲ میلیون و ۳۰۰ هزار دلار فرش صادر کرد. "
          "این تعاونی ۴۵۰ عضو دارد.\n")
HOSTILE_HTML = ("<html><head><title>&lt;img src=x onerror=alert(1)&gt; گزارش تعاونی نمک</title></head><body>"
                "<p>تعاونی نمک گرمسار در سال ۱۴۰۲ شمار ۷۳ عضو داشت.</p></body></html>")


@pytest.fixture(scope="module")
def admin_server(sample_index, tmp_path_factory):
    from ui.server import create_app

    data_dir = tmp_path_factory.mktemp("admin") / "index"
    shutil.copytree(sample_index, data_dir)
    settings = Settings(data_dir=data_dir, admin_token=ADMIN, access_token=READER, max_file_bytes=200_000,
                        max_upload_files=5)
    assistant = build_assistant(settings)
    assistant.warm_up()
    with Server(create_app(assistant, settings)) as s:
        s.assistant = assistant
        s.client = httpx.Client(base_url=s.url, timeout=120)
        yield s
        s.client.close()
    assistant.close()


def _upload(server, *files, headers=A):
    return server.client.post("/api/documents", headers=headers,
                              files=[("files", (name, data)) for name, data in files])


@pytest.mark.parametrize("method, path", [("GET", "/api/documents"), ("POST", "/api/documents"),
                                          ("DELETE", "/api/documents/x"), ("GET", "/api/documents/progress"),
                                          ("GET", "/api/feedback")])
def test_admin_calls_need_the_admin_token(admin_server, method, path):
    c = admin_server.client
    none = c.request(method, path)
    assert none.status_code == 401 and "error" in none.json()
    r = c.request(method, path, headers=R)      # the reader's token is not an admin token
    assert r.status_code == 403 and "admin token" in r.json()["error"]
    r = c.request(method, path, headers={"Authorization": "Bearer nope-nope-nope"})
    assert r.status_code == 401 and "error" in r.json()


def test_the_admin_check_is_a_dependency_that_openapi_describes(admin_server):
    """Every admin route carries the admin's bearer scheme (one dependency checks it, ui/auth.admin_required)."""
    spec = admin_server.client.get("/openapi.json", headers=R).json()
    for path, method in [("/api/documents", "get"), ("/api/documents", "post"), ("/api/feedback", "get"),
                         ("/api/documents/progress", "get"), ("/api/documents/{doc_id}", "delete")]:
        assert spec["paths"][path][method].get("security"), (path, method)


def test_the_admin_token_also_opens_the_reader_api(admin_server):
    r = admin_server.client.get("/api/search", params={"q": "صادرات گیلان"}, headers=A)
    assert r.status_code == 200


@pytest.mark.ingest
def test_upload_list_answer_delete(admin_server):
    c = admin_server.client
    r = _upload(admin_server, ("../../kashan.txt", KASHAN.encode()), ("empty.txt", b""),
                ("tool.exe", b"MZ\x00"), ("<b>hostile</b>.html", HOSTILE_HTML.encode()))
    assert r.status_code == 200, r.text
    body = r.json()
    docs = {d["doc_id"]: d for d in body["documents"]}
    assert set(docs) == {"uploads/kashan", "uploads/b"}, docs   # "<b>hostile</b>.html": "/" is a folder separator
    assert docs["uploads/kashan"]["status"] == "added" and docs["uploads/kashan"]["chunks"] >= 1
    skipped = {s["name"]: s["reason"] for s in body["skipped"]}
    assert skipped["empty.txt"] == "empty file"
    assert "unsupported file type '.exe'" in skipped["tool.exe"]
    hostile = next(d for d in body["documents"] if d["doc_id"] != "uploads/kashan")
    assert hostile["title"].startswith("<img src=x onerror=alert(1)>")   # JSON carries the text; pages escape it

    uploads = admin_server.assistant.settings.data_dir / "uploads"
    stored = sorted(p.name for p in uploads.iterdir() if not p.name.startswith("."))
    assert "kashan.txt" in stored and all("/" not in n and ".." not in n for n in stored)

    listed = {d["doc_id"]: d for d in c.get("/api/documents", headers=A).json()["documents"]}
    assert {"uploads/kashan", hostile["doc_id"]} <= set(listed) and len(listed) == 7
    assert listed["uploads/kashan"]["added"] and listed["uploads/kashan"]["chunks"] == docs["uploads/kashan"]["chunks"]

    question = {"question": "صادرات تعاونی فرش دستباف کاشان در سال ۱۴۰۲ چقدر بود؟"}
    answer = c.post("/api/ask", json=question, headers=R).json()
    assert "۱۲ میلیون و ۳۰۰ هزار دلار" in answer["answer"] and answer["sources"][0]["doc_id"] == "uploads/kashan"

    gone = c.delete("/api/documents/uploads/kashan", headers=A)
    assert gone.status_code == 200 and gone.json() == {"removed": ["uploads/kashan"]}
    assert "uploads/kashan" not in {d["doc_id"] for d in c.get("/api/documents", headers=A).json()["documents"]}
    after = c.post("/api/ask", json=question, headers=R).json()
    assert "۱۲ میلیون و ۳۰۰ هزار" not in after["answer"] and all(s["doc_id"] != "uploads/kashan" for s in after["sources"])
    hits = c.get("/api/search", params={"q": "فرش دستباف کاشان"}, headers=R).json()
    assert all(h["doc_id"] != "uploads/kashan" for h in hits["results"])
    assert all(f.doc_id != "uploads/kashan" for f in admin_server.assistant.facts())
    assert not (uploads / "kashan.txt").exists()
    assert c.delete("/api/documents/uploads/kashan", headers=A).status_code == 404


def test_too_large_file_is_413_and_nothing_changes(admin_server):
    c = admin_server.client
    before = c.get("/api/documents", headers=A).json()
    r = _upload(admin_server, ("big.txt", ("س" * 150_000).encode()))   # 300,000 bytes > 200,000
    assert r.status_code == 413 and "big.txt" in r.json()["error"]
    huge = c.post("/api/documents", headers={**A, "Content-Type": "multipart/form-data; boundary=x"},
                  content=b"x" * 2_100_000)                            # over 5 files x 200 kB + 1 MB
    assert huge.status_code == 413 and "limit" in huge.json()["error"]
    assert c.get("/api/documents", headers=A).json() == before


def test_bad_requests(admin_server):
    c = admin_server.client
    assert c.post("/api/documents", headers=A, json={"files": []}).status_code == 415
    r = c.post("/api/documents", headers=A, data={"other": "x"}, files=[("other", ("a.txt", b"x"))])
    assert r.status_code == 422 and "files" in r.json()["error"]
    many = _upload(admin_server, *[(f"f{i}.txt", b"x") for i in range(6)])
    assert many.status_code == 400 and "error" in many.json()


@pytest.mark.subprocess
def test_upload_while_another_process_writes_is_409_at_once(admin_server):
    data_dir = admin_server.assistant.settings.data_dir
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from index.store import WriterLock; l = WriterLock(sys.argv[1]); "
                               "l.acquire(); print('held', flush=True); sys.stdin.read()", str(data_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "held"
        r = _upload(admin_server, ("locked.txt", KASHAN.encode()))
        gone = admin_server.client.delete("/api/documents/" + admin_server.assistant.documents()[0].doc_id,
                                          headers=A)
    finally:
        holder.communicate("", timeout=30)
    assert r.status_code == 409 and f"pid {holder.pid}" in r.json()["error"], r.text
    assert gone.status_code == 409
    assert admin_server.assistant.document("uploads/locked") is None
    assert not (data_dir / "uploads" / "locked.txt").exists()


@pytest.mark.ingest
def test_questions_are_answered_during_an_upload(admin_server):
    c = admin_server.client
    sentences = [f"تعاونی شماره {i} استان یزد در سال ۱۴۰۲ شمار {i + 10} عضو تازه پذیرفت." for i in range(150)]
    done = threading.Event()
    result = {}

    def upload():
        result["response"] = _upload(admin_server, ("yazd.txt", "\n".join(sentences).encode()))
        done.set()

    threading.Thread(target=upload, daemon=True).start()
    answered_during = 0
    seen_progress = False
    while not done.is_set():
        state = c.get("/api/documents/progress", headers=A).json()
        if not state["active"]:
            continue
        seen_progress = seen_progress or state["phase"] == "embedding"
        r = c.post("/api/ask", json={"question": "صادرات تعاونی‌های گیلان چقدر بود؟"}, headers=R)
        assert r.status_code == 200 and r.json()["sources"]
        if c.get("/api/documents/progress", headers=A).json()["active"]:
            answered_during += 1
        if answered_during and seen_progress:
            break
    done.wait(300)
    assert result["response"].status_code == 200, result["response"].text
    assert answered_during >= 1 and seen_progress
    second = _upload(admin_server, ("yazd.txt", "\n".join(sentences).encode()))
    assert second.json()["documents"][0]["status"] == "unchanged"


def test_without_an_admin_token_there_is_no_admin(server):
    c = httpx.Client(base_url=server.url)
    for method, path in [("GET", "/admin"), ("GET", "/api/documents"), ("POST", "/api/documents"),
                         ("DELETE", "/api/documents/x"), ("GET", "/api/documents/progress"),
                         ("GET", "/api/feedback")]:
        assert c.request(method, path).status_code == 404, path




@pytest.mark.ingest
def test_pdf_and_docx_uploaded_over_http_answer_with_citations(tmp_path):
    """The archive keeper's path: a fresh index, a Chromium PDF, a right-to-left DOCX and a broken PDF."""
    from ui.server import create_app

    settings = Settings(data_dir=tmp_path / "index", admin_token=ADMIN, access_token=READER)
    assistant = build_assistant(settings)
    pdf = (DOCS / "golestan_chromium.pdf").read_bytes()
    with Server(create_app(assistant, settings)) as s, httpx.Client(base_url=s.url, timeout=300) as c:
        files = [("files", ("golestan.pdf", pdf)), ("files", ("gilan.docx", (DOCS / "gilan.docx").read_bytes())),
                 ("files", ("broken.pdf", pdf[:20_000]))]
        assert c.post("/api/documents", files=files).status_code == 401
        r = c.post("/api/documents", files=files, headers=A)
        assert r.status_code == 200, r.text
        body = r.json()
        assert sorted((d["doc_id"], d["status"]) for d in body["documents"]) == [("uploads/gilan", "added"),
                                                                                ("uploads/golestan", "added")]
        [skipped] = body["skipped"]
        assert skipped["name"] == "broken.pdf" and skipped["reason"].startswith("damaged PDF")

        amount = c.post("/api/ask", json={"question": "صادرات تعاونی‌های گلستان در سال ۱۳۹۷ چقدر بود؟"},
                        headers=R).json()
        assert "۱۲ میلیون و ۳۰۰ هزار دلار" in amount["answer"] and amount["sources"][0]["doc_id"] == "uploads/golestan"
        assert "محصولات لبنی" in amount["sources"][0]["quote"]
        count = c.post("/api/ask", json={"question": "چند تعاونی در استان گیلان فعال است؟"}, headers=R).json()
        assert "۲ هزار و ۵۰۲ تعاونی" in count["answer"] and count["sources"][0]["doc_id"] == "uploads/gilan"
        listed = c.get("/api/documents", headers=A).json()["documents"]
        assert sorted(d["doc_id"] for d in listed) == ["uploads/gilan", "uploads/golestan"]

        assert c.delete("/api/documents/uploads/golestan", headers=A).status_code == 200
        again = c.post("/api/ask", json={"question": "صادرات تعاونی‌های گلستان در سال ۱۳۹۷ چقدر بود؟"},
                       headers=R).json()
        assert "۱۲ میلیون و ۳۰۰ هزار" not in again["answer"]
        assert all(src["doc_id"] != "uploads/golestan" for src in again["sources"])
    assistant.close()


def test_feedback_list_for_the_admin(admin_server):
    c = admin_server.client
    comment = '<script>alert(1)</script> «رقم اشتباه است»\nخط دوم'
    r = c.post("/api/feedback", headers=R, json={"question": "صادرات گیلان؟", "answer": "۳۴ میلیون دلار [۱]",
                                                  "rating": "down", "comment": comment})
    assert r.status_code == 200
    listed = c.get("/api/feedback", headers=A).json()["feedback"]
    mine = next(f for f in listed if f["id"] == r.json()["id"])
    assert mine["comment"] == comment and mine["rating"] == "down" and mine["time"]
    assert all(f["rating"] == "down" for f in c.get("/api/feedback?rating=down", headers=A).json()["feedback"])
    assert c.get("/api/feedback?rating=good", headers=A).status_code == 422


def test_admin_page_in_chromium(admin_server, page):
    """Log in, upload by the file chooser and by drag and drop with the progress shown, see the list, read
    feedback whose HTML stays text, delete with the button."""
    admin_server.assistant.add_feedback("پرسش آزمایشی", "پاسخ", "down", comment='<img src=x onerror="window.__xss=1">بد')
    page.goto(admin_server.url + "/admin")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert "Vazirmatn" in page.evaluate("getComputedStyle(document.body).fontFamily")
    page.fill("#token", "wrong-wrong-wrong")
    page.click("#login button")
    page.wait_for_function("document.getElementById('login-error').textContent.length > 0")
    page.fill("#token", ADMIN)
    page.click("#login button")
    page.wait_for_selector("#documents tbody tr")
    rows_before = page.locator("#documents tbody tr").count()
    assert rows_before >= 5

    page.wait_for_selector("#feedback tbody tr")
    cells = page.locator("#feedback tbody td").all_inner_texts()
    assert any(c.startswith('<img src=x onerror="window.__xss=1">') for c in cells)
    assert page.evaluate("window.__xss") is None

    page.evaluate("""() => { window.__statuses = [];
        new MutationObserver(() => window.__statuses.push(document.getElementById('status').textContent))
          .observe(document.getElementById('status'), {childList: true, characterData: true, subtree: true}); }""")
    text = "\n".join(f"تعاونی شماره {i} استان سمنان در سال ۱۴۰۲ شمار {i + 20} عضو تازه داشت." for i in range(80))
    page.set_input_files("#files", [
        {"name": "semnan.txt", "mimeType": "text/plain", "buffer": text.encode()},
        {"name": "hostile.html", "mimeType": "text/html", "buffer": HOSTILE_HTML.encode()},
        {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}])
    page.wait_for_function("document.querySelectorAll('#documents tbody tr').length >= %d" % (rows_before + 2),
                           timeout=240_000)
    statuses = page.evaluate("window.__statuses")
    assert any(s.startswith("در حال نمایه‌سازی") for s in statuses), statuses
    assert "۲ افزوده" in page.inner_text("#status")
    assert "empty.txt" in page.inner_text("#skipped")
    titles = page.locator("#documents tbody tr td:first-child").all_inner_texts()
    assert any(t.startswith("<img src=x onerror=alert(1)>") for t in titles)    # shown as text
    assert page.evaluate("window.__xss") is None

    page.evaluate("""() => { const data = new DataTransfer();
        data.items.add(new File(["تعاونی نمونه دامغان در سال ۱۴۰۲ شمار ۹۹ عضو داشت."], "damghan.txt",
                                {type: "text/plain"}));
        document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true})); }""")
    page.wait_for_selector('#documents tbody tr[data-doc-id="uploads/damghan"]', timeout=120_000)

    page.on("dialog", lambda dialog: dialog.accept())
    page.click('#documents tbody tr[data-doc-id="uploads/semnan"] button.delete')
    page.wait_for_selector('#documents tbody tr[data-doc-id="uploads/semnan"]', state="detached")
    assert admin_server.assistant.document("uploads/semnan") is None
    assert "حذف شد" in page.inner_text("#status")
