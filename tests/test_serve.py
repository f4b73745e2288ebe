"""memo serve: the page, its builds, its limits and its token; and a real browser driving it."""

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from memo._cli import main  # noqa: E402
from memo._serve.app import Settings, create_app, safe_name  # noqa: E402

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
QUESTION = "Is China a credible mediator in Ukraine?"


def _footnotes(data: bytes) -> list[str]:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = etree.fromstring(package.read("word/footnotes.xml"))
    return ["".join(t.text or "" for t in n.iter(W + "t")).strip()
            for n in root.iter(W + "footnote") if int(n.get(W + "id")) > 0]


def _files(folder: Path) -> list:
    return [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir()) if p.is_file()]


def _finish(client, job: str, seen: list | None = None, timeout: float = 240) -> dict:
    ends = time.time() + timeout
    while time.time() < ends:
        state = client.get(f"/builds/{job}").json()
        if seen is not None:
            seen.append(state["percent"])
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError("the build did not finish")


@pytest.fixture(scope="module")
def seeds_docx(seeds_dir, tmp_path_factory) -> bytes:
    """What `memo build` gives for the seeds and the mediator question."""
    path = tmp_path_factory.mktemp("reference") / "reference.docx"
    subprocess.run([sys.executable, "-m", "memo", "build", str(seeds_dir), "--question", QUESTION, "-o", str(path),
                    "-q", "--no-cache"], check=True, capture_output=True, timeout=300)
    return path.read_bytes()


def test_a_build_through_the_page_gives_the_memo_memo_build_gives(seeds_dir, seeds_docx):
    with TestClient(create_app(Settings())) as client:
        page = client.get("/")
        assert page.status_code == 200 and 'type="file"' in page.text and "<label for=\"questions\"" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        css = client.get("/memo.css")  # the memo's styles, from its HTML writer
        assert css.headers["content-type"].startswith("text/css") and ".memo .contests" in css.text
        sent = client.post("/builds", files=_files(seeds_dir), data={"questions": QUESTION})
        assert sent.status_code == 202
        seen: list = []
        state = _finish(client, sent.json()["id"], seen)
        assert state["state"] == "done", state["error"]
        assert seen == sorted(seen) and seen[-1] == 100.0 and len(set(seen)) > 2  # the bar only moves forward
        html = client.get(f"/builds/{sent.json()['id']}/memo.html").text
        assert html.startswith('<article class="memo">') and "<sup><a href=" in html
        docx = client.get(state["downloads"]["docx"])
        assert docx.headers["content-disposition"] == 'attachment; filename="memo.docx"'
        assert _footnotes(docx.content) == _footnotes(seeds_docx)
        markdown = client.get(state["downloads"]["md"]).text
        assert "Is China a credible mediator in Ukraine?" in markdown


def test_two_builds_at_once_each_get_their_own_result(seeds_dir, small_corpus):
    with TestClient(create_app(Settings(workers=2))) as client:
        first = client.post("/builds", files=_files(seeds_dir)).json()["id"]
        second = client.post("/builds", files=_files(small_corpus), data={"subject": "Storm"}).json()["id"]
        assert first != second
        states = [_finish(client, job) for job in (first, second)]
        assert [s["state"] for s in states] == ["done", "done"]
        one, two = (client.get(s["downloads"]["json"]).json() for s in states)
        assert {a["source"].rsplit("/", 1)[-1] for a in one["articles"]} <= {p.name for p in seeds_dir.iterdir()}
        assert {a["source"].rsplit("/", 1)[-1] for a in two["articles"]} <= {p.name for p in small_corpus.iterdir()}
        assert two["subject"] == "Storm" and one["subject"] != "Storm"


def test_bad_uploads_and_a_failing_build_get_one_message_and_the_server_keeps_serving(tmp_path):
    with TestClient(create_app(Settings(max_file_bytes=2000))) as client:
        big = client.post("/builds", files=[("files", ("long.txt", b"word " * 1000))])
        assert big.status_code == 413 and big.json()["error"].startswith("long.txt: ")
        odd = client.post("/builds", files=[("files", ("tool.exe", b"MZ"))])
        assert odd.status_code == 400 and odd.json()["error"].startswith("tool.exe: not a file memo reads")
        none = client.post("/builds", data={"questions": "Is it?"})
        assert none.status_code == 400 and "at least one article" in none.json()["error"]
        bad = client.post("/builds", files=[("files", ("a.txt", b"Rain."))], data={"key_points": "lots"})
        assert bad.status_code == 400 and bad.json()["error"].startswith("key points:")
        empty = client.post("/builds", files=[("files", ("blank.txt", b"   \n"))])
        state = _finish(client, empty.json()["id"])
        assert state["state"] == "failed" and "no article has any text" in state["error"]
        assert "\n" not in state["error"] and "Traceback" not in state["error"] and "/tmp" not in state["error"]
        assert client.get(f"/builds/{empty.json()['id']}/memo.docx").status_code == 404  # nothing half-made
        assert client.get("/").status_code == 200
        fine = client.post("/builds", files=[("files", ("a.txt", b"Rain fell on the city on Monday, officials "
                                                                 b"said. Roads were closed for hours."))])
        assert _finish(client, fine.json()["id"])["state"] == "done"


def test_the_page_offers_links_and_generated_summaries_only_where_the_server_allows_them():
    with TestClient(create_app(Settings())) as client:
        page = client.get("/").text
        assert 'name="links"' not in page and 'name="generated"' not in page
        refused = client.post("/builds", files=[("files", ("a.txt", b"Rain."))], data={"links": "https://x.test/a"})
        assert refused.status_code == 400 and "does not fetch links" in refused.json()["error"]
    with TestClient(create_app(Settings(allow_links=True, abstractive="some/model"))) as client:
        page = client.get("/").text
        assert '<label for="links">' in page and 'name="generated"' in page and "some/model" in page


def test_the_queue_and_the_file_count_are_bounded(seeds_dir):
    with TestClient(create_app(Settings(workers=1, queue=0, max_files=2))) as client:
        many = client.post("/builds", files=_files(seeds_dir)[:3])
        assert many.status_code == 400 and many.json()["error"] == "At most 2 files per build."
        first = client.post("/builds", files=_files(seeds_dir)[:2])
        assert first.status_code == 202
        busy = client.post("/builds", files=_files(seeds_dir)[:2])  # the first is still loading and building
        assert busy.status_code == 503 and "busy" in busy.json()["error"]
        assert _finish(client, first.json()["id"])["state"] == "done"
        assert client.post("/builds", files=_files(seeds_dir)[:2]).status_code == 202  # room again


def test_an_upload_name_is_never_a_path(tmp_path):
    taken: set = set()
    assert safe_name("../../etc/passwd.txt", taken) == "passwd.txt"
    assert safe_name("..\\..\\boot.ini.md", taken) == "boot.ini.md"
    assert safe_name("passwd.txt", taken) == "passwd-2.txt"
    assert safe_name(".bashrc.txt", taken) == "bashrc.txt"
    assert safe_name("a<b>|c.html", taken) == "a_b_c.html"
    assert safe_name("Metadata.JSON", taken) == "metadata.json"
    assert safe_name("notes.json", taken) is None and safe_name("x.exe", taken) is None
    assert safe_name(".txt", taken) is None and safe_name("", taken) is None
    app = create_app(Settings())
    with TestClient(app) as client:
        sent = client.post("/builds", files=[("files", ("../../escape.txt", b"Rain fell on the city on Monday, "
                                                                           b"officials said."))])
        job = sent.json()["id"]
        _finish(client, job)
        folder = app.builds.jobs[job].folder
        assert (folder / "sources" / "escape.txt").is_file() and not (folder.parent / "escape.txt").exists()


def test_a_builds_files_are_removed_after_the_time_limit(monkeypatch):
    from memo._serve import app as served

    # The sweep under test runs when the test calls it: the background one (every second at
    # keep_seconds=0) could remove the build before the test's poll sees it done.
    monkeypatch.setattr(served, "_sweeping", lambda builds, stop: None)
    app = create_app(Settings(keep_seconds=0))
    with TestClient(app) as client:
        job = client.post("/builds", files=[("files", ("a.txt", b"Rain fell on the city on Monday, officials "
                                                              b"said."))]).json()["id"]
        assert _finish(client, job)["state"] == "done"
        folder = app.builds.jobs[job].folder
        assert (folder / "memo.docx").is_file()
        app.builds.sweep()
        assert not folder.exists() and client.get(f"/builds/{job}").status_code == 404
    assert not app.builds.root.exists()  # and the server's folder when it stops


def test_an_open_address_without_a_token_refuses_to_start(monkeypatch, capsys):
    monkeypatch.delenv("MEMO_SERVE_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("memo: error: --host 0.0.0.0 is reachable from other machines") and error.count("\n") == 1


def test_with_a_token_every_request_needs_it():
    with TestClient(create_app(Settings(token="s3cret"))) as client:
        assert client.get("/").status_code == 401
        assert client.post("/builds", files=[("files", ("a.txt", b"Rain."))]).status_code == 401
        assert client.get("/static/app.js").status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        entered = client.get("/?token=s3cret", follow_redirects=False)
        assert entered.status_code == 303 and "httponly" in entered.headers["set-cookie"].lower()
        client.cookies.set("memo_token", "s3cret")
        assert client.get("/").status_code == 200
        client.cookies.clear()
        client.cookies.set("memo_token", "stale")
        assert client.get("/").status_code == 401
        assert client.get("/?token=s3cret", follow_redirects=False).status_code == 303  # a fresh link still works


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is installed by .ci/run")
def test_in_a_real_browser_a_user_builds_reads_and_downloads_the_memo(seeds_dir, seeds_docx, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "memo", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    try:
        url = f"http://127.0.0.1:{port}/"
        ends = time.time() + 60
        while time.time() < ends:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(accept_downloads=True, viewport={"width": 1200, "height": 900})
            page.goto(url)
            (tmp_path / "tool.exe").write_bytes(b"MZ")  # a file memo does not read: one clear message
            page.set_input_files("#files", [str(tmp_path / "tool.exe")])
            page.get_by_role("button", name="Build").click()
            page.wait_for_selector("#status.error")
            assert page.locator("#status").text_content().startswith("tool.exe: not a file memo reads")
            page.set_input_files("#files", [str(p) for p in sorted(seeds_dir.iterdir()) if p.is_file()])
            page.get_by_label("Yes/no questions").fill(QUESTION)
            page.get_by_label("To", exact=True).fill("Asia desk")
            page.get_by_role("button", name="Build").click()
            seen = []
            ends = time.time() + 240
            while time.time() < ends and not page.locator("article.memo").count():
                seen.append(float(page.locator("#progress").get_attribute("value") or 0))
                time.sleep(0.25)
            assert page.locator("article.memo").count(), page.locator("#status").text_content()
            assert len({v for v in seen if v > 0}) >= 2  # the bar advanced while the memo was built
            notes = page.locator("article.memo .footnotes li")
            assert notes.count() == len(_footnotes(seeds_docx))
            first = page.locator("article.memo sup a").first
            assert first.get_attribute("title") == notes.first.text_content()  # the quote on hover
            first.click()
            assert page.evaluate("location.hash") == first.get_attribute("href")  # and on click
            assert "TO" in page.locator(".memo-header").text_content()
            with page.expect_download() as download:
                page.get_by_role("link", name="Download Word (.docx)").click()
            saved = tmp_path / "from-the-page.docx"
            download.value.save_as(saved)
            page.screenshot(path=str(tmp_path / "page.png"), full_page=False)
            if os.environ.get("MEMO_SCREENSHOT"):
                shutil.copy(tmp_path / "page.png", os.environ["MEMO_SCREENSHOT"])
            browser.close()
        assert _footnotes(saved.read_bytes()) == _footnotes(seeds_docx)
        assert (tmp_path / "page.png").stat().st_size > 10_000
        assert "<dd>Asia desk</dd>" in _fragment_of(saved)  # the header fields reach the Word file
    finally:
        server.terminate()
        server.wait(timeout=30)


def _fragment_of(docx_path: Path) -> str:
    """The memo of a DOCX file, as HTML, to check what its header says."""
    import docx

    document = docx.Document(docx_path)
    return "".join(f"<dd>{p.text.split(chr(9), 1)[-1]}</dd>" for p in document.paragraphs[1:5])
