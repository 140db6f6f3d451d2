#!/usr/bin/env bash
# Creates trainer/.venv with the pinned requirements. Idempotent: when the venv exists and
# requirements.txt has not changed since it was installed, it only checks the imports (seconds).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || python=python3

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"

if [[ ! -x "$venv/bin/python" ]]; then
  echo "trainer: creating $venv"
  "$python" -m venv "$venv"
fi

if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "trainer: installing requirements.txt (torch==2.13.0 CPU build, transformers, peft, accelerate, pytest)"
  start=$SECONDS
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$here/requirements.txt" >"$venv/pip.log" 2>&1; then
    cat "$venv/pip.log" >&2
    echo "trainer: pip install failed" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
  echo "trainer: installed in $((SECONDS - start)) s"
fi

# Make `python -m fixpoint_trainer` importable from any working directory (the worker starts it
# from the repository root); rewritten each time so a moved checkout still works.
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$here" >"$site/fixpoint_trainer.pth"

"$venv/bin/python" -c 'import torch, transformers, peft, accelerate, tokenizers' || {
  echo "trainer: the venv does not import; delete $venv and run again" >&2
  exit 1
}
