"""Links as sources: web pages (and PDFs) fetched over HTTP(S) with httpx.

A link that cannot be fetched (a timeout, an HTTP error, too many redirects, a body over
the size limit, a content type memo cannot read) becomes a skipped source naming the URL
and the reason; the memo is built from the rest. Fetched bodies are kept in memo's cache
folder (``pages.sqlite``), so a rebuild reads them from disk instead of fetching again.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ._errors import InputError

HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
MAX_PAGE_BYTES = 20 * 1024 * 1024  # as ingest.MAX_FILE_BYTES: a report PDF is far smaller
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def looks_like_url(item: str) -> bool:
    """A string naming a link (any scheme), not a path or article text."""
    return bool(_SCHEME.match(item.strip())) and len(item.split()) == 1


def check_url(url: str, where: str | None = None) -> str:
    """The URL, stripped, if memo can fetch it; ``InputError`` naming it (and ``where``) if not."""
    from urllib.parse import urlsplit

    url = url.strip()
    prefix = f"{where}: " if where else ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"{prefix}{url}: only http:// and https:// links can be fetched")
    if not parts.hostname:
        raise InputError(f"{prefix}{url}: the link names no host")
    return url


@dataclass(frozen=True)
class Links:
    """Links to fetch as sources, and how: ``timeout`` seconds per link (connecting, each
    read, and the whole download), ``max_bytes`` per body, ``max_redirects`` per link,
    ``concurrency`` links at a time, and ``cache`` a folder keeping fetched pages (None:
    fetch every time)."""

    urls: tuple[str, ...]
    timeout: float = 20.0
    max_bytes: int = MAX_PAGE_BYTES
    max_redirects: int = 5
    concurrency: int = 4
    cache: str | Path | None = None
    user_agent: str = field(default_factory=lambda: default_user_agent())

    def __post_init__(self):
        object.__setattr__(self, "urls", tuple(check_url(u) for u in self.urls))
        if self.timeout <= 0 or self.max_bytes <= 0 or self.max_redirects < 0 or self.concurrency < 1:
            raise InputError("links: timeout and max_bytes must be positive, max_redirects >= 0, concurrency >= 1")

    @classmethod
    def from_file(cls, path: str | Path, **options) -> "Links":
        """Links listed in a text file: one URL per line; blank lines and ``#`` comments
        (whole lines, or after the URL) are ignored."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot be read as a list of links ({exc})") from None
        urls = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            # A comment after the URL needs a space before its "#": "#" in a URL is a fragment.
            urls.append(check_url(re.split(r"\s+#", line, 1)[0], f"{path}:{number}"))
        if not urls:
            raise InputError(f"{path}: no links in the file (one URL per line; # starts a comment)")
        return cls(tuple(urls), **options)


def default_user_agent() -> str:
    from . import __version__

    return f"memo/{__version__} (briefing-memo builder; fetches the links its user gave it)"


@dataclass(frozen=True)
class Fetched:
    """One link's outcome: the body and what the server said of it, or why it failed."""

    url: str
    body: bytes = b""
    kind: str = ""  # "html" | "pdf"
    charset: str = ""
    final_url: str = ""
    error: str = ""


class LinkBatch:
    """The links of one ``Links``, fetched together (``concurrency`` at a time) the first time
    any of them is read, so a plan of many links does not fetch them one by one."""

    def __init__(self, links: Links):
        self.links = links
        self._results: dict[str, Fetched] | None = None

    def get(self, url: str) -> Fetched:
        if self._results is None:
            self._results = fetch_all(self.links)
        return self._results[url]


def fetch_all(links: Links) -> dict[str, Fetched]:
    """Every link of ``links`` fetched (or read back from the cache), by URL."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    urls = list(dict.fromkeys(links.urls))
    store = _PageStore(Path(links.cache) / "pages.sqlite") if links.cache is not None else None
    try:
        results = store.get(urls) if store is not None else {}
        todo = [u for u in urls if u not in results]
        if todo:
            client = httpx.Client(
                follow_redirects=True, max_redirects=links.max_redirects, timeout=httpx.Timeout(links.timeout),
                headers={"User-Agent": links.user_agent, "Accept": "text/html,application/xhtml+xml,application/pdf;"
                                                                  "q=0.9,*/*;q=0.1"},
                limits=httpx.Limits(max_connections=links.concurrency))
            with client, ThreadPoolExecutor(max_workers=min(links.concurrency, len(todo))) as pool:
                fetched = list(pool.map(lambda u: _fetch(client, u, links), todo))
            results.update((f.url, f) for f in fetched)
            if store is not None:
                # Only what was read: a failure (a server down for a minute) is tried again next time.
                store.put([f for f in fetched if not f.error])
    finally:
        if store is not None:
            store.close()
    return results


def _fetch(client, url: str, links: Links) -> Fetched:
    import httpx

    deadline = time.monotonic() + links.timeout
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                return Fetched(url, error=f"HTTP {response.status_code} {response.reason_phrase}".strip())
            if response.status_code != 200:
                return Fetched(url, error=f"HTTP {response.status_code} {response.reason_phrase} (no page)".strip())
            media, charset = _content_type(response.headers.get("content-type", ""))
            kind = "html" if media in HTML_TYPES else "pdf" if media in PDF_TYPES else ""
            if media and not kind:
                return Fetched(url, error=f"content type {media} is not a web page (HTML) or a PDF")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > links.max_bytes:
                return Fetched(url, error=_too_big(int(declared), links.max_bytes))
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > links.max_bytes:
                    return Fetched(url, error=_too_big(size, links.max_bytes, "more than "))
                if time.monotonic() > deadline:  # a server trickling bytes never trips the read timeout
                    return Fetched(url, error=f"timed out after {links.timeout:g} s (still downloading)")
                chunks.append(chunk)
            body = b"".join(chunks)
            if not kind:  # no content type given: what the body starts with decides
                kind = "pdf" if body.startswith(b"%PDF") else "html" if b"<" in body[:1024] else ""
                if not kind:
                    return Fetched(url, error="no content type, and the body is neither HTML nor a PDF")
            return Fetched(url, body, kind, charset, str(response.url))
    except httpx.TooManyRedirects:
        return Fetched(url, error=f"more than {links.max_redirects} redirects")
    except httpx.TimeoutException:
        return Fetched(url, error=f"timed out after {links.timeout:g} s")
    except httpx.UnsupportedProtocol as exc:
        return Fetched(url, error=f"redirected to a link memo cannot fetch ({exc})")
    except httpx.HTTPError as exc:
        return Fetched(url, error=f"cannot fetch ({type(exc).__name__}: {exc})" if str(exc) else
                       f"cannot fetch ({type(exc).__name__})")
    except OSError as exc:  # e.g. a connection refused before httpx wraps it
        return Fetched(url, error=f"cannot fetch ({exc})")


def _too_big(size: int, limit: int, prefix: str = "") -> str:
    return f"the body is {prefix}{size / 2**20:.1f} MB, above the {limit / 2**20:g} MB limit"


def _content_type(header: str) -> tuple[str, str]:
    media, _, params = header.partition(";")
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    return media.strip().lower(), (match.group(1) if match else "")


class _PageStore:
    """Fetched bodies by URL in one SQLite file of memo's cache folder."""

    def __init__(self, path: Path):
        from ._cache import BlobStore

        self._store = BlobStore(path, "a page cache")

    @staticmethod
    def _key(url: str) -> bytes:
        return hashlib.sha256(url.encode("utf-8", "surrogatepass")).digest()

    def get(self, urls: Sequence[str]) -> dict[str, Fetched]:
        found = self._store.get([self._key(u) for u in urls])
        out = {}
        for url in urls:
            value = found.get(self._key(url))
            if value is None:
                continue
            head, _, body = value.partition(b"\n")
            meta = json.loads(head)
            out[url] = Fetched(url, body, meta["kind"], meta["charset"], meta["final_url"])
        return out

    def put(self, fetched: Iterable[Fetched]) -> None:
        self._store.put((self._key(f.url), json.dumps({"kind": f.kind, "charset": f.charset,
                                                        "final_url": f.final_url}).encode() + b"\n" + f.body)
                        for f in fetched)

    def close(self) -> None:
        self._store.close()
