"""The Streamlit page with AppTest, against the real local API (gateway + handler + model server): each state of
the page (verdict, inconclusive, mixed, a 429 waited out, errors once), batch, history and the API tab."""

import io
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import AI_WORDS, HUMAN_WORDS

APP = str(Path(__file__).resolve().parents[2] / "web" / "app.py")
TEXT = " ".join(AI_WORDS * 2) + ". " + " ".join(HUMAN_WORDS) + "."


def para(words, n=60):
    return " ".join(words[i % len(words)] for i in range(n)).capitalize() + "."


MIXED = para(AI_WORDS) + "\n\n" + para(HUMAN_WORDS) + "\n\n" + para(AI_WORDS)


def open_page(monkeypatch, url, key, **env):
    monkeypatch.setenv("AIDETECTOR_WEB_API_URL", url)
    monkeypatch.setenv("AIDETECTOR_WEB_API_KEY", key)
    monkeypatch.setenv("AIDETECTOR_WEB_BATCH_CHUNK", "4")  # this test stack allows 4 texts per batch
    for name, value in env.items():
        monkeypatch.setenv(f"AIDETECTOR_WEB_{name.upper()}", str(value))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def page(api, key, monkeypatch):
    return open_page(monkeypatch, api.url, key)


def markdown_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def check(at, text):
    at.text_area(key="text").input(text)
    at.button(key="check").click().run()
    assert not at.exception
    return at


def test_the_page_says_which_languages_it_judges(page):
    """From the public API's GET /v1/languages, above the text box (the test model judges English only)."""
    assert any("This model judges texts in **English**" in c.value for c in page.caption)
    assert page.text_area(key="text").label == "Paste or type a text (English, 30 words or more)"


def test_a_text_is_scored_and_shown_with_gauge_threshold_and_report(page):
    check(page, TEXT)
    assert not page.error
    shown = markdown_text(page)
    assert any(v in shown for v in ("Likely AI-generated", "Likely human-written", "Inconclusive"))
    assert 'role="meter"' in shown and "threshold" in shown  # the score against the threshold, as text too
    assert 'class="highlighted"' in shown and "Sentence by sentence" in shown
    assert any("tokens read" in c.value and "Confidence" in c.value for c in page.caption)
    assert "not measured" in shown or "wrongly called AI" in shown  # the false-positive statement is there
    assert page.session_state["history"][0]["name"] == "pasted text"
    assert page.get("download_button")[0].proto.label == "Download report (HTML)"
    assert not page.button(key="check").disabled  # enabled again once the answer is in


def test_measured_false_positive_rate_and_mixed_verdict(mixed_api, key, monkeypatch):
    at = open_page(monkeypatch, mixed_api.url, key)
    check(at, MIXED)
    shown = markdown_text(at)
    assert "Mixed: parts read as AI, parts as human" in shown
    assert "of the words in AI-like parts" in shown and "Part by part" in shown
    assert "segment-ai" in shown and "segment-human" in shown
    assert "5.0% of the 20 human texts of `toy`" in shown  # from the model's evaluation report
    assert any("whole-text score" in i.value for i in at.info)
    report = at.get("download_button")[0].proto
    assert report.label == "Download report (HTML)"


def test_characters_read_past_are_shown_beside_the_verdict(page):
    """Zero-width spaces inside words: the answer's `disguises`, said on the page without an accusation."""
    assert not page.warning
    check(page, TEXT.replace("a", "a\u200b"))
    assert not page.error
    [said] = [w.value for w in page.warning]
    assert "invisible characters (zero-width spaces" in said and "web page or a PDF" in said


def test_short_text_is_inconclusive_with_the_score_greyed_out(page):
    check(page, "Just a few words here.")
    shown = markdown_text(page)
    assert "Inconclusive" in shown
    assert 'class="score-big greyed"' in shown and 'class="gauge greyed"' in shown
    assert any("too short" in i.value and "not used" in i.value for i in page.info)


def test_a_click_scores_only_what_is_new(page, store):
    name = "integration"
    used = store.usage(name)["used"]
    check(page, TEXT)
    assert store.usage(name)["used"] == used + 1
    page.button(key="check").click().run()  # nothing new: no request
    assert (
        store.usage(name)["used"] == used + 1 and "Likely" in markdown_text(page)
    ) or "Inconclusive" in markdown_text(page)
    files = [(f"f{i}.txt", (TEXT + f" file {i}").encode(), "text/plain") for i in range(3)]
    page.file_uploader(key="files").set_value(files).run()
    page.button(key="check").click().run()
    assert not page.exception and not page.error
    assert store.usage(name)["used"] == used + 2  # the three files went in one batch request
    assert [s.value for s in page.subheader] == ["pasted text", "f0.txt", "f1.txt", "f2.txt"]


def test_a_429_waits_for_the_rate_limit_and_says_so(api, store, monkeypatch):
    raw = store.create("web-throttled", "tiny")  # 2 at once, then one request every 5 s
    at = open_page(monkeypatch, api.url, raw, rate=0, max_wait_s=30)  # the page does not pace: the API will 429
    for i in range(3):
        check(at, TEXT + f" take {i}")
        assert not at.error
    notes = [i.value for i in at.info]
    assert any("Waited" in n and "rate limit" in n for n in notes), notes
    assert "Likely" in markdown_text(at) or "Inconclusive" in markdown_text(at)


def test_a_refused_key_is_one_message_for_all_files(api, monkeypatch):
    at = open_page(monkeypatch, api.url, "aid_wrong-key")
    files = [(f"f{i}.txt", (TEXT + f" {i}").encode(), "text/plain") for i in range(3)]
    at.file_uploader(key="files").set_value(files).run()
    at.button(key="check").click().run()
    assert not at.exception
    assert len(at.error) == 1
    assert "f0.txt, f1.txt, f2.txt" in at.error[0].value and "refused the key" in at.error[0].value
    assert "sidebar" not in at.error[0].value


def test_api_down_is_a_message(monkeypatch):
    from tests.integration.servers import free_port

    at = open_page(monkeypatch, f"http://127.0.0.1:{free_port()}", "aid_x")
    check(at, TEXT)
    assert any("cannot be reached" in e.value for e in at.error)


def test_batch_puts_predictions_first_keeps_inputs_and_reports_empty_rows(page):
    rows = [{"id": i, "label": "given", "text": TEXT if i % 2 else " ".join(HUMAN_WORDS * 2)} for i in range(5)]
    rows.append({"id": 5, "label": "given", "text": "   "})
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    page.file_uploader(key="batch_file").set_value(("texts.jsonl", data, "application/json")).run()
    assert page.selectbox[0].value == "text"
    page.button(key="score_batch").click().run()
    assert not page.exception and not page.error
    table = page.dataframe[0].value
    assert list(table.columns[:6]) == ["label", "probability_ai", "confidence", "reason", "model_version", "error"]
    assert list(table.columns[6:]) == ["id", "input_label", "text"]
    assert len(table) == 6 and set(table["input_label"]) == {"given"}
    assert table["error"].iloc[5].startswith("empty_text") and table["label"].isna().iloc[5]
    assert any("not scored" in w.value for w in page.warning)
    charts = page.get("vega_lite_chart")  # the histogram, with the threshold as a rule
    assert charts and '"rule"' in charts[0].proto.spec and "threshold" in charts[0].proto.spec
    assert page.get("download_button")[-1].proto.label == "Download results (CSV)"
    assert page.session_state["history"][0]["kind"] == "batch"


def test_history_reopens_a_check_and_clears(page):
    check(page, TEXT)
    reopen = [b for b in page.button if b.label == "Reopen"]
    assert len(reopen) == 1
    reopen[0].click().run()
    assert any("Reopened: pasted text" in s.value for s in page.subheader)
    page.button(key="clear_history").click().run()
    assert not [b for b in page.button if b.label == "Reopen"]


def test_the_api_tab_never_shows_the_sites_key(page, key):
    page.text_area(key="text").input(TEXT).run()
    code = page.code[0].value
    assert key not in code and "YOUR_API_KEY" in code
    page.text_input(key="api_key").input("aid_visitors-own").run()
    assert "aid_visitors-own" in page.code[0].value and key not in page.code[0].value


def test_file_upload_of_text_and_docx(page):
    import docx

    document = docx.Document()
    document.add_paragraph(TEXT)
    buffer = io.BytesIO()
    document.save(buffer)
    page.file_uploader(key="files").set_value(
        [
            ("a.txt", (TEXT + " plain").encode(), "text/plain"),
            ("b.docx", buffer.getvalue(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ]
    )
    page.button(key="check").click().run()
    assert not page.exception and not page.error
    assert [s.value for s in page.subheader] == ["a.txt", "b.docx"]
