from aidetector.web.client import ApiError
from aidetector.web.render import colour, highlight, text_colour


def test_colour_scale_runs_from_dark_blue_to_yellow():
    assert colour(0.0) == "#00224e" and colour(1.0) == "#fee838"
    assert text_colour(0.1) == "#ffffff" and text_colour(0.9) == "#000000"


def test_highlight_escapes_html_and_keeps_gaps():
    text = "A <b>bold</b> claim. Second one."
    html = highlight(
        text, [{"start": 0, "end": 20, "probability_ai": 0.9}, {"start": 21, "end": 32, "probability_ai": 0.1}]
    )
    assert "&lt;b&gt;" in html and "<b>" not in html and html.count('class="sent"') == 2
    assert "P(AI) = 0.90" in html


def test_error_messages_for_people():
    assert "quota" in ApiError(429, "gateway", "Limit Exceeded", 60).user_message()
    assert "60 s" in ApiError(429, "gateway", "Limit Exceeded", 60).user_message()
    assert "resets" in ApiError(429, "gateway", "Limit Exceeded").user_message()
    assert "Too many requests" in ApiError(429, "gateway", "Too Many Requests", 1).user_message()
    assert "cannot be reached" in ApiError(None, "unreachable", "ConnectionError").user_message()
    assert "too large" in ApiError(413, "text_too_long", "the maximum is 100000").user_message()
