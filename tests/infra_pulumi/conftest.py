"""Fixtures: the Pulumi program run once per stack under mocks (cached, so each module reuses the same run)."""

from __future__ import annotations

import pytest

from tests.infra_pulumi.program import ProgramRun, run_program


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    """The dev stack as committed: serverless endpoint."""
    return run_program("dev")


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    """The Sydney production stack as committed: instances with autoscaling."""
    return run_program("prod-ap-southeast-2")
