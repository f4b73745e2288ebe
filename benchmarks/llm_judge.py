"""The generation model as stance judge (``--stance llm``) in the stance benchmarks: the
options they share and the backend they build. Not a benchmark itself."""

from __future__ import annotations

from memo._abstractive import GenerationOptions, get_generator
from memo._stance import get_stance


def add_arguments(parser) -> None:
    parser.add_argument("--llm", metavar="MODEL",
                        help="also score a generation model as stance judge (memo's --stance llm): a transformers "
                             "model path, or openai:MODEL on the server at --api-base")
    parser.add_argument("--api-base", help="the OpenAI-compatible server of --llm openai:MODEL (default: "
                                           "$OPENAI_BASE_URL)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight to that server")
    parser.add_argument("--llm-claims", type=int, default=0, metavar="N",
                        help="judge only the first N claims (headlines) with --llm, and score memo's model on the "
                             "same ones beside it (0: all)")


def judge_from(args):
    """The LLM stance backend named by ``--llm``, or None."""
    if not args.llm:
        return None
    options = GenerationOptions(api_base=args.api_base, concurrency=args.concurrency)
    return get_stance("llm", None, generator=get_generator(args.llm, options))


def describe(judge) -> str:
    how = " and ".join(sorted(judge.how)) or "no answers"
    unread = f", {judge.unparsed} of {judge.asked} replies unreadable" if judge.unparsed else ""
    return f"llm judge {judge.name} (by {how}{unread})"
