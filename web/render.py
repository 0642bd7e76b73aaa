"""HTML for a verdict: the gauge, sentence highlights, segments, and the self-contained report.

Every number drawn is also written as text (for keyboards, screen readers and touch screens, where hover does
nothing), and colours come from a colour-blind-safe perceptual scale (cividis). Only sentences at or above the
decision threshold are marked: below it a sentence is not evidence of AI, and painting it would make a text that
the model calls human look alarming.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

# cividis at 0, .25, .5, .75, 1: readable with every common colour-vision deficiency
CIVIDIS = [(0, 34, 78), (61, 78, 110), (124, 123, 120), (188, 175, 111), (254, 232, 56)]
HUMAN_TINT = "#dce6f2"  # human-like parts of a mixed text
AI_TINT = "#fbf0b4"  # AI-like parts

VERDICT = {
    "ai": "Likely AI-generated",
    "human": "Likely human-written",
    "mixed": "Mixed: parts read as AI, parts as human",
    "inconclusive": "Inconclusive",
}
REASONS = {
    "too_short": "The text is too short to judge (fewer than 30 words), so the score is not used.",
    "unsupported_language": "The text is not in a language this model judges (see the list above the text box), "
    "so the score is not used.",
    "near_threshold": "The score is too close to the decision threshold to call either way.",
    "unfamiliar_text": "The text is unlike the writing the model was trained on, so only a score far from the "
    "threshold is called either way.",
}
# Names of the languages the API may list (ISO 639-1 codes); a code without a name here is shown as the code.
LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
    "hi": "Hindi", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip
SEGMENT_NAMES = {"ai": "AI-like part", "human": "Human-like part", "inconclusive": "Unclear part"}


def colour(p: float) -> str:
    p = min(max(p, 0.0), 1.0) * (len(CIVIDIS) - 1)
    i = min(int(p), len(CIVIDIS) - 2)
    t = p - i
    rgb = [round(a + (b - a) * t) for a, b in zip(CIVIDIS[i], CIVIDIS[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def text_colour(p: float) -> str:
    return "#000000" if p >= 0.5 else "#ffffff"


def pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def language_names(codes: Sequence[str]) -> str:
    names = [LANGUAGE_NAMES.get(code, code) for code in codes]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def languages_sentence(report: Mapping[str, Any]) -> str:
    """What the page can judge, from the API's GET /v1/languages: the supported languages, and those measured
    but not (yet) reliable enough to be given a verdict."""
    supported = [str(code) for code in report.get("supported", [])]
    said = (
        f"This model judges texts in **{language_names(supported)}**" if supported else "This model judges no language"
    )
    said += "; a text in any other language gets *Inconclusive*."
    not_yet = [str(row["code"]) for row in report.get("measured", []) if not row.get("supported")]
    if not_yet:
        said += f" Measured, but not reliable enough yet to judge: {language_names(not_yet)} (see the model card)."
    return said


def reason_text(result: Mapping[str, Any]) -> str:
    reason = result.get("reason")
    return REASONS.get(reason, str(reason)) if reason else ""


def gauge(probability: float, threshold: float, greyed: bool = False, caption: str = "P(AI)") -> str:
    """A horizontal meter: the score's marker against the threshold's, with both numbers written out."""
    p, t = min(max(probability, 0.0), 1.0), min(max(threshold, 0.0), 1.0)
    state = " greyed" if greyed else ""
    said = f"{caption} {pct(p)}; called AI at {pct(t)} or more"
    if greyed:
        said += "; not used for the verdict"
    return (
        f'<div class="gauge{state}" role="meter" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{100 * p:.0f}" aria-label="{html.escape(said)}" tabindex="0">'
        '<div class="gauge-track">'
        f'<div class="gauge-human" style="width:{100 * t:.1f}%"></div>'
        f'<div class="gauge-threshold" style="left:{100 * t:.1f}%"></div>'
        f'<div class="gauge-marker" style="left:{100 * p:.1f}%"></div>'
        "</div>"
        '<div class="gauge-scale"><span>0% human-like</span>'
        f'<span class="gauge-tlabel" style="left:{100 * t:.1f}%">threshold {pct(t)}</span>'
        "<span>100% AI-like</span></div>"
        f'<div class="gauge-text">{html.escape(said)}</div></div>'
    )


def disguises_sentence(result: Mapping[str, Any]) -> str:
    """What the model read as plain text before scoring (the answer's `disguises`), or "" when nothing."""
    found = result.get("disguises") or {}
    parts = []
    if found.get("invisible_characters"):
        n = int(found["invisible_characters"])
        parts.append(f"{n:,} invisible character{'s' if n > 1 else ''} (zero-width spaces, soft hyphens)")
    if found.get("lookalike_letters"):
        n = int(found["lookalike_letters"])
        parts.append(f"{n:,} letter{'s' if n > 1 else ''} from other scripts that look like Latin ones")
    if not parts:
        return ""
    return (
        f"The text holds {' and '.join(parts)}; the model read past them, as if the text were typed plainly. "
        "They are a known way to hide AI text from detectors, though copying out of a web page or a PDF can bring "
        "invisible ones along."
    )


def fpr_sentence(result: Mapping[str, Any]) -> str:
    """What the threshold costs in false accusations, as measured, with the sets it was measured on."""
    rates = result.get("false_positive_rates") or []
    if not rates:
        return (
            "The false-positive rate at this threshold was not measured for this model: treat an AI verdict with "
            "extra care."
        )
    parts = []
    for r in rates:
        ci = r.get("interval95")
        interval = f", 95% interval {100 * ci[0]:.1f}%–{100 * ci[1]:.1f}%" if ci else ""
        parts.append(
            f"{100 * r['false_positive_rate']:.1f}% of the {r['human_texts']:,} human texts of `{r['measured_on']}`"
            f"{interval}"
        )
    return (
        f"At this threshold ({result['threshold']:.2f}) the model wrongly called AI "
        + " and ".join(parts)
        + ". Texts unlike those sets (other genres, non-native writers) may fare worse."
    )


def highlight(text: str, sentences: Sequence[Mapping[str, Any]], threshold: float = 0.5) -> str:
    """The text with the sentences that read as AI (P(AI) at or above the threshold) marked, each with its number
    written after it; the others stay plain, and the gaps between sentences too."""
    parts, pos = [], 0
    for s in sentences:
        start, end, p = int(s["start"]), int(s["end"]), float(s["probability_ai"])
        if start < pos:
            continue
        parts.append(html.escape(text[pos:start]))
        body = html.escape(text[start:end])
        if p >= threshold:
            parts.append(
                f'<mark class="sent" tabindex="0" title="P(AI) = {p:.2f}" aria-label="AI-like sentence, P(AI) '
                f'{pct(p)}" style="background:{colour(p)};color:{text_colour(p)}">{body}'
                f'<span class="score"> [{p:.2f}]</span></mark>'
            )
        else:
            parts.append(f'<span class="plain" title="P(AI) = {p:.2f}">{body}</span>')
        pos = end
    parts.append(html.escape(text[pos:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div class="highlighted">{body}</div>'


def legend(threshold: float = 0.5) -> str:
    """The colour scale with the threshold marked: below it sentences are left unmarked (neutral)."""
    stops = ", ".join(colour(threshold + (1 - threshold) * x / 10) for x in range(11))
    t = 100 * threshold
    return (
        '<div class="legend" role="img" aria-label="Sentences with P(AI) at or above the threshold '
        f'{threshold:.2f} are marked, darker to brighter as P(AI) rises; the others are not marked">'
        '<span>0</span><div class="legend-bar">'
        f'<div class="legend-neutral" style="width:{t:.1f}%">not marked</div>'
        f'<div class="legend-ai" style="width:{100 - t:.1f}%;background:linear-gradient(90deg,{stops})"></div>'
        f'<div class="legend-threshold" style="left:{t:.1f}%"></div></div><span>1</span>'
        f'<span class="legend-note">threshold {threshold:.2f}</span></div>'
    )


def segments_view(text: str, segments: Sequence[Mapping[str, Any]]) -> str:
    """The text part by part, each part framed and titled with its label and P(AI)."""
    out = []
    for i, s in enumerate(segments, start=1):
        label, p = str(s["label"]), float(s["probability_ai"])
        tint = {"ai": AI_TINT, "human": HUMAN_TINT}.get(label, "#eeeeee")
        body = html.escape(text[int(s["start"]) : int(s["end"])]).replace("\n", "<br>")
        out.append(
            f'<section class="segment segment-{html.escape(label)}" style="background:{tint}" '
            f'aria-label="Part {i}: {SEGMENT_NAMES.get(label, label)}, P(AI) {pct(p)}">'
            f'<div class="segment-title">Part {i}: {SEGMENT_NAMES.get(label, label)} · P(AI) {pct(p)} · '
            f"characters {s['start']}–{s['end']} · {s.get('words', '?')} words</div>{body}</section>"
        )
    return '<div class="segments">' + "".join(out) + "</div>"


def class_line(result: Mapping[str, Any]) -> str:
    classes = result.get("class_probabilities") or {}
    if not classes:
        return ""
    return (
        f"Chance that every part is AI {pct(classes['ai'])} · that parts are AI and parts human "
        f"{pct(classes['mixed'])} · that every part is human {pct(classes['human'])}"
    )


def mixed_share(result: Mapping[str, Any]) -> float:
    """Share of the words that sit in parts labelled AI."""
    segments = result.get("segments") or []
    total = sum(int(s.get("words", 0)) for s in segments)
    ai = sum(int(s.get("words", 0)) for s in segments if s["label"] == "ai")
    return ai / total if total else 0.0


CSS = """
.gauge{margin:.4rem 0 .8rem 0;outline-offset:3px}
.gauge-track{position:relative;height:14px;border-radius:7px;background:#fbe7a1;border:1px solid #8a8a8a}
.gauge-human{position:absolute;left:0;top:0;bottom:0;background:#c9d8ec;border-radius:7px 0 0 7px}
.gauge-threshold{position:absolute;top:-5px;bottom:-5px;width:3px;background:#222;margin-left:-1px}
.gauge-marker{position:absolute;top:-6px;width:14px;height:24px;margin-left:-7px;border-radius:4px;
 background:#00224e;border:2px solid #fff;box-shadow:0 0 0 1px #00224e}
.gauge-scale{position:relative;display:flex;justify-content:space-between;font-size:.78rem;height:2.4rem}
.gauge-tlabel{position:absolute;top:1.1rem;transform:translateX(-50%);white-space:nowrap;font-weight:600}
.gauge-text{font-size:.85rem}
.gauge.greyed{filter:grayscale(1);opacity:.45}
.score-big{font-size:2.2rem;font-weight:700;line-height:1.2;margin:.2rem 0 .6rem 0}
.st-key-results{scroll-margin-top:4rem}
.score-big.greyed{color:#9a9a9a;text-decoration:line-through}
.highlighted{line-height:1.9;font-size:1rem;overflow-wrap:anywhere}
.highlighted mark.sent{padding:1px 2px;border-radius:3px}
.highlighted .score{font-size:.75em;font-weight:600}
.legend{display:flex;align-items:center;gap:8px;font-size:.8rem;flex-wrap:wrap}
.legend-bar{position:relative;display:flex;flex:1;min-width:160px;height:16px;border:1px solid #8a8a8a;
 border-radius:4px}
.legend-neutral{background:#f4f4f4;color:#555;font-size:.7rem;text-align:center;line-height:16px}
.legend-threshold{position:absolute;top:-4px;bottom:-4px;width:3px;background:#222;margin-left:-1px}
.segment{padding:.5rem .7rem;margin:.4rem 0;border-radius:6px;border-left:6px solid #777;overflow-wrap:anywhere}
.segment-ai{border-left-color:#b59a00}.segment-human{border-left-color:#2b4f81}
.segment-title{font-weight:600;font-size:.85rem;margin-bottom:.2rem}
"""


def report_html(name: str, text: str, result: Mapping[str, Any], created: str) -> str:
    """A one-file report of a check: verdict, score against threshold, false-positive note, segments, highlighted
    text, model version and time; no scripts, no links to fetch."""
    label = str(result["label"])
    p = float(result["probability_ai"])
    greyed = label in ("inconclusive", "mixed")
    why = reason_text(result)
    if label == "mixed":
        headline = f'<div class="score-big">{pct(mixed_share(result))} of the words in AI-like parts</div>'
        why = f"The parts of this text disagree, so the whole-text score (P(AI) {pct(p)}) is not used."
    else:
        headline = f'<div class="score-big{" greyed" if greyed else ""}">P(AI) {pct(p)}</div>'
    sections = [
        f"<h1>{html.escape(VERDICT.get(label, label))}</h1>",
        f"<p><b>Checked:</b> {html.escape(name)} · {html.escape(created)} · model "
        f"{html.escape(str(result.get('model_version')))}</p>",
        headline,
        gauge(p, float(result["threshold"]), greyed),
        f"<p>{html.escape(why)}</p>" if why else "",
        f"<p>{html.escape(disguises_sentence(result))}</p>" if result.get("disguises") else "",
        f"<p>{html.escape(fpr_sentence(result)).replace('`', '')}</p>",
    ]
    if len(result.get("segments") or []) > 1:
        sections += [
            f"<p>{html.escape(class_line(result))}</p>",
            "<h2>Parts</h2>",
            segments_view(text, result["segments"]),
        ]
    if result.get("sentences"):
        sections += [
            "<h2>Sentence by sentence</h2>",
            legend(float(result["threshold"])),
            highlight(text, result["sentences"], float(result["threshold"])),
        ]
    else:
        sections += ["<h2>Text</h2>", f'<div class="highlighted">{html.escape(text).replace(chr(10), "<br>")}</div>']
    sections.append(
        "<p><small>A signal for a human reviewer, never the sole basis of a decision about a person. "
        f"{result.get('tokens_used')} of {result.get('tokens_total')} tokens read. Made by aidetector.</small></p>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>aidetector report: {html.escape(name)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:52rem;margin:1.5rem auto;padding:0 1rem;color:#111}"
        f"{CSS}</style></head><body>" + "".join(s for s in sections if s) + "</body></html>"
    )
