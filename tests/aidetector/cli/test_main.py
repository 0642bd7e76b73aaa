"""`aidetector`'s entry point: every command group is on the parser, `-v` turns on logging, usage errors exit 2."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from aidetector.cli.main import build_parser, main

COMMANDS = {"train", "evaluate", "calibrate", "ensemble", "multilingual", "soup", "interpolate", "card", "detect",
            "serve", "gateway", "web", "up", "keys", "models", "pipeline", "batch"}  # fmt: skip


def test_every_group_adds_its_commands():
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(subparsers.choices) == COMMANDS


def test_a_command_runs_and_returns_its_status(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIDETECTOR_HOME", str(tmp_path))
    monkeypatch.setenv("AIDETECTOR_REGISTRY_URI", str(tmp_path / "models"))
    assert main(["models", "list"]) == 0  # an empty registry lists nothing
    assert capsys.readouterr().out == ""
    assert main(["models", "rollback"]) == 2
    assert "nothing to roll back" in capsys.readouterr().err


def test_verbose_logs_at_info(tmp_path, monkeypatch):
    monkeypatch.setenv("AIDETECTOR_REGISTRY_URI", str(tmp_path / "models"))
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # basicConfig configures only a logger without handlers
    monkeypatch.setattr(root, "level", logging.WARNING)
    main(["-v", "models", "list"])
    assert root.level == logging.INFO


@pytest.mark.parametrize("argv", [[], ["no-such-command"], ["models"], ["detect", "--no-such-flag"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2 and "usage: aidetector" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.startswith("usage: aidetector")
    assert all(command in result.stdout for command in COMMANDS)
