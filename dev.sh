#!/usr/bin/env bash
# ./dev.sh demo   set everything up, then run the demo
# ./dev.sh test   set everything up, then run the tests (and linters)
set -euo pipefail
cd "$(dirname "$0")"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
case "${1:-}" in
  demo)
    bash scripts/setup.sh
    shift; exec .venv/bin/cloudpilot demo "$@" ;;
  test)
    # The independent IaC checkers too, so that the checkov tests run instead of skipping.
    bash scripts/setup.sh --with-checks
    bash scripts/services.sh
    export TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:${CLOUDPILOT_TEST_PG_PORT:-5432}/test}
    export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:${CLOUDPILOT_TEST_REDIS_PORT:-6379}/0}
    # The services were just started: a test that cannot reach them fails instead of skipping.
    export CLOUDPILOT_TEST_SERVICES=required
    shift
    .venv/bin/ruff check bot agent tools knowledge config store sandbox tests
    .venv/bin/lint-imports --no-cache
    .venv/bin/mypy
    exec .venv/bin/python -m pytest -p no:cacheprovider "$@" ;;
  *) echo "usage: ./dev.sh demo|test [args]" >&2; exit 2 ;;
esac
