"""The command line as the worker drives it: bad input, and a cancel with SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from conftest import cli_env, parse_events, run_cli

from fixpoint_trainer.events import EXIT_CANCELLED, EXIT_INVALID_INPUT


def test_a_bad_dataset_exits_non_zero_naming_the_line(synthetic: dict[str, str],
                                                      tmp_path: Path) -> None:
    lines = Path(synthetic["train"]).read_text().splitlines()
    bad = json.loads(lines[2])
    bad["messages"][2]["weight"] = "yes"
    lines[2] = json.dumps(bad)
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text("\n".join(lines) + "\n")
    run = run_cli(["train", "--dataset", str(dataset), "--base", synthetic["base"],
                   "--out", str(tmp_path / "out")])
    assert run.returncode == EXIT_INVALID_INPUT
    assert [e["event"] for e in run.events] == ["failed"]
    failed = run.events[0]
    assert failed["code"] == "invalid_dataset"
    assert failed["line"] == 3 and failed["field"] == "messages[2].weight"
    assert "line 3: messages[2].weight" in failed["error"]


def test_bad_arguments_exit_non_zero_with_a_failed_event(synthetic: dict[str, str],
                                                         tmp_path: Path) -> None:
    run = run_cli(["train", "--dataset", synthetic["train"], "--base", synthetic["base"],
                   "--out", str(tmp_path / "out"), "--epochs", "0"])
    assert run.returncode == EXIT_INVALID_INPUT
    assert run.events[-1]["event"] == "failed" and "--epochs" in run.events[-1]["error"]


def test_sigterm_cancels_cleanly(synthetic: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "fixpoint_trainer", "train", "--dataset", synthetic["train"],
         "--validation", synthetic["validation"], "--base", synthetic["base"], "--out", str(out),
         "--epochs", "100000"],
        env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        seen: list[str] = []
        for line in process.stdout:  # wait until training is under way
            seen.append(line)
            if json.loads(line)["event"] == "step":
                break
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    events = parse_events("".join(seen) + rest)
    assert events[-1]["event"] == "cancelled" and events[-1]["signal"] == signal.SIGTERM
    assert "succeeded" not in [e["event"] for e in events]
    assert process.returncode == EXIT_CANCELLED
    assert json.loads((out / "manifest.json").read_text())["status"] == "cancelled"
