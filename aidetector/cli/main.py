"""`aidetector` command line: thin commands over the packages below it; nothing imports this package.

One module per command group; each adds its subcommands with `add_parsers` and imports what it runs lazily, so
`aidetector keys list` never loads torch.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from aidetector.cli import bulk, keys, model_commands, pipeline, registry, server_commands

GROUPS = (model_commands, server_commands, keys, registry, pipeline, bulk)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aidetector", description="Detect AI-generated text.")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
