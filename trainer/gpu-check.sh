#!/usr/bin/env bash
# The trainer's GPU check: the same command as the tests, on CUDA in bf16, with a larger model made
# from a config (Llama architecture, ~147M weights, random) learning invented facts. Prints tokens
# per second, peak GPU memory (torch.cuda.max_memory_allocated), the loss before and after, and the
# exact-match rate on the trained questions. Without a GPU it says so and runs the tiny model on
# the CPU instead, so the script itself is checked anywhere.
#   bash trainer/gpu-check.sh       # SIZE (tiny|medium), FACTS, EPOCHS, BATCH, LR override the defaults
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/setup.sh"
py="$here/.venv/bin/python"
export PYTHONPATH="$here" HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export HF_HUB_DISABLE_PROGRESS_BARS=1 TRANSFORMERS_VERBOSITY=error PYTHONWARNINGS=ignore::FutureWarning

if "$py" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  "$py" -c 'import torch; print("gpu-check:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| CUDA", torch.version.cuda, "| bf16", torch.cuda.is_bf16_supported())'
  size=${SIZE:-medium}; facts=${FACTS:-256}; epochs=${EPOCHS:-60}; batch=${BATCH:-16}; lr=${LR:-2e-3}
else
  echo "gpu-check: no CUDA device here (torch $("$py" -c 'import torch; print(torch.__version__)')): skipping the GPU run, and running on the CPU instead"
  size=${SIZE:-tiny}; facts=${FACTS:-16}; epochs=${EPOCHS:-30}; batch=${BATCH:-4}; lr=${LR:-2e-3}
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fixpoint-gpu-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$py" -m fixpoint_trainer synthetic --out "$work/data" --facts "$facts" --size "$size" >/dev/null 2>"$work/synthetic.log"
echo "gpu-check: $size model, $facts facts, $epochs epochs, batch $batch, lr $lr"
"$py" -m fixpoint_trainer train --dataset "$work/data/train.jsonl" \
  --validation "$work/data/validation.jsonl" --base "$work/data/base" --out "$work/out" \
  --epochs "$epochs" --batch-size "$batch" --lr "$lr" >"$work/events.jsonl" 2>"$work/stderr.log" || {
  tail -n 40 "$work/stderr.log" >&2; tail -n 3 "$work/events.jsonl" >&2
  echo "gpu-check: training failed" >&2; exit 1
}

"$py" - "$work" <<'PY'
import json, sys, time
from pathlib import Path
from fixpoint_trainer.generate import TunedModel

work = Path(sys.argv[1])
m = json.loads((work / "out/manifest.json").read_text())
curve = m["loss_curve"]
peak = m["peak_memory_bytes"]
print(f"device:            {m['device']['name']} ({m['device']['type']}, precision {m['device']['precision']}, {m['device']['processes']} process(es))")
print(f"model:             {m['parameters']['total']:,} weights, {m['parameters']['trainable']:,} trainable (LoRA r={m['hyperparameters']['lora_r']})")
print(f"tokens per second: {m['tokens_per_second']:,.0f} (training, {m['train_tokens']:,} tokens in {m['train_seconds']:.1f} s, {m['steps']} steps)")
print(f"peak GPU memory:   {peak / 2**30:.2f} GiB" if peak else "peak GPU memory:   n/a (no CUDA)")
print(f"loss:              first step {curve['steps'][0]['loss']:.3f} -> last epoch {curve['epochs'][-1]['train_loss']:.4f} (train); "
      f"validation {curve['initial_valid_loss']:.3f} -> best {m['best']['loss']:.4f} (epoch {m['best']['epoch']})")
rows = [json.loads(l) for l in (work / "data/train.jsonl").read_text().splitlines()][:64]
tuned = TunedModel(str(work / "data/base"), str(work / "out/adapter"))
start = time.perf_counter()
right = sum(tuned.answer(r["messages"][:-1], max_new_tokens=16) == r["messages"][-1]["content"] for r in rows)
print(f"exact match:       {right}/{len(rows)} trained questions ({100 * right / len(rows):.0f}%), {time.perf_counter() - start:.1f} s to answer")
print(f"wall time:         {m['wall_seconds']:.1f} s for the training command")
PY
