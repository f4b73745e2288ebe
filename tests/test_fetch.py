"""Links as sources, against a real HTTP server on 127.0.0.1 started by the test (no mocks)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import memo
from memo._errors import InputError
from memo._fetch import Links, fetch_all
from memo._ingest import read_sources

ARTICLE = ("<html><head><title>Talks resume</title><meta property='og:site_name' content='Lake News'>"
           "</head><body><nav>Home | World | Sport</nav><article><h1>Talks resume in Geneva</h1>"
           "<p>The ministers agreed on Tuesday to resume the talks in Geneva next week, officials said.</p>"
           "<p>Both delegations described the first round as constructive and businesslike, a spokesperson "
           "told reporters after the meeting ended.</p></article></body></html>")
BIG = 64 * 1024


class _Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def log_message(self, *args):  # keep the test output quiet
        pass

    def _send(self, code: int, body: bytes, ctype: str = "text/html; charset=utf-8", length: bool = True, **headers):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        _Handler.hits[self.path] = _Handler.hits.get(self.path, 0) + 1
        if self.path == "/ua":
            self._send(200, ARTICLE.replace("Geneva next week", f"Geneva next week ({self.headers['User-Agent']})")
                       .encode())
        elif self.path.startswith("/story"):
            self._send(200, ARTICLE.encode())
        elif self.path == "/moved":
            self._send(302, b"", Location="/story-moved")
        elif self.path == "/loop":
            self._send(302, b"", Location="/loop")
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, ARTICLE.encode())
        elif self.path == "/big":
            self._send(200, b"<html><body><p>" + b"x" * BIG + b"</p></body></html>")
        elif self.path == "/big-unannounced":  # no Content-Length: the limit is kept while reading
            self._send(200, b"<html><body><p>" + b"x" * BIG + b"</p></body></html>", length=False)
            self.close_connection = True
        elif self.path == "/data.json":
            self._send(200, b'{"a": 1}', "application/json")
        elif self.path == "/menu":
            self._send(200, b"<html><body><nav>Home | About</nav></body></html>")
        else:
            self._send(404, b"<html><body>Not found</body></html>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client leaving early (a size limit) is expected
        pass


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.hits = {}
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _one(url: str, **options):
    return fetch_all(Links((url,), **options))[url]


def test_a_page_is_fetched_and_read_with_the_link_as_its_url(server):
    (doc,) = read_sources(f"{server}/story-1.html")
    assert "resume the talks in Geneva" in doc.text and "Home | World" not in doc.text
    assert doc.source == f"{server}/story-1.html" and doc.id == "story-1"
    assert doc.metadata["url"] == f"{server}/story-1.html"
    assert doc.metadata["outlet"] == "Lake News"


def test_the_user_agent_names_memo(server):
    (doc,) = read_sources(f"{server}/ua")
    assert f"memo/{memo.__version__}" in doc.text


def test_a_redirect_is_followed_and_the_given_link_stays_the_citation(server):
    fetched = _one(f"{server}/moved")
    assert not fetched.error and fetched.final_url == f"{server}/story-moved"
    (doc,) = read_sources(f"{server}/moved")
    assert doc.metadata["url"] == f"{server}/moved"
    assert "Talks resume" in doc.text


def test_failures_are_one_reason_each(server):
    assert _one(f"{server}/gone").error == "HTTP 404 Not Found"
    assert _one(f"{server}/loop", max_redirects=3).error == "more than 3 redirects"
    assert _one(f"{server}/data.json").error == "content type application/json is not a web page (HTML) or a PDF"
    assert _one(f"{server}/big", max_bytes=BIG // 2).error.startswith("the body is 0.1 MB, above the")
    assert _one(f"{server}/big-unannounced", max_bytes=BIG // 2).error.startswith("the body is more than")
    started = time.monotonic()
    assert _one(f"{server}/slow", timeout=0.3).error == "timed out after 0.3 s"
    assert time.monotonic() - started < 1.2
    # Within the limits the same pages are fine.
    assert not _one(f"{server}/big", max_bytes=2 * BIG).error


def test_a_failed_link_is_a_skipped_document_naming_the_url_and_the_reason(server):
    (doc,) = read_sources(f"{server}/gone")
    assert doc.text == "" and doc.skipped == f"could not fetch {server}/gone: HTTP 404 Not Found"
    (menu,) = read_sources(f"{server}/menu")
    assert menu.skipped.startswith("no article body found in the page")


def test_only_http_and_https_links(tmp_path):
    with pytest.raises(InputError, match="ftp://x.test/a: only http:// and https:// links can be fetched"):
        read_sources("ftp://x.test/a")
    with pytest.raises(InputError, match="file:///etc/passwd: only http"):
        Links(("file:///etc/passwd",))


def test_a_link_list_with_comments(tmp_path, server):
    listing = tmp_path / "links.txt"
    listing.write_text(f"# today's reading\n\n{server}/story-a  # the main piece\n   # {server}/story-b\n"
                       f"{server}/story-c#section\n")
    links = Links.from_file(listing, timeout=5)
    assert links.urls == (f"{server}/story-a", f"{server}/story-c#section")
    assert [d.id for d in read_sources(links)] == ["story-a", "story-c"]
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{server}/story-a\nnot a link\n")
    with pytest.raises(InputError, match=r"bad.txt:2: not a link: only http"):
        Links.from_file(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    with pytest.raises(InputError, match="empty.txt: no links in the file"):
        Links.from_file(empty)


def test_fetched_pages_are_cached_so_a_rebuild_does_not_fetch_again(tmp_path, server):
    links = Links((f"{server}/story-x", f"{server}/gone"), cache=tmp_path / "cache")
    first = [d.text for d in read_sources(links)]
    assert _Handler.hits == {"/story-x": 1, "/gone": 1}
    assert [d.text for d in read_sources(links)] == first
    # The page came from the cache; the failure is tried again.
    assert _Handler.hits == {"/story-x": 1, "/gone": 2}
    assert (tmp_path / "cache" / "pages.sqlite").is_file()


def test_a_memo_from_a_good_link_a_dead_link_and_a_local_file_cites_the_good_link(tmp_path, server):
    local = tmp_path / "local.txt"
    local.write_text("Geneva talks\n\nThe foreign ministers will meet again in Geneva next week to resume the "
                     "talks, a spokesperson told Valley News. Both sides said progress had been made in the first "
                     "round, and a joint statement is expected after the meeting.\n")
    good, dead = f"{server}/story-geneva.html", f"{server}/gone"
    brief = memo.build([good, dead, local], embedder="hashing", abstractive=None, date="2024-01-01")
    by_url = {a.url: a for a in brief.articles}
    assert good in by_url and by_url[good].source == good
    cited = {brief.article(c.article_id).url for c in brief.citations()}
    assert good in cited
    skipped = [n for n in brief.method.notices if n.kind == "skipped"]
    assert [(n.source, n.detail) for n in skipped] == [(dead, f"could not fetch {dead}: HTTP 404 Not Found")]
    assert good in brief.to_markdown()  # the footnotes' source list links the page
