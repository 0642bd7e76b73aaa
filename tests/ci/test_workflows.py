"""Facts about the CI and release workflows that actionlint cannot know: triggers, permissions, credentials, order."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.ci.workflows import REPO, WORKFLOWS, Event, all_workflows, evaluate, jobs_that_run, load, steps, uses

RELEASE = load("release.yml")
CI = load("ci.yml")
DEPLOY_JOBS = ("deploy-dev", "deploy-prod")


def run_text(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


def step_index(job: dict, predicate) -> int:
    found = [i for i, step in enumerate(steps(job)) if predicate(step)]
    assert found, "step not found"
    return found[0]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (Event("pull_request", "refs/pull/7/merge"), {"preview"}),
        (Event("pull_request", "refs/pull/8/merge", head_repository="someone/fork"), set()),
        (Event("push", "refs/heads/main"), {"deploy-dev"}),
        (Event("push", "refs/tags/v1.4.0"), {"deploy-dev", "deploy-prod"}),
        (Event("workflow_dispatch", "refs/heads/main", {"stack": "dev", "run_pipeline": True}), {"deploy-dev"}),
        (
            Event("workflow_dispatch", "refs/heads/main", {"stack": "prod-ap-southeast-2", "run_pipeline": True}),
            {"deploy-prod"},
        ),
    ],
    ids=["pull request", "fork pull request", "push to main", "tag", "manual dev", "manual prod"],
)
def test_which_release_jobs_run_on_which_event(event, expected):
    assert jobs_that_run(RELEASE, event) == expected


def test_release_triggers():
    on = RELEASE["on"]
    assert on["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert "pull_request" in on
    assert on["workflow_dispatch"]["inputs"]["stack"]["options"] == ["dev", "prod-ap-southeast-2"]


def test_ci_runs_on_every_push_and_pull_request_without_filters():
    assert CI["on"] == {"push": None, "pull_request": None}


def test_ci_runs_every_check_the_issue_lists():
    commands = "\n".join(run_text(job) for job in CI["jobs"].values())
    for expected in ("make lint", "pytest -q tests/infra_pulumi", "hadolint", "actionlint", "./.ci/run"):
        assert expected in commands, expected
    assert 'pytest -q -m "not slow and not e2e"' in commands
    assert all(job.get("timeout-minutes") for job in CI["jobs"].values())


def test_lint_target_covers_ruff_format_and_mypy():
    """ci.yml calls `make lint`: the Makefile must keep doing the lint and type checks the issue asks for."""
    makefile = (REPO / "Makefile").read_text()
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    for tool in ("ruff check", "ruff format --check", "mypy", "hadolint"):
        assert tool in lint, tool


@pytest.mark.parametrize("name", sorted(all_workflows()))
def test_every_job_has_a_permissions_block_and_nothing_grants_write_all(name):
    workflow = all_workflows()[name]
    assert "permissions" in workflow or all("permissions" in job for job in workflow["jobs"].values())
    assert "write-all" not in (WORKFLOWS / name).read_text()
    for job in workflow["jobs"].values():
        granted = {**(workflow.get("permissions") or {}), **(job.get("permissions") or {})}
        writes = {scope for scope, level in granted.items() if level == "write"}
        assert writes <= {"id-token"}, f"only the OIDC token may be written: {writes}"


def test_ci_reads_the_repository_only():
    assert CI["permissions"] == {"contents": "read"}
    assert not any("permissions" in job for job in CI["jobs"].values())


def test_release_grants_nothing_by_default_and_the_oidc_token_only_to_jobs_that_reach_aws():
    assert RELEASE["permissions"] == {}
    for name, job in RELEASE["jobs"].items():
        assumes_role = any(uses(s, "aws-actions/configure-aws-credentials") for s in steps(job))
        has_token = (job.get("permissions") or {}).get("id-token") == "write"
        assert assumes_role == has_token, name


def test_aws_credentials_come_from_oidc_roles_never_from_keys():
    for path in list(WORKFLOWS.glob("*.y*ml")) + list((REPO / ".github").glob("actions/**/*.y*ml")):
        text = path.read_text()
        for forbidden in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws-access-key-id", "aws-secret-access-key"):
            assert forbidden not in text, f"{path.name} mentions {forbidden}"
    for job in RELEASE["jobs"].values():
        for step in steps(job):
            if uses(step, "aws-actions/configure-aws-credentials"):
                assert re.fullmatch(r"\$\{\{ vars\.AWS_[A-Z_]+_ROLE_ARN \}\}", step["with"]["role-to-assume"])


def test_images_are_built_for_all_three_dockerfiles_and_tagged_with_the_commit():
    for name in DEPLOY_JOBS:
        builds = [s for s in steps(RELEASE["jobs"][name]) if uses(s, "docker/build-push-action")]
        assert sorted(s["with"]["file"] for s in builds) == ["Dockerfile.serve", "Dockerfile.train", "Dockerfile.web"]
        for build in builds:
            assert build["with"]["tags"].endswith(":${{ github.sha }}") and build["with"]["push"] is True
            assert build["with"]["provenance"] is False, "SageMaker needs a plain manifest, not an attestation index"
        assert RELEASE["jobs"][name]["env"]["IMAGE_TAG"] == "${{ github.sha }}"


def test_preview_on_pull_requests_only_and_up_only_in_deploy_jobs():
    commands = {
        name: {s["with"]["command"] for s in steps(job) if uses(s, "pulumi/actions") and "with" in s}
        for name, job in RELEASE["jobs"].items()
    }
    assert commands == {"preview": {"preview"}, "deploy-dev": {"up"}, "deploy-prod": {"up"}}
    assert "pulumi up" not in run_text(RELEASE["jobs"]["preview"])
    pull_request = Event("pull_request", "refs/pull/7/merge")
    assert not jobs_that_run(RELEASE, pull_request) & set(DEPLOY_JOBS)


@pytest.mark.parametrize("name", DEPLOY_JOBS)
def test_deploy_order_images_then_up_then_pipeline_then_smoke_test(name):
    job = RELEASE["jobs"][name]
    build = step_index(job, lambda s: uses(s, "docker/build-push-action"))
    set_tag = step_index(job, lambda s: 'pulumi config set imageTag "$IMAGE_TAG"' in str(s.get("run", "")))
    up = step_index(job, lambda s: uses(s, "pulumi/actions") and s.get("with", {}).get("command") == "up")
    upsert = step_index(job, lambda s: str(s.get("run", "")).strip() == "aidetector pipeline upsert")
    start = step_index(job, lambda s: str(s.get("run", "")).strip() == "aidetector pipeline start --wait")
    smoke = step_index(job, lambda s: "curl" in str(s.get("run", "")))
    assert build < set_tag < up < upsert < start < smoke
    assert not any(s.get("continue-on-error") for s in steps(job)), "a refused model must fail the job"


def test_the_pipeline_gets_its_settings_from_the_stack_outputs():
    text = run_text(RELEASE["jobs"]["deploy-dev"])
    for setting in (
        "NAME",
        "ROLE_ARN",
        "BUCKET",
        "REGION",
        "TRAIN_IMAGE_URI",
        "SERVE_IMAGE_URI",
        "ENDPOINT_NAME",
        "STACK",
    ):
        assert f"AIDETECTOR_PIPELINE_{setting}=" in text, setting
    for output in ("pipeline_name", "sagemaker_role_arn", "bucket_name", "endpoint_name", "repository_urls"):
        assert f".{output}" in text, output


def test_the_smoke_test_calls_the_deployed_api_with_the_web_key():
    smoke = next(s for s in steps(RELEASE["jobs"]["deploy-dev"]) if "curl" in str(s.get("run", "")))
    script = smoke["run"]
    for fragment in ("--fail-with-body", "/v1/health", "/v1/detect", "x-api-key", "jq -e", "/web-api-key", "add-mask"):
        assert fragment in script, fragment
    for field in ("predicted_class", "probability_ai", "label", "model_version"):
        assert field in script, field
    contexts = {"steps": {"up": {"outcome": "success"}}, "_status": {"cancelled": False}}
    assert evaluate(smoke["if"], contexts), "the smoke test runs once `pulumi up` succeeded, whatever the pipeline says"


def test_prod_needs_dev_and_an_approved_environment():
    prod, dev = RELEASE["jobs"]["deploy-prod"], RELEASE["jobs"]["deploy-dev"]
    assert prod["needs"] == "deploy-dev"
    assert (dev["environment"], prod["environment"]) == ("dev", "prod-ap-southeast-2")
    for job in (dev, prod):
        assert job["concurrency"]["cancel-in-progress"] is False, "never interrupt pulumi up"


@pytest.mark.parametrize("name", DEPLOY_JOBS)
def test_stacks_and_regions_match_the_pulumi_stack_files(name):
    env = RELEASE["jobs"][name]["env"]
    stack_file = yaml.safe_load((REPO / "infra_pulumi" / f"Pulumi.{env['STACK']}.yaml").read_text())
    assert stack_file["config"]["aws:region"] == env["AWS_REGION"]
    for entry in RELEASE["jobs"]["preview"]["strategy"]["matrix"]["include"]:
        region = yaml.safe_load((REPO / "infra_pulumi" / f"Pulumi.{entry['stack']}.yaml").read_text())
        assert region["config"]["aws:region"] == entry["region"]


def test_actions_are_pinned_to_a_version():
    for name, workflow in all_workflows().items():
        for job in workflow["jobs"].values():
            for step in steps(job):
                if "uses" in step and not step["uses"].startswith("./"):
                    assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", step["uses"]), (name, step)


def test_the_aidetector_commands_the_release_runs_exist():
    from aidetector.cli.main import build_parser

    lines = [line.strip() for line in run_text(RELEASE["jobs"]["deploy-dev"]).splitlines()]
    commands = [line.split()[1:] for line in lines if line.startswith("aidetector ")]
    assert commands == [["pipeline", "upsert"], ["pipeline", "start", "--wait"]]
    for words in commands:
        build_parser().parse_args(words)  # argparse exits on an unknown command or option
