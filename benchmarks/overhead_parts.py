"""Where the public path's per-request overhead goes, part by part (concurrency 1, medians, milliseconds):

    .venv/bin/python benchmarks/overhead_parts.py [--model DIR] [--requests 300]

Starts one model server and times, against it: the HTTP round trip of a request the server rejects right after
decoding it (no model call) from a bare `http.client` and from `requests` (what bench_serving's client costs);
the same through boto3's `sagemaker-runtime` client (what the Lambda handler's call costs); a scored request minus
the same text scored in-process (everything the server adds around the model); and in-process, `detect` minus
`probabilities` and the language identification alone. Black-box timings only: nothing in the server is patched.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aidetector.model.detector import Detector  # noqa: E402
from aidetector.model.language import identify  # noqa: E402
from aidetector.settings import AppSettings  # noqa: E402
from benchmarks.bench_model import texts_of  # noqa: E402
from benchmarks.bench_serving import free_port, timed_post, wait  # noqa: E402


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(1000 * statistics.median(times), 3)


def paired_ms(first: Callable[[str], object], second: Callable[[str], object], texts: list[str]) -> float:
    """Median over texts of (second - first): a busy moment of the machine hits both calls of a text alike."""
    diffs = []
    for text in texts:
        started = time.perf_counter()
        first(text)
        middle = time.perf_counter()
        second(text)
        diffs.append((time.perf_counter() - middle) - (middle - started))
    return round(1000 * statistics.median(diffs), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(AppSettings().model_dir))
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    detector = Detector.from_path(args.model)
    texts = texts_of(detector, 256, 60)
    # 'sentences' must be a boolean: the server answers 400 after reading and decoding the body, before the model.
    rejected = json.dumps({"input_text": texts[0], "sentences": "no"}).encode()
    headers = {"content-type": "application/json"}

    port = free_port()
    env = {**os.environ, "AIDETECTOR_HOME": tempfile.mkdtemp(prefix="aidetector-parts-")}
    command = [sys.executable, "-m", "aidetector.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen([*command, "--model", args.model], env=env)
    try:
        wait(f"http://127.0.0.1:{port}/ping")
        url = f"http://127.0.0.1:{port}/invocations"
        conn = http.client.HTTPConnection("127.0.0.1", port)
        session = requests.Session()
        runtime = boto3.client(
            "sagemaker-runtime",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        )

        def raw_post(body: bytes, path: str = "/invocations") -> bytes:
            conn.request("POST", path, body=body, headers=headers)
            return conn.getresponse().read()

        def boto_post(body: bytes) -> None:
            # the 400 arrives wrapped as the real service wraps it: a ModelError
            with contextlib.suppress(runtime.exceptions.ModelError):
                runtime.invoke_endpoint(EndpointName="local", ContentType="application/json", Body=body)

        def scored(text: str) -> float:
            return timed_post(session, url, text, {})

        n = args.requests
        parts = {
            "rejected request, http.client (HTTP stack)": median_ms(lambda: raw_post(rejected), n),
            "rejected request, requests": median_ms(lambda: session.post(url, data=rejected, headers=headers), n),
            "rejected request, http.client on the runtime path": median_ms(
                lambda: raw_post(rejected, "/endpoints/local/invocations"), n
            ),
            "rejected request, boto3 sagemaker-runtime": median_ms(lambda: boto_post(rejected), n),
            "scored request (requests) minus probabilities in-process, paired": paired_ms(
                lambda t: detector.probabilities([t]), scored, texts * 2
            ),
            "detect minus probabilities in-process, paired": paired_ms(
                lambda t: detector.probabilities([t]), lambda t: detector.detect([t]), texts * 2
            ),
            "language identification of one 256-token text": median_ms(
                lambda: identify(texts[0], detector.settings.language_sample_chars), n
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(json.dumps(parts, indent=2))


if __name__ == "__main__":
    main()
