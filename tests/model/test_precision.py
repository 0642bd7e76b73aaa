"""Precision settings: what 'auto' picks, and the float32 head under bfloat16."""

import torch

from aidetector.model import precision


def test_auto_follows_the_cpu_and_explicit_settings_win():
    native = precision.native_bfloat16()
    assert precision.resolve("auto") == (torch.bfloat16 if native else torch.float32)
    assert precision.resolve("float32") == torch.float32
    assert precision.resolve("bfloat16") == torch.bfloat16


def test_head_stays_float32_under_autocast():
    model = torch.nn.Module()
    model.classifier = torch.nn.Linear(8, 2)
    precision.prepare(model, torch.bfloat16)
    precision.prepare(model, torch.bfloat16)  # idempotent: one wrapper
    assert isinstance(model.classifier, precision.Float32Head)
    assert isinstance(model.classifier.head, torch.nn.Linear)
    with precision.autocast(torch.bfloat16):
        assert torch.nn.Linear(8, 8)(torch.ones(1, 8)).dtype == torch.bfloat16  # autocast is on
        out = model.classifier(torch.ones(1, 8, dtype=torch.bfloat16))
    assert out.dtype == torch.float32


def test_float32_leaves_the_model_alone():
    model = torch.nn.Module()
    model.classifier = torch.nn.Linear(8, 2)
    precision.prepare(model, torch.float32)
    assert isinstance(model.classifier, torch.nn.Linear)
    with precision.autocast(torch.float32):
        assert torch.nn.Linear(8, 8)(torch.ones(1, 8)).dtype == torch.float32


def test_body_weights_are_cast_once_with_the_same_scores_as_autocast():
    torch.manual_seed(0)
    body, head = torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.LayerNorm(16)), torch.nn.Linear(16, 2)
    model = torch.nn.Module()
    model.body, model.classifier = body, head
    x = torch.randn(4, 16)
    with torch.autocast("cpu", dtype=torch.bfloat16):  # autocast alone: weights cast on the fly
        hidden = body(x)
    expected = head(hidden.float())  # the head in float32
    precision.prepare(model, torch.bfloat16)
    assert body[0].weight.dtype == torch.bfloat16
    assert body[1].weight.dtype == torch.float32  # only linear layers change
    assert model.classifier.head.weight.dtype == torch.float32
    with precision.autocast(torch.bfloat16):
        got = model.classifier(model.body(x))
    assert torch.equal(got, expected)
