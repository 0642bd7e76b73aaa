"""Speed per language path, as the product answers (`Detector.detect`: language identification, routing, members,
calibration, verdict), with the CPU's flags beside the figures.

    .venv/bin/python benchmarks/bench_languages.py [--model DIR] [--data FILE ...] [--texts 64] [--repeats 3]

English: texts of 256 tokens cut from docs/sample.txt (the English ensemble). Other languages: the first `--texts`
texts of each language the model supports, from the test split of `--data` files (data/multilingual/*.jsonl.xz),
at their own length. Also the language identification alone (milliseconds a text). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from aidetector.model.config import DetectSettings
from aidetector.model.data import load_jsonl
from aidetector.model.detector import Detector
from aidetector.model.language import identify
from aidetector.model.multilingual import split_of
from aidetector.settings import AppSettings

SAMPLE = (Path(__file__).resolve().parents[1] / "docs" / "sample.txt").read_text(encoding="utf-8")
FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")


def cpu() -> dict[str, object]:
    """Model name and the vector flags that decide the speed (docs/BENCHMARKS.md reports them with every figure)."""
    name, flags = platform.processor(), set[str]()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return {"model": name, "flags": [f for f in FLAGS if f in flags], "threads": torch.get_num_threads()}


def english_texts(detector: Detector, tokens: int, count: int) -> list[str]:
    tok = detector.artifact.tokenizer
    ids = tok(SAMPLE * (2 + tokens // 100), add_special_tokens=False)["input_ids"]
    return [tok.decode(ids[(i * 7) % max(1, len(ids) - tokens) :][:tokens]) for i in range(count)]


def texts_per_s(detector: Detector, texts: list[str], repeats: int) -> dict[str, float]:
    detector.detect(texts[:4])  # warm-up
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        detector.detect(texts)
        runs.append(time.perf_counter() - start)
    return {
        "texts_per_s": round(len(texts) / min(runs), 1),
        "texts_per_s_median": round(len(texts) / statistics.median(runs), 1),
        "chars_per_text": round(sum(len(t) for t in texts) / len(texts)),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(AppSettings().model_dir))
    parser.add_argument("--data", action="append", default=[], help="multilingual JSONL(.xz) files")
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--texts", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    detector = Detector.from_path(args.model, DetectSettings())
    english = english_texts(detector, args.tokens, args.texts)
    paths: dict[str, dict[str, float]] = {"en": texts_per_s(detector, english, args.repeats)}
    supported = detector.multilingual.supported if detector.multilingual else frozenset()
    by_language: dict[str, list[str]] = {}
    for file in args.data:
        for r in load_jsonl(file):
            code = r.get("language")
            if code in supported and split_of(r.get("source"), r.group) == "test":
                by_language.setdefault(code, []).append(r.text)
    for code, texts in sorted(by_language.items()):
        paths[code] = texts_per_s(detector, texts[: args.texts], args.repeats)
    start = time.perf_counter()
    for text in english:
        identify(text, detector.settings.language_sample_chars)
    identify_ms = (time.perf_counter() - start) / len(english) * 1000
    report = {
        "model_version": detector.version,
        "cpu": cpu(),
        "precision": detector.precision_name,
        "texts_per_path": args.texts,
        "english_tokens_per_text": args.tokens,
        "paths": paths,
        "language_identification_ms_per_text": round(identify_ms, 2),
        "supported_languages": detector.supported_languages,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
