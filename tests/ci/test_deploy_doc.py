"""docs/DEPLOY.md describes only what exists: its `aidetector` commands parse, and the variables and secrets it tells
people to create are exactly the ones the workflows read."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.ci.workflows import REPO, WORKFLOWS

DOC = (REPO / "docs" / "DEPLOY.md").read_text(encoding="utf-8")


def shell_blocks(markdown: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", markdown, flags=re.S)


def aidetector_commands(markdown: str) -> list[list[str]]:
    """Every `aidetector ...` command in the shell blocks, continuation lines joined, comments dropped."""
    commands = []
    for block in shell_blocks(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #")[0].strip()
            match = re.match(r"^(?:\.venv/bin/)?aidetector\s+(.*)$", line)
            if match:
                # a word with a shell variable in it stands for a value: any value will do for the parser
                commands.append(["VALUE" if "$" in w else w for w in shlex.split(match.group(1))])
    return commands


def test_the_doc_has_registry_and_pipeline_commands():
    names = {tuple(c[:1]) for c in aidetector_commands(DOC)}
    assert ("models",) in names


@pytest.mark.parametrize("words", aidetector_commands(DOC), ids=lambda w: " ".join(w)[:60])
def test_every_aidetector_command_in_the_doc_parses(words):
    from aidetector.cli.main import build_parser

    try:
        build_parser().parse_args(words)
    except SystemExit as exc:  # argparse exits on an unknown command or option
        pytest.fail(f"`aidetector {' '.join(words)}` does not parse (exit {exc.code})")


def test_the_variables_and_secrets_table_matches_what_the_workflows_read():
    read = set()
    for path in WORKFLOWS.glob("*.y*ml"):
        read |= set(re.findall(r"\$\{\{\s*(?:vars|secrets)\.([A-Z_]+)\s*\}\}", path.read_text()))
    table = set(re.findall(r"^\| `([A-Z_]+)` \| (?:variable|secret) \|", DOC, flags=re.M))
    assert table == read


def test_the_doc_names_the_stacks_and_the_shared_names_of_the_contract():
    for name in ("dev", "prod-ap-southeast-2", "/aidetector/", "image-tags/", "web-api-key", "model-version"):
        assert name in DOC, name
    for stack in ("dev", "prod-ap-southeast-2"):
        assert (REPO / "infra_pulumi" / f"Pulumi.{stack}.yaml").is_file(), stack
