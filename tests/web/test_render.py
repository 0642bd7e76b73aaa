"""The page's HTML pieces: colour scale, sentence marks, gauge, legend, false-positive and disguise sentences,
downloadable report."""

from aidetector.web.render import (
    colour,
    disguises_sentence,
    fpr_sentence,
    gauge,
    highlight,
    language_names,
    languages_sentence,
    legend,
    report_html,
    text_colour,
)


def test_colour_scale_runs_from_dark_blue_to_yellow():
    assert colour(0.0) == "#00224e" and colour(1.0) == "#fee838"
    assert text_colour(0.1) == "#ffffff" and text_colour(0.9) == "#000000"


def test_only_sentences_at_or_above_the_threshold_are_marked_with_their_number():
    text = "A <b>bold</b> claim. Second one."
    sentences = [{"start": 0, "end": 20, "probability_ai": 0.9}, {"start": 21, "end": 32, "probability_ai": 0.1}]
    html = highlight(text, sentences, threshold=0.78)
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert html.count('class="sent"') == 1 and "[0.90]" in html and 'tabindex="0"' in html  # readable without hover
    assert 'class="plain"' in html and "Second one." in html


def test_gauge_and_legend_mark_the_threshold_in_text_too():
    g = gauge(0.85, 0.78)
    assert 'role="meter"' in g and 'aria-valuenow="85"' in g and "threshold 78%" in g
    assert "greyed" in gauge(0.85, 0.78, greyed=True) and "not used" in gauge(0.85, 0.78, greyed=True)
    assert "threshold 0.78" in legend(0.78) and "not marked" in legend(0.78)


def test_false_positive_sentence_names_the_sets():
    result = {
        "threshold": 0.78,
        "false_positive_rates": [
            {"measured_on": "ood_dev", "human_texts": 7999, "false_positive_rate": 0.0299, "interval95": [0.026, 0.034]}
        ],
    }
    assert "3.0% of the 7,999 human texts of `ood_dev`, 95% interval 2.6%–3.4%" in fpr_sentence(result)
    assert "not measured" in fpr_sentence({"threshold": 0.5})


def test_the_disguise_sentence_says_what_was_read_past_and_why_it_may_be_there():
    said = disguises_sentence({"disguises": {"invisible_characters": 1, "lookalike_letters": 1204}})
    assert "1 invisible character (zero-width" in said and "1,204 letters from other scripts" in said
    assert "web page or a PDF" in said  # not an accusation: copied text can carry them
    assert disguises_sentence({"disguises": {"invisible_characters": 3}}).startswith("The text holds 3 invisible")
    assert disguises_sentence({}) == ""


def test_report_is_one_self_contained_file():
    text = "First part here. Second part there."
    result = {
        "label": "mixed",
        "probability_ai": 0.6,
        "threshold": 0.78,
        "model_version": "v1",
        "tokens_used": 9,
        "tokens_total": 9,
        "class_probabilities": {"ai": 0.1, "human": 0.05, "mixed": 0.85},
        "segments": [
            {"start": 0, "end": 16, "label": "ai", "probability_ai": 0.95, "words": 3},
            {"start": 17, "end": 35, "label": "human", "probability_ai": 0.1, "words": 3},
        ],
        "sentences": [{"start": 0, "end": 16, "probability_ai": 0.95}, {"start": 17, "end": 35, "probability_ai": 0.1}],
    }
    page = report_html("essay.txt", text, result, "2026-12-03T10:00:00+00:00")
    assert page.startswith("<!doctype html>") and "<script" not in page and "http" not in page
    assert "Mixed" in page and "segment-ai" in page and "v1" in page and "2026-12-03" in page
    assert "not measured" in page  # no false-positive figure: said so, not left out
    assert "invisible" not in page
    shown = report_html("essay.txt", text, {**result, "disguises": {"invisible_characters": 2}}, "2026-12-03")
    assert "2 invisible characters" in shown


def test_the_languages_sentence_names_what_is_judged_and_what_is_not_yet():
    assert language_names(["en"]) == "English" and language_names(["en", "zh", "xx"]) == "English, Chinese and xx"
    report = {"supported": ["en"], "measured": [{"code": "zh", "supported": False}, {"code": "es", "supported": False}]}
    said = languages_sentence(report)
    assert said.startswith("This model judges texts in **English**") and "*Inconclusive*" in said
    assert "not reliable enough yet to judge: Chinese and Spanish" in said
    assert "not reliable" not in languages_sentence({"supported": ["en", "de"], "measured": []})
