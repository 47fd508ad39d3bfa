#!/usr/bin/env bash
# Copyright (c) mmrsod contributors. All rights reserved.
#
# Run the mmrsod test suite: ensures the environment (tools/setup_env.sh,
# seconds when it is already there), then pytest. Extra arguments go to
# pytest, e.g. `bash tools/run_tests.sh tests/test_models -x`.
# Runs the lint hooks (.pre-commit-config.yaml; MMRSOD_SKIP_LINT=1 skips
# them) and exits non-zero on any failure, including "no tests collected".
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T0=$(date +%s)
SETUP_ARGS=()
[ "${MMRSOD_USE_ACTIVE_ENV:-0}" = "1" ] && SETUP_ARGS+=(--active)
bash "$REPO/tools/setup_env.sh" "${SETUP_ARGS[@]}"
T1=$(date +%s)
if [ "${MMRSOD_USE_ACTIVE_ENV:-0}" = "1" ]; then
  PY="$(command -v python || command -v python3)"
else
  PY="${MMRSOD_VENV:-${MMRSOD_CACHE:-$HOME/.cache/mmrsod}/venv}/bin/python"
fi
cd "$REPO"
# Lint (flake8, isort, yapf and the pre-commit-hooks fixers, all local hooks
# in .pre-commit-config.yaml); a finding fails the run after the tests.
LINT_RC=0
if [ "${MMRSOD_SKIP_LINT:-0}" != "1" ] && [ -d "$REPO/.git" -o -f "$REPO/.git" ]; then
  echo "[tests] lint: pre-commit run --all-files"
  PATH="$(dirname "$PY"):$PATH" "$PY" -m pre_commit run --all-files \
    --show-diff-on-failure --color never || LINT_RC=$?
fi
T1L=$(date +%s)
set +e
"$PY" -m pytest -ra --durations=15 "$@"
RC=$?
set -e
T2=$(date +%s)
echo "[tests] environment: $((T1 - T0))s, lint: $((T1L - T1))s, pytest: $((T2 - T1L))s"
if [ "$RC" = "5" ]; then
  echo "[tests] pytest collected no tests: treating as a failure" >&2
  exit 1
fi
if [ "$RC" = "0" ] && [ "$LINT_RC" != "0" ]; then
  echo "[tests] lint failed (see above; run 'pre-commit run --all-files' to fix)" >&2
  exit 1
fi
exit "$RC"
