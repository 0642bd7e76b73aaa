"""The Streamlit web image, run with its own CMD: answers its health route, which its HEALTHCHECK probes."""

from __future__ import annotations

import re

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.images.conftest import dockerfile, healthcheck, imported_from, log_tail, running, staged
from tests.images.dockerfile import REPO, project_extras
from tests.images.packages import closure, imported_by_source, outside
from tests.integration.servers import free_port, wait_ready

WEB = dockerfile("Dockerfile.web")
HEAVY = {"torch", "transformers", "scikit-learn", "matplotlib", "boto3", "sagemaker", "pulumi"}


def web_requirements() -> list[str]:
    return [word for words in WEB.pip_installs() for word in words]


def test_installs_only_the_ui_packages_never_the_project_or_torch():
    requirements = web_requirements()
    assert WEB.hash_checked()  # issue 24.5: requirements/web.txt, every version and file hash locked
    assert not any(project_extras(r) is not None for r in requirements), "the UI image must not install the project"
    assert not closure(requirements) & HEAVY


def test_installs_every_package_the_web_extra_declares():
    import tomllib

    extra = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["web"]
    declared = {canonicalize_name(Requirement(r).name) for r in extra}
    assert declared <= {canonicalize_name(Requirement(r).name) for r in web_requirements()}


def test_the_ui_code_imports_only_what_the_image_installs():
    imports = imported_by_source(REPO / "web")
    ours = {name for name in imports if name.split(".")[0] == "aidetector"}
    assert all(name.startswith("aidetector.web") for name in ours), f"only aidetector.web is in the image: {ours}"
    assert outside(imports, closure(web_requirements()), own={"aidetector"}) == {}


def test_runs_as_a_non_root_user_it_creates():
    user = WEB.user
    assert user not in (None, "root", "0"), "the web image must not run as root"
    assert any(re.search(rf"useradd .*--uid {user}\b", run) for run in WEB.all("RUN"))


def test_is_configured_by_the_settings_pulumi_sets():
    command = " ".join(WEB.command)
    assert "streamlit run aidetector/web/app.py" in command and "${PORT}" in command and "0.0.0.0" in command
    assert WEB.env["PORT"] == "8501" and WEB.all("EXPOSE") == ["8501"]


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    image = staged("Dockerfile.web", tmp_path_factory)
    assert all(image.path("/opt/web") in p.parents for p in imported_from(image, "aidetector.web"))
    before = image.files()
    port = free_port()
    env = image.environment(
        PORT=str(port), AIDETECTOR_WEB_API_URL="http://127.0.0.1:9", AIDETECTOR_WEB_API_KEY="aid_example"
    )
    log = tmp_path_factory.mktemp("web_log") / "web.log"
    with running(image, WEB.command, env, log) as proc:
        url = f"http://127.0.0.1:{port}"
        try:
            wait_ready(url + "/_stcore/health", proc, timeout=90)
        except (RuntimeError, TimeoutError) as exc:
            pytest.fail(f"the web image did not become healthy ({exc}):\n{log_tail(log)}")
        yield {"image": image, "url": url, "env": env, "files_before": before, "log": log}


def test_serves_its_health_route_and_the_page(web):
    assert requests.get(web["url"] + "/_stcore/health", timeout=5).text == "ok"
    page = requests.get(web["url"] + "/", timeout=5)
    assert page.status_code == 200 and "<noscript>" in page.text


def test_the_healthcheck_passes_against_the_running_ui(web):
    result = healthcheck(web["image"], web["env"])
    assert result.returncode == 0, result.stderr


def test_the_healthcheck_fails_when_nothing_listens(web):
    assert healthcheck(web["image"], {**web["env"], "PORT": str(free_port())}).returncode != 0


def test_nothing_is_written_to_the_image_or_home(web):
    """USER 10001 owns nothing in the image and has no home: a write there would fail in the container."""
    assert web["image"].files() == web["files_before"], log_tail(web["log"])
    assert not (web["image"].root / "home").exists()
