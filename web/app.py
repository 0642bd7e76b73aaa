"""aidetector web UI (Streamlit). It calls only the public API, with an API key, like any external developer.

Run: `aidetector web` (or as part of `aidetector up`). Health check: GET /_stcore/health.

The page keeps what it was told: every answer is cached by the text's fingerprint for the session, so a click
scores only texts it has not scored yet; what is shown is drawn from that state on every run, and the browser
keeps a history of checks and batch runs in its local storage (`history_store/`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from aidetector.web import render
from aidetector.web.client import ApiError, DetectorClient
from aidetector.web.extract import ExtractError, rows_from_table, text_from_file
from aidetector.web.settings import WebSettings

ABOUT = (
    "**What the score means.** `P(AI)` is the model's calibrated probability that the text was written by an AI. "
    "A text is called AI only when its score reaches the threshold, which was set so that few human texts are "
    "called AI; the measured rate is stated under each verdict. Near the threshold the answer is *inconclusive*. "
    "A text whose parts disagree (some paragraphs read as AI, others as human) is called *mixed*, part by part. "
    "**Limits:** short texts, non-English text, and paraphrased or human-edited AI text are unreliable; "
    "non-native writers' essays are a known false-positive risk. Use this as one signal for a human reviewer, "
    "never as sole proof."
)
WAIT_REASONS = {
    "retry_after": "the API's rate limit was reached; waiting as long as it asked (Retry-After)",
    "backoff": "the API's rate limit was reached; backing off before retrying",
    "pace": "keeping to this page's share of the API's rate limit",
}
PREDICTIONS = ("label", "probability_ai", "confidence", "reason", "model_version", "error")
SNIPPET = 140
STORED_TEXT = 20_000  # characters of a checked text kept in the browser's history, to reopen it

_history_store = components.declare_component("history_store", path=str(Path(__file__).parent / "history_store"))


def state() -> Any:
    s = st.session_state
    for name, default in (
        ("results", {}),
        ("check_items", []),
        ("check_errors", []),
        ("notes", []),
        ("history", []),
        ("stored_history", []),
        ("history_clear", 0),
        ("busy", False),
    ):
        s.setdefault(name, default)
    return s


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def settings() -> WebSettings:
    return WebSettings()


def visitor_key() -> str:
    return str(st.session_state.get("api_key") or "").strip()


def client(cfg: WebSettings) -> DetectorClient:
    own = visitor_key()
    return DetectorClient(
        cfg.api_url,
        own or cfg.api_key,
        cfg.timeout_s,
        rate=0.0 if own else cfg.rate,  # a visitor's own key has its own plan: the gateway paces it
        burst=cfg.burst,
        max_wait_s=cfg.max_wait_s,
    )


# ---------------------------------------------------------------------------------------------------- results


def model_card_text(location: str) -> str | None:
    if not location:
        return None
    if location.startswith(("http://", "https://")):
        import requests

        try:
            answer = requests.get(location, timeout=5)
            return answer.text if answer.ok else None
        except requests.RequestException:
            return None
    try:
        return Path(location).read_text(encoding="utf-8")
    except OSError:
        return None


def model_card_block(result: dict[str, Any], cfg: WebSettings, key: str) -> None:
    location = cfg.model_card
    if location.startswith(("http://", "https://")):
        st.markdown(f"[Model card]({location}): how the model was trained and measured, and its limits.")
    card = model_card_text(location)
    if card is None:
        return
    first = card.splitlines()[0] if card else ""
    version = str(result.get("model_version") or "")
    with st.expander("Model card" + ("" if version in first else " (of another model version than this answer's)")):
        st.markdown(card)


def show_result(name: str, text: str, result: dict[str, Any], cfg: WebSettings, key: str) -> None:
    label = str(result["label"])
    p, t = float(result["probability_ai"]), float(result["threshold"])
    greyed = label in ("inconclusive", "mixed")
    st.markdown(f"### {render.VERDICT.get(label, label)}")
    if label == "mixed":
        share = render.mixed_share(result)
        st.markdown(
            f'<div class="score-big">{render.pct(share)} of the words in AI-like parts</div>', unsafe_allow_html=True
        )
        st.markdown(render.class_line(result))
        st.info(
            f"The parts of this text disagree, so the whole-text score (P(AI) {render.pct(p)}) is not used: "
            "each part below has its own."
        )
    else:
        big = f'<div class="score-big{" greyed" if greyed else ""}">P(AI) {render.pct(p)}</div>'
        st.markdown(big, unsafe_allow_html=True)
        if label == "inconclusive":
            st.info(render.reason_text(result) or "The model cannot call this text either way.")
    st.markdown(render.gauge(p, t, greyed), unsafe_allow_html=True)
    confidence = result.get("confidence")
    st.caption(
        f"Confidence: {confidence} (how far the score is from the threshold, not how reliable the model is) · "
        f"{result['tokens_used']} of {result['tokens_total']} tokens read"
        f"{' in overlapping windows' if result.get('windows', 1) > 1 else ''} · model {result['model_version']}"
    )
    if result.get("disguises"):
        st.warning(render.disguises_sentence(result))
    st.markdown(render.fpr_sentence(result))
    model_card_block(result, cfg, key)
    segments = result.get("segments") or []
    if len(segments) > 1:
        st.markdown("**Part by part**")
        st.markdown(render.segments_view(text, segments), unsafe_allow_html=True)
    if result.get("sentences"):
        holder = st.expander("Sentence by sentence") if label == "mixed" else st.container()
        with holder:
            st.markdown("**Sentence by sentence**: sentences at or above the threshold are marked, with their score")
            st.markdown(render.legend(t), unsafe_allow_html=True)
            st.markdown(render.highlight(text, result["sentences"], t), unsafe_allow_html=True)
            with st.expander("Every sentence's score, as a table"):
                st.dataframe(
                    [{"sentence": s["text"], "P(AI)": round(s["probability_ai"], 3)} for s in result["sentences"]],
                    width="stretch",
                )
    st.download_button(
        "Download report (HTML)",
        render.report_html(name, text, result, now()),
        file_name=f"aidetector-report-{key}.html",
        mime="text/html",
        key=f"report-{key}",
    )


# ---------------------------------------------------------------------------------------------------- check


def start_check() -> None:
    st.session_state.busy = True
    st.session_state.pending = True


def wait_note(seconds: float, why: str) -> str:
    return f"Waited {seconds:.0f} s: {WAIT_REASONS.get(why, why)}."


def collect_jobs() -> tuple[list[dict[str, str]], list[str]]:
    s = state()
    jobs: list[dict[str, str]] = []
    errors: list[str] = []
    text = str(s.get("text") or "")
    if text.strip():
        jobs.append({"name": "pasted text", "text": text, "fp": fingerprint(text)})
    for upload in s.get("files") or []:
        try:
            body = text_from_file(upload.name, upload.getvalue())
        except ExtractError as exc:
            errors.append(str(exc))
            continue
        if not body.strip():
            errors.append(f"{upload.name}: no text found in the file.")
            continue
        jobs.append({"name": upload.name, "text": body, "fp": fingerprint(body)})
    return jobs, errors


def run_check(cfg: WebSettings) -> None:
    """Score the texts not scored yet (each once), through the batch route when there are several."""
    s = state()
    jobs, errors = collect_jobs()
    s.notes = []
    new: dict[str, dict[str, str]] = {}
    for job in jobs:
        if job["fp"] not in s.results:
            new.setdefault(job["fp"], job)
    failures: dict[str, list[str]] = {}
    if new:
        api = client(cfg)
        todo = list(new.values())
        with st.status(f"Checking {len(todo)} text{'s' if len(todo) > 1 else ''} …", expanded=True) as status:
            bar = st.progress(0.0, text=f"0 of {len(todo)} scored")

            def on_wait(seconds: float, why: str) -> None:
                status.update(label=f"Waiting {seconds:.0f} s before the next request …")
                st.write(f"Waiting {seconds:.0f} s: {WAIT_REASONS.get(why, why)}.")
                if why != "pace":
                    s.notes.append(wait_note(seconds, why))

            def on_progress(done: int, total: int) -> None:
                bar.progress(done / total, text=f"{done} of {total} scored")

            answers: list[dict[str, Any] | ApiError]
            if len(todo) == 1:
                try:
                    answers = [api.detect(todo[0]["text"], sentences=True, on_wait=on_wait)]
                except ApiError as exc:
                    answers = [exc]
                on_progress(1, 1)
            else:
                answers = api.batch_all(
                    [j["text"] for j in todo], cfg.batch_chunk, cfg.batch_bytes, True, on_progress, on_wait
                )
            for job, answer in zip(todo, answers, strict=True):
                if isinstance(answer, ApiError):
                    failures.setdefault(answer.user_message(), []).append(job["name"])
                    continue
                answer.pop("input_text", None)
                s.results[job["fp"]] = answer
                add_history(check_entry(job, answer))
            status.update(label="Done", state="complete" if not failures else "error")
    for message, names in failures.items():  # one message per cause, naming the texts it hit
        errors.append(message if len(jobs) == 1 else f"{', '.join(names)}: {message}")
    s.check_items = jobs
    s.check_errors = errors
    s.scroll_id = int(s.get("scroll_id", 0)) + 1


def check_entry(job: dict[str, str], result: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{job['fp']}-{now()}",
        "kind": "check",
        "time": now(),
        "name": job["name"],
        "snippet": " ".join(job["text"].split())[:SNIPPET],
        "label": result["label"],
        "probability_ai": result["probability_ai"],
        "model_version": result.get("model_version"),
        "text": job["text"][:STORED_TEXT],
        "result": result if len(job["text"]) <= STORED_TEXT else {**result, "sentences": None, "segments": None},
    }


def scroll_to_results(scroll_id: int) -> None:
    """Bring the results to the top of the screen once per check (a phone would leave them below the fold).

    Kept on the page with the check's id, so the reruns that follow (the history store's) do not cut it short;
    it scrolls for two seconds while the results finish drawing, then marks the id as done."""
    st.iframe(
        "<script>const w = window.parent, id = '" + str(scroll_id) + "';"
        "if (w.aidetectorScrolled !== id) { let n = 0; const t = setInterval(() => {"
        "const el = w.document.querySelector('.st-key-results'); n += 1;"
        "if (el) { el.scrollIntoView({block: 'start'}); }"
        "if (n >= 8) { clearInterval(t); w.aidetectorScrolled = id; } }, 250); }</script>",
        height=1,
    )


def judged_languages(cfg: WebSettings) -> dict[str, Any] | None:
    """The API's GET /v1/languages, asked once per visit (a failure is not retried: the page works without it)."""
    s = state()
    if "languages" not in s:
        try:
            s.languages = client(cfg).languages()
        except ApiError:
            s.languages = None
    return s.languages


def check_tab(cfg: WebSettings) -> None:
    s = state()
    report = judged_languages(cfg)
    which = render.language_names(report["supported"]) + ", " if report and report.get("supported") else ""
    st.text_area(f"Paste or type a text ({which}30 words or more)", height=220, key="text")
    if report:
        st.caption(render.languages_sentence(report))
    st.file_uploader(
        "…or upload files (.txt, .md, .pdf, .docx)",
        type=["txt", "md", "pdf", "docx"],
        accept_multiple_files=True,
        key="files",
    )
    st.button("Check text", type="primary", key="check", disabled=bool(s.busy), on_click=start_check)
    if s.get("pending"):
        try:
            run_check(cfg)
            if not s.check_items and not s.check_errors:
                s.check_errors = ["Paste a text or upload a file first."]
        finally:
            s.pending = False
            s.busy = False
        st.rerun()
    with st.container(key="results"):
        for message in s.check_errors:
            st.error(message)
        for note in s.notes:
            st.info(note)
        items = s.check_items
        for item in items:
            result = s.results.get(item["fp"])
            if result is None:
                continue
            if len(items) > 1:
                st.subheader(item["name"])
            show_result(item["name"], item["text"], result, cfg, item["fp"])
    if s.get("scroll_id"):
        scroll_to_results(s.scroll_id)
    st.markdown(ABOUT)


# ---------------------------------------------------------------------------------------------------- batch


def start_batch() -> None:
    st.session_state.busy = True
    st.session_state.batch_pending = True


def output_rows(rows: list[dict[str, Any]], answers: list[dict[str, Any] | ApiError | None]) -> list[dict[str, Any]]:
    """Prediction columns first, then the input's columns as they were (a clash gets the prefix `input_`)."""
    out = []
    for row, answer in zip(rows, answers, strict=True):
        if answer is None:
            prediction = dict.fromkeys(PREDICTIONS)
            prediction["error"] = "empty_text: the row has no text"
        elif isinstance(answer, ApiError):
            prediction = dict.fromkeys(PREDICTIONS)
            prediction["error"] = f"{answer.code}: {answer.user_message()}"
        else:
            prediction = {name: answer.get(name) for name in PREDICTIONS}
        inputs = {(f"input_{k}" if k in PREDICTIONS else k): v for k, v in row.items()}
        out.append({**prediction, **inputs})
    return out


def run_batch(cfg: WebSettings, name: str, rows: list[dict[str, Any]], column: str) -> None:
    s = state()
    texts = [str(r.get(column) or "") for r in rows]
    todo = [i for i, t in enumerate(texts) if t.strip()]
    answers: list[dict[str, Any] | ApiError | None] = [None] * len(rows)
    s.notes_batch = []
    with st.status(f"Scoring {len(todo)} rows …", expanded=True) as status:
        bar = st.progress(0.0, text=f"0 of {len(todo)} scored")

        def on_wait(seconds: float, why: str) -> None:
            status.update(label=f"Waiting {seconds:.0f} s before the next request …")
            if why != "pace":
                s.notes_batch.append(wait_note(seconds, why))

        def on_progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"{done} of {total} scored")

        got = client(cfg).batch_all(
            [texts[i] for i in todo], cfg.batch_chunk, cfg.batch_bytes, False, on_progress, on_wait
        )
        for i, answer in zip(todo, got, strict=True):
            answers[i] = answer
        status.update(label="Done", state="complete")
    out = output_rows(rows, answers)
    threshold = next((a["threshold"] for a in answers if isinstance(a, dict)), None)
    s.batch_result = {"name": name, "rows": out, "threshold": threshold, "time": now()}
    add_history(
        {
            "id": f"batch-{fingerprint(json.dumps(out, default=str))}-{now()}",
            "kind": "batch",
            "time": now(),
            "name": name,
            "snippet": summary(out),
            "label": "batch",
            "probability_ai": None,
            "model_version": next((a["model_version"] for a in answers if isinstance(a, dict)), None),
            "rows": out[:500],
            "threshold": threshold,
        }
    )


def summary(out: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for row in out:
        key = row["label"] or "error"
        counts[key] = counts.get(key, 0) + 1
    return f"{len(out)} rows: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


def histogram_chart(values: list[float], threshold: float | None) -> Any:
    import altair as alt

    bins = histogram(values)
    bars = (
        alt.Chart(alt.Data(values=bins))
        .mark_bar()
        .encode(
            x=alt.X("start:Q", bin=alt.Bin(binned=True, step=0.1), title="P(AI)", scale=alt.Scale(domain=[0, 1])),
            x2="end:Q",
            y=alt.Y("texts:Q", title="texts"),
            tooltip=["range:N", "texts:Q"],
        )
    )
    if threshold is None:
        return bars
    rule = alt.Chart(alt.Data(values=[{"t": threshold, "label": f"threshold {threshold:.2f}"}]))
    return (
        bars
        + rule.mark_rule(color="#b00020", strokeWidth=2).encode(x="t:Q")
        + rule.mark_text(align="left", dx=4, dy=-6, color="#b00020").encode(x="t:Q", y=alt.value(8), text="label:N")
    )


def histogram(values: list[float], bins: int = 10) -> list[dict[str, Any]]:
    counts = [0] * bins
    for v in values:
        counts[min(int(v * bins), bins - 1)] += 1
    return [
        {"start": i / bins, "end": (i + 1) / bins, "range": f"{i / bins:.1f}–{(i + 1) / bins:.1f}", "texts": c}
        for i, c in enumerate(counts)
    ]


def show_batch(result: dict[str, Any], key: str) -> None:
    out = result["rows"]
    st.markdown(f"**{result['name']}**: {summary(out)}")
    errors = [r for r in out if r.get("error")]
    if errors:
        st.warning(f"{len(errors)} row{'s' if len(errors) > 1 else ''} not scored: see the `error` column.")
    st.dataframe(out, width="stretch", hide_index=True)
    scored = [float(r["probability_ai"]) for r in out if r.get("probability_ai") is not None]
    if scored:
        st.altair_chart(histogram_chart(scored, result.get("threshold")), width="stretch")
        if result.get("threshold") is not None:
            st.caption(
                f"The red line is the threshold ({result['threshold']:.2f}): at or above it a text is called AI."
            )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(out[0].keys()))
    writer.writeheader()
    writer.writerows(out)
    st.download_button(
        "Download results (CSV)", buffer.getvalue(), "aidetector_results.csv", "text/csv", key=f"csv-{key}"
    )


def batch_tab(cfg: WebSettings) -> None:
    s = state()
    st.write("Upload a CSV or JSONL file with one text per row; the rows are scored through the batch API.")
    upload = st.file_uploader("Table of texts (.csv, .jsonl)", type=["csv", "jsonl"], key="batch_file")
    if upload is not None:
        try:
            rows = rows_from_table(upload.name, upload.getvalue())
        except ExtractError as exc:
            st.error(str(exc))
            rows = []
        if upload is not None and not rows and not st.session_state.get("batch_result"):
            st.warning("The file has no rows.")
        if rows:
            columns = list(rows[0].keys())
            default = columns.index("text") if "text" in columns else 0
            column = st.selectbox("Text column", columns, index=default)
            st.button("Score all rows", type="primary", key="score_batch", disabled=bool(s.busy), on_click=start_batch)
            if s.get("batch_pending"):
                try:
                    run_batch(cfg, upload.name, rows, column)
                finally:
                    s.batch_pending = False
                    s.busy = False
                st.rerun()
    for note in s.get("notes_batch") or []:
        st.info(note)
    if s.get("batch_result"):
        show_batch(s.batch_result, "current")


# ---------------------------------------------------------------------------------------------------- history


def add_history(entry: dict[str, Any]) -> None:
    state().history.insert(0, entry)


def clear_history() -> None:
    s = st.session_state
    s.history = []
    s.stored_history = []
    s.history_clear = int(s.get("history_clear", 0)) + 1
    s.pop("reopen", None)


def history_sync(cfg: WebSettings) -> None:
    """Keep the history in the browser's local storage (a component with no view) and read it back."""
    s = state()
    stored = _history_store(
        save=s.history, clear=s.history_clear, limit=cfg.history_limit, key="history_store", default=None
    )
    if isinstance(stored, list):
        s.stored_history = stored


def all_history() -> list[dict[str, Any]]:
    s = state()
    seen, out = set(), []
    for entry in [*s.history, *s.stored_history]:
        if entry.get("id") not in seen:
            seen.add(entry.get("id"))
            out.append(entry)
    return sorted(out, key=lambda e: str(e.get("time")), reverse=True)


def history_tab(cfg: WebSettings) -> None:
    entries = all_history()
    if not entries:
        st.write("Checks and batch runs from this browser appear here; they stay after a reload.")
        return
    st.caption(f"{len(entries)} kept in this browser (the last {cfg.history_limit}); nothing is kept on the server.")
    for entry in entries:
        when = str(entry.get("time", "")).replace("T", " ").replace("+00:00", " UTC")
        cols = st.columns([5, 1])
        p = entry.get("probability_ai")
        score = f" · P(AI) {render.pct(float(p))}" if p is not None and entry.get("label") != "mixed" else ""
        verdict = render.VERDICT.get(str(entry.get("label")), "Batch run")
        cols[0].markdown(f"**{verdict}**{score} · {entry.get('name')} · {when}  \n{entry.get('snippet', '')}")
        if cols[1].button("Reopen", key=f"reopen-{entry['id']}"):
            st.session_state.reopen = entry["id"]
    st.button("Clear history", key="clear_history", on_click=clear_history)
    chosen = next((e for e in entries if e.get("id") == st.session_state.get("reopen")), None)
    if chosen is not None:
        st.divider()
        st.subheader(f"Reopened: {chosen.get('name')}")
        if chosen.get("kind") == "batch":
            show_batch(
                {"name": chosen["name"], "rows": chosen.get("rows") or [], "threshold": chosen.get("threshold")},
                "reopened",
            )
        else:
            show_result(chosen["name"], chosen.get("text", ""), chosen["result"], cfg, f"reopened-{chosen['id'][:16]}")


# ---------------------------------------------------------------------------------------------------- API


def api_tab(cfg: WebSettings) -> None:
    st.text_input(
        "Your API key (optional)",
        type="password",
        key="api_key",
        help="With your own key the page calls the API on your plan; without, on the site's own limited plan.",
    )
    st.caption(
        "In every answer, predicted_class 1 = AI-generated, 0 = human; label is ai, human, mixed or inconclusive."
    )
    st.write("The page uses the public API. The same call from a terminal, for the current text:")
    sample = str(st.session_state.get("text") or "") or "Your text here (30 words or more)"
    st.code(client(cfg).curl(sample, visitor_key() or None), language="bash")
    if not visitor_key():
        st.caption("Put your own key in place of YOUR_API_KEY (the site's key is not shown).")
    st.write(f"API base URL: `{cfg.api_url}` · OpenAPI description: `{cfg.api_url}/openapi.json`")


# ---------------------------------------------------------------------------------------------------- page


def main() -> None:
    st.set_page_config(page_title="aidetector — was this written by AI?", layout="centered")
    st.markdown(f"<style>{render.CSS}</style>", unsafe_allow_html=True)
    cfg = settings()
    state()
    history_sync(cfg)
    st.title("Was this written by AI?")
    check, batch, history, api = st.tabs(["Check", "Batch", "History", "API"])
    with check:
        check_tab(cfg)
    with batch:
        batch_tab(cfg)
    with history:
        history_tab(cfg)
    with api:
        api_tab(cfg)


main()
