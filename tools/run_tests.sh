#!/usr/bin/env bash
# Copyright (c) mmrsod contributors. All rights reserved.
#
# Run the mmrsod test suite: ensures the environment (tools/setup_env.sh,
# seconds when it is already there), then pytest. Extra arguments go to
# pytest, e.g. `bash tools/run_tests.sh tests/test_models -x`.
# Exits non-zero on any failure, including "no tests collected".
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
set +e
"$PY" -m pytest -ra --durations=15 "$@"
RC=$?
set -e
T2=$(date +%s)
echo "[tests] environment: $((T1 - T0))s, pytest: $((T2 - T1))s"
if [ "$RC" = "5" ]; then
  echo "[tests] pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit "$RC"
