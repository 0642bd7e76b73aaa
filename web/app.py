"""aidetector web UI (Streamlit). It calls only the public API, with an API key, like any external developer.

Run: `aidetector web` (or as part of `aidetector up`). Health check: GET /_stcore/health.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import streamlit as st

from aidetector.web.client import ApiError, DetectorClient
from aidetector.web.extract import ExtractError, rows_from_table, text_from_file
from aidetector.web.render import highlight, legend
from aidetector.web.settings import WebSettings

VERDICT = {"ai": "Likely AI-generated", "human": "Likely human-written", "inconclusive": "Inconclusive"}
REASONS = {
    "too_short": "The text is too short to judge (fewer than 30 words).",
    "unsupported_language": "The text does not look English; the model was only evaluated on English.",
    "near_threshold": "The score is too close to the decision threshold to call either way.",
    "unfamiliar_text": "The text is unlike anything the model was trained on, so only a clear score is called.",
}
ABOUT = (
    "**What the score means.** `P(AI)` is the model's calibrated probability that the text was written by an AI. "
    "Texts at or above the threshold are called AI; the threshold was chosen so that few human texts are called "
    "AI (see the false-positive rate in the model card). **Limits:** short texts, non-English text, and "
    "paraphrased or human-edited AI text are unreliable; non-native writers' essays are a known false-positive "
    "risk. Use this as one signal for a human reviewer, never as sole proof."
)


def client() -> DetectorClient:
    settings = WebSettings()
    key = st.session_state.get("api_key") or settings.api_key
    return DetectorClient(settings.api_url, key, settings.timeout_s)


def show_error(exc: ApiError) -> None:
    st.error(exc.user_message())


def show_result(text: str, result: dict[str, Any]) -> None:
    title = VERDICT.get(result["label"], result["label"])
    cols = st.columns([2, 1, 1])
    cols[0].markdown(f"### {title}")
    cols[1].metric("P(AI)", f"{result['probability_ai']:.0%}")
    cols[2].metric("Confidence", result["confidence"])
    if result.get("reason"):
        st.info(REASONS.get(result["reason"], result["reason"]))
    windowed = " (read in overlapping windows)" if result.get("windows", 1) > 1 else ""
    st.caption(
        f"Threshold {result['threshold']:.2f} · {result['tokens_used']} of {result['tokens_total']} tokens read"
        f"{windowed} · model {result['model_version']}"
    )
    if result.get("sentences"):
        st.markdown("**Sentence by sentence** (hover for the number)")
        st.markdown(legend(), unsafe_allow_html=True)
        st.markdown(highlight(text, result["sentences"]), unsafe_allow_html=True)
        with st.expander("Sentence scores as a table"):
            st.dataframe(
                [{"sentence": s["text"], "P(AI)": round(s["probability_ai"], 3)} for s in result["sentences"]],
                width="stretch",
            )


def check_tab() -> None:
    text = st.text_area("Paste or type a text (English, 30 words or more)", height=220, key="text")
    uploads = st.file_uploader(
        "…or upload files (.txt, .md, .pdf, .docx)", type=["txt", "md", "pdf", "docx"], accept_multiple_files=True
    )
    if st.button("Check text", type="primary", key="check"):
        jobs: list[tuple[str, str]] = []
        if text.strip():
            jobs.append(("pasted text", text))
        for upload in uploads or []:
            try:
                jobs.append((upload.name, text_from_file(upload.name, upload.getvalue())))
            except ExtractError as exc:
                st.error(str(exc))
        if not jobs:
            st.warning("Paste a text or upload a file first.")
        for name, body in jobs:
            if len(jobs) > 1:
                st.subheader(name)
            try:
                result = client().detect(body, sentences=True)
            except ApiError as exc:
                show_error(exc)
                continue
            st.session_state.setdefault("history", []).append(
                {
                    "source": name,
                    "label": result["label"],
                    "P(AI)": round(result["probability_ai"], 3),
                    "words": len(body.split()),
                    "model": result["model_version"],
                }
            )
            show_result(body, result)
    st.markdown(ABOUT)


def batch_tab() -> None:
    st.write("Upload a CSV or JSONL file with one text per row; each row is scored through the batch API.")
    upload = st.file_uploader("Table of texts (.csv, .jsonl)", type=["csv", "jsonl"], key="batch_file")
    if upload is None:
        return
    try:
        rows = rows_from_table(upload.name, upload.getvalue())
    except ExtractError as exc:
        st.error(str(exc))
        return
    if not rows:
        st.warning("The file has no rows.")
        return
    columns = list(rows[0].keys())
    default = columns.index("text") if "text" in columns else 0
    column = st.selectbox("Text column", columns, index=default)
    if not st.button("Score all rows", type="primary", key="score_batch"):
        return
    chunk = WebSettings().batch_chunk
    bar = st.progress(0.0, text="scoring…")
    out: list[dict[str, Any]] = []
    for begin in range(0, len(rows), chunk):
        part = rows[begin : begin + chunk]
        texts = [str(r.get(column) or "") for r in part]
        try:
            results = client().batch([t if t.strip() else "(empty)" for t in texts])
        except ApiError as exc:
            show_error(exc)
            break
        for row, res in zip(part, results, strict=True):
            out.append(
                {
                    **row,
                    "label": res["label"],
                    "probability_ai": res["probability_ai"],
                    "predicted_class": res["predicted_class"],
                }
            )
        bar.progress(min(1.0, (begin + len(part)) / len(rows)), text=f"{begin + len(part)} of {len(rows)}")
    if not out:
        return
    st.dataframe(out, width="stretch")
    st.bar_chart(histogram([r["probability_ai"] for r in out]), x="P(AI)", y="texts")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(out[0].keys()))
    writer.writeheader()
    writer.writerows(out)
    st.download_button("Download results (CSV)", buffer.getvalue(), "aidetector_results.csv", "text/csv")


def histogram(values: list[float], bins: int = 10) -> list[dict[str, object]]:
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    return [{"P(AI)": f"{i / bins:.1f}–{(i + 1) / bins:.1f}", "texts": c} for i, c in enumerate(counts)]


def history_tab() -> None:
    history = st.session_state.get("history", [])
    if history:
        st.dataframe(history, width="stretch")
    else:
        st.write("Checks you run in this browser session appear here.")


def api_tab() -> None:
    st.text_input(
        "Your API key (optional)",
        type="password",
        key="api_key",
        help="Leave empty to use the site's demo key, with its quota.",
    )
    st.caption("In every answer, predicted_class 1 = AI-generated, 0 = human.")
    st.write("The page uses the public API. The same call from a terminal, for the current text:")
    st.code(client().curl(st.session_state.get("text") or "Your text here"), language="bash")
    st.write(f"API base URL: `{WebSettings().api_url}` · OpenAPI description: `{WebSettings().api_url}/openapi.json`")


def main() -> None:
    st.set_page_config(page_title="aidetector — was this written by AI?", layout="centered")
    st.title("Was this written by AI?")
    check, batch, history, api = st.tabs(["Check", "Batch", "History", "API"])
    with check:
        check_tab()
    with batch:
        batch_tab()
    with history:
        history_tab()
    with api:
        api_tab()


main()
