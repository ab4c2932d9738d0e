#!/usr/bin/env bash
# Creates .venv-checks: the independent IaC checkers (checkov, cfn-lint, python-hcl2,
# kubernetes-validate) in their own environment. checkov pins versions that conflict with the
# project's test tools, so it never goes into .venv; CloudPilot and bench/iac_eval.py run these
# tools as subprocesses when .venv-checks/bin/<tool> exists. Optional and idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
[ -x .venv-checks/bin/python ] || "$PY" -m venv .venv-checks
stamp=.venv-checks/.installed
want="checkov cfn-lint python-hcl2 kubernetes-validate"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv-checks/bin/python -m pip install -q --disable-pip-version-check $want
  .venv-checks/bin/checkov --version >/dev/null
  echo "$want" > "$stamp"
fi
echo "setup: .venv-checks ready (checkov $(.venv-checks/bin/checkov --version))"
