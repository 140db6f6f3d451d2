"""Shared fixtures: invented facts with a random-weight base model (built once per session), a
helper to run the command line as the worker does, and one real training run the tests share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TRAINER_DIR = Path(__file__).resolve().parent.parent

# The real run: 16 facts, 30 epochs of 4 steps. Takes a few seconds of training on two cores.
TRAIN_ARGS = ["--epochs", "30", "--lr", "2e-3", "--seed", "0"]


@dataclass
class CliRun:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str


def cli_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(TRAINER_DIR)
    env["HF_HUB_OFFLINE"] = "1"  # nothing may be downloaded
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env


def parse_events(stdout: str) -> list[dict[str, Any]]:
    """Every stdout line must be one JSON event."""
    events = [json.loads(line) for line in stdout.splitlines()]
    assert all(isinstance(e, dict) and isinstance(e.get("event"), str) for e in events)
    return events


def run_cli(args: list[str], timeout: float = 300) -> CliRun:
    done = subprocess.run([sys.executable, "-m", "fixpoint_trainer", *args], env=cli_env(),
                          capture_output=True, text=True, timeout=timeout)
    return CliRun(done.returncode, parse_events(done.stdout), done.stderr)


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from fixpoint_trainer.synthetic import write_synthetic

    return write_synthetic(tmp_path_factory.mktemp("synthetic"), facts=16, size="tiny")


@pytest.fixture(scope="session")
def trained(synthetic: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("run") / "out"
    run = run_cli(["train", "--dataset", synthetic["train"], "--validation",
                   synthetic["validation"], "--base", synthetic["base"], "--out", str(out),
                   *TRAIN_ARGS])
    assert run.returncode == 0, run.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    return {"run": run, "out": out, "manifest": manifest}
