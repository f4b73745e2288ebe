import re

import pytest

import memo
from memo._attribution import attribute
from memo._disagreement import answer, question_claim
from memo._embed import get_embedder
from memo._extractive import is_candidate
from memo._grouping import Pool
from memo._model import Article
from memo._segment import split_sentences
from memo._stance import CONTESTS, SUPPORTS, UNCLEAR, Stance

from conftest import write_corpus


# Questions of every yes/no form, on news of many kinds; the claim is what "Yes" asserts (a
# negated question asks the same as the plain one, "Is it true that X?" asks X).
QUESTIONS = [
    ('Is China a credible mediator in Ukraine?',
     'China is a credible mediator in Ukraine.'),
    ('Should British hacker Gary McKinnon be extradited to the United States?',
     'British hacker Gary McKinnon should be extradited to the United States.'),
    ("Should President Trump's January 2017 executive order on refugees be kept in place?",
     "President Trump's January 2017 executive order on refugees should be kept in place."),
    ('Does the Federal Reserve plan to cut rates?',
     'The Federal Reserve does plan to cut rates.'),
    ("Isn't the ceasefire doomed?",
     'The ceasefire is doomed.'),
    ('Is it true that the dam leaked?',
     'The dam leaked.'),
    ('Was the strike justified?',
     'The strike was justified.'),
    ('Did Russia violate the treaty?',
     'Russia did violate the treaty.'),
    ('Should the deputy face criminal charges for the shooting?',
     'The deputy should face criminal charges for the shooting.'),
    ('Are Russia and China allies?',
     'Russia and China are allies.'),
    ('Can the ceasefire hold?',
     'The ceasefire can hold.'),
    ('Were the police right to arrest him?',
     'The police were right to arrest him.'),
    ('Has the ceasefire held?',
     'The ceasefire has held.'),
    ('Do sanctions work?',
     'Sanctions do work.'),
    ('Is the war likely to end this year?',
     'The war is likely to end this year.'),
    ('Would a ban on TikTok protect national security?',
     'A ban on TikTok would protect national security.'),
    ('Could the strike have been avoided?',
     'The strike could have been avoided.'),
    ('Must Britain leave the EU?',
     'Britain must leave the EU.'),
    ('Is there a risk of escalation?',
     'There is a risk of escalation.'),
    ("Doesn't the plan favour Russia?",
     'The plan does favour Russia.'),
    ('Will Xi visit Kyiv?',
     'Xi will visit Kyiv.'),
    ("Can't the UN do more?",
     'The UN can do more.'),
    ("Won't higher rates slow inflation?",
     'Higher rates will slow inflation.'),
    ('Was it a mistake to withdraw from Afghanistan?',
     'It was a mistake to withdraw from Afghanistan.'),
    ('Is the new dam safe?',
     'The new dam is safe.'),
    ('Are electric cars cheaper to run than petrol cars?',
     'Electric cars are cheaper to run than petrol cars.'),
    ('Will the EU impose new sanctions?',
     'The EU will impose new sanctions.'),
    ('Can the United States stop arms shipments?',
     'The United States can stop arms shipments.'),
    ("Will Germany's new coalition government survive the year?",
     "Germany's new coalition government will survive the year."),
    ('Have the protests changed government policy?',
     'The protests have changed government policy.'),
    ('Had the pilots been warned about the storm?',
     'The pilots had been warned about the storm.'),
    ('Should schools ban mobile phones?',
     'Schools should ban mobile phones.'),
    ("Is Apple's new phone worth the price?",
     "Apple's new phone is worth the price."),
    ('Does the vaccine cause serious side effects?',
     'The vaccine does cause serious side effects.'),
    ('Was the election free and fair?',
     'The election was free and fair.'),
    ('Are the allegations against the senator credible?',
     'The allegations against the senator are credible.'),
    ('Would Scotland be better off independent?',
     'Scotland would be better off independent.'),
    ('Should the Supreme Court overturn the ruling?',
     'The Supreme Court should overturn the ruling.'),
    ('Is nuclear power safe?',
     'Nuclear power is safe.'),
    ('Did the company know about the defect?',
     'The company did know about the defect.'),
    ('Will the merger lower prices for consumers?',
     'The merger will lower prices for consumers.'),
    ("Is Netanyahu's coalition stable?",
     "Netanyahu's coalition is stable."),
    ('Should the minimum wage be raised to $15 an hour?',
     'The minimum wage should be raised to $15 an hour.'),
    ('Is it the case that the drug works?',
     'The drug works.'),
    ('Were the 2016 polls wrong?',
     'The 2016 polls were wrong.'),
    ('Is the Bank of England right to raise interest rates again?',
     'The Bank of England is right to raise interest rates again.'),
    ("Should the UK rejoin the European Union's single market?",
     "The UK should rejoin the European Union's single market."),
    ('Did the Saudi crown prince approve the operation?',
     'The Saudi crown prince did approve the operation.'),
    ('Are the new border rules working?',
     'The new border rules are working.'),
    ('Will Hamas accept the ceasefire proposal?',
     'Hamas will accept the ceasefire proposal.'),
    ('Was Boeing aware of the 737 Max flaws before the crashes?',
     'Boeing was aware of the 737 Max flaws before the crashes.'),
    ("Can Kenya's police mission restore order in Haiti?",
     "Kenya's police mission can restore order in Haiti."),
    ("Has the Fed's tightening caused a recession?",
     "The Fed's tightening has caused a recession."),
    ('Would a wealth tax raise significant revenue?',
     'A wealth tax would raise significant revenue.'),
    ("Is Elon Musk's takeover good for Twitter?",
     "Elon Musk's takeover is good for Twitter."),
    ('Should Ukraine negotiate with Russia now?',
     'Ukraine should negotiate with Russia now.'),
    ('Are social media companies responsible for misinformation?',
     'Social media companies are responsible for misinformation.'),
    ("Did the sheriff's office follow its own policy?",
     "The sheriff's office did follow its own policy."),
    ('Is the Iran nuclear deal dead?',
     'The Iran nuclear deal is dead.'),
    ('Could the president pardon himself?',
     'The president could pardon himself.'),
    ("Does Modi's government tolerate dissent?",
     "Modi's government does tolerate dissent."),
    ('Were the lockdowns worth the economic cost?',
     'The lockdowns were worth the economic cost.'),
    ("Isn't the treaty already obsolete?",
     'The treaty is already obsolete.'),
    ('Will the strike by rail workers end this week?',
     'The strike by rail workers will end this week.'),
    ('Is it true that the minister lied to parliament?',
     'The minister lied to parliament.'),
    ('Should athletes boycott the Beijing Olympics?',
     'Athletes should boycott the Beijing Olympics.'),
    ('Has the peace process in Colombia failed?',
     'The peace process in Colombia has failed.'),
    ('Is the euro zone heading for a recession?',
     'The euro zone is heading for a recession.'),
    ('Should police officers wear body cameras?',
     'Police officers should wear body cameras.'),
    ('Are wind farms a threat to birds?',
     'Wind farms are a threat to birds.'),
    ("China is a credible mediator", "China is a credible mediator."),  # a claim is taken as it is
]


@pytest.mark.parametrize("question, claim", QUESTIONS)
def test_a_yes_no_question_becomes_the_claim_both_sides_argue(question, claim):
    assert question_claim(question) == claim


@pytest.mark.parametrize("question, claim", [
    ("Is China a credible mediator in Ukraine?", "China is a credible mediator in Ukraine."),
    ("Will the EU impose new sanctions?", "The EU will impose new sanctions."),
    ("Are Russia and China allies?", "Russia and China are allies."),
    ("Should British hacker Gary McKinnon be extradited to the United States?",
     "British hacker Gary McKinnon should be extradited to the United States."),
    ("Isn't the ceasefire doomed?", "The ceasefire is doomed."),
])
def test_without_the_parser_the_words_shape_still_gives_the_claim(question, claim, monkeypatch):
    from memo import _syntax as syntax

    monkeypatch.setattr(syntax, "installed", lambda: (None, "spaCy is not installed"))
    assert question_claim(question) == claim


class KeywordStance:
    """A stance backend whose calls the test controls: 'not'/'never' contests, 'maybe' is unclear."""

    def stance(self, claim, statements):
        calls = []
        for text in statements:
            if "maybe" in text:
                calls.append(Stance(UNCLEAR, 0.5, 0.0))
            elif " not " in text or " never " in text:
                calls.append(Stance(CONTESTS, 0.1, 0.8))
            else:
                calls.append(Stance(SUPPORTS, 0.9, 0.8))
        return calls


def _pool(texts: dict[str, tuple[str, str]]):
    embedder = get_embedder()
    articles = [Article(name, text, outlet=outlet) for name, (outlet, text) in texts.items()]
    sentences = [split_sentences(a) for a in articles]
    vectors = [embedder.embed([s.text for s in doc]) for doc in sentences]
    attributions = [attribute(a, doc) for a, doc in zip(articles, sentences)]
    candidates = [[i for i, s in enumerate(doc) if is_candidate(s)] for doc in sentences]
    return Pool.build(sentences, vectors, attributions, candidates), embedder


DAM = {
    "a": ("Valley Post", "The new dam on the river is safe and will open in May, the minister said on Monday. "
                         "Farmers in the valley welcomed the news about the dam."),
    "b": ("River Times", "“The new dam on the river is not safe to open in May,” said Ruth Okafor, an engineer "
                         "who inspected it. Officials say the dam may maybe be safe to open later in the summer."),
}


def test_each_side_holds_its_statements_with_speaker_outlet_and_verbatim_citation():
    pool, embedder = _pool(DAM)
    result = answer("Is the new dam safe?", pool, KeywordStance(), embedder)
    supports, contests = result.sides
    assert result.asked and result.claim == "The new dam is safe."
    assert supports.stance == SUPPORTS and supports.position == "Yes: The new dam is safe."
    assert contests.position == "No: The new dam is not safe."
    assert "the minister said" in supports.statements[0].citation.quote
    assert supports.statements[0].speaker == "the minister" and supports.sources[0] == "a"
    # The engineer contests, though the outlet quoting her narrates neutrally.
    assert contests.speakers == ("Ruth Okafor",) and contests.statements[0].role == "an engineer who inspected it"
    assert [s.citation.article_id for s in result.unclear] == ["b"]
    articles = {name: text for name, (_, text) in DAM.items()}
    for statement in [*supports.statements, *contests.statements, *result.unclear]:
        citation = statement.citation
        assert articles[citation.article_id][citation.start:citation.end] == citation.quote


def test_a_one_sided_corpus_says_so_instead_of_inventing_the_other_side():
    pool, embedder = _pool({"a": DAM["a"]})
    result = answer("Is the new dam safe?", pool, KeywordStance(), embedder)
    assert result.sides[0].statements and not result.sides[1].statements
    assert result.note.startswith("Only the supporting side appears")


def test_an_open_question_lists_related_statements_without_sides():
    pool, embedder = _pool(DAM)
    result = answer("When will the dam open?", pool, KeywordStance(), embedder)
    assert result.sides == () and result.unclear and "Not a yes/no question" in result.note


def test_a_corpus_where_every_source_agrees_has_consensus_and_no_disagreement(small_corpus):
    brief = memo.build(small_corpus)
    assert brief.disagreements == ()
    assert brief.consensus and all(g.label == "consensus" and g.independent >= 2 for g in brief.consensus)
    top = brief.consensus[0]
    assert len(top.sources) >= 2 and all(c.quote in brief.article(c.article_id).text for c in top.point.citations)
    assert all(cell != "contests" for row in brief.agreement for cell in row.cells)


def test_two_sources_that_flatly_contradict_are_found_as_a_disagreement_with_each_on_its_side(tmp_path):
    corpus = write_corpus(tmp_path / "rates", {
        "a.txt": "The central bank will raise interest rates next week, the finance ministry said on Monday. "
                 "Mortgage lenders expect monthly payments to climb by the summer.\n",
        "b.txt": "The central bank will not raise interest rates next week, its governor said on Monday. "
                 "Shoppers packed the malls on the first warm weekend of the year.\n",
    })
    brief = memo.build(corpus)
    assert len(brief.disagreements) == 1 and not brief.consensus
    found = brief.disagreements[0]
    assert not found.asked and found.question.startswith("Contested: ")
    sides = {side.stance: side for side in found.sides}
    files = {stance: {brief.article(s.citation.article_id).source.rsplit("/", 1)[-1] for s in side.statements}
             for stance, side in sides.items()}
    assert sorted(map(sorted, files.values())) == [["a.txt"], ["b.txt"]]  # one source on each side
    asked = memo.build(corpus, questions=["Will the central bank raise interest rates?"]).disagreements[0]
    supporting = {brief.article(s.citation.article_id).source.rsplit("/", 1)[-1] for s in asked.sides[0].statements}
    contesting = {brief.article(s.citation.article_id).source.rsplit("/", 1)[-1] for s in asked.sides[1].statements}
    assert "a.txt" in supporting and "b.txt" in contesting and not supporting & contesting


def test_a_question_over_a_corpus_with_nothing_to_weigh_says_so():
    brief = memo.build([{"text": "Rain fell. Roads shut.", "outlet": "Tiny Times"}],
                       questions=["Did the rain shut the roads?", "Why did it rain?"])
    asked, open_question = brief.disagreements
    assert [side.statements for side in asked.sides] == [(), ()]
    assert asked.note == open_question.note == "The sources say nothing closely related to this."
    assert open_question.sides == ()


def test_who_said_what_shows_a_side_only_where_the_stance_model_called_one(tmp_path):
    corpus = write_corpus(tmp_path / "dam", {
        "a.txt": "The new dam is safe and will open in May, Transport Minister Ana Ruiz said on Monday. "
                 "“Every test has been passed,” Ruiz told reporters.\n",
        "b.txt": "“The dam is not safe to open,” said Tom Baker, an engineer who inspected it. Baker said "
                 "cracks had appeared in the wall. Local farmer Jill Moss said the harvest had been good this year.\n",
    })
    brief = memo.build(corpus, questions=["Is the new dam safe?"])
    placed = {}  # a speaker's first side, the asked questions coming first
    for d in brief.disagreements:
        for side in d.sides:
            for s in side.statements:
                placed.setdefault((s.citation.article_id, s.speaker.lower()), side.position)
    assert brief.who_said_what
    for row in brief.who_said_what:
        key = (row.statement.citation.article_id, row.speaker.lower())
        if key in placed:
            assert row.position == placed[key]
        else:
            assert row.position == ""  # no side called: none is shown


def test_a_voice_takes_one_side_and_a_speaker_on_both_is_mixed():
    from memo._disagreement import one_side_per_voice
    from memo._model import Citation, Statement

    def said(speaker, stance, confidence, kind="quote", n=[0]):
        n[0] += 1
        return Statement(Citation("a", n[0] * 10, n[0] * 10 + 5, f"sentence {n[0]}"), speaker, "", kind, stance,
                         confidence)

    statements = [said("Ann Lee", SUPPORTS, 0.9), said("Ann Lee", SUPPORTS, 0.85), said("ann lee", CONTESTS, 0.8),
                  said("Bo Chen", SUPPORTS, 0.9), said("Bo Chen", CONTESTS, 0.85), said("Bo Chen", UNCLEAR, 0.3),
                  said("Cy Park", CONTESTS, 0.95),
                  said("The Daily", SUPPORTS, 0.9, "narration"), said("The Daily", CONTESTS, 0.9, "narration")]
    out, mixed = one_side_per_voice(statements)
    assert [s.stance for s in out] == [SUPPORTS, SUPPORTS, UNCLEAR,  # two to one: Ann keeps her side
                                       UNCLEAR, UNCLEAR, UNCLEAR,  # Bo is on both: mixed
                                       CONTESTS,
                                       SUPPORTS, CONTESTS]  # an outlet's narration is not one voice
    assert mixed == ["Bo Chen"]
    assert [s.citation for s in out] == [s.citation for s in statements]


@pytest.mark.parametrize("speaker, named", [
    ("Vladimir Putin", True), ("the Kremlin", True), ("RFE/RL", True), ("Anna Weiss", True),
    ("experts", False), ("officials", False), ("Chinese customs figures", False), ("the finance ministry", False),
    ("", False)])
def test_collectives_are_not_named_speakers(speaker, named):
    from memo._attribution import is_named

    assert is_named(speaker) == named


def test_a_question_asked_gets_a_short_answer_naming_each_voice_with_its_note(tmp_path):
    corpus = write_corpus(tmp_path / "dam", {
        "a.txt": "“The new dam is safe and ready to open,” Anna Weiss, the chief engineer, said on Monday. "
                 "Officials in the valley welcomed the opening date.\n",
        "b.txt": "“The new dam is not safe, and its walls are cracking,” Tom Berg, a geologist, said on Monday. "
                 "Residents downstream asked for more inspections.\n",
        "c.txt": "“The dam is maybe fine, we will see,” Lena Park, a local farmer, said on Monday. "
                 "The river rose after heavy rain.\n"})
    brief = memo.build(corpus, embedder="hashing", stance=KeywordStance(), questions=["Is the new dam safe?"])
    markdown = brief.to_markdown()
    answer = next(line for line in markdown.splitlines() if line.startswith("**In short:**"))
    assert "The sources divide" in answer
    yes, no = answer.split("on the no side")
    assert "Anna Weiss[^" in yes and "Tom Berg[^" in no and "Anna Weiss" not in no
    # one-sided and empty questions say so instead of inventing a division
    import dataclasses

    from memo._render.common import answer_runs

    one_sided = brief.disagreements[0]
    only_yes = dataclasses.replace(one_sided, sides=(one_sided.sides[0], dataclasses.replace(one_sided.sides[1],
                                                                                           statements=())))
    text = "".join(t for t, _ in answer_runs(only_yes))
    assert text.startswith("Only the yes side is stated, by ") and "says no" in text
    nothing = dataclasses.replace(only_yes, sides=tuple(dataclasses.replace(s, statements=()) for s in only_yes.sides),
                                  unclear=())
    assert "".join(t for t, _ in answer_runs(nothing)).startswith("The sources do not settle this")
    assert answer_runs(dataclasses.replace(nothing, asked=False)) == []


def test_an_outlets_own_reporting_is_not_a_voice_on_a_side():
    texts = {
        "a": ("Valley Post", "The new dam on the river is safe, engineers found in a review last year. "
                             "“The new dam on the river is safe and it will open in May,” said Lena Park, the minister."),
        "b": ("River Times", "The new dam on the river is not safe in a flood, the report shows. "
                             "The new dam on the river was never safe, residents of the valley believe."),
        "c": ("Hill Gazette", "The new dam on the river is safe, the outlet's own reporting says nothing else. "
                              "The new dam on the river is not safe for the valley."),
    }
    pool, embedder = _pool(texts)
    result = answer("Is the new dam safe?", pool, KeywordStance(), embedder)
    placed = [s for side in result.sides for s in side.statements]
    assert placed and all(s.kind != "narration" for s in placed)
    narrated = [s for s in pool.statements if s.kind == "narration" and "dam" in s.citation.quote]
    assert narrated  # the narration was there to weigh, and is named in the note instead
    assert "not listed: an outlet's facts and framing are not a voice" in result.note


class RecordingStance(KeywordStance):
    """KeywordStance that remembers every statement it was asked to weigh."""

    def __init__(self):
        self.weighed = []

    def stance(self, claim, statements):
        self.weighed += list(statements)
        return super().stance(claim, statements)


CHARGES = {
    "a": ("County Star", "The sheriff's deputy who shot an unarmed driver in March will not be charged, the "
                         "district attorney announced on Friday. “If there was ever a case where charges were "
                         "warranted, it was this one,” said Maria Lopez, a lawyer for the driver's family. "
                         "The county fair opens next week with a new rodeo."),
    "b": ("Valley Herald", "“The deputy acted within the law and the evidence shows it,” said Tom Reyes, the "
                           "district attorney. Mr. Reyes said the review took four months."),
}


def test_an_opinion_that_does_not_repeat_the_questions_words_is_still_weighed():
    pool, embedder = _pool(CHARGES)
    backend = RecordingStance()
    answer("Should the deputy face criminal charges for the shooting?", pool, backend, embedder)
    assert any("If there was ever a case where charges were warranted" in text for text in backend.weighed)
    assert any("The deputy acted within the law" in text for text in backend.weighed)
    # the outlets' narration far from the question is not weighed at all
    assert not any("county fair" in text for text in backend.weighed)


def test_the_bound_on_statements_weighed_is_said_in_the_note(monkeypatch):
    from memo import _disagreement as disagreement

    monkeypatch.setattr(disagreement, "MAX_VOICES", 1)
    pool, embedder = _pool(CHARGES)
    backend = RecordingStance()
    result = answer("Should the deputy face criminal charges for the shooting?", pool, backend, embedder)
    said = {s.citation.quote for s in pool.statements if s.kind != "narration"}
    assert len([text for text in backend.weighed if text in said]) == 1
    left_out = re.search(r"(\d+) further attributed statements, the least related to the question, were not "
                         r"weighed \(at most 1 are\)", result.note)
    assert left_out and 1 <= int(left_out.group(1)) <= len(said) - 1


def test_a_voice_on_a_side_is_not_also_listed_as_unclear():
    texts = {"a": ("Valley Post", "“The new dam on the river is safe,” said Lena Park, the minister. "
                                  "“It may maybe open in May,” Park said.")}
    pool, embedder = _pool(texts)
    result = answer("Is the new dam safe?", pool, KeywordStance(), embedder)
    assert result.sides[0].speakers == ("Lena Park",)
    assert all(s.speaker != "Lena Park" for s in result.unclear)


def test_a_statement_about_the_subject_but_not_what_is_asked_of_it_is_not_weighed():
    texts = {"a": ("Harbour Daily", "“The port authority of the harbour has a new chairman from the harbour council,” "
                                    "said Ann Lee, a local historian. “The port authority cannot be trusted to run "
                                    "the harbour safely after last year's spill,” said Bo Chen, an engineer.")}
    pool, embedder = _pool(texts)
    backend = RecordingStance()
    answer("Is the port authority trustworthy?", pool, backend, embedder)
    assert any("cannot be trusted" in text for text in backend.weighed)
    assert not any("new chairman" in text for text in backend.weighed)


def test_a_voice_reporting_what_someone_else_said_does_not_take_that_side():
    from memo._disagreement import _own_words
    from memo._model import Citation, Statement

    def said(text: str, speaker: str, stance: str) -> Statement:
        return Statement(Citation("a", 0, len(text), text), speaker, "", "quote", stance, 0.9)

    relayed = said("“While the mayor urged calm, Governor Ruiz praised the plan for its ambition,” Lena Ford said.",
                   "Lena Ford", SUPPORTS)
    own = said("“The plan is the best this city has seen in decades,” Lena Ford said.", "Lena Ford", SUPPORTS)
    self_named = said("“The plan will fail,” Ford warned, “and the city will pay for it.”", "Lena Ford", CONTESTS)
    out, changed = _own_words([relayed, own, self_named])
    assert [s.stance for s in out] == [UNCLEAR, SUPPORTS, CONTESTS] and changed == 1


def test_a_speaker_placed_on_a_side_gets_no_second_row_without_one_from_another_outlet():
    import numpy as np

    from memo._disagreement import who_said_what
    from memo._grouping import Pool
    from memo._model import Citation, Disagreement, Side, Statement

    def said(article, speaker, n):
        return Statement(Citation(article, n * 10, n * 10 + 5, f"sentence {n}"), speaker, "", "quote")

    placed, elsewhere, other = said("a", "Ana Ruiz", 1), said("b", "Ana Ruiz", 2), said("b", "Tom Baker", 3)
    pool = Pool([placed, elsewhere, other], np.eye(3, dtype=np.float32))
    question = Disagreement("Is the dam safe?", "The dam is safe.", True,
                            (Side(SUPPORTS, "Yes: the dam is safe.", (placed,)), Side(CONTESTS, "No", ())))
    rows = who_said_what(pool, [question], {"a": "The Courier", "b": "The Post"}, np.ones(3, dtype=np.float32))
    assert [(r.speaker, r.outlet, r.position) for r in rows] == [
        ("Ana Ruiz", "The Courier", "Yes: the dam is safe."), ("Tom Baker", "The Post", "")]


UNDECIDED = {
    name: (f"Outlet {name}", f"“The new dam on the river may maybe be safe to open,” said {speaker}, {role}.")
    for name, speaker, role in (("a", "Lena Park", "the minister"), ("b", "Ruth Okafor", "an engineer"),
                                ("c", "Tom Reyes", "a farmer"), ("d", "Maria Lopez", "a lawyer"),
                                ("e", "Ahmed Haddad", "a geologist"), ("f", "Grace Chen", "a mayor"),
                                ("g", "David Nowak", "a hydrologist"))}


def test_every_voice_the_model_could_not_place_is_listed_as_unclear(monkeypatch):
    from memo import _disagreement as disagreement

    pool, embedder = _pool(UNDECIDED)
    result = answer("Is the new dam safe?", pool, KeywordStance(), embedder)
    assert not any(side.statements for side in result.sides)
    assert {s.speaker for s in result.unclear} == {speaker for speaker in (
        "Lena Park", "Ruth Okafor", "Tom Reyes", "Maria Lopez", "Ahmed Haddad", "Grace Chen", "David Nowak")}
    monkeypatch.setattr(disagreement, "MAX_UNCLEAR_VOICES", 3)
    bounded = answer("Is the new dam safe?", pool, KeywordStance(), embedder)
    assert len(bounded.unclear) == 3 and "4 further unclear statements, the least likely to take a side, are not " \
                                          "listed." in bounded.note
