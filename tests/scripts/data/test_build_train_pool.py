"""The train_pool readers of the second and third batches (2026-12-05): each reads its corpus from a small checkout
laid out like the original, labels and groups the texts, and removes what would tell the labels apart (photo captions
and mojibake on the human side, the headline repeated above AI articles, tokenised quotes in human stories,
citations and run-together headings in human essays, cut-off sentences in model continuations)."""

from __future__ import annotations

from pathlib import Path

import pytest

ANSWER = "Supply and demand set the price of a good in a competitive market, and a shortage raises it again."


@pytest.fixture(scope="module")
def pool(import_builder):
    return import_builder("build_train_pool")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_coursework_pairs_answers_by_question_and_leaves_out_code(pool, tmp_path):
    write(tmp_path, "Student and GPT Responses/Econ Questions/Q1/student1_", "The price rises. one\u2019s " + ANSWER)
    write(tmp_path, "Student and GPT Responses/Econ Questions/Q1/gpt1", ANSWER)
    write(tmp_path, "Student and GPT Responses/Econ Questions/Q1/question", "What sets a price?")
    write(tmp_path, "Student and GPT Responses/Econ Questions/Question 2/student 3:", ANSWER + " Second.")
    write(tmp_path, "Student and GPT Responses/Intro (code)/Q1/student1_", "int main() { return 0; }")
    write(tmp_path, "Student and GPT Responses/Econ Questions/Q1/student3.cpp", "int main() { return 0; }")
    write(tmp_path, "QuillBot Output/Econ Questions/Q1/gpt1_fluency_3", "Prices are set by supply and demand.")
    rows = pool.load_coursework(pool.Repo(str(tmp_path)))
    kinds = sorted((r["label"], r["generator"]) for r in rows)
    assert kinds == [(0, "human"), (0, "human"), (1, "gpt-3.5-turbo"), (1, "gpt-3.5-turbo+quillbot_fluency")]
    q1 = {r["group"] for r in rows if "Second." not in r["text"]}
    assert len(q1) == 1 and len({r["group"] for r in rows}) == 2  # question 1's answers share a group
    assert all(r["domain"] == "course_answer" and r["source"] == "coursework" for r in rows)
    assert any("one\u2019s" in r["text"] for r in rows)


def test_mac_roman_and_mixed_mojibake_are_repaired(pool):
    assert pool.unbake("one\u201a\u00c4\u00f4s answer") == "one\u2019s answer"
    assert pool.unbake("he\u00e2\u0080\u0099s here, Gir\u00c3\u00b3n said") == "he\u2019s here, Gir\u00f3n said"


def test_headlines_drop_captions_datelines_and_the_repeated_headline(pool, tmp_path):
    head = "Pregnant woman dies after fall from wall"
    caption = "Image copyright Joe Raedle/Getty Image caption The wall"
    bio = "Jane Doe is a writer. The opinions expressed in this commentary are hers."
    human = f"{caption}\n\n{bio}\n\nEl Paso, Texas (CNN) \u2014 A woman died.\n\n{ANSWER}"
    ai = f"{head.title()}\n\nIn a tragic incident, a woman died.\n\n{ANSWER}"
    rows_csv = "Prompt,text,label\n" + "".join(
        f'"{head}","{t}",{lab}\n' for t, lab in ((human, "human"), (ai, "claude"))
    )
    write(tmp_path, "data/news/merged_dataset.csv", rows_csv)
    rows = pool.load_headlines(pool.Repo(str(tmp_path)))
    assert [(r["label"], r["generator"]) for r in rows] == [(0, "human"), (1, "claude-3-haiku")]
    assert rows[0]["text"].startswith("A woman died.") and "Getty" not in rows[0]["text"]  # caption, bio, dateline gone
    assert rows[1]["text"].startswith("In a tragic incident")  # the title line above the AI article went
    assert rows[0]["group"] == rows[1]["group"]


def test_tokenised_curly_quotes_are_undone(pool):
    story = "David didn \u2019 t know . \u201c You will find out , son . \u201d     He waited ."
    assert (
        pool.detok_curly(story) == "David didn\u2019t know. \u201cYou will find out, son.\u201d\n\nHe waited."
    )  # a run of spaces was a paragraph break


def test_a_cell_over_the_csv_default_limit_is_read_and_the_limit_restored(pool, tmp_path):
    import csv

    article = "word " * 40_000  # 200 KB in one cell: over the csv module's 128 KiB default
    write(tmp_path, "big.csv", f'id,text\n1,"{article}"\n')
    before = csv.field_size_limit()
    rows = pool.Repo(str(tmp_path)).csv_rows("big.csv")
    assert rows == [{"id": "1", "text": article}]
    assert csv.field_size_limit() == before  # a process-wide setting: left as it was


def test_exactly_the_redistributable_sources_are_in_git_and_the_others_ignored(pool):
    """A source's `committed` flag says whether its file may be in git; data/.gitignore must agree."""
    root = Path(__file__).resolve().parents[3]
    ignored = {
        line.strip().removeprefix("/train_pool/").removesuffix(".jsonl.xz")
        for line in (root / "data" / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("/train_pool/")
    }
    in_pool = {source.name: source for batch in pool.BATCHES for source in batch}
    assert ignored == {name for name, source in in_pool.items() if not source.committed}
    assert not any((root / "data" / "train_pool" / f"{source.name}.jsonl.xz").exists() for source in pool.TRIED)
    assert all(source.license and source.url.startswith("http") for source in pool.SOURCES.values())


def test_ghostbuster_cuts_both_sides_into_whole_sentence_excerpts_of_the_same_chunks(pool, tmp_path):
    claude = " ".join(f"The Claude essay makes point {i} about trade and growth in the colonies." for i in range(60))
    claude = claude.replace("colonies. The Claude essay makes point 30", "colonies.The Claude essay makes point 30")
    words = claude.split(" ")
    human_chunk = " ".join(f"students wrote point {i} on nursing care (Smith, 2019). Then" for i in range(16))
    human_chunk = " ".join(human_chunk.split(" ")[:128])
    heading = " ".join(["Population by RaceBiology and Genetics.", *human_chunk.split(" ")[5:]])
    write(tmp_path, "data_collector/test_data/ghostbuster/essay_claude.txt", claude + "\n")
    write(
        tmp_path,
        "data_collector/test_data_truncated/ghostbuster/essay_human.txt",
        f"{human_chunk}\n{heading}\nshort tail chunk\n{human_chunk}\n",
    )
    rows = pool.load_ghostbuster(pool.Repo(str(tmp_path)))
    human = [r for r in rows if r["label"] == 0]
    ai = [r for r in rows if r["label"] == 1]
    assert len(ai) == len(words) // pool.GHOSTBUSTER_CHUNK - 1 == 5  # the copy's regular chunks: not the last full one
    assert len(human) == 2 and len({r["group"] for r in human}) == 2  # the heading chunk dropped; a tail ends a run
    assert all("(Smith, 2019)" not in r["text"] and r["text"].startswith("Then") for r in human)
    assert all(r["text"].endswith(".") and r["text"][0].isupper() for r in rows)  # whole sentences only
    assert not any("colonies.The" in r["text"] for r in ai)  # the joined paragraphs are split again
    assert {r["generator"] for r in ai} == {"claude-1"} and len({r["group"] for r in ai}) == 1


def test_caiado_keeps_bard_claude_and_human_rows_grouped_by_topic(pool, tmp_path):
    rows_csv = "\ufeffSource,Model,Paraphrased,Topic,Answer\n" + "".join(
        f"{src},{model},{para},Global Warming,{ANSWER}\n"
        for src, model, para in (
            ("Human", "None", ""),
            ("AI", "Bard", "Yes"),
            ("AI", "Claude", "No"),
            ("AI", "ChatGPT", "No"),
        )
    )
    write(tmp_path, "AI_vs_Human_Data.csv", rows_csv)
    rows = pool.load_caiado(pool.Repo(str(tmp_path)))
    assert [r["generator"] for r in rows] == [
        "human",
        "bard-palm-2+paraphrase",
        "claude-2",
    ]  # ChatGPT's rows are corrupt
    assert [r["label"] for r in rows] == [0, 1, 1] and len({r["group"] for r in rows}) == 1


def test_seqxgpt_keeps_the_opening_groups_a_continuation_with_its_paragraph_and_drops_cut_sentences(pool, tmp_path):
    import json

    human = "The palace was built in 1661. It grew for fifty years under three kings. Visitors came from far away."
    opening = "The palace was built in 1661."
    continuation = (
        " It was the largest royal home in Europe for a century and more. " * 3 + "Its gardens were laid out by"
    )
    folder = "SeqXGPT/dataset/OOD sentence-level detection dataset"
    write(tmp_path, f"{folder}/human_lines.jsonl", json.dumps({"text": human, "label": "human"}) + "\n")
    tokenised = {
        "text": "The film , directed by Snyder 's team ( 300 ) ." + continuation,
        "prompt_len": 20,
        "label": "gptj",
    }
    write(tmp_path, f"{folder}/gptj_lines.jsonl", json.dumps(tokenised) + "\n")
    write(tmp_path, f"{folder}/gpt2_lines.jsonl", json.dumps({"text": opening + continuation, "prompt_len": 29}) + "\n")
    write(tmp_path, f"{folder}/llama_lines.jsonl", json.dumps({"text": opening + " Short.", "prompt_len": 29}) + "\n")
    rows = pool.load_seqxgpt(pool.Repo(str(tmp_path)))
    assert [(r["label"], r["generator"]) for r in rows] == [(0, "human"), (1, "gpt2-xl")]  # tokenised, too short: out
    assert rows[1]["text"].startswith(opening) and rows[1]["text"].endswith("century and more.")
    assert rows[0]["group"] == rows[1]["group"]


def test_a_near_copy_of_a_shared_text_is_found_and_says_which_part_it_copies(pool, tmp_path):
    import json

    held_out = "Nurses in rural clinics weigh the patient's values against the protocol every single working day " * 3
    (tmp_path / "test.jsonl").write_text(json.dumps({"text": held_out, "label": 0}) + "\n", encoding="utf-8")
    (tmp_path / "train.jsonl").write_text(json.dumps({"text": ANSWER * 2, "label": 0}) + "\n", encoding="utf-8")
    known = pool.shared_shingles(str(tmp_path))
    assert pool.near_copy_of("An excerpt: " + held_out[:200], known) == "eval"
    assert pool.near_copy_of("Quoted: " + ANSWER, known) == "train"
    assert pool.near_copy_of("A text of its own about harbours, tides and the ships that wait for them.", known) is None
