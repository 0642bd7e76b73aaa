"""The Detector: texts in, calibrated verdicts out (document score, confidence band, optional sentence scores).

Everything that turns a model into answers lives here, so the CLI, the evaluation and the model server give the
same answer for the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import precision
from .artifact import LoadedArtifact, load_artifact
from .blend import LEXICAL_MEMBERS, blend, member_log_odds
from .calibration import Platt, verdict
from .config import DetectSettings
from .forward import document_log_odds, max_positions, special_token_count, token_ids
from .language import identify, is_unsupported
from .ngram import NgramModel
from .sentences import split_sentences
from .style import StyleModel
from .windows import scoring_plan, tokens_covered


class InputError(ValueError):
    """A text the detector refuses; `code` is stable and safe to show to API users."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SentenceScore:
    text: str
    start: int
    end: int
    probability_ai: float


@dataclass
class Detection:
    """One text's answer. `predicted_class`: 1 = AI-generated, 0 = human (the best guess, always set)."""

    predicted_class: int
    label: str  # "ai" | "human" | "inconclusive"
    probability_ai: float
    confidence: str  # "high" | "medium" | "low"
    threshold: float
    tokens_total: int
    tokens_used: int
    windows: int
    model_version: str
    reason: str | None = None  # why the label is inconclusive: too_short | unsupported_language | near_threshold
    language: str | None = None
    sentences: list[SentenceScore] | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.sentences is None:
            data.pop("sentences")
        return data


@dataclass
class _Prepared:
    ids: list[int]
    window_ids: list[list[int]]
    tokens_used: int


class Detector:
    """Scores texts with one loaded artifact; thread-compatible (callers serialise access, e.g. a micro-batcher)."""

    def __init__(self, artifact: LoadedArtifact, settings: DetectSettings | None = None):
        self.artifact = artifact
        self.settings = settings or DetectSettings()
        manifest = artifact.manifest
        calibration = manifest.get("calibration", {})
        self.platt = Platt(**calibration.get("platt", {"a": 1.0, "b": 0.0}))
        self.threshold = float(calibration.get("threshold", 0.5))
        self.window_tokens = self.settings.window_tokens or int(manifest.get("window_tokens", 128))
        self.plan = scoring_plan(
            self.window_tokens, special_token_count(artifact.tokenizer), max_positions(artifact.model), self.settings
        )
        self.languages = self.settings.language_set()
        self.dtype = precision.resolve(self.settings.precision)
        precision.prepare(artifact.model, self.dtype)
        # Optional members: n-gram and style log-odds added with weights before calibration (see model/ensemble.py);
        # the skeleton member only feeds the style trees, as the n-gram member may too (their `inputs`).
        ensemble = manifest.get("ensemble") or {}
        members = ensemble.get("members", [])
        self.lexical = {name: NgramModel.load(artifact.path, name) for name in LEXICAL_MEMBERS if name in members}
        self.ngram_weight = float(ensemble.get("ngram_weight", 0.0))
        self.style = StyleModel.load(artifact.path) if "style" in members else None
        self.style_weight = float(ensemble.get("style_weight", 0.0))

    @classmethod
    def from_path(cls, path: str | Path, settings: DetectSettings | None = None) -> Detector:
        settings = settings or DetectSettings()
        return cls(load_artifact(Path(path), settings.num_threads), settings)

    @property
    def version(self) -> str:
        return self.artifact.version

    @property
    def precision_name(self) -> str:
        """The dtype the transformer runs in, as reports name it ("bfloat16", "float32")."""
        return str(self.dtype).removeprefix("torch.")

    def validate(self, text: object) -> str:
        """Return the text if it can be scored, else raise `InputError` with a stable code."""
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError("invalid_encoding", "text must be valid UTF-8") from exc
        if not isinstance(text, str):
            raise InputError("invalid_type", "text must be a string")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate ("\ud800") passes JSON but no tokenizer takes it
            raise InputError(
                "invalid_encoding", f"text cannot be encoded as UTF-8 (character {exc.start} is a lone surrogate)"
            ) from exc
        if not text.strip():
            raise InputError("empty_text", "text is empty or only whitespace")
        if len(text) > self.settings.max_chars:
            raise InputError(
                "text_too_long", f"text has {len(text)} characters; the maximum is {self.settings.max_chars}"
            )
        return text

    def _prepare(self, ids: list[int]) -> _Prepared:
        windows = self.plan.windows(ids)
        return _Prepared(ids, [w.ids for w in windows], tokens_covered(windows))

    def _tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return token_ids(self.artifact.tokenizer, texts)  # as in training; the other members read plain typography too

    def _document_log_odds(self, prepared: Sequence[_Prepared]) -> list[float]:
        return document_log_odds(
            self.artifact.model,
            self.artifact.tokenizer,
            [p.window_ids for p in prepared],
            self.settings.batch_size,
            self.dtype,
            self.settings.pad_multiple,
        )

    def transformer_log_odds(self, texts: Sequence[str]) -> list[float]:
        """The transformer's document log-odds alone (uncalibrated): what the ensemble is fitted on."""
        return self._document_log_odds([self._prepare(ids) for ids in self._tokenize(texts)])

    def calibrated(self, texts: Sequence[str], transformer_log_odds: Sequence[float]) -> list[float]:
        """P(AI) per text from the transformer's log-odds: the other members blended in, then calibrated."""
        members = member_log_odds(texts, self.lexical, self.style)
        blended = blend(transformer_log_odds, members, self.ngram_weight, self.style_weight)
        return [self.platt.probability(float(z)) for z in blended]

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """Calibrated P(AI) per text, no checks or sentences: the fast path for evaluation."""
        return self.calibrated(texts, self.transformer_log_odds(texts))

    def detect(self, texts: Sequence[object], sentences: bool = False) -> list[Detection]:
        """Validate and score a batch of texts; raises `InputError` for the first text that cannot be scored."""
        valid = [self.validate(t) for t in texts]
        if not valid:
            return []
        prepared = [self._prepare(ids) for ids in self._tokenize(valid)]
        probs = self.calibrated(valid, self._document_log_odds(prepared))
        sentence_scores = self._sentence_scores(valid) if sentences else [None] * len(valid)
        results = []
        for text, prep, p, sents in zip(valid, prepared, probs, sentence_scores, strict=True):
            results.append(self._detection(text, prep, p, sents))
        return results

    def _detection(
        self, text: str, prep: _Prepared, probability: float, sents: list[SentenceScore] | None
    ) -> Detection:
        v = verdict(
            probability, self.threshold, self.settings.inconclusive_margin, self.settings.high_confidence_margin
        )
        label, confidence, reason = v.label, v.confidence, ("near_threshold" if v.label == "inconclusive" else None)
        language = None
        if len(text) >= self.settings.language_min_chars:
            guess = identify(text, self.settings.language_sample_chars)
            language = guess.code
            if is_unsupported(guess, self.languages):
                label, confidence, reason = "inconclusive", "low", "unsupported_language"
        if len(text.split()) < self.settings.min_words:
            label, confidence, reason = "inconclusive", "low", "too_short"
        return Detection(
            predicted_class=v.predicted_class,
            label=label,
            probability_ai=round(probability, 6),
            confidence=confidence,
            threshold=round(self.threshold, 6),
            tokens_total=len(prep.ids),
            tokens_used=prep.tokens_used,
            windows=len(prep.window_ids),
            model_version=self.version,
            reason=reason,
            language=language,
            sentences=sents,
        )

    def _sentence_scores(self, texts: Sequence[str]) -> list[list[SentenceScore]]:
        """Each sentence scored on its own (windowed if long): cost grows linearly with the text's length."""
        spans = [split_sentences(t) for t in texts]
        flat = [s for doc in spans for s in doc]
        if not flat:
            return [[] for _ in texts]
        prepared = [self._prepare(ids) for ids in self._tokenize([s.text for s in flat])]
        sentence_texts = [s.text for s in flat]
        probs = self.calibrated(sentence_texts, self._document_log_odds(prepared))
        out: list[list[SentenceScore]] = []
        pos = 0
        for doc in spans:
            out.append(
                [
                    SentenceScore(s.text, s.start, s.end, round(p, 6))
                    for s, p in zip(doc, probs[pos : pos + len(doc)], strict=True)
                ]
            )
            pos += len(doc)
        return out
