"""Stack files and outputs: each stack parses, names its region, runs, and exports what the release workflow reads."""

from __future__ import annotations

import pytest
import yaml
from aidetector_infra.settings import (
    FARGATE_MEMORY,
    ApiSettings,
    HostingSettings,
    ServerlessSettings,
    SettingsError,
    WebSettings,
    build_settings,
)

from tests.infra_pulumi.program import INFRA_DIR, STACKS, run_program, stack_file

OUTPUTS = (
    "api_url",
    "web_url",
    "bucket_name",
    "repository_urls",
    "endpoint_name",
    "endpoint_role_arn",
    "pipeline_role_arn",
    "pipeline_name",
    "alarm_topic_arn",
    "web_waf_acl_arn",
)
REGIONS = {"dev": "us-east-1", "prod-ap-southeast-2": "ap-southeast-2", "prod-eu-west-1": "eu-west-1"}


def test_project_file_names_the_project() -> None:
    project = yaml.safe_load((INFRA_DIR / "Pulumi.yaml").read_text(encoding="utf-8"))
    assert project["name"] == "aidetector"
    assert project["runtime"]["name"] == "python"


def test_every_stack_file_is_committed() -> None:
    assert sorted(path.name for path in INFRA_DIR.glob("Pulumi.*.yaml")) == sorted(
        f"Pulumi.{stack}.yaml" for stack in STACKS
    )


@pytest.mark.parametrize("stack", STACKS)
def test_stack_file_parses_and_sets_its_region(stack: str) -> None:
    config = yaml.safe_load(stack_file(stack).read_text(encoding="utf-8"))["config"]
    assert config["aws:region"] == REGIONS[stack]
    assert all(key.startswith(("aws:", "aidetector:")) for key in config)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_exports_the_contract_outputs(stack: str) -> None:
    run = run_program(stack)
    assert set(run.outputs) == set(OUTPUTS)
    assert all(run.outputs[name] for name in OUTPUTS), run.outputs
    assert run.outputs["api_url"].startswith("https://") and run.outputs["api_url"].endswith("/prod")
    assert run.outputs["pipeline_name"] == f"aidetector-{stack}-train"
    assert run.outputs["endpoint_name"] == f"aidetector-{stack}"
    assert set(run.outputs["repository_urls"]) == {"train", "serve", "web"}
    assert f".{REGIONS[stack]}." in run.outputs["api_url"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_is_named_after_the_stack(stack: str) -> None:
    for resource in run_program(stack).resources:
        if resource.custom:
            assert resource.name.startswith(f"aidetector-{stack}-"), resource.name


def test_bad_settings_stop_the_program_with_a_clear_message() -> None:
    with pytest.raises(SettingsError, match="29"):
        run_program("dev", overrides=(("aidetector:api", '{"timeoutS": 60}'),))
    with pytest.raises(SettingsError, match="unknown keys"):
        build_settings(ApiSettings, {"timeoutSeconds": 20}, "api")
    with pytest.raises(SettingsError, match="memoryMb"):
        ServerlessSettings(memory_mb=3000)
    with pytest.raises(SettingsError, match="instanceCount"):
        HostingSettings(instance_count=9)


@pytest.mark.parametrize(("cpu", "memory"), [(512, 8192), (1024, 1024), (4096, 30720), (1024, 2500)])
def test_web_sizes_outside_what_ecs_express_mode_accepts_are_refused(cpu: int, memory: int) -> None:
    """Issue 24.7: Fargate's CPU/memory pairs, capped at Express Mode's 8192 MiB."""
    with pytest.raises(SettingsError, match=r"web\.memory"):
        WebSettings(cpu=cpu, memory=memory)
    assert WebSettings(cpu=cpu, memory=FARGATE_MEMORY[cpu][0])  # the smallest size for that CPU is fine
