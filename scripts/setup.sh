#!/usr/bin/env bash
# Creates .venv with everything CloudPilot needs. Idempotent: a second run is quick.
# --with-checks: also .venv-checks, the independent IaC checkers (scripts/setup_checks.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

with_checks=false
for arg in "$@"; do
  case "$arg" in
    --with-checks) with_checks=true ;;
    *) echo "usage: scripts/setup.sh [--with-checks]" >&2; exit 2 ;;
  esac
done

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: CloudPilot needs Python 3.11+ ($PY is $("$PY" --version 2>&1))" >&2; exit 1
fi
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
PIP=(.venv/bin/python -m pip install -q --disable-pip-version-check)
stamp=.venv/.cloudpilot-installed
want=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # The CPU wheel of torch first, so sentence-transformers never pulls CUDA packages.
  "${PIP[@]}" "torch==2.13.0" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c 'import torch' || { echo "setup: torch did not install" >&2; exit 1; }
  "${PIP[@]}" -e ".[dev]" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c 'import bot.main, langgraph, duckdb, moto'
  echo "$want" > "$stamp"
fi
echo "setup: .venv ready"
if $with_checks; then bash scripts/setup_checks.sh; fi
