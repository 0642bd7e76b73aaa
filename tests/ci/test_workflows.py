"""Facts about the CI and release workflows that actionlint cannot know: triggers, permissions, credentials, order."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

from tests.ci.workflows import REPO, WORKFLOWS, Event, all_workflows, evaluate, jobs_that_run, load, steps, uses

DEPLOYED_TAG_PREFIX = "deployed-"  # infra_pulumi/aidetector_infra/settings.py (checked in test_the_tag_prefix_...)

RELEASE = load("release.yml")
CI = load("ci.yml")
DEPLOY_JOBS = ("deploy-dev", "deploy-prod")
STACK_FILES = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in (REPO / "infra_pulumi").glob("Pulumi.*.yaml")
)


def run_text(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


def step_index(job: dict, predicate) -> int:
    found = [i for i, step in enumerate(steps(job)) if predicate(step)]
    assert found, "step not found"
    return found[0]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (Event("pull_request", "refs/pull/7/merge"), {"stacks", "preview"}),
        (Event("pull_request", "refs/pull/8/merge", head_repository="someone/fork"), {"stacks"}),
        (Event("push", "refs/heads/main"), {"stacks", "deploy-dev"}),
        (Event("push", "refs/tags/v1.4.0"), {"stacks", "deploy-dev", "deploy-prod"}),
        (
            Event("workflow_dispatch", "refs/heads/main", {"stack": "dev", "run_pipeline": True}),
            {"stacks", "deploy-dev"},
        ),
        (
            Event("workflow_dispatch", "refs/heads/main", {"stack": "prod-ap-southeast-2", "run_pipeline": True}),
            {"stacks", "deploy-prod"},
        ),
        (
            Event("workflow_dispatch", "refs/heads/main", {"stack": "prod-eu-west-1", "run_pipeline": False}),
            {"stacks", "deploy-prod"},
        ),
    ],
    ids=["pull request", "fork pull request", "push to main", "tag", "manual dev", "manual prod", "manual eu"],
)
def test_which_release_jobs_run_on_which_event(event, expected):
    assert jobs_that_run(RELEASE, event) == expected


def test_release_triggers():
    on = RELEASE["on"]
    assert on["push"] == {"branches": ["main"], "tags": ["v*"]}
    assert "pull_request" in on
    assert on["workflow_dispatch"]["inputs"]["stack"]["options"] == STACK_FILES


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


def test_images_are_built_once_for_dev_and_tagged_with_the_commit():
    builds = [s for s in steps(RELEASE["jobs"]["deploy-dev"]) if uses(s, "docker/build-push-action")]
    assert sorted(s["with"]["file"] for s in builds) == ["Dockerfile.serve", "Dockerfile.train", "Dockerfile.web"]
    for build in builds:
        assert build["with"]["tags"].endswith(":${{ github.sha }}") and build["with"]["push"] is True
        assert build["with"]["provenance"] is False, "SageMaker needs a plain manifest, not an attestation index"
        assert "cache-from" not in build["with"], "a release reads no cache a pull request could have written"
    for name in DEPLOY_JOBS:
        assert RELEASE["jobs"][name]["env"]["IMAGE_TAG"] == "${{ github.sha }}"


def test_production_promotes_the_digests_dev_deployed_and_never_rebuilds():
    """Issue 24.5: prod runs the bytes dev tested: copied by digest from dev's `deployed-<sha>`, checked after."""
    prod = RELEASE["jobs"]["deploy-prod"]
    assert not any(uses(s, "docker/build-push-action") for s in steps(prod))
    (promote,) = [s for s in steps(prod) if "skopeo copy" in str(s.get("run", ""))]
    script = promote["run"]
    assert "--preserve-digests" in script and '@$digest"' in script
    assert f'imageTag="{DEPLOYED_TAG_PREFIX}$IMAGE_TAG"' in script
    assert '[ "$existing" != "$digest" ]' in script
    assert RELEASE["env"]["SOURCE_STACK"] == "dev"


def test_every_step_of_the_release_marks_what_it_deployed_with_the_tag_ecr_never_expires():
    for name in DEPLOY_JOBS:
        (mark,) = [s for s in steps(RELEASE["jobs"][name]) if "put-image" in str(s.get("run", ""))]
        assert f'--image-tag "{DEPLOYED_TAG_PREFIX}$IMAGE_TAG"' in mark["run"]


def test_preview_on_pull_requests_only_and_up_only_in_deploy_jobs():
    commands = {
        name: {s["with"]["command"] for s in steps(job) if uses(s, "pulumi/actions") and "with" in s}
        for name, job in RELEASE["jobs"].items()
    }
    assert commands == {"stacks": set(), "preview": {"preview"}, "deploy-dev": {"up"}, "deploy-prod": {"up"}}
    assert "pulumi up" not in run_text(RELEASE["jobs"]["preview"])
    pull_request = Event("pull_request", "refs/pull/7/merge")
    assert not jobs_that_run(RELEASE, pull_request) & set(DEPLOY_JOBS)


def test_pull_request_previews_wait_for_an_approved_environment():
    """Issue 24.10: a pull request runs its own code with the preview role only once a reviewer approves."""
    assert RELEASE["jobs"]["preview"]["environment"] == "preview"


def run_stacks_script(tmp_path, event: str, chosen: str = "") -> dict[str, str]:
    """Runs the `stacks` job's own script on the repository, as the runner would, and returns its outputs."""
    (step,) = [s for s in steps(RELEASE["jobs"]["stacks"]) if "run" in s]
    output = tmp_path / f"output-{event}-{chosen}"
    env = {**os.environ, "EVENT": event, "CHOSEN": chosen, "GITHUB_OUTPUT": str(output),
           "SOURCE_STACK": RELEASE["env"]["SOURCE_STACK"]}  # fmt: skip
    subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=REPO, env=env, check=True, timeout=60)
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq (on every GitHub runner) is not installed here")
def test_every_stack_the_repository_declares_is_previewed_and_deployed(tmp_path):
    """Issue 24.5: the stacks come from infra_pulumi/Pulumi.*.yaml, so prod-eu-west-1 is never left out."""
    regions = {
        stack: yaml.safe_load((REPO / "infra_pulumi" / f"Pulumi.{stack}.yaml").read_text())["config"]["aws:region"]
        for stack in STACK_FILES
    }
    on_tag = run_stacks_script(tmp_path, "push")
    assert {e["stack"]: e["region"] for e in json.loads(on_tag["all"])} == regions
    assert {e["stack"] for e in json.loads(on_tag["prod"])} == {s for s in STACK_FILES if s.startswith("prod-")}
    assert on_tag["source_region"] == regions["dev"]
    manual = run_stacks_script(tmp_path, "workflow_dispatch", "prod-eu-west-1")
    assert json.loads(manual["prod"]) == [{"stack": "prod-eu-west-1", "region": "eu-west-1"}]
    assert RELEASE["jobs"]["preview"]["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.stacks.outputs.all) }}"
    assert RELEASE["jobs"]["deploy-prod"]["strategy"]["matrix"]["include"] == (
        "${{ fromJSON(needs.stacks.outputs.prod) }}"
    )
    assert RELEASE["jobs"]["deploy-prod"]["environment"] == "${{ matrix.stack }}"


@pytest.mark.parametrize("name", DEPLOY_JOBS)
def test_deploy_order(name):
    job = RELEASE["jobs"][name]
    images = step_index(job, lambda s: uses(s, "docker/build-push-action") or "skopeo copy" in str(s.get("run", "")))
    set_tag = step_index(job, lambda s: 'pulumi config set imageTag "$IMAGE_TAG"' in str(s.get("run", "")))
    up = step_index(job, lambda s: uses(s, "pulumi/actions") and s.get("with", {}).get("command") == "up")
    serve = step_index(job, lambda s: "aidetector models" in str(s.get("run", "")))
    waf = step_index(job, lambda s: "associate-web-acl" in str(s.get("run", "")))
    mark = step_index(job, lambda s: "put-image" in str(s.get("run", "")))
    upsert = step_index(job, lambda s: str(s.get("run", "")).strip() == "aidetector pipeline upsert")
    start = step_index(job, lambda s: str(s.get("run", "")).strip() == "aidetector pipeline start --wait")
    smoke = step_index(job, lambda s: "curl" in str(s.get("run", "")))
    assert images < set_tag < up < serve < waf < mark < upsert < start < smoke
    assert not any(s.get("continue-on-error") for s in steps(job)), "a refused model must fail the job"


def test_the_release_serves_its_serve_image_on_the_endpoint_keeping_the_model_and_sizing():
    """Issue 24.2: `pulumi up` never changes what the endpoint serves, so the release deploys the new image with
    the version SSM says the endpoint serves, the stack's sizing and its own role."""
    (step,) = [s for s in steps(RELEASE["jobs"]["deploy-dev"]) if "aidetector models" in str(s.get("run", ""))]
    words = shlex.split(step["run"].split("aidetector ", 1)[1].replace("\\\n", " "))
    options = dict(zip(words[4::2], words[5::2], strict=False))
    assert words[:4][0] == "models" and "deploy" in words
    assert "/aidetector/$STACK/model-version" in step["run"] and options["--version"] == "$version"
    assert options["--variant-parameter"] == "/aidetector/$STACK/endpoint-variant"
    assert "endpoint_role_arn" in options["--role-arn"] and options["--image"].endswith(":$IMAGE_TAG")


def test_the_pipeline_gets_its_settings_from_the_stack_outputs():
    text = run_text(RELEASE["jobs"]["deploy-dev"])
    for setting in (
        "NAME",
        "ROLE_ARN",
        "ENDPOINT_ROLE_ARN",
        "BUCKET",
        "REGION",
        "TRAIN_IMAGE_URI",
        "SERVE_IMAGE_URI",
        "ENDPOINT_NAME",
        "STACK",
    ):
        assert f"AIDETECTOR_PIPELINE_{setting}=" in text, setting
    for output in ("pipeline_name", "pipeline_role_arn", "endpoint_role_arn", "bucket_name", "endpoint_name"):
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
    assert prod["needs"] == ["stacks", "deploy-dev"]
    assert (dev["environment"], prod["environment"]) == ("dev", "${{ matrix.stack }}")
    for job in (dev, prod):
        assert job["concurrency"]["cancel-in-progress"] is False, "never interrupt pulumi up"
    env = dev["env"]
    stack_file = yaml.safe_load((REPO / "infra_pulumi" / f"Pulumi.{env['STACK']}.yaml").read_text())
    assert stack_file["config"]["aws:region"] == env["AWS_REGION"]


def test_actions_are_pinned_to_a_commit_sha():
    """Issue 24.11: a tag can be moved to other code; jobs holding id-token: write run only pinned commits."""
    for name, workflow in all_workflows().items():
        for job in workflow["jobs"].values():
            for step in steps(job):
                if "uses" in step and not step["uses"].startswith("./"):
                    assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), (name, step)


def test_the_aidetector_commands_the_release_runs_exist():
    from aidetector.cli.main import build_parser

    lines = [line.strip() for line in run_text(RELEASE["jobs"]["deploy-dev"]).replace("\\\n", " ").splitlines()]
    commands = [shlex.split(line)[1:] for line in lines if line.startswith("aidetector ")]
    assert [c[:2] for c in commands] == [["models", "--registry"], ["pipeline", "upsert"], ["pipeline", "start"]]
    for words in commands:
        # a word with a shell expansion in it stands for a value: any value will do for the parser
        build_parser().parse_args(["VALUE" if "$" in w else w for w in words])  # argparse exits on an unknown option


def test_the_tag_prefix_is_the_one_the_lifecycle_policy_protects():
    settings = (REPO / "infra_pulumi" / "aidetector_infra" / "settings.py").read_text()
    assert f'DEPLOYED_TAG_PREFIX = "{DEPLOYED_TAG_PREFIX}"' in settings
