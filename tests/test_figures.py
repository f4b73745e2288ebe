"""memo._figures: the figures a sentence gives, and when two sentences of one point differ."""

import pytest

from memo._figures import differences, figures


def _read(text: str) -> list[tuple[str, str]]:
    return [(f.measure, text[f.start:f.end]) for f in figures(text)]


def test_each_figure_keeps_its_measure_and_its_verbatim_words():
    text = "Since March 7 the outbreak has sickened 153 people and caused four deaths, costing $1.2 million."
    assert _read(text) == [("date", "March 7"), ("month", "March"), ("person", "153 people"),
                           ("death", "four deaths"), ("$", "$1.2 million")]
    assert _read("Turnout rose 4.5 per cent on Tuesday.") == [("percent", "4.5 per cent"),
                                                              ("day of the week", "Tuesday")]


@pytest.mark.parametrize("text", [
    "One of the men said he may go.",  # a part of a whole, a modal verb
    "Two of them left in 2019.",  # a year dates a figure
    "The 17-year-old boy and his 15-year-old sister were found.",  # ages: whose, takes a parse
    "The meeting ran from 9:30 p.m. until late.",
])
def test_what_is_not_a_figure_is_not_read_as_one(text):
    assert figures(text) == []


@pytest.mark.parametrize("left, right, measure", [
    ("The fire killed two people, officials said.", "Officials said four people died in the fire.", "person"),
    ("The quake was felt on Friday night.", "The quake was felt on Saturday night.", "day of the week"),
    ("He vanished on April 14 after the prom.", "He vanished on April 15 after the prom.", "date"),
    ("Each person throws away 7 kg a year.", "Each person throws away 20 kg a year.", "kg"),
])
def test_different_figures_of_one_measure_differ(left, right, measure):
    assert [d.measure for d in differences(left, right)] == [measure]


@pytest.mark.parametrize("left, right", [
    ("153 people were sickened.", "150 people were sickened."),  # a rounder figure holds the exact one
    ("Turnout was 29.3% this year.", "Turnout was 30% this year."),
    ("Each throws away 2.3 to 2.7 kg a year.", "Each throws away 2.5 kg a year."),  # within the range
    ("About 30 kg of waste per person.", "35 kg of waste per person."),  # an approximate figure
    ("The outbreak caused 56 cases.", "The outbreak sickened 153 people."),  # two measures: not compared
    ("He served for 27 years.", "The abuse happened 10 years ago."),  # a length of time and a date
    ("Sales rose on Monday, after a weak Friday.", "Sales rose Monday."),  # one figure agrees
])
def test_figures_that_can_both_be_true_do_not_differ(left, right):
    assert differences(left, right) == []
