"""Build a memo whose generated summaries follow your own prompt templates.

    .venv/bin/python examples/custom_prompts.py [--model MODEL_OR_DIR] [--dry-run] [OUTPUT]

examples/prompts_plain_language/ holds edited copies of two of memo's templates; the other
templates fall back to the shipped ones. --dry-run prints the prompt the first article would
get and stops (no model needed). Without it, MODEL_OR_DIR (default google/flan-t5-base) must
be loadable: a local directory, or a hub name on a machine that can download it.
"""

import argparse
import sys
from pathlib import Path

import memo

HERE = Path(__file__).resolve().parent
PROMPTS = HERE / "prompts_plain_language"
SEEDS = HERE.parent / "seeds"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="plain-language.docx")
    parser.add_argument("--model", default="google/flan-t5-base")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()

    prompts = memo.Prompts(PROMPTS)
    prompts.check()  # a typo in a template stops here, naming file and line
    for name, origin, variables in prompts.listing():
        print(f"{name:<18} from {origin}")
    if args.dry_run:
        article = memo.build(SEEDS).articles[0]
        print("\nThe first article's prompt would be:\n")
        print(prompts.get("article_summary").render(title=article.title, outlet=article.outlet, date=article.date,
                                                    words=60, text=article.text[:600] + " …"))
        return 0
    try:
        brief = memo.build(SEEDS, out=args.output, abstractive=args.model, prompts=PROMPTS,
                           generation={"max_new_tokens": 80, "num_beams": 2})
    except memo.MemoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nwrote {args.output}")
    for summary in brief.source_summaries:
        for point in summary.generated:
            state = f"unsupported ({point.flag})" if point.flag else f"{len(point.citations)} source sentence(s)"
            print(f"- {point.text}  [{state}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
