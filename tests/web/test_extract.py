"""Text from uploads: a real multi-page PDF, written here with the furniture a browser prints on every page
(time, title, file path, page numbers) and hard-wrapped lines, comes out as the writer's paragraphs alone."""

import random

from fpdf import FPDF

from aidetector.web.extract import clean_pages, join_wrapped, text_from_file

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Easter", "Midsummer", "Yule")
BASE = [
    "The harbour was quiet that morning, and the gulls circled the fishing boats as they came back in with the "
    "night's catch. My grandmother, who had lived above the chandlery for forty years, said she could tell the "
    "weather from the colour of the water alone, and she was seldom wrong about it.",
    "By noon the wind had turned. We carried the nets up the slipway, laid them out on the warm stones to dry, and "
    "argued about whether the new café would last the winter. Nobody thought it would, but everybody went there "
    "anyway, because the coffee was better than anything the pub had ever served.",
    "In the evening the lights came on one by one along the quay, and the sound of the radio from the harbour "
    "master's office drifted across the water until the last boat was tied up for the night.",
]
WORDS = " ".join(BASE).replace(".", "").replace(",", "").split()
_rng = random.Random(3)
# Thirty paragraphs of different lengths, no line of them repeated: furniture is what repeats on every page.
PARAGRAPHS = [
    f"On {day}, " + " ".join(_rng.choice(WORDS) for _ in range(_rng.randint(35, 90))) + "."
    for day in DAYS
    for _ in BASE
]


class Printed(FPDF):
    """A page as Chromium prints a saved file: date and title on top, the file's address and page count below."""

    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, "12/3/26, 1:28 PM        Harbour notes - draft", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, f"file:///home/sam/Documents/harbour-notes.html        {self.page_no()}/{{nb}}")


def printed_pdf() -> bytes:
    pdf = Printed()
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for paragraph in PARAGRAPHS:
        pdf.multi_cell(0, 7, paragraph, new_x="LMARGIN", new_y="NEXT")  # fpdf wraps the lines itself
        pdf.ln(4)
    return bytes(pdf.output())


def test_a_printed_multi_page_pdf_gives_back_the_paragraphs_only():
    data = printed_pdf()
    import io

    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 3
    raw = pages[1].extract_text()
    assert "file:///home/sam" in raw and "1:28 PM" in raw  # the furniture is really in the file
    text = text_from_file("notes.pdf", data)
    for furniture in ("file://", "1:28 PM", "Harbour notes - draft", "/{nb}", "2/"):
        assert furniture not in text
    assert " ".join(text.split()) == " ".join(PARAGRAPHS)  # every word of the body, in order, nothing else
    assert "\n" not in text.replace("\n\n", "")  # hard-wrapped lines joined, a page break too
    paragraphs = text.split("\n\n")
    assert all(p.endswith(".") for p in paragraphs)  # a break is only made where a paragraph ends
    assert len(paragraphs) >= len(PARAGRAPHS) // 2  # and most ends are seen (a full last line hides one)


def test_page_numbers_and_repeated_running_heads_are_dropped():
    days = (("long", "tired"), ("short", "hungry"), ("grey", "cold"))
    pages = [
        f"Journal of Things  Vol 3\nIt was a {day} day and we were\n{how} when we got home.\nPage {n} of 3"
        for n, (day, how) in enumerate(days, start=1)
    ]
    expected = [f"It was a {day} day and we were {how} when we got home." for day, how in days]
    assert clean_pages(pages) == "\n\n".join(expected)


def test_hyphenated_line_ends_are_mended():
    lines = ["The experi-", "ment went well, and we wrote it up the", "next morning."]
    assert join_wrapped(lines) == "The experiment went well, and we wrote it up the next morning."


def test_a_hard_wrapped_txt_is_joined_but_a_normal_one_is_kept():
    wrapped = "\n".join(
        ["This is a line of an email that was wrapped at about", "seventy characters by the program that sent it,"] * 4
    )
    assert "\n" not in text_from_file("mail.txt", wrapped.encode())
    plain = "First paragraph.\n\nSecond paragraph.\n"
    assert text_from_file("plain.txt", plain.encode()) == plain
