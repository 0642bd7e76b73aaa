"""Model speed on this machine: texts/s for texts of N tokens, scored as the product scores them (windows).

    .venv/bin/python benchmarks/bench_model.py [--model DIR] [--tokens 256] [--batch 16] [--texts 96]

Prints one JSON object. Also times a single forward pass over whole N-token sequences, for reference, and each
member besides the transformer alone (milliseconds a text). The precision
follows `AIDETECTOR_DETECT_PRECISION` (auto: bfloat16 on CPUs with native bfloat16, else float32).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from aidetector.model.config import DetectSettings
from aidetector.model.detector import Detector
from aidetector.model.forward import score_windows
from aidetector.settings import AppSettings

SAMPLE = (Path(__file__).resolve().parents[1] / "docs" / "sample.txt").read_text(encoding="utf-8")


def texts_of(detector: Detector, tokens: int, count: int) -> list[str]:
    """`count` distinct texts of exactly `tokens` tokens, cut from the sample at different offsets."""
    tok = detector.artifact.tokenizer
    ids = tok(SAMPLE * (2 + tokens // 100), add_special_tokens=False)["input_ids"]
    out = []
    for i in range(count):
        start = (i * 7) % max(1, len(ids) - tokens)
        out.append(tok.decode(ids[start : start + tokens]))
    return out


def timed(fn, repeats: int) -> list[float]:
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return runs


def member_ms_per_text(detector: Detector, texts: list[str], repeats: int) -> dict[str, float]:
    """Milliseconds a text for each member besides the transformer, best of `repeats` (the style trees timed with
    the n-gram log-odds they read already computed)."""
    out = {name: min(timed(lambda m=member: m.log_odds(texts), repeats)) for name, member in detector.lexical.items()}
    scores = {name: member.log_odds(texts) for name, member in detector.lexical.items()}
    style = detector.style
    if style is not None:
        stacked = {name: scores[name] for name in style.inputs}
        out["style"] = min(timed(lambda: style.log_odds(texts, stacked=stacked), repeats))
    return {name: round(seconds / len(texts) * 1000, 2) for name, seconds in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(AppSettings().model_dir))
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--texts", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    detector = Detector.from_path(args.model, DetectSettings(batch_size=args.batch))
    texts = texts_of(detector, args.tokens, args.texts)
    detector.probabilities(texts[: args.batch])  # warm-up
    runs = timed(lambda: detector.probabilities(texts), args.repeats)
    tok = detector.artifact.tokenizer
    ids = [tok(t, add_special_tokens=False)["input_ids"][: args.tokens] for t in texts]
    model, dtype = detector.artifact.model, detector.dtype
    full = timed(lambda: score_windows(model, tok, ids, args.batch, dtype), args.repeats)
    best, best_full = min(runs), min(full)
    print(
        json.dumps(
            {
                "model_version": detector.version,
                "threads": torch.get_num_threads(),
                "precision": detector.precision_name,
                "tokens_per_text": args.tokens,
                "batch": args.batch,
                "texts": len(texts),
                "windows_per_text": len(detector._prepare(ids[0]).window_ids),
                "detector_texts_per_s": round(len(texts) / best, 1),
                "detector_texts_per_s_median": round(len(texts) / statistics.median(runs), 1),
                "single_forward_texts_per_s": round(len(texts) / best_full, 1),
                "member_ms_per_text": member_ms_per_text(detector, texts, args.repeats),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
