"""The ``memo`` command: ``memo build SOURCES -o FILE``, ``memo text SOURCES``, ``memo prompts``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time

from ._abstractive import DEFAULT_CPU_MODEL
from ._errors import ArgumentError, InputError, MemoError


class _ProgressBar:
    """One line on stderr per stage, redrawn in place; silent when not a terminal."""

    def __init__(self, stream, enabled: bool):
        self.stream = stream
        self.enabled = enabled
        self.stage = None
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            if self.stage is not None:
                self.stream.write("\n")
            self.stage, self.started = stage, time.monotonic()
        width = 24
        filled = int(width * done / total) if total else width
        elapsed = time.monotonic() - self.started
        eta = f" eta {elapsed / done * (total - done):4.0f}s" if 0 < done < total else ""
        self.stream.write(f"\r{stage:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}{eta}   ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stage is not None:
            self.stream.write("\n")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="memo", description="Turn news articles into a cited briefing memo.")
    parser.add_argument("--version", action="version", version=f"memo {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser(
        "build", help="build a memo from articles",
        description="Build a briefing memo (DOCX, Markdown or JSON) from news articles: files "
                    "(.txt .md .html .docx .jsonl .pdf), directories, globs or links to web pages and PDFs. "
                    "Metadata may come from a metadata.json beside the files or front matter.")
    build.add_argument("paths", nargs="*", metavar="SOURCE",
                       help="article files, directories, globs, or http(s) links")
    build.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the memo")
    _source_options(build)
    # The options as a reader groups them (memo._options groups them the same way).
    for title, add in (("header", _header_options), ("lengths", _length_options),
                       ("comparison", _comparison_options), ("generation", _generation_options),
                       ("runtime", _runtime_options)):
        add(build.add_argument_group(title, _GROUPS[title]))
    text = commands.add_parser(
        "text", help="print what memo would summarise from each source",
        description="Read and clean the sources as `memo build` does and print each article's text (and "
                    "metadata), so you can see why a page came out as it did. Loads no model.")
    text.add_argument("paths", nargs="*", metavar="SOURCE",
                      help="article files, directories, globs, or http(s) links")
    text.add_argument("--jsonl", action="store_true",
                      help="one JSON object per article: source, id, title, outlet, author, date, url, text "
                           "(and pages, for a PDF)")
    _source_options(text)
    text.add_argument("--cache", default=_default_cache(), metavar="DIR",
                      help="cache folder; fetched pages are kept there (default: $MEMO_CACHE or %(default)s)")
    text.add_argument("--no-cache", action="store_true", help="fetch links again; keep nothing")
    text.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    prompts = commands.add_parser(
        "prompts", help="list, show or render the prompt templates in force",
        description="Show the prompt templates memo would use, shipped or yours; `render SOURCE...` prints "
                    "the article prompts a build would send, with their token counts, and loads no model.")
    prompts.add_argument("action", choices=("list", "show", "render"))
    prompts.add_argument("rest", nargs="*", metavar="NAME|SOURCE",
                         help="the template to show (with 'show'); the sources (with 'render')")
    prompts.add_argument("--prompts", metavar="DIR", help="folder of templates overriding the shipped ones")
    prompts.add_argument("--abstractive", metavar="openai:MODEL",
                         help="with 'render': the served model whose window the prompts fit (asks the server "
                              "for its window; generates nothing)")
    prompts.add_argument("--api-base", metavar="URL", help="with 'render': the model server (or $OPENAI_BASE_URL)")
    prompts.add_argument("--context-window", type=int, default=4096, metavar="N",
                         help="with 'render': the window when no server reports one (default: %(default)s)")
    prompts.add_argument("--max-new-tokens", type=int, default=96, metavar="N",
                         help="with 'render': tokens the reply may take (default: %(default)s)")
    prompts.add_argument("--words", type=int, default=60, metavar="N",
                         help="with 'render': words asked of each article summary (default: %(default)s)")
    serve = commands.add_parser(
        "serve", help="a web page where anyone builds a memo, without a terminal",
        description="Serve a page where policy staff upload articles, type their questions, build the memo, "
                    "read it with its footnotes and download the Word file. Needs the serve extra: "
                    "pip install 'memo[serve]'.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this "
                       "machine only; any other address needs --token)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument("--token", default=os.environ.get("MEMO_SERVE_TOKEN"),
                       help="a secret every request must carry (default: $MEMO_SERVE_TOKEN); open the page once "
                            "as /?token=SECRET")
    serve.add_argument("--allow-links", action="store_true",
                       help="let the page fetch links (off by default: a shared server that fetches any URL is "
                            "a request-forgery risk)")
    serve.add_argument("--workers", type=int, default=1, help="builds at once (default: %(default)s)")
    serve.add_argument("--queue", type=int, default=8, help="builds waiting at most (default: %(default)s)")
    serve.add_argument("--max-upload-mb", type=int, default=20, help="largest file (default: %(default)s MB)")
    serve.add_argument("--max-files", type=int, default=50, help="files per build (default: %(default)s)")
    serve.add_argument("--keep-minutes", type=int, default=60,
                       help="how long a build's files are kept (default: %(default)s)")
    serve.add_argument("--abstractive", metavar="MODEL",
                       help="a generation model the page may switch on (default: extractive only)")
    return parser


_GROUPS = {  # argument groups of `memo build --help`
    "header": "the memorandum header and the output format",
    "lengths": "how much the memo selects and how much its body shows",
    "comparison": "what the sources are compared on",
    "generation": "generated (abstractive) summaries",
    "runtime": "where and how the work runs",
}


def _header_options(group) -> None:
    group.add_argument("--format", choices=("docx", "md", "json", "html"), help="output format (default: from FILE's suffix)")
    group.add_argument("--title", help="memo title (default: Memorandum)")
    group.add_argument("--subject", help="SUBJECT line (default: the most representative headline)")
    group.add_argument("--to", default="Distribution", help="TO line (default: %(default)s)")
    group.add_argument("--from", dest="from_", default="memo (automated briefing)", help="FROM line")
    group.add_argument("--date", help="DATE line, e.g. 2023-03-21 (default: today, or SOURCE_DATE_EPOCH)")


def _length_options(group) -> None:
    group.add_argument("--key-points", type=int, default=6, metavar="N", help="key points (default: %(default)s)")
    group.add_argument("--sentences", type=int, default=3, metavar="N",
                       help="sentences per source summary (default: %(default)s)")
    group.add_argument("--words", type=int, metavar="N", help="cap each source summary at about N words")
    group.add_argument("--consensus", type=int, default=8, metavar="N",
                       help="consensus points at most (default: %(default)s)")
    group.add_argument("--found-disagreements", type=int, default=2, metavar="N",
                       help="contested points found without being asked, at most (default: %(default)s)")
    group.add_argument("--max-stories", type=int, default=10, metavar="N",
                       help="a corpus covering several stories gets a section per story, at most N, "
                            "largest first (default: %(default)s)")
    group.add_argument("--story-points", type=int, default=3, metavar="N",
                       help="key points per story section (default: %(default)s)")
    group.add_argument("--body-consensus", type=int, default=4, metavar="N",
                       help="consensus points in the memo's body; all are in the appendix (default: %(default)s)")
    group.add_argument("--body-statements", type=int, default=1, metavar="N",
                       help="statements per side of a disagreement in the body; the rest are in the appendix "
                            "(default: %(default)s)")
    group.add_argument("--body-speakers", type=int, default=8, metavar="N",
                       help="rows of Who Said What in the body; all are in the appendix (default: %(default)s)")
    group.add_argument("--no-appendix", action="store_true",
                       help="leave out the appendix's evidence (full tables, matrix, per-source summaries); "
                            "the sources and the method note are kept")


def _comparison_options(group) -> None:
    group.add_argument("--question", action="append", default=[], metavar="Q",
                       help="a yes/no question the memo answers side by side, e.g. \"Is China a credible "
                            "mediator in Ukraine?\" (repeatable)")
    group.add_argument("--stance", default="memo",
                       help="stance backend: memo (default: memo's own stance model, offline), embedding (the "
                            "earlier heuristic), llm (the --abstractive model as judge, from the template "
                            "stance_judge), nli:MODEL (an NLI model path or hub name), or a folder written "
                            "by tools/train_stance.py")
    group.add_argument("--grouping", default="closeness",
                       help="how sentences of different sources are found to make one point: closeness (default: "
                            "embedding closeness), or a folder written by tools/train_same_point.py (a model that "
                            "reads the pairs the embeddings find close; an experiment)")


def _generation_options(group) -> None:
    group.add_argument("--abstractive", default=DEFAULT_CPU_MODEL, metavar="MODEL",
                       help="transformers model for generated summaries: hub name or local path "
                            "(default: %(default)s; if it cannot be loaded, extractive summaries are used "
                            "and the method note says so)")
    group.add_argument("--no-abstractive", action="store_true", help="extractive summaries only; load no model")
    group.add_argument("--prompts", metavar="DIR", help="folder of prompt templates overriding the shipped ones")
    group.add_argument("--device", choices=("cpu", "cuda", "mps"), help="where the model runs (default: auto)")
    group.add_argument("--dtype", choices=("float32", "float16", "bfloat16"), help="model precision (default: auto)")
    group.add_argument("--batch-size", type=int, default=4, metavar="N", help="prompts per generate() call")
    group.add_argument("--max-new-tokens", type=int, default=96, metavar="N", help="tokens generated per prompt")
    group.add_argument("--api-base", metavar="URL",
                       help="with --abstractive openai:MODEL: the OpenAI-compatible server, e.g. "
                            "http://localhost:11434/v1 (default: $OPENAI_BASE_URL)")
    group.add_argument("--api-key-env", metavar="NAME",
                       help="environment variable holding the server's API key (default: OPENAI_API_KEY)")
    group.add_argument("--concurrency", type=int, default=4, metavar="N", help="requests in flight to the server")
    group.add_argument("--context-window", type=int, default=4096, metavar="N",
                       help="the model's window in tokens when the server does not report it")
    group.add_argument("--timeout", type=float, default=120.0, metavar="S", help="seconds per server request")


def _runtime_options(group) -> None:
    group.add_argument("--embedder", default="minilm",
                       help="sentence embedder: minilm (default, offline), hashing, or a model path / hub name")
    group.add_argument("--runtime", choices=("int8", "onnx", "torch"), default=None,
                       help="what runs memo's own models (the minilm embedder, memo's stance model): onnx "
                            "(default: ONNX Runtime, float32, torch's numbers without torch), int8 (ONNX Runtime, "
                            "int8 weights: quicker, slightly less accurate) or torch (the previous path); also "
                            "$MEMO_RUNTIME")
    group.add_argument("--cache", default=_default_cache(), metavar="DIR",
                       help="embedding cache folder, so rebuilds embed only new sentences "
                            "(default: $MEMO_CACHE or %(default)s)")
    group.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    group.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                       help="run the per-article stages as Ray tasks: on the cluster at ADDRESS "
                            "(host:port, ray://host:10001 or auto), or on a Ray instance started here "
                            "if no address is given (needs pip install 'memo[ray]')")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress or notes on stderr")
    group.add_argument("-v", "--verbose", action="store_true",
                       help="log every repair and removal; show the traceback of an internal error")

def _source_options(command) -> None:
    command.add_argument("--links", action="append", default=[], metavar="FILE",
                         help="a text file of links to read, one URL per line (# starts a comment; repeatable)")
    command.add_argument("--fetch-timeout", type=float, default=20.0, metavar="S",
                         help="seconds to fetch one link, all told (default: %(default)s)")
    command.add_argument("--fetch-max-mb", type=float, default=20.0, metavar="MB",
                         help="largest page or PDF fetched (default: %(default)s)")
    command.add_argument("--strict", action="store_true",
                         help="stop at the first source that cannot be read (corrupt, past a size or safety "
                              "limit, a failed link, a bad JSON line); by default it is skipped and named")


def _sources(args) -> list:
    """The sources of ``build`` or ``text``: paths as given; the links (on the command line
    and in --links files) fetched together with the fetch options and the cache folder."""
    from ._fetch import Links, looks_like_url

    if not args.paths and not args.links:
        raise InputError(f"memo {args.command}: give at least one SOURCE (a file, folder, glob or link) or --links FILE")
    options = dict(timeout=args.fetch_timeout, max_bytes=int(args.fetch_max_mb * 2**20),
                   cache=None if args.no_cache else args.cache)
    urls = [p for p in args.paths if looks_like_url(p)]
    sources: list = []
    for path in args.paths:
        if not looks_like_url(path):
            sources.append(path)
        elif path == urls[0]:  # the links go where the first of them was given
            sources.append(Links(tuple(urls), **options))
    sources.extend(Links.from_file(listing, **options) for listing in args.links)
    return sources


def _warn_open_questions(questions, *, quiet: bool) -> None:
    from ._disagreement import is_yes_no

    for question in questions:
        if question.strip() and not is_yes_no(question) and not quiet:  # an empty one is an error later
            print(f"memo: warning: {question!r} is not a yes/no question: the memo lists the statements most "
                  "related to it, without sides (ask e.g. \"Is ...?\", \"Should ...?\", \"Will ...?\")",
                  file=sys.stderr)


def _report_skipped(notices) -> None:
    """Each source that gave no article, one line: a failed link names its URL and the reason."""
    for notice in notices:
        if notice.kind == "skipped":
            where = "" if notice.source in notice.detail else f" {notice.source}"
            print(f"memo: skipped{where}: {notice.detail}", file=sys.stderr)


def _text_command(args) -> int:
    import json

    from . import _ingest as ingest
    from ._prepare import prepare

    articles = 0
    for document in ingest.iter_documents(ingest.plan_sources(_sources(args), strict=args.strict)):
        prepared = prepare(document)
        if not args.quiet:
            _report_skipped(prepared.notices)
        article = prepared.article
        if article is None:
            continue
        articles += 1
        if args.jsonl:
            row = {"source": article.source, "id": article.id, "title": article.title, "outlet": article.outlet,
                   "author": article.author, "date": article.date, "url": article.url, "text": article.text}
            if article.pages:
                row["pages"] = list(article.pages)
            print(json.dumps(row, ensure_ascii=False))
        else:
            facts = " | ".join(f"{k}: {v}" for k in ("title", "outlet", "author", "date", "url")
                               if (v := getattr(article, k)))
            print(f"==> {article.source} <==" + (f"\n{facts}" if facts else "") + f"\n\n{article.text}\n")
    if not articles:
        raise InputError("no article has any text to summarise")
    return 0


def _default_cache() -> str:
    if os.environ.get("MEMO_CACHE"):
        return os.environ["MEMO_CACHE"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "memo")


def _prompts_command(args) -> int:
    from ._templating import Prompts

    prompts = Prompts(args.prompts)
    if args.action == "list":
        prompts.check()
        for name, origin, variables in prompts.listing():
            print(f"{name:<20} {origin}\n{'':<20} variables: {', '.join(sorted(variables))}")
        return 0
    if args.action == "render":
        return _render_prompts(args, prompts)
    if len(args.rest) != 1:
        raise ArgumentError("memo prompts show NAME: which template? (memo prompts list names them)")
    template = prompts.get(args.rest[0])
    print(f"# from {template.origin}")
    sys.stdout.write(template.text if template.text.endswith("\n") else template.text + "\n")
    return 0


def _render_prompts(args, prompts) -> int:
    """The article prompts a build sends, byte for byte, each with its token count: the text is
    read, cleaned and split as in a build, and packed into the window as the generation stage
    packs it. Later rounds (reduce, synthesis, bottom line) hold the model's own outputs, so
    they are only counted, not shown."""
    from . import _ingest as ingest
    from ._abstractive import GenerationOptions, Summarizer
    from ._prepare import prepare

    if not args.rest:
        raise ArgumentError("memo prompts render SOURCE...: which articles?")
    prompts.check()
    model = args.abstractive or "openai:(estimate)"
    if not model.startswith("openai:"):
        raise ArgumentError("memo prompts render: --abstractive takes openai:MODEL (a served model); without it "
                            "the prompts are fitted to --context-window")
    options = GenerationOptions(api_base=args.api_base, context_window=args.context_window,
                                max_new_tokens=args.max_new_tokens)
    generator = _DryRun(model[len("openai:"):], options, asks_server=bool(args.abstractive))
    summarizer = Summarizer(generator, prompts)
    plan = ingest.plan_sources(list(args.rest), strict=False)
    shown = 0
    for document in ingest.iter_documents(plan):
        prepared = prepare(document, attribute_now=False)
        article = prepared.article
        if article is None or not prepared.sentences:
            continue
        doc = prepared.sentences
        generator.source = article.source
        summarizer.article(title=article.title, outlet=article.outlet, date=article.date, words=args.words,
                           units=[s.text for s in doc if not s.is_heading] or [s.text for s in doc])
        shown += 1
    if not shown:
        raise InputError("no article has any text to summarise")
    return 0


class _DryRun:
    """A generator that prints the prompts it is given instead of sending them, fitted to a
    served model's window (asked of the server; nothing is generated) or to --context-window."""

    def __init__(self, model: str, options, asks_server: bool):
        from ._openai import OpenAIGenerator

        from ._abstractive import Trace

        self.server = OpenAIGenerator(model, options, Trace()) if asks_server else None
        self.options = options
        self.trace = None
        self.source = ""  # the article whose first round is being fitted; printed once

    @property
    def window(self) -> int:
        if self.server is not None:
            return self.server.window
        return self.options.context_window - self.options.max_new_tokens

    def count(self, prompt: str) -> int:
        from ._openai import CHAT_OVERHEAD, estimate_tokens

        return self.server.count(prompt) if self.server is not None else estimate_tokens(prompt) + CHAT_OVERHEAD

    def split_tokens(self, text: str, size: int) -> list[str]:
        from ._openai import CHAT_OVERHEAD, split_estimated

        if self.server is not None:
            return self.server.split_tokens(text, size)
        return split_estimated(text, max(1, size - CHAT_OVERHEAD))

    def generate(self, prompts) -> list[str]:
        if self.source:  # the map round; a reduce round holds the model's own output
            for n, prompt in enumerate(prompts, start=1):
                part = f", part {n} of {len(prompts)}" if len(prompts) > 1 else ""
                print(f"===== article_summary: {file_name_of(self.source)}{part}: {self.count(prompt)} tokens "
                      f"(estimated; window {self.window}) =====")
                sys.stdout.write(prompt + "\n")  # the prompt exactly as sent, then one newline
            if len(prompts) > 1:
                print(f"===== then the {len(prompts)} parts' summaries are reduced: those prompts hold the "
                      "model's own output =====")
        self.source = ""
        return ["(summary)"] * len(prompts)


def file_name_of(source: str) -> str:
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def _preloaded(args):
    """On Linux, where a model runs on torch (``--runtime torch``, a transformers embedder,
    a stance folder of one's own), load the embedder and memo's stance model in a helper
    process from the start, overlapping torch's import with start-up (``memo._preload``).
    Returns (embedder, stance, helper)."""
    from pathlib import Path

    from ._stance import DEFAULT_STANCE

    # With Ray the tasks load the embedder by name; the helper serves the stance model only.
    embedder = None if args.ray is not None or args.embedder.lower() == "hashing" else args.embedder
    stance = (None if args.stance == DEFAULT_STANCE
              else args.stance if (Path(args.stance) / "calibration.json").is_file() else False)
    if not sys.platform.startswith("linux") or (embedder is None and stance is False):
        return args.embedder, args.stance, None
    from ._embed import EMBEDDERS
    from ._onnx import choose

    if choose(args.runtime) != "torch" and stance in (None, False) and (embedder is None or embedder.lower() in EMBEDDERS):
        # memo's own models on ONNX Runtime import and load in a fraction of a second: a
        # helper has nothing to overlap, and its embedding contends with the parse as much
        # (cold seeds build with the question, 10 paired runs: median 0.48 s quicker without it).
        return args.embedder, args.stance, None
    from ._preload import ModelHelper, PreloadedEmbedder, PreloadedStance

    helper = ModelHelper(embedder, stance)
    try:
        return (args.embedder if embedder is None else PreloadedEmbedder(embedder, helper=helper),
                args.stance if stance is False else PreloadedStance(stance, helper=helper), helper)
    except BaseException:
        helper.close()
        raise


def _version() -> str:
    from . import __version__

    return __version__


def _serve_command(args) -> int:
    """``memo serve``: refuse an open address without a token, then run the app."""
    import ipaddress

    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not args.token:
        print(f"memo: error: --host {args.host} is reachable from other machines: give --token (or set "
              "MEMO_SERVE_TOKEN) so that only your team can build", file=sys.stderr)
        return 1
    for name in ("workers", "queue", "max_upload_mb", "max_files", "keep_minutes", "port"):
        if getattr(args, name) < (0 if name == "queue" else 1):
            print(f"memo: error: --{name.replace('_', '-')}: must be at least {0 if name == 'queue' else 1}",
                  file=sys.stderr)
            return 1
    try:
        import uvicorn

        from ._serve.app import MB, Settings, create_app
    except ImportError as exc:
        print(f"memo: error: memo serve needs the serve extra ({exc.name} is missing): "
              "pip install 'memo[serve]'", file=sys.stderr)
        return 1
    logging.basicConfig(level=logging.WARNING, format="memo: %(message)s", stream=sys.stderr)
    settings = Settings(token=args.token, allow_links=args.allow_links, workers=args.workers, queue=args.queue,
                        max_file_bytes=args.max_upload_mb * MB, max_files=args.max_files,
                        keep_seconds=args.keep_minutes * 60, abstractive=args.abstractive)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"memo serve: http://{shown}:{args.port}/" + ("?token=…" if args.token else "") + " (Ctrl-C stops it)",
          file=sys.stderr, flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve_command(args)
    if args.command in ("prompts", "text"):
        try:
            return _prompts_command(args) if args.command == "prompts" else _text_command(args)
        except MemoError as exc:
            print(f"memo: error: {exc}", file=sys.stderr)
            return 1
    logging.basicConfig(level=logging.INFO if args.verbose and not args.quiet else logging.WARNING,
                        format="memo: %(message)s", stream=sys.stderr)
    bar = _ProgressBar(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())
    helper = None
    try:
        sources = _sources(args)  # a bad link or --links file fails before any model starts loading
        _warn_open_questions(args.question or [], quiet=args.quiet)
        if args.runtime:  # read where the models load: here, in the helper process and in local Ray workers
            os.environ["MEMO_RUNTIME"] = args.runtime
        embedder, stance, helper = _preloaded(args)
        from ._pipeline import build

        memo = build(
            sources, out=args.output, format=args.format, title=args.title, subject=args.subject,
            to=args.to, from_=args.from_, date=args.date, key_points=args.key_points,
            article_sentences=args.sentences, article_words=args.words, embedder=embedder, progress=bar,
            questions=args.question, stance=stance, grouping=args.grouping, consensus_points=args.consensus,
            found_disagreements=args.found_disagreements,
            abstractive=None if args.no_abstractive else args.abstractive, prompts=args.prompts,
            # The default model may be missing (extractive then, and the note says so); a server
            # the user named must answer, or the build stops with one line.
            fallback=not str(args.abstractive).startswith("openai:"),
            cache=None if args.no_cache else args.cache, max_stories=args.max_stories,
            story_points=args.story_points, executor=None if args.ray is None else "ray",
            ray_address=args.ray or None,
            generation=dict(device=args.device, dtype=args.dtype, batch_size=args.batch_size,
                            max_new_tokens=args.max_new_tokens, api_base=args.api_base,
                            api_key_env=args.api_key_env, concurrency=args.concurrency,
                            context_window=args.context_window, timeout=args.timeout),
            layout=dict(consensus=args.body_consensus, statements=args.body_statements, who=args.body_speakers,
                        appendix=not args.no_appendix), strict=args.strict,
        )
    except MemoError as exc:
        bar.close()
        print(f"memo: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        bar.close()
        print("memo: interrupted; no output written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: one line, and its traceback only with -v
        bar.close()
        if args.verbose and not args.quiet:
            import traceback

            traceback.print_exc(file=sys.stderr)
        print(f"memo: internal error: {type(exc).__name__}: {exc} (please report it)", file=sys.stderr)
        return 1
    finally:
        if helper is not None:
            helper.close()
    bar.close()
    if not args.quiet:
        points = len(memo.bottom_line) + len(memo.key_points)
        print(f"memo: wrote {args.output} ({len(memo.articles)} sources, {points} cited points, "
              f"{len(memo.consensus)} consensus, {len(memo.disagreements)} disagreements)", file=sys.stderr)
        _report_skipped(memo.method.notices)
        for notice in memo.method.notices:
            if notice.kind == "fallback":
                print(f"memo: note: {notice.detail}", file=sys.stderr)
        flagged = sum(1 for n in memo.method.notices if n.kind == "unsupported")
        if flagged:
            print(f"memo: note: {flagged} generated sentence(s) failed the faithfulness check and are marked "
                  "unsupported in the memo", file=sys.stderr)
    return 0


def run() -> None:
    """Console entry point: exit without the interpreter's teardown, which with torch
    loaded takes most of a second; the memo is already written and synced by then."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
