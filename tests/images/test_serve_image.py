"""The SageMaker inference image, run as SageMaker runs it (`IMAGE serve` with the model unpacked in /opt/ml/model)."""

from __future__ import annotations

import json
import signal

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.images.conftest import (
    dockerfile,
    extract_model,
    healthcheck,
    imported_from,
    log_tail,
    running,
    staged,
    stop,
)
from tests.images.dockerfile import REPO, project_extras
from tests.images.packages import (
    closure,
    imported_by_source,
    loaded_from_import_time_log,
    missing_in_image,
    project_dependencies,
    project_requirement,
)
from tests.integration.servers import free_port, wait_ready

SERVE = dockerfile("Dockerfile.serve")
TEXT = (REPO / "docs" / "sample.txt").read_text(encoding="utf-8")


def test_installs_the_locked_serve_closure_with_hashes_and_the_project_without_deps():
    """Issue 24.5: every dependency pinned and hash-checked (requirements/serve.txt), the project on top alone."""
    installs = [word for words in SERVE.pip_installs() for word in words]
    assert [w for w in installs if project_extras(w) is not None] == ["."]
    assert SERVE.hash_checked()
    pins = {canonicalize_name(Requirement(w).name): w for w in installs if project_extras(w) is None}
    assert closure([project_requirement({"serve"})]) - {"aidetector"} <= set(pins)
    assert not set(pins) & {"sagemaker", "pulumi", "streamlit", "matplotlib", "boto3"}
    assert pins["torch"].endswith("+cpu")
    for requirement in project_dependencies({"serve"}):  # the lock agrees with pyproject.toml's bounds
        assert Requirement(requirement).specifier.contains(pins[canonicalize_name(Requirement(requirement).name)]
                                                           .split("==")[1], prereleases=True), requirement  # fmt: skip


def test_runs_as_root_as_sagemakers_inference_contract_expects():
    """SageMaker's hosting documentation: "SageMaker AI expects all containers to run with root users" (issue 24.6).
    The decision and its compensating controls (network isolation, the endpoint's own role) are written beside it;
    tests/infra_pulumi checks that the endpoint's model really runs isolated."""
    assert SERVE.user in (None, "root", "0")
    text = SERVE.path.read_text(encoding="utf-8")
    assert "your-algorithms-inference-code" in text and "network isolation" in text


def test_listens_where_sagemaker_expects():
    assert SERVE.command == SERVE.command_with("serve"), "`docker run IMAGE` and `IMAGE serve` must be the same"
    assert SERVE.env["SAGEMAKER_BIND_TO_PORT"] == "8080" and SERVE.all("EXPOSE") == ["8080"]
    assert SERVE.env["AIDETECTOR_OPT_ML"] == "/opt/ml"  # aidetector.container serves /opt/ml/model from there


@pytest.fixture(scope="module")
def served(tmp_path_factory, shipped_model_tarball):
    """The staged image serving the shipped model, its import log kept (PYTHONPROFILEIMPORTTIME, a diagnostic)."""
    image = staged("Dockerfile.serve", tmp_path_factory)
    assert all(image.site in p.parents for p in imported_from(image, "aidetector", "aidetector.model"))
    extract_model(shipped_model_tarball, image)
    before = image.files()
    port = free_port()
    env = image.environment(SAGEMAKER_BIND_TO_PORT=str(port), PYTHONPROFILEIMPORTTIME="1")
    log = tmp_path_factory.mktemp("serve_log") / "serve.log"
    with running(image, SERVE.command_with("serve"), env, log) as proc:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url + "/ping", proc, timeout=120)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the serve image did not become healthy ({exc}):\n{log_tail(log)}")
        yield {"image": image, "url": url, "proc": proc, "env": env, "log": log, "files_before": before}


def test_ping_reports_the_packaged_model(served):
    answer = requests.get(served["url"] + "/ping", timeout=2)
    shipped = json.loads((REPO / "model" / "shipped" / "manifest.json").read_text())
    assert answer.status_code == 200 and answer.json()["model_version"] == shipped["version"]


def test_invocations_answer_a_verdict(served):
    answer = requests.post(served["url"] + "/invocations", json={"input_text": TEXT}, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["predicted_class"] in (0, 1) and 0.0 <= body["probability_ai"] <= 1.0
    assert body["label"] in ("ai", "human", "inconclusive") and body["model_version"]


def test_the_healthcheck_passes_against_the_running_server(served):
    result = healthcheck(served["image"], served["env"])
    assert result.returncode == 0, result.stderr


def test_the_healthcheck_fails_when_nothing_listens(served):
    result = healthcheck(served["image"], {**served["env"], "SAGEMAKER_BIND_TO_PORT": str(free_port())})
    assert result.returncode != 0


def test_everything_it_imports_comes_with_the_serve_extra(served):
    image = served["image"]
    loaded = loaded_from_import_time_log(served["log"].read_text(errors="replace"))
    assert {"uvicorn", "torch", "aidetector.model.detector"} <= loaded, "the import log should cover the running server"
    ours = imported_by_source(image.site / "aidetector", image.path("/opt/program/sagemaker"))
    allowed = closure([project_requirement({"serve"})])
    assert missing_in_image(loaded, allowed, ours, own={"aidetector"}) == {}


def test_nothing_is_written_to_the_image_or_home(served):
    """The server writes nothing into the image or a home folder (only under /opt/ml, SageMaker's)."""
    assert served["image"].files() == served["files_before"]
    assert not (served["image"].root / "home").exists()


def test_sigterm_stops_the_server_in_time(served):
    """`docker stop` and SageMaker send SIGTERM and kill after 30 s (uvicorn re-raises the signal once it is done)."""
    assert stop(served["proc"], timeout=30) in (0, -signal.SIGTERM), log_tail(served["log"])
