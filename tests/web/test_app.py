"""The Streamlit page with AppTest, against the real local API (gateway + handler + model server)."""

import csv
import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import AI_WORDS, HUMAN_WORDS

APP = str(Path(__file__).resolve().parents[2] / "web" / "app.py")
TEXT = " ".join(AI_WORDS * 2) + ". " + " ".join(HUMAN_WORDS) + "."


@pytest.fixture
def page(api, key, monkeypatch):
    monkeypatch.setenv("AIDETECTOR_WEB_API_URL", api.url)
    monkeypatch.setenv("AIDETECTOR_WEB_API_KEY", key)
    monkeypatch.setenv("AIDETECTOR_WEB_BATCH_CHUNK", "4")  # this test stack allows 4 texts per batch
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_text_is_scored_and_shown(page):
    page.text_area(key="text").input(TEXT)
    page.button(key="check").click().run()
    assert not page.exception and not page.error
    shown = markdown_text(page)
    assert any(v in shown for v in ("Likely AI-generated", "Likely human-written", "Inconclusive"))
    assert 'class="highlighted"' in shown and "P(AI) =" in shown
    assert [m.label for m in page.metric] == ["P(AI)", "Confidence"]
    assert any("tokens read" in c.value for c in page.caption)
    assert page.session_state["history"][0]["source"] == "pasted text"


def test_short_text_is_inconclusive(page):
    page.text_area(key="text").input("Just a few words here.")
    page.button(key="check").click().run()
    assert "Inconclusive" in markdown_text(page)
    assert any("too short" in i.value for i in page.info)


def test_api_error_is_a_message_not_a_traceback(api, monkeypatch):
    monkeypatch.setenv("AIDETECTOR_WEB_API_URL", api.url)
    monkeypatch.setenv("AIDETECTOR_WEB_API_KEY", "aid_wrong-key")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.text_area(key="text").input(TEXT)
    at.button(key="check").click().run()
    assert not at.exception
    assert any("API key was refused" in e.value for e in at.error)


def test_api_down_is_a_message(monkeypatch):
    from tests.integration.servers import free_port

    monkeypatch.setenv("AIDETECTOR_WEB_API_URL", f"http://127.0.0.1:{free_port()}")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_area(key="text").input(TEXT)
    at.button(key="check").click().run()
    assert not at.exception and any("cannot be reached" in e.value for e in at.error)


def test_batch_upload_gives_table_chart_and_download(page):
    rows = [{"id": i, "text": TEXT if i % 2 else " ".join(HUMAN_WORDS * 2)} for i in range(5)]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    page.file_uploader(key="batch_file").set_value(("texts.jsonl", data, "application/json")).run()
    assert page.selectbox[0].value == "text"
    page.button(key="score_batch").click().run()
    assert not page.exception and not page.error
    table = page.dataframe[0].value
    assert len(table) == 5 and {"label", "probability_ai", "predicted_class"} <= set(table.columns)
    download = page.get("download_button")[0]
    assert download.proto.label == "Download results (CSV)"


def test_file_upload_of_text_and_docx(page, tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph(TEXT)
    buffer = io.BytesIO()
    document.save(buffer)
    page.file_uploader[0].set_value(
        [
            ("a.txt", TEXT.encode(), "text/plain"),
            ("b.docx", buffer.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ]
    )
    page.button(key="check").click().run()
    assert not page.exception and not page.error
    assert [s.value for s in page.subheader] == ["a.txt", "b.docx"]


def test_extract_csv_rows():
    from aidetector.web.extract import rows_from_table

    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=["text"]).writeheader()
    assert rows_from_table("t.csv", buffer.getvalue().encode() + b"hello\n") == [{"text": "hello"}]
