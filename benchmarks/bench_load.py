"""Load with well-behaved and hostile clients on the public path (gateway -> handler -> model server), loopback only.

    .venv/bin/python benchmarks/bench_load.py [--model DIR] [--seconds 60] [--runs 16,16h,64h]

Each run starts N well-behaved clients, each with its own API key, sending a mix for `--seconds` seconds (closed
loop: a client sends its next request when the last one is answered, after the `Retry-After` of a 503 or 429):
70% short texts (~90 words), 25% long texts (~340 words), 5% batches of four short texts. A run named with `h`
adds one hostile client (its own key) that cycles through the attacks of issue 27 as fast as it is answered: a
text with a lone surrogate, 100,000 nested brackets, a 3 MiB body, a 20 x 99,000-character batch with per-sentence
scores (over the work cap), an 8 MiB upload without a key, a whitespace-only text. Prints one JSON object: per run,
the well-behaved clients' throughput, p50/p99 latency and answers by status, and what the hostile client got; with
the CPU's flags and the command. Bounded: every run stops after `--seconds`; servers bind 127.0.0.1 on free ports
and stop at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aidetector.local.ports import free_port  # noqa: E402
from aidetector.settings import AppSettings  # noqa: E402

SAMPLE = (ROOT / "docs" / "sample.txt").read_text(encoding="utf-8").split()
PLANS = """
[limits]
max_body_bytes = 2_097_152
max_batch_items = 32
max_text_chars = 100_000
echo_chars = 2_000

[plans.bench]
rate = 1000
burst = 1000
quota = 100_000_000
period = "DAY"
"""


def text_of(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(SAMPLE))
    return " ".join(SAMPLE[(start + i) % len(SAMPLE)] for i in range(words))


def wait(url: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


def cpu_flags() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")), "?")
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    wanted = [f for f in flags if f.startswith(("avx512_bf16", "amx", "avx512f", "avx512_vnni", "avx2", "fma"))]
    return f"{model}; {os.cpu_count()} CPUs; flags: {' '.join(sorted(wanted))}"


class Client(threading.Thread):
    def __init__(self, api: str, key: str, seed: int, until: float):
        super().__init__(daemon=True)
        self.api, self.key, self.until = api, key, until
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()

    def request(self) -> tuple[str, dict[str, Any]]:
        draw = self.rng.random()
        if draw < 0.70:
            return "/v1/detect", {"input_text": text_of(self.rng, 90)}
        if draw < 0.95:
            return "/v1/detect", {"input_text": text_of(self.rng, 340)}
        return "/v1/detect/batch", {"inputs": [text_of(self.rng, 90) for _ in range(4)]}

    def run(self) -> None:
        session = requests.Session()
        headers = {"x-api-key": self.key}
        while time.monotonic() < self.until:
            path, body = self.request()
            started = time.monotonic()
            retry_after = 0.0
            try:
                answer = session.post(self.api + path, json=body, headers=headers, timeout=60)
                status = answer.status_code
                retry_after = float(answer.headers.get("Retry-After") or 0)
            except (requests.RequestException, ValueError):
                status = -1
            self.statuses[status] += 1
            if status == 200:
                self.latencies.append(time.monotonic() - started)
            elif retry_after:  # a well-behaved client waits as it is told (503 overloaded, 429)
                time.sleep(min(retry_after, max(0.0, self.until - time.monotonic())))


class Hostile(threading.Thread):
    ATTACKS = ("lone_surrogate", "deep_nesting", "body_3mib", "over_work_cap", "no_key_8mib", "blank_text")

    def __init__(self, api: str, key: str, until: float):
        super().__init__(daemon=True)
        self.api, self.key, self.until = api, key, until
        self.outcomes: Counter[str] = Counter()
        long_text = (" ".join(SAMPLE) + " ") * 200
        self.bodies = {
            "lone_surrogate": json.dumps({"input_text": text_of(random.Random(1), 90) + " \ud800"}).encode(),
            "deep_nesting": b"[" * 100_000 + b"]" * 100_000,
            "body_3mib": b'{"input_text": "' + b"a" * (3 << 20) + b'"}',
            "over_work_cap": json.dumps({"inputs": [long_text[:99_000]] * 20, "sentences": True}).encode(),
            "no_key_8mib": b"a" * (8 << 20),
            "blank_text": json.dumps({"input_text": " \t\n" * 100}).encode(),
        }

    def run(self) -> None:
        session = requests.Session()
        i = 0
        while time.monotonic() < self.until:
            name = self.ATTACKS[i % len(self.ATTACKS)]
            i += 1
            headers = {"Content-Type": "application/json"}
            if name != "no_key_8mib":
                headers["x-api-key"] = self.key
            path = "/v1/detect/batch" if name == "over_work_cap" else "/v1/detect"
            try:
                answer = session.post(self.api + path, data=self.bodies[name], headers=headers, timeout=60)
                code = answer.json().get("error", {}).get("code") or answer.json().get("message")
                self.outcomes[f"{name}: {answer.status_code} {code}"] += 1
            except (requests.RequestException, ValueError) as exc:
                self.outcomes[f"{name}: {type(exc).__name__}"] += 1
                session = requests.Session()


def run_load(api: str, keys: list[str], hostile_key: str | None, seconds: float) -> dict[str, Any]:
    until = time.monotonic() + seconds
    clients = [Client(api, key, seed, until) for seed, key in enumerate(keys)]
    hostile = Hostile(api, hostile_key, until) if hostile_key else None
    started = time.monotonic()
    for c in [*clients, *([hostile] if hostile else [])]:
        c.start()
    for c in [*clients, *([hostile] if hostile else [])]:
        c.join(seconds + 120)
    elapsed = time.monotonic() - started
    latencies = sorted(x for c in clients for x in c.latencies)
    statuses: Counter[int] = Counter()
    for c in clients:
        statuses.update(c.statuses)
    total = sum(statuses.values())
    errors = total - statuses.get(200, 0)

    def pct(q: float) -> float | None:
        return round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else None

    result: dict[str, Any] = {
        "clients": len(clients),
        "hostile_client": hostile is not None,
        "seconds": round(elapsed, 1),
        "requests": total,
        "ok_per_s": round(statuses.get(200, 0) / elapsed, 2),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(1000 * statistics.fmean(latencies), 1) if latencies else None,
        "error_rate": round(errors / total, 4) if total else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }
    if hostile:
        result["hostile"] = dict(sorted(hostile.outcomes.items()))
    return result


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the servers (finally) when stopped
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(AppSettings().model_dir))
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", default="16,16h,64h", help="comma list: N well-behaved clients, 'h' adds a hostile")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aidetector-load-"))
    (tmp / "plans.toml").write_text(PLANS)
    env = {**os.environ, "AIDETECTOR_HOME": str(tmp), "AIDETECTOR_PLANS_FILE": str(tmp / "plans.toml")}
    cli = [sys.executable, "-m", "aidetector.cli"]
    model_port, api_port = free_port(), free_port()
    model_url = f"http://127.0.0.1:{model_port}"
    procs = [
        subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(model_port), "--model", args.model], env=env
        ),
        subprocess.Popen([*cli, "gateway", "--port", str(api_port), "--model-url", model_url], env=env),
    ]
    try:
        wait(f"{model_url}/ping")
        api = f"http://127.0.0.1:{api_port}"
        wait(f"{api}/openapi.json")
        from aidetector.local.gateway.keys import KeyStore
        from aidetector.plans import load_plans

        store = KeyStore(tmp / "keys.sqlite3", load_plans(str(tmp / "plans.toml")).plans)
        keys = [store.create(f"client-{i}", "bench") for i in range(64)]
        hostile_key = store.create("hostile", "bench")
        runs = {}
        for spec in args.runs.split(","):
            n = int(spec.rstrip("h"))
            runs[spec] = run_load(api, keys[:n], hostile_key if spec.endswith("h") else None, args.seconds)
            print(json.dumps({spec: runs[spec]}), file=sys.stderr, flush=True)
        ping = requests.get(f"{model_url}/ping", timeout=10).json()
        print(
            json.dumps(
                {
                    "command": " ".join([Path(sys.executable).name, *sys.argv]),
                    "cpu": cpu_flags(),
                    "model_version": ping.get("model_version"),
                    "scheduler": ping.get("scheduler"),
                    "runs": runs,
                },
                indent=1,
            )
        )
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
