"""The model card renders what the reports say: the summary table, breakdowns, and human-only stress sets apart."""

from aidetector.model.card import human_writing_section, is_human_only, languages_section, render
from aidetector.model.data import Record
from aidetector.model.evaluate import report, verdict_rates


def human_report():
    records = [Record(f"text {i}", 0, f"g{i}", {"domain": "essay" if i < 6 else "news"}) for i in range(10)]
    probs = [0.9, 0.1, 0.2, 0.3, 0.1, 0.2, 0.95, 0.1, 0.1, 0.1]
    verdicts = [{"label": "ai" if p > 0.8 else "human", "reason": None, "novelty": 1.5 if i < 3 else 0.2}
                for i, p in enumerate(probs)]  # fmt: skip
    return report(records, probs, 0.8, by=["domain"], verdicts=verdicts)


def test_a_human_only_report_gets_its_own_section_with_rates_per_kind():
    r = human_report()
    assert is_human_only(r)
    text = human_writing_section("human_stress_report", r)
    assert "| **all** | 10 | 20.0% |" in text  # 2 of 10 at or above the threshold
    assert "| essay | 6 | 16.7% | 16.7% | 0.0% | 50.0% |" in text  # labels and unfamiliar shares per kind
    card = render({"version": "v1", "calibration": {"threshold": 0.8}}, {"human_stress_report": r})
    assert "Human writing of kinds absent from training: human_stress_report" in card
    assert "| human_stress_report |" not in card.split("### Human writing")[0]  # not in the summary table


def test_verdict_rates_count_labels_reasons_and_unfamiliar_texts():
    rates = verdict_rates(
        [
            {"label": "ai", "reason": None, "novelty": 0.5},
            {"label": "inconclusive", "reason": "unfamiliar_text", "novelty": 2.0},
            {"label": "inconclusive", "reason": "near_threshold", "novelty": 0.1},
            {"label": "human", "reason": None, "novelty": None},
        ]
    )
    assert rates["label_shares"] == {"ai": 0.25, "human": 0.25, "inconclusive": 0.5}
    assert rates["inconclusive_reasons"] == {"near_threshold": 0.25, "unfamiliar_text": 0.25}
    assert rates["unfamiliar_share"] == 1 / 3


def test_the_model_card_has_a_mixed_section_only_when_given_a_report():
    report = {
        "data": "../shared/data/test.jsonl",
        "settings": {"segment_min_words": 60, "mixed_threshold": 0.5},
        "mixed_documents": {
            "documents": 300,
            "accuracy": 0.81,
            "by_class": {c: {"documents": 100, "recall": r} for c, r in (("ai", 0.9), ("human", 0.95), ("mixed", 0.6))},
            "boundary_within_0_chars": {"precision": 0.7, "recall": 0.5, "f1": 0.58},
            "boundary_within_200_chars": {"precision": 0.8, "recall": 0.6, "f1": 0.69},
        },
        "single_texts": {
            "human": {
                "texts": 430,
                "labelled_ai_without_segments": 0.09,
                "labelled_ai_with_segments": 0.08,
                "labelled_mixed": 0.01,
            }
        },
    }
    manifest = {"version": "v1", "calibration": {"threshold": 0.7}}
    card = render(manifest, {}, mixed=report)
    assert "## Mixed authorship" in card and "| 300 | 0.810 | 60.0% | 90.0% | 95.0% | 0.580 | 0.690 |" in card
    assert "9.0% labelled ai without segmentation, 8.0% with it" in card and "test.jsonl" in card
    assert "Mixed authorship" not in render(manifest, {})


def test_the_languages_section_is_a_table_of_every_measured_language():
    assert "English only" in languages_section({})
    test = {"auroc": 0.981, "fpr": 0.019, "fpr_upper95": 0.04, "tpr": 0.9, "n_human": 310, "n_ai": 300}
    manifest = {
        "multilingual": {
            "supported": [],
            "support_rule": "AUROC >= 0.9 and FPR <= 5%",
            "languages": {"zh": {"supported": False, "reason": "domain paper: FPR 43%", "test": test}},
        }
    }
    section = languages_section(manifest)
    assert "| zh | no | 0.981 |" in section and "domain paper: FPR 43%" in section and "310 / 300" in section
    assert "Supported besides English: **none**" in section


def test_the_card_names_the_members_extra_training_files():
    from aidetector.model.card import _member_data_text

    manifest = {"training_data": {"train.jsonl": "a"}, "ensemble": {"data": {"train.jsonl": "a", "bbc.jsonl": "b"}}}
    said = _member_data_text(manifest)
    assert "`bbc.jsonl`" in said and "train.jsonl" not in said and "data/train_pool/README.md" in said
    assert _member_data_text({"training_data": {"train.jsonl": "a"}}) == ""


def test_the_card_gives_each_pool_files_counts_license_and_origin_from_its_records_and_says_when_unrecorded():
    from aidetector.model.card import render

    facts = {"human": 1501, "ai": 2378, "domains": ["yelp_review"], "licenses": ["CC-BY-SA-4.0"],
             "urls": ["https://github.com/MarkGHX/BiScope"]}  # fmt: skip
    manifest = {
        "training_data": {"train.jsonl": "a"},
        "ensemble": {
            "data": {"train.jsonl": "a", "biscope.jsonl": "b", "new_corpus.jsonl": "c"},
            "provenance": {"biscope.jsonl": facts},
        },
    }
    card = render(manifest, {})
    row = "| `biscope.jsonl` | 1,501 / 2,378 | yelp_review | CC-BY-SA-4.0 | <https://github.com/MarkGHX/BiScope> |"
    assert row in card
    assert "| `new_corpus.jsonl` | – | – | not recorded | – |" in card
    assert "MixSet and the pool files without a stated license are research data" in card
    assert "ArguGPT and MixSet are research data" in render({"training_data": {"train.jsonl": "a"}}, {})


def test_the_training_line_gives_steps_only_when_the_manifest_has_them():
    trained = render({"version": "v1", "calibration": {"threshold": 0.8}, "steps": 1200, "git_commit": "abc"}, {})
    souped = render({"version": "v1", "calibration": {"threshold": 0.8}, "git_commit": "abc"}, {})
    assert "1200 steps; git commit `abc`" in trained
    assert "None steps" not in souped and "texts; git commit `abc`" in souped


def test_the_learner_limitation_names_the_report_that_measured_learner_essays():
    manifest = {"version": "v1", "calibration": {"threshold": 0.8}}
    records = [Record(f"text {i}", 0, f"g{i}", {"domain": "learner_essay" if i < 6 else "news"}) for i in range(10)]
    learners = report(records, [0.1] * 10, 0.8, by=["domain"])
    assert "learner essays of other sources are measured in hs (learner_essay)" in render(manifest, {"hs": learners})
    assert "but no held-out learner set was measured" in render(manifest, {"hs": human_report()})  # no learners
