"""The memo as a document, on news other than the seeds: pages, footnotes, speakers.

For each Multi-News dev cluster chosen (by default the question-sides gold clusters, each with
its question, and the first clusters of four or more documents without one), memo builds a
DOCX with offline defaults; LibreOffice prints it to PDF. Printed per cluster and in total,
against issue 12's targets:

  - body pages (before the Appendix heading) <= 5, all pages <= 12;
  - footnotes: each text unique within the memo, none with two quotation marks in a row;
  - Who Said What rows naming a collective ("experts", "officials") rather than a speaker: 0.

    .venv/bin/python benchmarks/document_shape.py [--data ../shared/eval/multinews_dev100.csv]
        [--clusters 13 25 ...] [--extra 4]

Needs LibreOffice (soffice) and poppler-utils (pdfinfo, pdftotext), which .ci/run installs.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "gold"))

import multinews  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "eval" / "multinews_dev100.csv"
QUESTIONS = REPO / "benchmarks" / "gold" / "question_sides.jsonl"
TARGET_BODY_PAGES, TARGET_PAGES = 5, 12
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOUBLED = re.compile(r"[“”\"]{2}")  # two in a row (a list of quoted titles has a space between)


def footnotes(path: Path) -> list[str]:
    from lxml import etree

    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/footnotes.xml"))
    return ["".join(t.text or "" for t in note.iter(W + "t"))
            for note in root.iter(W + "footnote") if int(note.get(W + "id")) > 0]


def pages(path: Path, workdir: Path) -> tuple[int, int]:
    """(pages before the Appendix heading, all pages) of the PDF LibreOffice prints."""
    profile = workdir / "lo-profile"  # its own profile: a running LibreOffice holds the default's lock
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(workdir), str(path)], check=True, capture_output=True, timeout=300)
    pdf = workdir / (path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    total = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    printed = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    body = next((i for i, page in enumerate(printed.split("\f")) if page.lstrip().startswith("Appendix")), total)
    return body, total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clusters", type=int, nargs="*", help="cluster numbers (default: the gold ones)")
    parser.add_argument("--extra", type=int, default=4, help="clusters of 4+ documents without a question")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"document_shape: {args.data} not found (--data is multinews_dev100.csv)", file=sys.stderr)
        return 2
    if not all(shutil.which(tool) for tool in ("soffice", "pdfinfo", "pdftotext")):
        print("document_shape: needs soffice, pdfinfo and pdftotext (LibreOffice, poppler-utils)", file=sys.stderr)
        return 2
    from memo._attribution import is_named

    clusters = multinews.clusters(args.data)
    asked = {}
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "question" in row:
            asked[row["cluster"]] = row["question"]
    chosen = args.clusters or sorted(asked)
    if not args.clusters:
        chosen += [n for n in range(len(clusters)) if n not in asked and len(clusters[n]) >= 4][:args.extra]
    print(f"document shape: {len(chosen)} Multi-News clusters, LibreOffice PDF "
          f"[targets: body <= {TARGET_BODY_PAGES} pages, all <= {TARGET_PAGES}, footnotes unique, "
          "no doubled quotation marks, no collective rows]")
    print(f"{'cluster':>7} {'docs':>4} {'body':>4} {'pages':>5} {'notes':>5} {'repeated':>8} {'doubled':>7} "
          f"{'collectives':>11} {'secs':>6}  question")
    failures, started = 0, time.time()
    for number in chosen:
        began = time.time()
        documents = clusters[number]
        question = asked.get(number)
        brief = multinews.memo_of(documents, questions=[question] if question else [], date="2020-01-01")
        with tempfile.TemporaryDirectory() as folder:
            path = brief.save(Path(folder) / "brief.docx")
            notes = footnotes(path)
            body, total = pages(path, Path(folder))
        repeated = len(notes) - len(set(notes))
        doubled = sum(1 for n in notes if DOUBLED.search(n))
        collectives = sum(1 for row in brief.who_said_what if not is_named(row.speaker))
        ok = body <= TARGET_BODY_PAGES and total <= TARGET_PAGES and not repeated and not doubled and not collectives
        failures += not ok
        print(f"{number:>7} {len(documents):>4} {body:>4} {total:>5} {len(notes):>5} {repeated:>8} {doubled:>7} "
              f"{collectives:>11} {time.time() - began:>6.1f}  {question or '(none)'}{'' if ok else '  <- off target'}",
              flush=True)
    print(f"\ndocument shape: {len(chosen) - failures} of {len(chosen)} memos on target; "
          f"{time.time() - started:.0f} s")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
