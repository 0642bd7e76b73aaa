"""Sentence highlights on a colour-blind-safe perceptual scale (cividis), with the number on hover."""

from __future__ import annotations

import html
from typing import Any

# cividis at 0, .25, .5, .75, 1: readable with every common colour-vision deficiency
CIVIDIS = [(0, 34, 78), (61, 78, 110), (124, 123, 120), (188, 175, 111), (254, 232, 56)]


def colour(p: float) -> str:
    p = min(max(p, 0.0), 1.0) * (len(CIVIDIS) - 1)
    i = min(int(p), len(CIVIDIS) - 2)
    t = p - i
    rgb = [round(a + (b - a) * t) for a, b in zip(CIVIDIS[i], CIVIDIS[i + 1], strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def text_colour(p: float) -> str:
    return "#000000" if p >= 0.5 else "#ffffff"


def highlight(text: str, sentences: list[dict[str, Any]]) -> str:
    """The text with each sentence on its colour; the gaps between sentences stay plain."""
    parts, pos = [], 0
    for s in sentences:
        start, end, p = int(s["start"]), int(s["end"]), float(s["probability_ai"])
        parts.append(html.escape(text[pos:start]))
        parts.append(
            f'<span class="sent" title="P(AI) = {p:.2f}" style="background:{colour(p)};color:{text_colour(p)};'
            f'padding:1px 2px;border-radius:3px">{html.escape(text[start:end])}</span>'
        )
        pos = end
    parts.append(html.escape(text[pos:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div class="highlighted" style="line-height:1.9;font-size:1rem">{body}</div>'


def legend() -> str:
    stops = ", ".join(colour(x / 10) for x in range(11))
    return (
        '<div style="display:flex;align-items:center;gap:8px;font-size:0.85rem">'
        "<span>human-like 0</span>"
        f'<div style="flex:1;height:12px;border-radius:6px;background:linear-gradient(90deg,{stops})"></div>'
        "<span>1 AI-like</span></div>"
    )
