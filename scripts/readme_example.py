"""The README's example answer, from the shipped model: scores docs/sample.txt as `POST /v1/detect` with
`"sentences": true` would, and writes the answer between the README's `example-response` markers.

.venv/bin/python scripts/readme_example.py           # rewrite README.md
.venv/bin/python scripts/readme_example.py --check   # exit 1 when README.md is not what the model answers now
The screenshot beside it comes from scripts/screenshot.py.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

from aidetector.model.config import DetectSettings
from aidetector.model.detector import Detector
from aidetector.settings import SHIPPED_MODEL_DIR

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- example-response: written by scripts/readme_example.py from the shipped model; do not edit -->"
END = "<!-- /example-response -->"
BLOCK = re.compile(re.escape(START) + r"(.*?)" + re.escape(END), re.DOTALL)  # the example answer, markers included
SHOWN_SENTENCES = 2
# Inference runs in bfloat16 on CPUs that multiply it natively (AVX-512 BF16, AMX) and in float32 elsewhere, so
# the numbers differ in their last shown digits between hosts: --check compares them to this much; the words,
# labels and counts must be equal.
CHECK_ABS_TOLERANCE = 0.002


def example(model: Path = SHIPPED_MODEL_DIR) -> str:
    text = (ROOT / "docs" / "sample.txt").read_text(encoding="utf-8")
    # the product's default settings, not this shell's AIDETECTOR_DETECT_* overrides
    detection = Detector.from_path(model, DetectSettings.model_construct()).detect([text], sentences=True)[0]
    body = {"request_id": "…", "input_text": "…", "input_truncated": False, **detection.to_dict()}
    sentences = body["sentences"]
    body["sentences"] = [{**s, "text": s["text"][:40] + "…"} for s in sentences[:SHOWN_SENTENCES]]
    lines = ["```json", "{"]
    items = list(body.items())
    for i, (name, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if name == "sentences" and len(sentences) > SHOWN_SENTENCES:
            shown = ",\n   ".join(json.dumps(s, ensure_ascii=False) for s in value)
            lines.append(f' "sentences": [{shown},\n   "… {len(sentences) - SHOWN_SENTENCES} more"]{comma}')
        else:
            lines.append(f" {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines += ["}", "```"]
    return "\n".join(lines)


def _found(readme: str) -> re.Match[str]:
    match = BLOCK.search(readme)
    if match is None:
        raise SystemExit("README.md has no example-response markers")
    return match


def rewritten(readme: str, block: str) -> str:
    match = _found(readme)
    return f"{readme[: match.start()]}{START}\n{block}\n{END}{readme[match.end() :]}"


def _block(readme: str) -> object:
    """The example answer in `readme`, parsed."""
    inner = _found(readme).group(1).strip()
    return json.loads(inner.removeprefix("```json").removesuffix("```"))


def same_answer(shown: object, answered: object) -> bool:
    """Whether two example answers agree: equal but for numbers within CHECK_ABS_TOLERANCE."""
    if isinstance(shown, dict) and isinstance(answered, dict):
        return shown.keys() == answered.keys() and all(same_answer(shown[k], answered[k]) for k in shown)
    if isinstance(shown, list) and isinstance(answered, list):
        return len(shown) == len(answered) and all(map(same_answer, shown, answered))
    if isinstance(shown, float) or isinstance(answered, float):
        numbers = isinstance(shown, int | float) and isinstance(answered, int | float)
        return numbers and math.isclose(shown, answered, abs_tol=CHECK_ABS_TOLERANCE)
    return shown == answered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    path = ROOT / "README.md"
    readme = path.read_text(encoding="utf-8")
    new = rewritten(readme, example())
    if args.check:
        if not same_answer(_block(readme), _block(new)):
            print(
                "README.md's example answer is not the shipped model's: run scripts/readme_example.py", file=sys.stderr
            )
            return 1
        return 0
    path.write_text(new, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
