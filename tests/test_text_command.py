"""`memo text`: what memo would summarise from each source, without loading a model; and the
command line's link options."""

from __future__ import annotations

import json
import subprocess
import sys

from test_fetch import server  # noqa: F401  (the local HTTP server fixture)

from memo._cli import main

PAGE = ("<html><head><title>Water plan</title><meta property='og:site_name' content='Valley Times'>"
        "<meta name='author' content='Jane Roe'></head><body><nav>Home | World | Sport</nav><article>"
        "<p>The regional council approved the water plan on Monday after a long debate, officials said.</p>"
        "<p>Photo: Valley Times archive</p><p>Two reservoirs will be built north of the city by 2027, "
        "the mayor told reporters.</p></article></body></html>")


def _memo(*args, cwd=None):
    # In a fresh process, and report whether torch (any model) was imported by the end.
    code = ("import sys; from memo._cli import main; code = main(sys.argv[1:]); "
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr); sys.exit(code)")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_text_prints_each_article_as_cleaned_and_loads_no_model(tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "note.txt").write_text("By John Smith\n\nThe council will meet again on Friday to set the budget "
                                       "for the two reservoirs, a spokesperson said.\n")
    (tmp_path / "blank.txt").write_text("   \n")
    result = _memo("text", str(tmp_path), "--jsonl")
    assert result.returncode == 0, result.stderr
    assert "NO-TORCH" in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["note", "page"]
    note, page = rows
    assert {"source", "title", "outlet", "author", "date", "url", "text"} <= set(page)
    assert page["outlet"] == "Valley Times" and page["author"] == "Jane Roe" and page["title"] == "Water plan"
    # After cleaning: the photo credit and the byline are gone, as in a memo.
    assert page["text"] == ("The regional council approved the water plan on Monday after a long debate, officials "
                            "said.\nTwo reservoirs will be built north of the city by 2027, the mayor told reporters.")
    assert note["author"] == "John Smith" and not note["text"].startswith("By ")
    assert f"memo: skipped {tmp_path / 'blank.txt'}: no text left after cleaning" in result.stderr
    plain = _memo("text", str(tmp_path / "page.html"))
    assert plain.returncode == 0 and "NO-TORCH" in plain.stderr
    assert plain.stdout.startswith(f"==> {tmp_path / 'page.html'} <==\ntitle: Water plan | outlet: Valley Times")
    assert "Two reservoirs will be built" in plain.stdout


def test_text_reads_links_and_link_lists_and_names_each_failure(tmp_path, server, capsys):  # noqa: F811
    listing = tmp_path / "links.txt"
    listing.write_text(f"# morning\n{server}/story-b\n{server}/gone  # dead\n")
    code = main(["text", f"{server}/story-a", "--links", str(listing), "--jsonl", "--no-cache",
                 "--fetch-timeout", "5"])
    out, err = capsys.readouterr()
    assert code == 0
    assert [json.loads(line)["url"] for line in out.splitlines()] == [f"{server}/story-a", f"{server}/story-b"]
    assert err.strip() == f"memo: skipped: could not fetch {server}/gone: HTTP 404 Not Found"


def test_bad_sources_are_one_line_errors(tmp_path, capsys):
    assert main(["text", "ftp://x.test/a"]) == 1
    assert capsys.readouterr().err.strip() == "memo: error: ftp://x.test/a: only http:// and https:// links can be fetched"
    assert main(["text", "--links", str(tmp_path / "none.txt")]) == 1
    assert capsys.readouterr().err.strip() == f"memo: error: {tmp_path / 'none.txt'}: no such file"
    assert main(["text"]) == 1
    assert "give at least one SOURCE" in capsys.readouterr().err


def test_build_from_a_good_link_a_dead_link_and_a_file(tmp_path, server):  # noqa: F811
    (tmp_path / "note.txt").write_text("The foreign ministers will meet again in Geneva next week to resume the "
                                       "talks, a spokesperson told Valley News.\n")
    out = tmp_path / "brief.json"
    result = subprocess.run([sys.executable, "-m", "memo", "build", f"{server}/story-g", f"{server}/gone",
                             str(tmp_path / "note.txt"), "-o", str(out), "--embedder", "hashing", "--no-abstractive",
                             "--no-cache", "--fetch-timeout", "5"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"memo: skipped: could not fetch {server}/gone: HTTP 404 Not Found" in result.stderr
    brief = json.loads(out.read_text(encoding="utf-8"))
    assert [a["url"] for a in brief["articles"]] == [f"{server}/story-g", ""]
    assert [n["detail"] for n in brief["method"]["notices"] if n["kind"] == "skipped"] == [
        f"could not fetch {server}/gone: HTTP 404 Not Found"]
