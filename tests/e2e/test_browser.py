"""End to end in a real headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser): the whole local
stack via `aidetector up`, at desktop (1366×900) and phone (390×844) sizes: a text checked, a mixed text, a batch
file, a report exported, and the history kept across a reload. Screenshots go to `test-artifacts/`."""

import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from aidetector.local.up import launched
from tests.conftest import AI_WORDS, HUMAN_WORDS
from tests.fixtures_stack import MIXED_ENV
from tests.integration.servers import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("AIDETECTOR_TEST_ARTIFACTS", "test-artifacts"))
TEXT = " ".join(AI_WORDS * 2) + ". " + " ".join(HUMAN_WORDS) + "."
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
BOX = "Paste or type a text (English, 30 words or more)"
VERDICTS = re.compile("Likely AI-generated|Likely human-written|Inconclusive|Mixed: parts")


def para(words, n=60):
    return " ".join(words[i % len(words)] for i in range(n)).capitalize() + "."


MIXED = para(AI_WORDS) + "\n\n" + para(HUMAN_WORDS) + "\n\n" + para(AI_WORDS)


def check(page, text, height):
    from playwright.sync_api import expect

    box = page.get_by_label(BOX)
    box.fill(text)
    box.press("Control+Enter")  # Streamlit commits a text area on Ctrl+Enter
    page.get_by_role("button", name="Check text").click()
    verdict = page.get_by_role("heading", name=VERDICTS).first
    expect(verdict).to_be_visible(timeout=90_000)
    for _ in range(50):  # the page scrolls the result to the top of the screen by itself
        box = verdict.bounding_box()
        if box and -10 <= box["y"] < height / 3:
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError(f"the result was not scrolled into view: {verdict.bounding_box()}")
    return verdict


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium (make test installs it in CI)")
def test_check_mixed_batch_report_and_history_at_desktop_and_phone_sizes(measured_artifact, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ports = {"api": free_port(), "model": free_port(), "web": free_port()}
    env = {**os.environ, **MIXED_ENV, "AIDETECTOR_HOME": str(tmp_path / "home")}
    args = ["--model", str(measured_artifact), *(a for n, port in ports.items() for a in (f"--{n}-port", str(port)))]
    table = tmp_path / "texts.csv"
    table.write_text("id,label,text\n1,x," + TEXT + "\n2,y," + para(HUMAN_WORDS) + "\n3,z,\n", encoding="utf-8")
    with launched(args, env) as output:
        assert re.search(r"web UI:\s+http://127.0.0.1:\d+", output), output[-3000:]
        demo = re.search(r"demo API key:\s+(\S+)", output).group(1)
        web_key = (tmp_path / "home" / "web_key").read_text().strip()
        assert web_key != demo and web_key not in output  # the page's own key is never printed
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
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, is_mobile=size == "phone", accept_downloads=True)
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{ports['web']}/", wait_until="domcontentloaded")
                page.get_by_label(BOX).wait_for(timeout=90_000)
                assert page.get_by_label(BOX).bounding_box()["width"] <= viewport["width"]

                check(page, TEXT, viewport["height"])
                expect(page.locator('[role="meter"]').first).to_be_visible()
                assert page.locator('[role="meter"]').first.get_attribute("aria-label").count("%") >= 2
                page.screenshot(path=str(ARTIFACTS / f"web_check_{size}.png"), full_page=True)

                check(page, MIXED, viewport["height"])
                expect(page.get_by_text("Mixed: parts read as AI, parts as human").first).to_be_visible()
                expect(page.locator("section.segment-human").first).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / f"web_mixed_{size}.png"), full_page=True)

                with page.expect_download() as download:
                    page.get_by_role("button", name="Download report (HTML)").first.click()
                report = ARTIFACTS / f"report_{size}.html"
                download.value.save_as(report)
                html = report.read_text(encoding="utf-8")
                assert "Mixed: parts read as AI" in html and "segment-human" in html and "<script" not in html
                shown = context.new_page()
                shown.goto(report.resolve().as_uri())
                shown.screenshot(path=str(ARTIFACTS / f"report_{size}.png"), full_page=True)
                shown.close()

                page.get_by_role("tab", name="Batch").click()
                page.locator('input[type="file"]').last.set_input_files(str(table))
                page.get_by_role("button", name="Score all rows").click()
                expect(page.get_by_text(re.compile(r"texts.csv: 3 rows: "))).to_be_visible(timeout=90_000)
                expect(page.get_by_text("1 row not scored")).to_be_visible()
                page.screenshot(path=str(ARTIFACTS / f"web_batch_{size}.png"), full_page=True)

                page.reload(wait_until="domcontentloaded")  # the history lives in the browser, not the session
                page.get_by_role("tab", name="History").click()
                expect(page.get_by_role("button", name="Reopen").first).to_be_visible(timeout=60_000)
                assert page.get_by_role("button", name="Reopen").count() == 3  # two checks and a batch run
                page.screenshot(path=str(ARTIFACTS / f"web_history_{size}.png"), full_page=True)
                page.get_by_role("button", name="Clear history").click()
                expect(page.get_by_role("button", name="Reopen")).to_have_count(0, timeout=30_000)
                page.get_by_role("tab", name="API").click()
                code = page.locator("pre").filter(has_text="curl").first.inner_text()
                content = page.content()
                (ARTIFACTS / f"web_api_{size}.html").write_text(content, encoding="utf-8")
                assert web_key not in content and "YOUR_API_KEY" in code
                context.close()
            browser.close()
    # Ctrl-C on `aidetector up` stops every server, the Streamlit one included (it used to outlive its parent)
    for port in ports.values():
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
