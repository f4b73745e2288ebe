from memo._model import Article
from memo._segment import MAX_SENTENCE_WORDS, split_sentences


def _split(text: str):
    return split_sentences(Article("a", text))


def test_spans_point_exactly_into_the_text():
    text = "Headline Without A Period\n\nDr. Smith met U.S. officials on Jan. 5. They agreed.\n- First item\n- Second item"
    sentences = _split(text)
    for s in sentences:
        assert text[s.start:s.end] == s.text
    assert [s.text for s in sentences] == [
        "Headline Without A Period", "Dr. Smith met U.S. officials on Jan. 5.", "They agreed.",
        "- First item", "- Second item"]
    assert [s.is_heading for s in sentences] == [True, False, False, False, False]
    assert [s.index for s in sentences] == list(range(5))


def test_a_headline_is_never_glued_to_the_next_sentence():
    sentences = _split("Markets Fall Sharply\nStocks dropped 3% on Monday. Bonds rose.")
    assert sentences[0].text == "Markets Fall Sharply" and sentences[0].is_heading
    assert sentences[1].text == "Stocks dropped 3% on Monday."


def test_quotes_stay_with_their_sentence():
    sentences = _split("“We are always for peace,” he said. “We will talk.” Officials agreed.")
    assert [s.text for s in sentences] == ["“We are always for peace,” he said.", "“We will talk.”",
                                           "Officials agreed."]


def test_unpunctuated_walls_of_text_are_bounded():
    text = " ".join(f"word{i}" for i in range(3 * MAX_SENTENCE_WORDS + 7)) + "."
    sentences = _split(text)
    assert len(sentences) == 4
    assert all(s.words <= MAX_SENTENCE_WORDS for s in sentences)
    assert " ".join(s.text for s in sentences) == text
    for s in sentences:
        assert text[s.start:s.end] == s.text


def test_an_unknown_initialism_does_not_end_the_sentence_before_a_lower_case_word():
    sentences = _split("Putin, in his remarks to the P.R.C. media, praised the partnership. Trade rose.")
    assert [s.text for s in sentences] == ["Putin, in his remarks to the P.R.C. media, praised the partnership.",
                                           "Trade rose."]


def test_punkt_loads_without_importing_all_of_nltk_and_nltk_still_imports_whole():
    import subprocess
    import sys

    code = ("import sys; from memo._segment import punkt_tokenizer; "
            "spans = list(punkt_tokenizer().span_tokenize('Dr. Smith went home. He was tired.')); "
            "assert spans == [(0, 20), (21, 34)], spans; "
            "assert 'scipy' not in sys.modules and 'nltk' not in sys.modules; "
            "import nltk; assert nltk.word_tokenize and nltk.tokenize.punkt.PunktSentenceTokenizer")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_question_mark_inside_a_title_does_not_leave_a_fragment_opening_with_a_bracket():
    text = ('His hits include "Gin & Juice," "Who Am I? (What\'s My Name?)," and "Beautiful." '
            "He toured Europe in May.")
    sentences = [s.text for s in split_sentences(Article("a", text))]
    assert not any(s[:1] in ")]},;:" for s in sentences)
    assert sentences[-1] == "He toured Europe in May."


def test_punkt_loads_while_another_thread_imports():
    """The build reads (and loads Punkt) while other threads import (the generation model's
    check, spaCy): Punkt's loader must not iterate ``sys.modules`` as it changes."""
    import subprocess
    import sys

    code = """
import sys, threading, types
from memo import _segment
sys.setswitchinterval(1e-6)  # threads take turns as often as they can: the race shows at once
stop = False
def importing():
    n = 0
    while not stop:
        sys.modules[f"_memo_test_module_{n}"] = types.ModuleType("m")  # as an import adds one
        n += 1
thread = threading.Thread(target=importing, daemon=True)
thread.start()
try:
    for _ in range(10):
        _segment._nltk_punkt()
finally:
    stop = True
"""
    subprocess.run([sys.executable, "-c", code], check=True)
