import pytest

from aidetector.model.windows import aggregate_logits, logit, make_windows, sigmoid, stretch_tokens, tokens_covered


def test_short_text_is_one_window():
    windows = make_windows(list(range(10)), size=16, stride=12, max_windows=8)
    assert len(windows) == 1 and windows[0].ids == list(range(10))


def test_long_text_is_fully_covered_and_last_window_ends_at_the_end():
    ids = list(range(100))
    windows = make_windows(ids, size=30, stride=25, max_windows=100)
    assert [w.start for w in windows] == [0, 25, 50, 70]
    assert windows[-1].ids[-1] == 99
    assert all(len(w.ids) == 30 for w in windows)
    assert tokens_covered(windows) == 100


def test_a_text_just_over_the_window_is_one_stretched_window():
    ids = list(range(36))
    assert len(make_windows(ids, size=30, stride=25, max_windows=100)) == 2
    stretched = make_windows(ids, size=30, stride=25, max_windows=100, stretch=7)
    assert len(stretched) == 1 and stretched[0].ids == ids
    assert len(make_windows(list(range(38)), size=30, stride=25, max_windows=100, stretch=7)) == 2


def test_stretch_never_runs_past_the_models_positions():
    assert stretch_tokens(254, 256, 0.25, 512) == 63
    assert stretch_tokens(510, 512, 0.25, 512) == 0
    assert stretch_tokens(500, 502, 0.25, 512) == 10


def test_max_windows_cut_is_reported_by_tokens_covered():
    windows = make_windows(list(range(100)), size=10, stride=10, max_windows=3)
    assert len(windows) == 3
    assert tokens_covered(windows) == 30


def test_aggregate_is_length_weighted():
    assert aggregate_logits([1.0, -1.0], [30, 10]) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        aggregate_logits([], [])


def test_sigmoid_and_logit_are_inverse():
    for p in (0.01, 0.3, 0.5, 0.9):
        assert sigmoid(logit(p)) == pytest.approx(p)
    assert sigmoid(-1000) == 0.0 and sigmoid(1000) == 1.0


def test_invalid_window_parameters():
    with pytest.raises(ValueError):
        make_windows([1, 2], size=0, stride=1, max_windows=1)
