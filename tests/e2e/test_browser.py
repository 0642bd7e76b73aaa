"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser):
the whole local stack via `aidetector up`, a text pasted and checked, the verdict and highlights seen."""

import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from aidetector.local.up import launched
from tests.conftest import AI_WORDS, HUMAN_WORDS
from tests.integration.servers import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("AIDETECTOR_TEST_ARTIFACTS", "test-artifacts"))
TEXT = " ".join(AI_WORDS * 2) + ". " + " ".join(HUMAN_WORDS) + "."


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (make test installs it in CI)")
def test_paste_check_and_see_the_verdict(tiny_artifact, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ports = {"api": free_port(), "model": free_port(), "web": free_port()}
    env = {**os.environ, "AIDETECTOR_HOME": str(tmp_path / "home")}
    args = ["--model", str(tiny_artifact), *(a for name, port in ports.items() for a in (f"--{name}-port", str(port)))]
    with launched(args, env) as output:
        assert re.search(r"web UI:\s+http://127.0.0.1:\d+", output), output[-3000:]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                ],
            )
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(f"http://127.0.0.1:{ports['web']}/", wait_until="domcontentloaded")
            box = page.get_by_label("Paste or type a text (English, 30 words or more)")
            box.wait_for(timeout=90_000)
            box.fill(TEXT)
            box.press("Control+Enter")  # Streamlit commits a text area on Ctrl+Enter
            page.get_by_role("button", name="Check text").click()
            verdict = page.get_by_text(re.compile("Likely AI-generated|Likely human-written|Inconclusive"))
            expect(verdict.first).to_be_visible(timeout=90_000)
            expect(page.locator("span.sent").first).to_be_visible(timeout=30_000)
            assert page.locator("span.sent").count() >= 2
            page.screenshot(path=str(ARTIFACTS / "web_verdict.png"), full_page=True)
            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.goto(f"http://127.0.0.1:{ports['web']}/", wait_until="domcontentloaded")
            phone_box = phone.get_by_label("Paste or type a text (English, 30 words or more)")
            phone_box.wait_for(timeout=90_000)
            assert phone_box.bounding_box()["width"] <= 390  # the text box fits a phone screen
            phone.screenshot(path=str(ARTIFACTS / "web_phone.png"), full_page=True)
            browser.close()
    # Ctrl-C on `aidetector up` stops every server, the Streamlit one included (it used to outlive its parent)
    for port in ports.values():
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
