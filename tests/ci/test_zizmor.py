"""zizmor (GitHub Actions security lint, offline) passes on the workflows, and really reports what it is there for.

It lives in the linters' own virtualenv (`make lint-tools`), beside checkov; `make lint` runs both as well.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.ci.workflows import REPO, WORKFLOWS

ZIZMOR = REPO / ".venv-lint" / "bin" / "zizmor"


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    if not ZIZMOR.exists():
        pytest.fail("zizmor is missing: `make lint-tools` creates .venv-lint")
    command = [str(ZIZMOR), "--offline", "--no-progress", "--format", "plain", *map(str, paths)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_workflows_pass_zizmor():
    result = zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_reports_an_unpinned_action_and_an_injection(tmp_path):
    """A lint that silently skipped its audits would pass anything (issue 24.11: the pins are what it checks)."""
    workflow = tmp_path / ".github" / "workflows" / "bad.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: pull_request\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
        "    permissions:\n      id-token: write\n    steps:\n"
        "      - uses: aws-actions/configure-aws-credentials@v6\n"
        "      - run: echo '${{ github.event.pull_request.title }}'\n"
    )
    result = zizmor(workflow)
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout and "template-injection" in result.stdout, result.stdout
