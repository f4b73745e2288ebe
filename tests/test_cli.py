import subprocess
import sys
import zipfile

import pytest

from memo._cli import main


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "memo", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_help_lists_the_build_options():
    result = _run("build", "--help")
    assert result.returncode == 0
    for option in ("-o FILE", "--format", "--title", "--quiet", "--embedder", "--question", "--stance", "--grouping"):
        assert option in result.stdout


def test_build_writes_the_memo_and_exits_zero(small_corpus, tmp_path):
    out = tmp_path / "brief.docx"
    result = _run("build", str(small_corpus), "-o", str(out), "--embedder", "hashing", "--title", "Storm")
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(out)
    assert f"wrote {out}" in result.stderr


def test_quiet_prints_nothing_and_format_overrides_the_suffix(small_corpus, tmp_path):
    out = tmp_path / "brief.txt"
    result = _run("build", str(small_corpus), "-o", str(out), "--format", "json", "--embedder", "hashing", "-q")
    assert result.returncode == 0 and result.stderr == "" and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize("args, message", [
    (["missing-dir/"], "missing-dir/: no such file or directory"),
    (["{corpus}", "-o", "{tmp}/nope/brief.docx"], "nope/brief.docx: directory"),
    (["{corpus}", "-o", "{tmp}/brief.pdf"], "cannot tell the format"),
    (["{corpus}", "--embedder", "{tmp}/no-model"], "cannot load embedding model"),
    (["{corpus}", "--sentences", "0"], "source summary length: summary length must be at least 1"),
    (["{corpus}", "--stance", "nli:{tmp}/no-nli"], "cannot load NLI model"),
    (["{corpus}", "--stance", "tea-leaves"], "unknown stance backend 'tea-leaves'"),
    (["{corpus}", "--grouping", "tea-leaves"], "unknown grouping 'tea-leaves'"),
    (["{corpus}", "--grouping", "{tmp}"], "unknown grouping"),
    (["{corpus}", "--question", " "], "questions must be non-empty strings"),
])
def test_errors_are_one_line_and_exit_one(small_corpus, tmp_path, args, message, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    args = [a.format(corpus=small_corpus, tmp=tmp_path) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "brief.docx")]
    result = _run("build", *args)
    assert result.returncode == 1
    assert result.stderr.startswith("memo: error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "brief.docx").exists()


def test_unexpected_failures_are_still_one_line(monkeypatch, capsys, small_corpus, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("memo._pipeline.build", broken)
    assert main(["build", str(small_corpus), "-o", str(tmp_path / "x.md")]) == 1
    err = capsys.readouterr().err
    assert err == "memo: internal error: RuntimeError: boom (please report it)\n"


def test_verbose_shows_the_traceback_of_an_unexpected_failure(monkeypatch, capsys, small_corpus, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("memo._pipeline.build", broken)
    assert main(["build", str(small_corpus), "-o", str(tmp_path / "x.md"), "--embedder", "hashing", "-v"]) == 1
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "in broken" in err
    assert err.endswith("memo: internal error: RuntimeError: boom (please report it)\n")


def test_questions_from_the_command_line_are_answered_in_the_memo(small_corpus, tmp_path):
    import json

    out = tmp_path / "brief.json"
    result = _run("build", str(small_corpus), "-o", str(out), "-q", "--question", "Did the storm cut power?",
                  "--question", "Will schools stay closed?")
    assert result.returncode == 0, result.stderr
    asked = [d for d in json.loads(out.read_text(encoding="utf-8"))["disagreements"] if d["asked"]]
    assert [d["question"] for d in asked] == ["Did the storm cut power?", "Will schools stay closed?"]
    assert asked[0]["claim"] == "The storm did cut power."


def test_a_question_that_is_not_yes_no_is_warned_about_and_gets_no_sides(small_corpus, tmp_path):
    import json

    out = tmp_path / "brief.json"
    result = _run("build", str(small_corpus), "-o", str(out), "--question", "Who is to blame for the outage?")
    assert result.returncode == 0, result.stderr
    assert "'Who is to blame for the outage?' is not a yes/no question" in result.stderr
    asked = [d for d in json.loads(out.read_text(encoding="utf-8"))["disagreements"] if d["asked"]]
    assert asked[0]["sides"] == [] and "Not a yes/no question" in asked[0]["note"]


def test_prompts_list_and_show_print_the_templates_in_force(tmp_path):
    (tmp_path / "bottom_line.txt").write_text("# mine\nTL;DR in {{sentences}}: {{summaries}} {{subject}}\n",
                                              encoding="utf-8")
    listed = _run("prompts", "list", "--prompts", str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert "article_summary      prompts/article_summary.txt (shipped)" in listed.stdout
    assert f"bottom_line          {tmp_path / 'bottom_line.txt'}" in listed.stdout
    shown = _run("prompts", "show", "bottom_line", "--prompts", str(tmp_path))
    assert shown.stdout == f"# from {tmp_path / 'bottom_line.txt'}\n# mine\nTL;DR in {{{{sentences}}}}: " \
                           "{{summaries}} {{subject}}\n"
    missing = _run("prompts", "show", "haiku")
    assert missing.returncode == 1 and missing.stderr.startswith("memo: error: no prompt called 'haiku'")


def test_a_broken_prompt_stops_the_build_at_once_with_file_and_line(small_corpus, tmp_path):
    prompts = tmp_path / "p"
    prompts.mkdir()
    (prompts / "article_summary.txt").write_text("Summarise {{text}}\nfor {{reader}}\n", encoding="utf-8")
    result = _run("build", str(small_corpus), "-o", str(tmp_path / "b.md"), "--prompts", str(prompts))
    assert result.returncode == 1 and not (tmp_path / "b.md").exists()
    assert f"{prompts / 'article_summary.txt'}:2: unknown variable {{{{reader}}}}" in result.stderr


def test_the_default_run_falls_back_to_extractive_when_the_model_cannot_load(small_corpus, tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "b.json"
    result = _run("build", str(small_corpus), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "memo: note: cannot load abstractive model 'google/flan-t5-base'" in result.stderr
    notices = json.loads(out.read_text(encoding="utf-8"))["method"]["notices"]
    assert [n["kind"] for n in notices if n["source"] == "abstractive"] == ["fallback"]
    skipped = _run("build", str(small_corpus), "-o", str(out), "--no-abstractive")
    assert skipped.returncode == 0 and "note" not in skipped.stderr
    notices = json.loads(out.read_text(encoding="utf-8"))["method"]["notices"]
    assert not [n for n in notices if n["source"] == "abstractive"]


def test_a_model_path_that_does_not_exist_is_one_clear_error(small_corpus, tmp_path):
    missing = tmp_path / "no" / "such" / "model"
    result = _run("build", str(small_corpus), "-o", str(tmp_path / "b.md"), "--abstractive", str(missing))
    assert result.returncode == 1 and not (tmp_path / "b.md").exists()
    assert result.stderr.strip().splitlines() == [f"memo: error: abstractive model {missing}: no such file or directory"]


def test_body_length_options_reach_the_memo(small_corpus, tmp_path):
    out = tmp_path / "b.md"
    result = _run("build", str(small_corpus), "-o", str(out), "--no-abstractive", "--embedder", "hashing",
                  "--no-appendix", "--body-speakers", "0")
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "## Appendix" in text and "Summaries by Source" not in text and "| Speaker |" not in text


def test_a_helper_process_loads_the_models_only_where_they_run_on_torch(monkeypatch):
    from memo import _cli, _onnx

    if not sys.platform.startswith("linux") or not _onnx.available():
        pytest.skip("the helper process is for Linux, the no-helper path for ONNX Runtime")
    monkeypatch.delenv("MEMO_RUNTIME", raising=False)
    args = _cli._parser().parse_args(["build", "seeds/", "-o", "brief.docx"])
    assert _cli._preloaded(args) == (args.embedder, args.stance, None)  # ONNX Runtime: nothing to overlap
    args = _cli._parser().parse_args(["build", "seeds/", "-o", "brief.docx", "--runtime", "torch"])
    embedder, stance, helper = _cli._preloaded(args)
    try:
        assert helper is not None and embedder is not args.embedder and stance is not args.stance
    finally:
        helper.close()
