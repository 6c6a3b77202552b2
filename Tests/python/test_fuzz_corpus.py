"""Every input under Tests/Fuzz — the seed corpus and each crash `make fuzz` ever found — goes
through its parser in the ordinary build, so a fixed crash stays fixed."""
import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("PACER_BIN_DIR", os.path.join(ROOT, ".build", "debug"))


@pytest.mark.parametrize("target", ["statement", "cdr", "zadarma", "envelope"])
def test_fuzz_inputs_replay_without_a_crash(target):
    folder = os.path.join(ROOT, "Tests", "Fuzz", target)
    inputs = os.listdir(folder)
    assert len(inputs) >= 2
    result = subprocess.run([os.path.join(BIN, "pacer-fuzz"), target, folder], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"pacer-fuzz {target}: {len(inputs)} inputs, no crash"
