"""``memo serve``: a web page where policy staff build a memo without a terminal.

A Starlette app (server-rendered page, a small script, no build step). Builds run in a
bounded queue on worker threads, with the embedding and stance models loaded once per server
process; each build's uploads and memo live in a folder of their own, removed after
``keep_seconds``. The page polls a build's progress (memo's progress callback) and shows the
memo as HTML from the same outline the DOCX and Markdown writers translate."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .._errors import MemoError
from .._ingest import SIDECAR_NAMES, SUPPORTED_SUFFIXES

log = logging.getLogger("memo")

MB = 1024 * 1024
# The stages memo reports, in order: the page's bar moves through them.
STAGES = ("reading and cleaning", "embedding", "summarising", "comparing sources", "generating", "writing")
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "md": "text/markdown; charset=utf-8", "json": "application/json"}
TOKEN_COOKIE = "memo_token"
# Models load one server (or test app) at a time, in one thread: imports of torch and spaCy
# from several threads at once can fail (spaCy's import hides torch for a moment).
_LOADING = threading.Lock()


@dataclass(frozen=True)
class Settings:
    """``token``: required on every request when set; ``allow_links``: let the page fetch
    links (off: a shared server that fetches any URL is a request-forgery risk); ``workers``:
    builds at once; ``queue``: builds waiting at most; ``max_file_bytes`` and ``max_files``:
    upload limits; ``keep_seconds``: how long a build's files are kept; ``abstractive``: a
    generation model the page may switch on."""

    token: str | None = None
    allow_links: bool = False
    workers: int = 1
    queue: int = 8
    max_file_bytes: int = 20 * MB
    max_files: int = 50
    keep_seconds: int = 3600
    abstractive: str | None = None


@dataclass
class Job:
    id: str
    folder: Path
    created: float = field(default_factory=time.time)
    state: str = "queued"  # queued, running, done, failed
    stage: str = ""
    percent: float = 0.0
    error: str = ""
    html: str = ""


class Builds:
    """The queue of builds, the models they share, and the cleaning of old builds."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="memo-build")
        self.root = Path(tempfile.mkdtemp(prefix="memo-serve-"))
        self._models: dict | None = None

    def models(self) -> dict:
        """The embedder and stance model (and a generation model, if configured): loaded once
        per server process, shared by every build."""
        with _LOADING:
            if self._models is None:
                from .. import _syntax as syntax
                from .._embed import get_embedder
                from .._stance import get_stance

                syntax.load()  # the parse every build needs, loaded with the models

                embedder = get_embedder(None)
                models = {"embedder": embedder, "stance": get_stance(None, embedder)}
                if self.settings.abstractive:
                    from .._abstractive import get_generator

                    generator = get_generator(self.settings.abstractive)
                    if hasattr(generator, "load"):
                        generator.load()
                    models["abstractive"] = generator
                self._models = models
            return self._models

    def waiting(self) -> int:
        with self.lock:
            return sum(1 for job in self.jobs.values() if job.state in ("queued", "running"))

    def new_job(self) -> Job:
        job_id = secrets.token_urlsafe(16)  # unguessable: one user's memo is not another's to fetch
        folder = self.root / job_id
        (folder / "sources").mkdir(parents=True)
        job = Job(job_id, folder)
        with self.lock:
            self.jobs[job_id] = job
        return job

    def start(self, job: Job, sources: list, options: dict) -> None:
        self.pool.submit(self._run, job, sources, options)

    def _run(self, job: Job, sources: list, options: dict) -> None:
        import memo

        def progress(stage: str, done: int, total: int) -> None:
            index = STAGES.index(stage) if stage in STAGES else 0
            share = done / total if total else 1.0
            job.stage, job.percent = stage, round(100 * (index + share) / len(STAGES), 1)

        job.state = "running"
        try:
            models = self.models()
            generated = options.pop("generated", False)
            brief = memo.build(sources, embedder=models["embedder"], stance=models["stance"],
                               abstractive=models.get("abstractive") if generated else None,
                               progress=progress, **options)
            progress("writing", 0, 1)
            for kind in FORMATS:
                brief.save(job.folder / f"memo.{kind}")
            from .._render.html import memo_fragment

            job.html = memo_fragment(brief, prefix=f"fn-{job.id[:8]}")
            job.stage, job.percent, job.state = "done", 100.0, "done"
        except MemoError as exc:
            job.error, job.state = self.public(str(exc), job), "failed"
        except Exception:  # noqa: BLE001 - one build's bug must not stop the server
            log.exception("memo serve: build %s failed", job.id)
            job.error, job.state = "The build failed on an internal error; the server log has the details.", "failed"

    def public(self, message: str, job: Job) -> str:
        """An error as the page shows it: the server's folders left out."""
        return message.replace(str(job.folder / "sources") + "/", "").replace(str(job.folder), "")

    def sweep(self) -> None:
        """Remove the builds older than ``keep_seconds`` (their folders first)."""
        cutoff = time.time() - self.settings.keep_seconds
        with self.lock:
            old = [job for job in self.jobs.values() if job.created < cutoff and job.state in ("done", "failed")]
            for job in old:
                del self.jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(filename: str, taken: set[str]) -> str | None:
    """An upload's name as a plain file name in the build's own folder: the last part of what
    the browser sent, letters, digits, dot, dash, underscore and space only, no leading dot,
    never a path; None where it is not a file memo reads (or a metadata sidecar)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = _UNSAFE.sub("_", base).strip(" .")[-120:]
    suffix = Path(base).suffix.lower()
    if base.lower() in SIDECAR_NAMES:
        base = base.lower()
    elif suffix not in SUPPORTED_SUFFIXES or not Path(base).stem:
        return None
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        name = f"{Path(base).stem}-{n}{suffix}"
    taken.add(name.lower())
    return name


def token_ok(settings: Settings, request) -> bool:
    if not settings.token:
        return True
    offered = (request.headers.get("authorization", "").removeprefix("Bearer ").strip(),
               request.cookies.get(TOKEN_COOKIE, ""), request.query_params.get("token", ""))
    # Any of the three may carry it (a stale cookie must not shut out a fresh ?token= link).
    return any(hmac.compare_digest(value.encode(), settings.token.encode()) for value in offered if value)


def create_app(settings: Settings | None = None):
    """The Starlette app for ``settings`` (see ``Settings``)."""
    from starlette.applications import Starlette
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.templating import Jinja2Templates

    settings = settings or Settings()
    builds = Builds(settings)
    package = resources.files("memo._serve")
    templates = Jinja2Templates(directory=str(package.joinpath("templates")))
    suffixes = ", ".join(SUPPORTED_SUFFIXES)

    def refused(message: str, status: int) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    async def page(request):
        if settings.token and request.query_params.get("token") and token_ok(settings, request):
            # The link with the token sets a cookie, then the address bar forgets the token.
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(TOKEN_COOKIE, settings.token, httponly=True, samesite="strict")
            return response
        return templates.TemplateResponse(request, "index.html", {
            "allow_links": settings.allow_links, "abstractive": settings.abstractive, "suffixes": suffixes,
            "accept": ",".join(SUPPORTED_SUFFIXES + (".json",)), "max_files": settings.max_files,
            "max_mb": settings.max_file_bytes // MB})

    async def submit(request):
        builds.sweep()
        limit = settings.max_files * settings.max_file_bytes + MB
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return refused("The upload has no length; send it from the page.", 411)
        if int(length) > limit:
            return refused(f"The upload is {int(length) / MB:.0f} MB, above the {limit // MB} MB a build takes "
                           f"({settings.max_files} files of {settings.max_file_bytes // MB} MB at most).", 413)
        if builds.waiting() >= settings.workers + settings.queue:
            return refused("The server is busy with other builds; try again in a minute.", 503)
        try:
            form = await request.form(max_files=settings.max_files + 1, max_fields=50)
        except Exception as exc:  # noqa: BLE001 - a malformed form: say so, keep serving
            return refused(f"The form could not be read ({exc}).", 400)
        uploads = [item for item in form.getlist("files") if hasattr(item, "filename") and item.filename]
        links = [line.strip() for line in str(form.get("links") or "").splitlines() if line.strip()]
        if links and not settings.allow_links:
            return refused("This server does not fetch links; upload the articles as files.", 400)
        if not uploads and not links:
            return refused("Add at least one article: a file, or a link where links are allowed.", 400)
        if len(uploads) > settings.max_files:
            return refused(f"At most {settings.max_files} files per build.", 400)
        taken: set[str] = set()
        names = []
        for item in uploads:
            name = safe_name(item.filename, taken)
            if name is None:
                return refused(f"{Path(item.filename).name}: not a file memo reads (use {suffixes}).", 400)
            if item.size is not None and item.size > settings.max_file_bytes:
                return refused(f"{name}: {item.size / MB:.1f} MB, above the {settings.max_file_bytes // MB} MB "
                               "limit for one file.", 413)
            names.append(name)
        try:
            options = _options(form, settings)
        except ValueError as exc:
            return refused(str(exc), 400)
        job = builds.new_job()
        for item, name in zip(uploads, names):
            data = await item.read()
            if len(data) > settings.max_file_bytes:
                shutil.rmtree(job.folder, ignore_errors=True)
                with builds.lock:
                    builds.jobs.pop(job.id, None)
                return refused(f"{name}: above the {settings.max_file_bytes // MB} MB limit for one file.", 413)
            with open(job.folder / "sources" / name, "xb") as out:  # "x": never over another file
                out.write(data)
        sources: list = [str(job.folder / "sources")] if uploads else []
        if links:
            from .._fetch import Links

            sources.append(Links(links))
        builds.start(job, sources, options)
        return JSONResponse({"id": job.id}, status_code=202)

    def job_for(request) -> Job | None:
        with builds.lock:
            return builds.jobs.get(request.path_params["job"])

    async def status(request):
        job = job_for(request)
        if job is None:
            return refused("No such build (builds are kept for a while, then removed).", 404)
        return JSONResponse({"state": job.state, "stage": job.stage, "percent": job.percent, "error": job.error,
                             "downloads": {kind: f"/builds/{job.id}/memo.{kind}" for kind in FORMATS}
                             if job.state == "done" else {}})

    async def memo_css(request):
        from .._render.html import MEMO_STYLE

        return Response(MEMO_STYLE, media_type="text/css")

    async def fragment(request):
        job = job_for(request)
        if job is None or job.state != "done":
            return refused("That memo is not ready.", 404)
        return HTMLResponse(job.html)

    async def download(request):
        job, kind = job_for(request), request.path_params["kind"]
        if job is None or job.state != "done" or kind not in FORMATS:
            return refused("That memo is not ready.", 404)
        return FileResponse(job.folder / f"memo.{kind}", media_type=FORMATS[kind], filename=f"memo.{kind}")

    async def guard(scope, receive, send):
        """Every request checks the token (when the server has one) before anything else."""
        if scope["type"] == "http":
            from starlette.requests import Request

            request = Request(scope)
            if not token_ok(settings, request):
                response = Response("Unauthorized: this memo server needs its token.\n", status_code=401,
                                    media_type="text/plain", headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await app(scope, receive, send)

    async def headers(scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; "
                                                 b"img-src 'self' data:; frame-ancestors 'none'"),
                    (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
            await send(message)
        await guard(scope, receive, sending)

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app):
        # Warm the models in the background: the first build need not wait for the whole load.
        threading.Thread(target=_warm, args=(builds,), daemon=True).start()
        stop = threading.Event()
        threading.Thread(target=_sweeping, args=(builds, stop), daemon=True).start()
        try:
            yield
        finally:
            stop.set()
            builds.close()

    app = Starlette(routes=[
        Route("/", page),
        Route("/memo.css", memo_css),
        Route("/builds", submit, methods=["POST"]),
        Route("/builds/{job}", status),
        Route("/builds/{job}/memo.html", fragment),
        Route("/builds/{job}/memo.{kind}", download),
        Mount("/static", StaticFiles(directory=str(package.joinpath("static"))), name="static"),
    ], lifespan=lifespan)
    app.state.builds = builds
    headers.builds = builds  # tests reach the queue through the app they were given
    return headers


def _warm(builds: Builds) -> None:
    try:
        builds.models()
    except Exception:  # noqa: BLE001 - the first build reports it
        log.exception("memo serve: could not load the models")


def _sweeping(builds: Builds, stop: threading.Event) -> None:
    """Old builds' folders go even when nobody builds (a sweep also runs on each new build)."""
    while not stop.wait(min(60.0, max(1.0, builds.settings.keep_seconds / 4))):
        builds.sweep()


def _options(form, settings: Settings) -> dict:
    """``memo.build``'s options from the page's fields; a bad value is a ValueError naming it."""
    def number(name: str, low: int, high: int, default: int) -> int:
        value = str(form.get(name) or "").strip()
        if not value:
            return default
        if not value.isdigit() or not low <= int(value) <= high:
            raise ValueError(f"{name.replace('_', ' ')}: give a whole number from {low} to {high}.")
        return int(value)

    questions = [line.strip() for line in str(form.get("questions") or "").splitlines() if line.strip()]
    if len(questions) > 10:
        raise ValueError("questions: at most 10 per memo.")
    text = {name: str(form.get(name) or "").strip()[:300] for name in ("to", "from_", "subject")}
    options = {"questions": questions, "key_points": number("key_points", 1, 20, 6),
               "article_sentences": number("article_sentences", 1, 10, 3),
               "generated": bool(settings.abstractive and form.get("generated"))}
    options.update({name: value for name, value in text.items() if value})
    return options
