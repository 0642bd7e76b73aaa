"""`aidetector keys create` as a script uses it: the key alone on stdout whenever it succeeds; a clear error on
stderr, a non-zero status and nothing on stdout when the name exists."""

import os
import subprocess
import sys


def keys(home, *args):
    return subprocess.run(
        [sys.executable, "-m", "aidetector.cli", "keys", *args],
        env={**os.environ, "AIDETECTOR_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_prints_the_key_on_stdout_and_a_taken_name_fails_loudly(tmp_path):
    first = keys(tmp_path, "create", "--name", "me")
    assert first.returncode == 0 and first.stdout.strip().startswith("aid_")
    assert first.stdout.count("\n") == 1  # the key alone: KEY=$(aidetector keys create --name me) works
    other = keys(tmp_path, "create", "--name", "you", "--plan", "web")
    assert other.returncode == 0 and other.stdout.strip().startswith("aid_") and other.stdout != first.stdout
    again = keys(tmp_path, "create", "--name", "me")
    assert again.returncode != 0 and again.stdout == ""
    assert "a key named 'me' exists already" in again.stderr and "choose another name" in again.stderr
