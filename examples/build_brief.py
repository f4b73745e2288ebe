"""Build a memo from the sample corpus in Python, save it three ways, and print its citations.

    .venv/bin/python examples/build_brief.py [OUTPUT_DIR]
"""

import sys
from pathlib import Path

import memo

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    brief = memo.build(REPO / "seeds", title="Xi Jinping in Moscow", to="Asia-Pacific desk", key_points=5,
                       questions=["Is China a credible mediator in Ukraine?"])
    for suffix in ("docx", "md", "json"):
        print("wrote", brief.save(out_dir / f"xi-moscow.{suffix}"))

    print("\nBottom line:")
    for point in brief.bottom_line:
        print(" ", point.text)
    print("\nKey points and their evidence:")
    for point in brief.key_points:
        citation = point.citations[0]
        article = brief.article(citation.article_id)
        # A citation is a span of the article's cleaned text: the quote is exactly that span.
        assert article.text[citation.start:citation.end] == citation.quote
        print(f"- {point.text}\n    [{article.label}, chars {citation.start}-{citation.end}]")
    print("\nWhat two or more independent sources agree on:")
    for group in brief.consensus:
        outlets = ", ".join(brief.article(a).label for a in group.sources)
        print(f"- {group.point.text}\n    [{group.independent} independent: {outlets}]")
    for question in brief.disagreements:
        print(f"\n{question.question}")
        for side in question.sides:
            print(f"  {side.position}")
            for statement in side.statements:
                print(f"    {statement.speaker} ({brief.article(statement.citation.article_id).label}), "
                      f"confidence {statement.confidence:.2f}: {statement.citation.quote[:80]}…")
        if question.note:
            print(f"  ({question.note})")
    print("\nWhat ingest repaired or dropped:")
    for notice in brief.method.notices:
        if notice.kind != "metadata":
            print(f"  {Path(notice.source).name}: {notice.kind}: {notice.detail}")


if __name__ == "__main__":
    main()
