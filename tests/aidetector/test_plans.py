"""Usage plans and request limits: the packaged file, a file of one's own (argument or AIDETECTOR_PLANS_FILE),
validation, and the Lambda's limit variables drawn from the same numbers."""

from __future__ import annotations

import pytest

from aidetector import resources
from aidetector.plans import Limits, Plan, lambda_environment, load_plans

OWN = """
[limits]
max_body_bytes = 1000
max_batch_items = 2
max_text_chars = 300
echo_chars = 50

[plans.only]
rate = 0.5
burst = 1
quota = 10
period = "WEEK"
"""


@pytest.fixture
def fresh(monkeypatch):
    """load_plans caches its answers; each test starts from an empty cache and leaves one behind."""
    monkeypatch.delenv("AIDETECTOR_PLANS_FILE", raising=False)
    load_plans.cache_clear()
    yield monkeypatch
    load_plans.cache_clear()


def test_the_packaged_plans(fresh):
    config = load_plans()
    assert {"free", "pro", "web"} <= set(config.plans)
    assert config.plans["free"] == Plan(name="free", rate=2, burst=5, quota=1_000, period="DAY")
    assert config.limits.max_batch_items == 32 and config.limits.max_text_chars == 100_000
    assert config.plans["pro"].rate > config.plans["free"].rate  # a paid plan is never throttled harder
    assert "[plans.free]" in resources.read_text(resources.PLANS)  # read from the package, not a checkout path


def test_a_file_of_ones_own_by_argument_or_environment(fresh, tmp_path):
    path = tmp_path / "plans.toml"
    path.write_text(OWN)
    expected_limits = Limits(max_body_bytes=1000, max_batch_items=2, max_text_chars=300, echo_chars=50)
    by_argument = load_plans(str(path))
    assert by_argument.limits == expected_limits and list(by_argument.plans) == ["only"]
    fresh.setenv("AIDETECTOR_PLANS_FILE", str(path))
    assert load_plans() == by_argument


def test_an_unknown_period_is_refused_naming_the_file_and_plan(fresh, tmp_path):
    path = tmp_path / "plans.toml"
    path.write_text(OWN.replace('"WEEK"', '"FORTNIGHT"'))
    with pytest.raises(ValueError, match=r"plans.toml: plan only: period must be one of \('DAY', 'WEEK', 'MONTH'\)"):
        load_plans(str(path))


def test_a_missing_or_extra_field_is_an_error(fresh, tmp_path):
    path = tmp_path / "plans.toml"
    path.write_text(OWN.replace("burst = 1\n", ""))
    with pytest.raises(TypeError, match="burst"):
        load_plans(str(path))
    path.write_text(OWN.replace("echo_chars = 50\n", "echo_chars = 50\nmax_files = 3\n"))
    with pytest.raises(TypeError, match="max_files"):
        load_plans(str(path))


def test_the_lambda_enforces_the_same_limits(fresh, tmp_path):
    path = tmp_path / "plans.toml"
    path.write_text(OWN)
    assert lambda_environment(load_plans(str(path))) == {
        "MAX_BODY_BYTES": "1000", "MAX_BATCH_ITEMS": "2", "MAX_TEXT_CHARS": "300",
    }  # fmt: skip
