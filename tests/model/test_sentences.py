from aidetector.model.sentences import split_sentences


def test_offsets_point_at_the_sentence_text():
    text = 'Dr. Smith came home. He said "Hi!" Then he left...\n\nA new paragraph without a stop'
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "Dr. Smith came home.",
        'He said "Hi!"',
        "Then he left...",
        "A new paragraph without a stop",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_blank_text_has_no_sentences():
    assert split_sentences("   \n ") == []


def test_chinese_sentences_end_at_full_stops_without_spaces():
    text = "今天天气很好。我们去公园散步吧！你觉得怎么样？好的"
    spans = split_sentences(text)
    assert [s.text for s in spans] == ["今天天气很好。", "我们去公园散步吧！", "你觉得怎么样？", "好的"]
    assert all(text[s.start : s.end] == s.text for s in spans)
