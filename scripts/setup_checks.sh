#!/usr/bin/env bash
# Creates .venv-checks: the independent IaC checkers (checkov, cfn-lint, python-hcl2,
# kubernetes-validate) in their own environment. checkov pins versions that conflict with the
# project's test tools, so it never goes into .venv. CloudPilot runs checkov from it on every piece
# of generated code (tools/iac/validate/checkov.py; the `iac_checks_venv` setting points elsewhere),
# bench/iac_eval.py runs all four, and tests/tools/iac/test_checkov.py runs instead of skipping.
# Optional and idempotent; `scripts/setup.sh --with-checks` runs it too.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
[ -x .venv-checks/bin/python ] || "$PY" -m venv .venv-checks
stamp=.venv-checks/.installed
# Pinned: a new checkov release brings new checks; bump on purpose and rerun test_checkov.py.
want="checkov==3.3.30 cfn-lint==1.58.0 python-hcl2==8.1.4 kubernetes-validate==1.37.0"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # shellcheck disable=SC2086  # one argument per requirement
  .venv-checks/bin/python -m pip install -q --disable-pip-version-check $want
  .venv-checks/bin/checkov --version >/dev/null
  echo "$want" > "$stamp"
fi
echo "setup: .venv-checks ready (checkov $(.venv-checks/bin/checkov --version))"
