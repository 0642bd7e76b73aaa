"""Screenshot of the web UI for the README: starts `aidetector up` with the shipped model, checks docs/sample.txt
(the same text as the README's example answer, scripts/readme_example.py) at the desktop size the page is tested at.

.venv/bin/python scripts/screenshot.py docs/screenshot.png   (needs Debian's chromium)
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from aidetector.local.ports import free_port
from aidetector.local.up import launched

ROOT = Path(__file__).resolve().parents[1]


def main(out: str) -> None:
    api, model, web = free_port(), free_port(), free_port()
    env = {**os.environ, "AIDETECTOR_HOME": tempfile.mkdtemp(prefix="aidetector-shot-")}
    args = ["--api-port", str(api), "--model-port", str(model), "--web-port", str(web)]
    with launched(args, env), sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 1100})
        page.goto(f"http://127.0.0.1:{web}/")
        box = page.get_by_label("Paste or type a text (English, 30 words or more)")
        box.fill((ROOT / "docs" / "sample.txt").read_text())
        box.press("Control+Enter")
        page.get_by_role("button", name="Check text").click()
        verdict = re.compile("Likely AI|Likely human|Inconclusive|Mixed: parts")
        expect(page.get_by_role("heading", name=verdict).first).to_be_visible(timeout=120_000)
        expect(page.locator('[role="meter"]').first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(3000)  # the page scrolls the result into view by itself
        page.screenshot(path=out, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png")
