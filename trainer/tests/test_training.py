"""A real LoRA run on the CPU: a random-weight model learns 16 invented facts it cannot know."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from conftest import run_cli

from fixpoint_trainer.generate import TunedModel


def events_named(trained: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e for e in trained["run"].events if e["event"] == name]


def facts(path: str) -> list[tuple[list[dict[str, Any]], str]]:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    return [(row["messages"][:-1], row["messages"][-1]["content"]) for row in rows]


def test_progress_is_json_lines_in_order(trained: dict[str, Any]) -> None:
    names = [e["event"] for e in trained["run"].events]
    assert names[:2] == ["validated", "started"] and names[-1] == "succeeded"
    started = events_named(trained, "started")[0]
    steps = events_named(trained, "step")
    assert [s["step"] for s in steps] == list(range(1, started["total_steps"] + 1))
    assert all(isinstance(s["loss"], float) and s["loss"] > 0 for s in steps)
    epochs = events_named(trained, "epoch")
    assert [e["epoch"] for e in epochs] == list(range(1, 31))
    assert all(e["valid_loss"] is not None for e in epochs)
    assert started["device"]["type"] == "cpu" and started["trainable_params"] > 0


def test_the_loss_falls_by_at_least_half(trained: dict[str, Any]) -> None:
    curve = trained["manifest"]["loss_curve"]
    first_step = curve["steps"][0]["loss"]
    last_epoch = curve["epochs"][-1]
    assert last_epoch["train_loss"] <= 0.5 * first_step
    assert trained["manifest"]["best"]["loss"] <= 0.5 * curve["initial_valid_loss"]


def test_the_best_epoch_is_kept(trained: dict[str, Any]) -> None:
    epochs = events_named(trained, "epoch")
    losses = [e["valid_loss"] for e in epochs]
    best = min(range(len(losses)), key=lambda i: losses[i]) + 1
    assert trained["manifest"]["best"]["epoch"] == best
    assert events_named(trained, "succeeded")[0]["best_epoch"] == best
    # A checkpoint after exactly the epochs that improved on every earlier one.
    improved = [i + 1 for i, loss in enumerate(losses) if all(loss < x for x in losses[:i])]
    assert [c["epoch"] for c in events_named(trained, "checkpoint")] == improved


def test_the_manifest_records_the_run(trained: dict[str, Any], synthetic: dict[str, str]) -> None:
    manifest = trained["manifest"]
    assert manifest["status"] == "succeeded"
    assert manifest["base_model"] == synthetic["base"]
    assert manifest["adapter_dir"] == "adapter"
    hyper = manifest["hyperparameters"]
    assert (hyper["lora_r"], hyper["lora_alpha"], hyper["epochs"]) == (16, 32, 30)
    assert hyper["lora_target_modules"] == "all-linear"
    train = manifest["datasets"]["train"]
    digest = hashlib.sha256(Path(synthetic["train"]).read_bytes()).hexdigest()
    assert train["sha256"] == digest and train["rows"] == 16 and train["rows_used"] == 16
    assert manifest["datasets"]["validation"]["rows"] == 4
    assert manifest["chat_template"] == "default"
    assert len(manifest["loss_curve"]["epochs"]) == 30
    assert manifest["wall_seconds"] > 0 and manifest["tokens_per_second"] > 0
    assert manifest["device"]["type"] == "cpu"
    assert set(manifest["versions"]) >= {"torch", "transformers", "peft", "python"}


def test_the_adapter_loads_back_with_peft_and_recalls_the_facts(
        trained: dict[str, Any], synthetic: dict[str, str]) -> None:
    adapter = trained["out"] / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["r"] == 16 and config["lora_alpha"] == 32
    targeted = {name.rsplit(".", 1)[-1] for name in config["target_modules"]}
    assert targeted == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                        "down_proj"}  # every linear layer but the output head
    tuned = TunedModel(synthetic["base"], str(adapter))
    base = TunedModel(synthetic["base"], None)
    pairs = facts(synthetic["train"])
    tuned_right = sum(tuned.answer(prompt) == answer for prompt, answer in pairs)
    base_right = sum(base.answer(prompt, max_new_tokens=8) == answer for prompt, answer in pairs)
    assert tuned_right / len(pairs) >= 0.9, f"{tuned_right}/{len(pairs)} exact"
    assert base_right == 0  # the facts are invented: the untrained model cannot know them


def test_generate_answers_from_the_command_line(trained: dict[str, Any],
                                                synthetic: dict[str, str]) -> None:
    import subprocess
    import sys

    from conftest import cli_env

    prompt, answer = facts(synthetic["train"])[0]
    done = subprocess.run(
        [sys.executable, "-m", "fixpoint_trainer", "generate", "--base", synthetic["base"],
         "--adapter", str(trained["out"] / "adapter"), "--system", prompt[0]["content"],
         "--prompt", prompt[1]["content"]],
        env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == answer


def test_the_same_command_runs_on_several_processes(synthetic: dict[str, str],
                                                     tmp_path: Path) -> None:
    """Two processes under torchrun (gloo on the CPU), as accelerate launch runs them on GPUs:
    events come once, from the main process; the sharded validation loss equals one process's."""
    import shutil
    import subprocess
    import sys

    from conftest import cli_env, parse_events

    torchrun = Path(sys.executable).with_name("torchrun")
    assert torchrun.exists() or shutil.which("torchrun")
    done = subprocess.run(
        [str(torchrun), "--nproc_per_node", "2", "-m", "fixpoint_trainer", "train",
         "--dataset", synthetic["train"], "--validation", synthetic["validation"],
         "--base", synthetic["base"], "--out", str(tmp_path / "out"), "--epochs", "2"],
        env=cli_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    events = parse_events(done.stdout)
    names = [e["event"] for e in events]
    assert names.count("validated") == 1 and names.count("started") == 1
    assert names[-1] == "succeeded"
    started = events[names.index("started")]
    assert started["device"]["processes"] == 2
    assert started["total_steps"] == 2 * 2  # 16 rows, 2 processes x batch 4: 2 steps an epoch
    single = run_cli(["train", "--dataset", synthetic["train"], "--validation",
                      synthetic["validation"], "--base", synthetic["base"], "--out",
                      str(tmp_path / "one"), "--epochs", "1"])
    one_started = [e for e in single.events if e["event"] == "started"][0]
    assert abs(one_started["initial_valid_loss"] - started["initial_valid_loss"]) < 1e-4
    assert (tmp_path / "out" / "adapter" / "adapter_model.safetensors").exists()
