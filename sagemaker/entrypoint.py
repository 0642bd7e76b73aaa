#!/usr/bin/env python3
"""Container entrypoint for SageMaker: `train` (training job) or `serve` (inference endpoint).

Kept thin on purpose: the contract lives in `aidetector.container` (paths, the training job, the server start).
No `__init__.py` in this folder, so it never shadows the `sagemaker` SDK.
"""

from __future__ import annotations

import logging
import sys


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    command = argv[1] if len(argv) > 1 else ""
    if command == "train":
        from aidetector.container.training import run

        return run()
    if command == "serve":
        from aidetector.container.serving import run as serve

        return serve(argv[2:])
    print(f"usage: {argv[0]} train|serve", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
