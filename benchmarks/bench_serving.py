"""Serving benchmark, one run, same model for every system:

  (a) the bare model: Detector.probabilities in-process, batches of 16
  (b) our model server (/invocations, micro-batching)
  (c) the full public path: gateway -> Lambda handler -> model server
  (d) a naive baseline of the original design: transformers.pipeline inside Flask, one request at a time

    .venv/bin/python benchmarks/bench_serving.py [--model DIR] [--tokens 256] [--requests 96]

Prints a markdown table (throughput at concurrency 1, 4, 16; p50 and p99 latency) and the long-document timings.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aidetector.local.ports import free_port  # noqa: E402
from aidetector.model.detector import Detector  # noqa: E402
from aidetector.settings import AppSettings  # noqa: E402
from benchmarks.bench_model import texts_of  # noqa: E402

CONCURRENCY = (1, 4, 16)
PLANS = """
[limits]
max_body_bytes = 2_097_152
max_batch_items = 32
max_text_chars = 100_000
echo_chars = 2_000

[plans.bench]
rate = 100000
burst = 100000
quota = 100000000
period = "DAY"
"""

FLASK_APP = """
import sys
import torch
from flask import Flask, jsonify, request
from transformers import pipeline

# float32 like our server (the artifact stores float16, which is slow on a CPU): a fair baseline.
clf = pipeline("text-classification", model=sys.argv[1], truncation=True, max_length=512, dtype=torch.float32)
app = Flask(__name__)

@app.post("/predict")
def predict():
    out = clf(request.get_json()["input_text"])[0]
    return jsonify({"predicted_class": int(out["label"] == "ai"), "score": out["score"]})

app.run(host="127.0.0.1", port=int(sys.argv[2]), threaded=False)
"""


def wait(url: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code in (200, 405):
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


def timed_post(session: requests.Session, url: str, text: str, headers: dict[str, str]) -> float:
    """Seconds for one detection request; anything but a 200 stops the benchmark."""
    started = time.perf_counter()
    answer = session.post(url, json={"input_text": text}, headers=headers, timeout=120)
    if answer.status_code != 200:
        raise RuntimeError(f"{url}: {answer.status_code} {answer.text[:200]}")
    return time.perf_counter() - started


def load(url: str, texts: list[str], concurrency: int, headers: dict[str, str]) -> dict[str, float]:
    """Send every text once with `concurrency` callers; throughput and latency percentiles."""
    local = threading.local()

    def call(text: str) -> float:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        return timed_post(session, url, text, headers)

    call(texts[0])  # warm-up
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(call, texts))
    elapsed = time.perf_counter() - started
    return {
        "texts_per_s": len(texts) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
    }


def bare(detector: Detector, texts: list[str]) -> dict[int, dict[str, float]]:
    """The model alone: concurrency 1 = one text per call; 4 and 16 = batches of that size."""
    out = {}
    for c in CONCURRENCY:
        detector.probabilities(texts[:c])
        latencies = []
        started = time.perf_counter()
        for i in range(0, len(texts), c):
            t = time.perf_counter()
            detector.probabilities(texts[i : i + c])
            latencies.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - started
        latencies.sort()
        out[c] = {
            "texts_per_s": len(texts) / elapsed,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        }
    return out


def paired_overhead(detector: Detector, texts: list[str], server: str, public: str, key: str) -> dict[str, float]:
    """Concurrency 1, paired: each text goes to (a), (b) and (c) in turn, and the overhead is the median of the
    per-text differences. A busy moment of the shared machine then slows all three calls of a text alike, where
    the difference of two separately measured medians moves by a few milliseconds between runs."""
    session = requests.Session()
    server_extra, public_extra = [], []
    for text in texts:
        started = time.perf_counter()
        detector.probabilities([text])
        bare_s = time.perf_counter() - started
        server_extra.append(timed_post(session, server, text, {}) - bare_s)
        public_extra.append(timed_post(session, public, text, {"x-api-key": key}) - bare_s)
    return {
        "model server - bare model, p50 ms": round(1000 * statistics.median(server_extra), 2),
        "public API - bare model, p50 ms": round(1000 * statistics.median(public_extra), 2),
    }


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the rounds: the machine is shared, one round can be off by 15%."""
    out: dict[str, Any] = {}
    for name in rounds[0]:
        out[name] = {
            c: {k: statistics.median(r[name][c][k] for r in rounds) for k in rounds[0][name][c]}
            for c in rounds[0][name]
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(AppSettings().model_dir))
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--requests", type=int, default=96)
    parser.add_argument("--rounds", type=int, default=3, help="each system is measured once per round; medians")
    args = parser.parse_args()
    detector = Detector.from_path(args.model)
    texts = texts_of(detector, args.tokens, args.requests)

    tmp = Path(tempfile.mkdtemp(prefix="aidetector-bench-"))
    (tmp / "plans.toml").write_text(PLANS)
    (tmp / "flask_app.py").write_text(FLASK_APP)
    env = {**os.environ, "AIDETECTOR_HOME": str(tmp), "AIDETECTOR_PLANS_FILE": str(tmp / "plans.toml")}
    cli = [sys.executable, "-m", "aidetector.cli"]
    model_port, api_port, flask_port = free_port(), free_port(), free_port()
    # All servers run for the whole benchmark (idle ones cost no CPU), so the rounds interleave the systems and
    # a slow minute of the shared machine hits all of them alike.
    procs = [
        subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(model_port), "--model", args.model], env=env
        ),
        subprocess.Popen(
            [*cli, "gateway", "--port", str(api_port), "--model-url", f"http://127.0.0.1:{model_port}"], env=env
        ),
        subprocess.Popen([sys.executable, str(tmp / "flask_app.py"), args.model, str(flask_port)], env=env),
    ]
    try:
        wait(f"http://127.0.0.1:{model_port}/ping")
        wait(f"http://127.0.0.1:{api_port}/openapi.json")
        wait(f"http://127.0.0.1:{flask_port}/predict")
        from aidetector.local.gateway.keys import KeyStore
        from aidetector.plans import load_plans

        key = KeyStore(tmp / "keys.sqlite3", load_plans(str(tmp / "plans.toml")).plans).create("bench", "bench")
        rounds = []
        for _ in range(args.rounds):
            rounds.append(
                {
                    "a) bare model": bare(detector, texts),
                    "b) model server": {
                        c: load(f"http://127.0.0.1:{model_port}/invocations", texts, c, {}) for c in CONCURRENCY
                    },
                    "c) public API (gateway + handler + server)": {
                        c: load(f"http://127.0.0.1:{api_port}/v1/detect", texts, c, {"x-api-key": key})
                        for c in CONCURRENCY
                    },
                    "d) naive Flask + pipeline": {
                        c: load(f"http://127.0.0.1:{flask_port}/predict", texts, c, {}) for c in CONCURRENCY
                    },
                }
            )
        results: dict[str, Any] = median_of(rounds)
        results["paired"] = paired_overhead(
            detector,
            texts * 2,
            f"http://127.0.0.1:{model_port}/invocations",
            f"http://127.0.0.1:{api_port}/v1/detect",
            key,
        )
        long_doc = {}
        words = (ROOT / "docs" / "sample.txt").read_text().split()
        for n in (1250, 2500, 5000):
            doc = " ".join(words[i % len(words)] for i in range(n))
            started = time.perf_counter()
            answer = requests.post(
                f"http://127.0.0.1:{model_port}/invocations", json={"input_text": doc, "sentences": True}, timeout=300
            )
            answer.raise_for_status()
            long_doc[n] = round(time.perf_counter() - started, 2)
        results["long documents (words -> seconds, with sentence scores)"] = long_doc
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=60)
    print(report(results, args))


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"texts of {args.tokens} tokens, {args.requests} requests per level, 1 text per request; "
        f"{os.cpu_count()} CPUs; median of {args.rounds} rounds",
        "",
        "| system | conc. | texts/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, by_c in results.items():
        if name.startswith("long") or name == "paired":
            continue
        for c, r in by_c.items():
            lines.append(f"| {name} | {c} | {r['texts_per_s']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |")
    a, c16 = results["a) bare model"], results["c) public API (gateway + handler + server)"]
    d = results["d) naive Flask + pipeline"]
    lines += [
        "",
        f"- public path / bare model throughput at concurrency 16: {c16[16]['texts_per_s'] / a[16]['texts_per_s']:.0%}",
        f"- public path p50 overhead at concurrency 1: {c16[1]['p50_ms'] - a[1]['p50_ms']:.1f} ms "
        f"(difference of the medians above)",
        f"- the same, paired per text (each text to a, b, c in turn; median of the differences): "
        f"{json.dumps(results['paired'])}",
        f"- public path / naive baseline throughput at concurrency 16: "
        f"{c16[16]['texts_per_s'] / d[16]['texts_per_s']:.2f}x",
        f"- long documents: {json.dumps(results['long documents (words -> seconds, with sentence scores)'])}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
