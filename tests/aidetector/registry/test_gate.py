"""The promotion gate on its own: floors, tolerances against latest, like-with-like data, and its messages."""

from __future__ import annotations

import pytest

from aidetector.registry.gate import Evaluation, decide
from aidetector.registry.settings import RegistrySettings

SETTINGS = RegistrySettings(uri="unused", auroc_tolerance=0.005, fpr_tolerance=0.005, min_auroc=0.8, max_fpr=0.1)


def figures(auroc: float = 0.9, fpr: float = 0.02, data: str = "d1") -> Evaluation:
    return Evaluation(data_sha256=data, n=400, auroc=auroc, fpr_at_threshold=fpr, tpr_at_threshold=0.8)


def test_a_first_model_needs_only_to_clear_the_floors():
    accepted = decide(figures(), None, SETTINGS)
    assert accepted.accepted and accepted.message == "AUROC 0.9000, FPR 0.0200 (no latest yet)"
    refused = decide(figures(auroc=0.7, fpr=0.2), None, SETTINGS)
    assert not refused.accepted and refused.reasons == [
        "AUROC 0.7000 is below the floor 0.8000",
        "false-positive rate 0.2000 is above the ceiling 0.1000",
    ]


def test_a_candidate_may_be_worse_than_latest_only_within_the_tolerances():
    latest = figures(auroc=0.9, fpr=0.02)
    within = decide(figures(auroc=0.8951, fpr=0.0249), latest, SETTINGS)
    assert within.accepted and "latest AUROC 0.9000 / FPR 0.0200" in within.message
    worse = decide(figures(auroc=0.894, fpr=0.026), latest, SETTINGS)
    assert not worse.accepted and len(worse.reasons) == 2
    assert "worse than latest's 0.9000 by more than 0.0050" in worse.reasons[0]
    assert "worse than latest's 0.0200 by more than 0.0050" in worse.reasons[1]
    assert decide(figures(auroc=0.95, fpr=0.01), latest, SETTINGS).accepted  # better is always fine


def test_figures_on_different_data_are_not_compared():
    decision = decide(figures(auroc=0.99, data="new"), figures(data="old"), SETTINGS)
    assert not decision.accepted and decision.reasons == [
        "the candidate and latest were evaluated on different data: evaluate both on the same file"
    ]


def test_an_unevaluated_candidate_is_refused():
    decision = decide(None, figures(), SETTINGS)
    assert not decision.accepted and "no evaluation" in decision.message


def test_evaluations_round_trip_and_incomplete_blocks_read_as_none():
    evaluation = figures()
    assert Evaluation.from_dict(evaluation.to_dict()) == evaluation
    assert Evaluation.from_metrics({"evaluation": evaluation.to_dict()}) == evaluation
    assert Evaluation.from_metrics({}) is None
    assert Evaluation.from_dict({"auroc": 0.9}) is None  # no data_sha256, no n
    assert Evaluation.from_dict({**evaluation.to_dict(), "auroc": "not a number"}) is None
    assert Evaluation.from_dict(["not", "a", "dict"]) is None


def test_from_report_reads_an_evaluate_report():
    report = {"n": "40", "auroc": 0.91, "fpr_at_threshold": 0.05, "tpr_at_threshold": 0.7, "by": {}}
    evaluation = Evaluation.from_report(report, "abc")
    assert evaluation == Evaluation("abc", 40, 0.91, 0.05, 0.7)
    with pytest.raises(KeyError):
        Evaluation.from_report({"n": 1}, "abc")
