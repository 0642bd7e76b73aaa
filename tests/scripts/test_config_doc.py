"""docs/CONFIGURATION.md is what the settings classes say (regenerate with `python scripts/config_doc.py`)."""

from pathlib import Path

from tests.by_path import load_module

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    return load_module(ROOT / "scripts" / "config_doc.py", "aidetector_config_doc")


def test_the_committed_page_matches_the_settings_classes():
    assert load_script().main(["--check"]) == 0


def test_every_setting_is_listed_with_its_variable_and_a_description():
    script = load_script()
    text = script.render()
    for _, cls, _ in script.SECTIONS:
        for env, _, what in script.rows(cls):
            assert env in text and what, f"{cls.__name__}: {env} needs a description"
    assert "`AIDETECTOR_GATEWAY_PORT`" in text and "`SAGEMAKER_BIND_TO_PORT`" in text and "`ENDPOINT_NAME`" in text
