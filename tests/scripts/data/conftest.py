"""The data builders are scripts, not a package: they import their sibling `ml_common`, so a test imports one with
scripts/data on sys.path, as when it is run."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

DATA_SCRIPTS = Path(__file__).resolve().parents[3] / "scripts" / "data"


@pytest.fixture(scope="module")
def import_builder() -> Iterator[Callable[[str], ModuleType]]:
    """`import_builder("build_ml_x")` imports scripts/data/build_ml_x.py; the path is restored after the module."""
    sys.path.insert(0, str(DATA_SCRIPTS))
    try:
        yield importlib.import_module
    finally:
        sys.path.remove(str(DATA_SCRIPTS))
