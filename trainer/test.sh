#!/usr/bin/env bash
# Sets up trainer/.venv when needed and runs the trainer's pytest suite (arguments go to pytest).
# pytest's exit code 5 ("no tests collected") is a failure here, not a pass.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/setup.sh"
cd "$here"
export HF_HUB_OFFLINE=1  # the tests download nothing: no model hub is ever needed
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [[ $status -eq 5 ]]; then
  echo "trainer: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
