"""The promotion gate: a candidate is refused if it is worse than `latest` on the same evaluation data.

The gate compares like with like: both models' figures must come from the same evaluation file (same sha256),
otherwise the comparison means nothing and the gate says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aidetector.registry.settings import RegistrySettings


@dataclass(frozen=True)
class Evaluation:
    """The figures the gate reads, from `metrics.json["evaluation"]` of a version."""

    data_sha256: str
    n: int
    auroc: float
    fpr_at_threshold: float
    tpr_at_threshold: float

    @classmethod
    def from_report(cls, report: dict[str, Any], data_sha256: str) -> Evaluation:
        return cls(
            data_sha256=data_sha256,
            n=int(report["n"]),
            auroc=float(report["auroc"]),
            fpr_at_threshold=float(report["fpr_at_threshold"]),
            tpr_at_threshold=float(report["tpr_at_threshold"]),
        )

    @classmethod
    def from_dict(cls, block: Any) -> Evaluation | None:
        """From `to_dict`'s shape (as stored in metrics.json or evaluation.json); None if absent or incomplete."""
        if not isinstance(block, dict):
            return None
        try:
            return cls.from_report(block, str(block["data_sha256"]))
        except (KeyError, TypeError, ValueError):
            return None

    @classmethod
    def from_metrics(cls, metrics: dict[str, Any]) -> Evaluation | None:
        return cls.from_dict(metrics.get("evaluation"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "data_sha256": self.data_sha256,
            "n": self.n,
            "auroc": self.auroc,
            "fpr_at_threshold": self.fpr_at_threshold,
            "tpr_at_threshold": self.tpr_at_threshold,
        }


@dataclass(frozen=True)
class GateDecision:
    accepted: bool
    reasons: list[str]

    @property
    def message(self) -> str:
        return "; ".join(self.reasons)


def decide(candidate: Evaluation | None, current: Evaluation | None, settings: RegistrySettings) -> GateDecision:
    """Accept when the candidate clears the floors and is not worse than `current` beyond the tolerances."""
    if candidate is None:
        return GateDecision(False, ["the candidate has no evaluation: evaluate it before promoting"])
    refused: list[str] = []
    if candidate.auroc < settings.min_auroc:
        refused.append(f"AUROC {candidate.auroc:.4f} is below the floor {settings.min_auroc:.4f}")
    if candidate.fpr_at_threshold > settings.max_fpr:
        refused.append(
            f"false-positive rate {candidate.fpr_at_threshold:.4f} is above the ceiling {settings.max_fpr:.4f}"
        )
    if current is not None:
        if current.data_sha256 != candidate.data_sha256:
            refused.append("the candidate and latest were evaluated on different data: evaluate both on the same file")
        else:
            if candidate.auroc < current.auroc - settings.auroc_tolerance:
                refused.append(
                    f"AUROC {candidate.auroc:.4f} is worse than latest's {current.auroc:.4f} "
                    f"by more than {settings.auroc_tolerance:.4f}"
                )
            if candidate.fpr_at_threshold > current.fpr_at_threshold + settings.fpr_tolerance:
                refused.append(
                    f"false-positive rate {candidate.fpr_at_threshold:.4f} is worse than latest's "
                    f"{current.fpr_at_threshold:.4f} by more than {settings.fpr_tolerance:.4f}"
                )
    if refused:
        return GateDecision(False, refused)
    against = f"latest AUROC {current.auroc:.4f} / FPR {current.fpr_at_threshold:.4f}" if current else "no latest yet"
    return GateDecision(True, [f"AUROC {candidate.auroc:.4f}, FPR {candidate.fpr_at_threshold:.4f} ({against})"])
