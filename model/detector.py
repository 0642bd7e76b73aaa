"""The Detector: texts in, calibrated verdicts out (document score, confidence band, optional sentence scores).

Everything that turns a model into answers lives here, so the CLI, the evaluation and the model server give the
same answer for the same text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import precision
from .artifact import LoadedArtifact, load_artifact
from .blend import LEXICAL_MEMBERS, blend, member_log_odds
from .calibration import Platt, verdict
from .canonical import drop_invisible, plain_typography, undone_disguises
from .config import DetectSettings
from .forward import document_log_odds, hidden_size, max_positions, special_token_count, token_ids
from .language import LanguageGuess, identify, is_unsupported
from .measured import false_positive_rates
from .multilingual import SECTION as MULTILINGUAL_SECTION
from .multilingual import MultilingualMember
from .ngram import NgramModel
from .novelty import CONFIG as NOVELTY_CONFIG
from .novelty import NoveltyModel
from .segments import Segment, SegmentRules, apply_mixture, mixtures
from .sentences import split_sentences
from .style import StyleModel
from .windows import scoring_plan, tokens_covered

# Chinese and Japanese characters: written without spaces, so `min_words` counts them (DetectSettings).
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Probabilities and thresholds in answers: six decimals, so a threshold in GET /v1/languages equals the one in
# every detect answer and a client compares like with like.
ANSWER_DECIMALS = 6


def word_count(text: str, cjk_chars_per_word: float) -> float:
    """Words separated by spaces, with runs of Chinese or Japanese characters counted in words of
    `cjk_chars_per_word` characters; the plain word count for text without them."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return len(_CJK.sub(" ", text).split()) + cjk / cjk_chars_per_word


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
    # why the label is inconclusive: too_short | unsupported_language | near_threshold | unfamiliar_text
    reason: str | None = None
    language: str | None = None
    # distance from the training texts in units of the 99th percentile of held-out ones (above 1: unfamiliar)
    novelty: float | None = None
    sentences: list[SentenceScore] | None = field(default=None)
    # Mixed authorship (model/segments.py): label "mixed" when a document's parts disagree
    class_probabilities: dict[str, float] | None = None
    segments: list[Segment] | None = None
    # Share of human texts called AI at this threshold, per set the model was evaluated on (model/measured.py)
    false_positive_rates: list[dict[str, Any]] | None = None
    # Characters read as plain text before scoring, by kind, when the text has any (model/canonical.py)
    disguises: dict[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("sentences", "novelty", "class_probabilities", "segments", "false_positive_rates", "disguises"):
            if data[name] is None:
                data.pop(name)
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
        self.novelty = NoveltyModel.load(artifact.path) if (artifact.path / NOVELTY_CONFIG).is_file() else None
        self.false_positive_rates = false_positive_rates(artifact.path, manifest, self.threshold)
        # Other languages: the multilingual member and its per-language calibration (model/multilingual.py).
        section = manifest.get(MULTILINGUAL_SECTION) if self.settings.multilingual else None
        self.multilingual = MultilingualMember.load(artifact.path, section) if section else None

    @property
    def supported_languages(self) -> list[str]:
        """Languages given a verdict: the English ensemble's, and those the multilingual member is supported in."""
        return sorted(self.languages | (self.multilingual.supported if self.multilingual else set()))

    def language_report(self) -> dict[str, Any]:
        """Which languages this model judges, and how each measured language fared (GET /v1/languages): the English
        ensemble's languages at the model's threshold, then every language the multilingual member was measured on,
        with its held-out figures and why it is, or is not, supported. Any other language gets `inconclusive`."""
        judged = [
            {
                "code": code,
                "path": "english_ensemble",
                "threshold": round(self.threshold, ANSWER_DECIMALS),
                "false_positive_rates": self.false_positive_rates,
            }
            for code in sorted(self.languages)
        ]
        section = self.artifact.manifest.get(MULTILINGUAL_SECTION) or {}
        measured = []
        for code, entry in sorted((section.get("languages") or {}).items()):
            supported = self.multilingual is not None and code in self.multilingual.supported
            row = {"code": code, "supported": supported, "reason": entry.get("reason", "")}
            row["test"] = entry.get("test")
            if supported:
                test = entry.get("test") or {}
                rates = [
                    {
                        "measured_on": "test",
                        "human_texts": test.get("n_human"),
                        "false_positive_rate": test.get("fpr"),
                        "interval95": None,
                    }
                ]
                judged.append(
                    {
                        "code": code,
                        "path": "multilingual",
                        "threshold": entry.get("threshold"),
                        "false_positive_rates": rates,
                    }
                )
            measured.append(row)
        return {
            "model_version": self.version,
            "supported": [row["code"] for row in judged],
            "judged": judged,
            "measured": measured,
            "support_rule": section.get("support_rule"),
            "other_languages": "inconclusive, with reason unsupported_language",
        }

    def _identify(self, plain: str) -> LanguageGuess | None:
        """The language of a text as the members read it (`plain_typography`): English disguised with Cyrillic
        lookalikes or zero-width characters is English."""
        if len(plain.strip()) < self.settings.language_min_chars:
            return None
        return identify(plain, self.settings.language_sample_chars)

    def _routed(self, guess: LanguageGuess | None) -> str | None:
        """The language whose multilingual calibration judges the text; None for the English ensemble."""
        if self.multilingual is None or guess is None or guess.code in self.languages:
            return None
        supported = self.multilingual.supported
        return guess.code if guess.code in supported and not is_unsupported(guess, supported) else None

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
        if len(text) > self.settings.max_chars:
            raise InputError(
                "text_too_long", f"text has {len(text)} characters; the maximum is {self.settings.max_chars}"
            )
        if not drop_invisible(text).strip():  # nothing the members would read (as the API checks it)
            raise InputError("empty_text", "text is empty or only whitespace and invisible characters")
        return text

    def _prepare(self, ids: list[int]) -> _Prepared:
        windows = self.plan.windows(ids)
        return _Prepared(ids, [w.ids for w in windows], tokens_covered(windows))

    def _tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return token_ids(self.artifact.tokenizer, texts)  # as in training; the other members read plain typography too

    def _document_log_odds(self, prepared: Sequence[_Prepared], embeddings: np.ndarray | None = None) -> list[float]:
        return document_log_odds(
            self.artifact.model,
            self.artifact.tokenizer,
            [p.window_ids for p in prepared],
            self.settings.batch_size,
            self.dtype,
            self.settings.pad_multiple,
            embeddings,
        )

    def transformer_log_odds_and_states(self, texts: Sequence[str]) -> tuple[list[float], np.ndarray]:
        """The transformer's document log-odds and representations (mean [CLS] state), from one forward pass."""
        prepared = [self._prepare(ids) for ids in self._tokenize(texts)]
        states = np.zeros((len(prepared), hidden_size(self.artifact.model)))
        return self._document_log_odds(prepared, states), states

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
        plain = [plain_typography(t) for t in valid]  # as the members read them: once, for language and length
        guesses = [self._identify(t) for t in plain]
        routed = [self._routed(g) for g in guesses]
        prepared = [self._prepare(ids) for ids in self._tokenize(valid)]
        # The English ensemble reads the texts not routed to the multilingual member (all of them when none is).
        english = [i for i, code in enumerate(routed) if code is None]
        sub = [prepared[i] for i in english]
        states = np.zeros((len(sub), hidden_size(self.artifact.model))) if self.novelty and sub else None
        probs: list[float] = [0.0] * len(valid)
        novelty: list[float | None] = [None] * len(valid)
        if sub:
            scored = self.calibrated([valid[i] for i in english], self._document_log_odds(sub, states))
            for i, p in zip(english, scored, strict=True):
                probs[i] = p
            if self.novelty and states is not None:
                for i, far in zip(english, self.novelty.novelty(states), strict=True):
                    novelty[i] = float(far)
        others = [i for i, code in enumerate(routed) if code is not None]
        if self.multilingual and others:
            codes = [str(routed[i]) for i in others]
            for i, p in zip(others, self.multilingual.probabilities([valid[i] for i in others], codes), strict=True):
                probs[i] = p
        sentence_scores = self._sentence_scores(valid, routed) if sentences else [None] * len(valid)
        results = [
            self._detection(text, read, prep, p, sents, far, guess, code)
            for text, read, prep, p, sents, far, guess, code in zip(
                valid, plain, prepared, probs, sentence_scores, novelty, guesses, routed, strict=True
            )
        ]
        if self.settings.segments and english:  # mixed authorship: the English ensemble reads the parts
            found = mixtures(
                [valid[i] for i in english], [probs[i] for i in english], self.probabilities, self.segment_rules()
            )
            for i, mix in zip(english, found, strict=True):
                apply_mixture(results[i], mix)
        return results

    def segment_rules(self) -> SegmentRules:
        s = self.settings
        return SegmentRules(
            threshold=self.threshold,
            inconclusive_margin=s.inconclusive_margin,
            high_margin=s.high_confidence_margin,
            block_min_words=s.segment_min_words,
            block_max_words=s.segment_max_words,
            switch_penalty=s.segment_switch_penalty,
            min_words=s.min_words,
            mixed_threshold=s.mixed_threshold,
        )

    def _detection(
        self,
        text: str,
        plain: str,
        prep: _Prepared,
        probability: float,
        sents: list[SentenceScore] | None,
        novelty: float | None = None,
        guess: LanguageGuess | None = None,
        routed: str | None = None,
    ) -> Detection:
        rules = self.settings
        threshold = self.multilingual.threshold(routed) if self.multilingual and routed else self.threshold
        v = verdict(probability, threshold, rules.inconclusive_margin, rules.high_confidence_margin)
        label, confidence, reason = v.label, v.confidence, ("near_threshold" if v.label == "inconclusive" else None)
        if novelty is not None and novelty > rules.unfamiliar_novelty:
            # Far from the training texts: the calibration was never checked there, so a verdict needs a wider
            # margin, and none is called "high".
            wide = verdict(probability, self.threshold, rules.unfamiliar_margin, math.inf)
            if wide.label == "inconclusive":
                label, confidence, reason = "inconclusive", "low", "unfamiliar_text"
            elif confidence == "high":
                confidence = "medium"
        language = None
        if guess is not None:
            language = guess.code
            if routed is None and is_unsupported(guess, self.languages):
                label, confidence, reason = "inconclusive", "low", "unsupported_language"
        if word_count(plain, rules.cjk_chars_per_word) < self.settings.min_words:  # the words the members read
            label, confidence, reason = "inconclusive", "low", "too_short"
        return Detection(
            predicted_class=v.predicted_class,
            label=label,
            probability_ai=round(probability, ANSWER_DECIMALS),
            confidence=confidence,
            threshold=round(threshold, ANSWER_DECIMALS),
            tokens_total=len(prep.ids),
            tokens_used=prep.tokens_used,
            windows=len(prep.window_ids),
            model_version=self.version,
            reason=reason,
            language=language,
            novelty=None if novelty is None else round(novelty, 3),
            sentences=sents,
            # the rates were measured at the English threshold: a text judged in another language has none yet
            false_positive_rates=(self.false_positive_rates or None) if routed is None else None,
            disguises=undone_disguises(text) or None,
        )

    def _sentence_scores(
        self, texts: Sequence[str], routed: Sequence[str | None] | None = None
    ) -> list[list[SentenceScore]]:
        """Each sentence scored on its own (windowed if long): cost grows linearly with the text's length. A text
        routed to the multilingual member has its sentences scored by it, in its language."""
        spans = [split_sentences(t) for t in texts]
        codes = [code for doc, code in zip(spans, routed or [None] * len(texts), strict=True) for _ in doc]
        flat = [s for doc in spans for s in doc]
        if not flat:
            return [[] for _ in texts]
        english = [i for i, code in enumerate(codes) if code is None]
        probs = [0.0] * len(flat)
        if english:
            sentence_texts = [flat[i].text for i in english]
            prepared = [self._prepare(ids) for ids in self._tokenize(sentence_texts)]
            for i, p in zip(english, self.calibrated(sentence_texts, self._document_log_odds(prepared)), strict=True):
                probs[i] = p
        others = [i for i, code in enumerate(codes) if code is not None]
        if self.multilingual and others:
            scored = self.multilingual.probabilities([flat[i].text for i in others], [str(codes[i]) for i in others])
            for i, p in zip(others, scored, strict=True):
                probs[i] = p
        out: list[list[SentenceScore]] = []
        pos = 0
        for doc in spans:
            out.append(
                [
                    SentenceScore(s.text, s.start, s.end, round(p, ANSWER_DECIMALS))
                    for s, p in zip(doc, probs[pos : pos + len(doc)], strict=True)
                ]
            )
            pos += len(doc)
        return out
