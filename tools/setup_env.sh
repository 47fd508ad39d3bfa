#!/usr/bin/env bash
# Copyright (c) mmrsod contributors. All rights reserved.
#
# One-time, idempotent set-up of the mmrsod stack on a fresh machine.
#
#   bash tools/setup_env.sh            # install / check everything
#   bash tools/setup_env.sh --demo     # ... then run the SOD demo (tools/run_demo.sh)
#   bash tools/setup_env.sh --demo det # ... or the detection demo
#
# Where the environment lives:
#   default        a virtualenv at $MMRSOD_VENV (default ~/.cache/mmrsod/venv),
#                  outside the clone, so a new clone or a CI re-run reuses it.
#   --active       the Python environment that is active now (a conda env or a
#                  venv with your own CUDA torch); also MMRSOD_USE_ACTIVE_ENV=1.
#
# What it does (each step is skipped when already satisfied):
#   1. checks Python (3.8-3.12);
#   2. creates the venv;
#   3. installs torch when it is missing: the CPU wheel by default
#      (MMRSOD_TORCH, default torch==2.13.0); an installed torch is kept;
#   4. builds mmcv 2.1.0 from the PyPI sdist with ops against that torch when
#      `import mmcv.ops` fails, caching the wheel in
#      $MMRSOD_CACHE/wheels/torch-<version>/ (default ~/.cache/mmrsod), so the
#      ~25-55 min CPU build happens once per machine and torch version (it
#      prints "mmcv: N/77 C++ files compiled" as it goes);
#   5. installs the pinned runtime and test requirements (before mmcv, whose
#      run-time deps they include) and mmrsod (editable).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MMRSOD_CACHE:-$HOME/.cache/mmrsod}"
VENV="${MMRSOD_VENV:-$CACHE/venv}"
TORCH_SPEC="${MMRSOD_TORCH:-torch==2.13.0}"
MMCV_VERSION="2.1.0"
USE_ACTIVE="${MMRSOD_USE_ACTIVE_ENV:-0}"
RUN_DEMO=0
DEMO_TASK=sod

PREV=""
for arg in "$@"; do
  case "$arg" in
    --demo) RUN_DEMO=1 ;;
    --demo=sod|--demo=det) RUN_DEMO=1; DEMO_TASK="${arg#--demo=}" ;;
    sod|det)
      if [ "$PREV" != "--demo" ]; then
        echo "setup_env.sh: '$arg' must follow --demo (see --help)" >&2; exit 2
      fi
      DEMO_TASK="$arg" ;;
    --active) USE_ACTIVE=1 ;;
    -h|--help) sed -n '3,27p' "$0"; exit 0 ;;
    *) echo "setup_env.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
  PREV="$arg"
done

T_START=$(date +%s)
PHASE_NAME=""
PHASE_T0=0
phase() {  # phase "name": end the previous phase (printing its time), start one
  local now; now=$(date +%s)
  if [ -n "$PHASE_NAME" ]; then
    printf '[setup] %-28s %5ss\n' "$PHASE_NAME" "$((now - PHASE_T0))"
  fi
  PHASE_NAME="$1"; PHASE_T0=$now
  [ -n "$1" ] && echo "[setup] >>> $1"
  return 0
}
fail() {  # fail "step" "what to do"
  echo "[setup] FAILED at step '$1'. $2" >&2
  exit 1
}

# 1. Python --------------------------------------------------------------
phase "check python"
if [ "$USE_ACTIVE" = "1" ]; then
  PY="$(command -v python || command -v python3)" \
    || fail "check python" "No python on PATH; activate your environment."
else
  BASE_PY="${MMRSOD_PYTHON:-$(command -v python3 || true)}"
  [ -n "$BASE_PY" ] || fail "check python" "Install Python 3.8-3.12 (python3)."
  PY="$VENV/bin/python"
fi
CHECK_PY="${BASE_PY:-$PY}"
"$CHECK_PY" - <<'EOF' || fail "check python" "mmrsod needs Python 3.8-3.12 (OpenMMLab 2.x stack)."
import sys
ok = (3, 8) <= sys.version_info[:2] <= (3, 12)
print(f'[setup] python {sys.version.split()[0]} ({sys.executable})')
sys.exit(0 if ok else 1)
EOF

# 2. virtualenv ----------------------------------------------------------
if [ "$USE_ACTIVE" != "1" ]; then
  phase "virtualenv"
  if [ ! -x "$PY" ]; then
    echo "[setup] creating virtualenv at $VENV"
    "$BASE_PY" -m venv "$VENV" || fail "virtualenv" \
      "Could not create $VENV (is python3-venv installed? set MMRSOD_VENV)."
  else
    echo "[setup] using virtualenv $VENV"
  fi
fi
PIP=("$PY" -m pip --disable-pip-version-check)
export PIP_PROGRESS_BAR=off

phase "build tools"
"${PIP[@]}" install -q "setuptools>=77,<81" ninja wheel \
  || fail "build tools" "pip could not install setuptools<81/ninja/wheel."

# 3. torch ----------------------------------------------------------------
phase "torch"
if "$PY" -c 'import torch' 2>/dev/null; then
  echo "[setup] keeping installed torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  echo "[setup] installing $TORCH_SPEC (CPU build; install your CUDA torch first to keep it)"
  # A machine whose pip finds a local CPU wheel (find-links) installs that,
  # with its dependencies from the usual index; others get the CPU wheel
  # from PyTorch's index.
  if "${PIP[@]}" install -q --no-deps --no-index "$TORCH_SPEC" 2>/dev/null; then
    "${PIP[@]}" install -q "$TORCH_SPEC" \
      || fail "torch" "pip could not install the dependencies of $TORCH_SPEC."
  else
    "${PIP[@]}" install -q "$TORCH_SPEC" \
      --index-url https://download.pytorch.org/whl/cpu \
      --extra-index-url https://pypi.org/simple \
      || fail "torch" "Install torch yourself (https://pytorch.org) and re-run."
  fi
fi
# numpy first, so that nothing later upgrades it past pysodmetrics' pin.
"${PIP[@]}" install -q "numpy<2.3.5" || fail "torch" "pip could not install numpy<2.3.5."
TORCH_TAG=$("$PY" -c 'import torch; print(torch.__version__)')

# 4. the pinned OpenMMLab stack (mmcv's own run-time deps come with it) ----
phase "requirements"
"${PIP[@]}" install -q -r "$REPO/requirements/runtime.txt" \
  -r "$REPO/requirements/tests.txt" \
  || fail "requirements" "pip could not install requirements/runtime.txt."

# Print one line per file compiled ("[setup] mmcv: 12/77 C++ files compiled
# (3 min 05 s)") from ninja's "[N/M] c++ ..." lines on stdin (pip -v
# indents them), and a
# heartbeat when nothing was compiled for a minute (e.g. without ninja).
build_progress() {
  local name="$1" start=$SECONDS line rc elapsed
  while true; do
    IFS= read -r -t 60 line && rc=0 || rc=$?
    elapsed="$(((SECONDS - start) / 60)) min $(printf '%02d' $(((SECONDS - start) % 60))) s"
    if [ "$rc" -gt 128 ]; then
      echo "[setup] $name: still building ($elapsed)"
      continue
    fi
    [ "$rc" -ne 0 ] && [ -z "$line" ] && break
    if [[ "$line" =~ ^[[:space:]]*\[([0-9]+)/([0-9]+)\]\  ]]; then
      echo "[setup] $name: ${BASH_REMATCH[1]}/${BASH_REMATCH[2]} C++ files compiled ($elapsed)"
    fi
    [ "$rc" -ne 0 ] && break
  done
  return 0
}

# 5. mmcv with ops ---------------------------------------------------------
phase "mmcv $MMCV_VERSION with ops"
if "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
  echo "[setup] mmcv $MMCV_VERSION with ops already importable"
else
  WHEEL_DIR="$CACHE/wheels/torch-$TORCH_TAG"
  PYTAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
  WHEEL=$(ls "$WHEEL_DIR"/mmcv-"$MMCV_VERSION"-"$PYTAG"-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$WHEEL" ]; then
    NPROC=$(nproc 2>/dev/null || echo 2)
    echo "[setup] building mmcv $MMCV_VERSION with ops against torch $TORCH_TAG on $NPROC cores."
    echo "[setup] This takes about 25-55 minutes on a 2-core CPU (77 C++ files; the"
    echo "[setup] many C++20 warnings are expected). The wheel is cached in $WHEEL_DIR."
    mkdir -p "$WHEEL_DIR"
    BUILD_LOG="$CACHE/mmcv-build.log"
    echo "[setup] progress below (ninja's [compiled/total]); full output in $BUILD_LOG"
    # pip -v streams the build; build_progress keeps ninja's "[N/77]" lines
    if ! MMCV_WITH_OPS=1 MAX_JOBS="$NPROC" "${PIP[@]}" wheel -v --no-deps \
         --no-build-isolation "mmcv==$MMCV_VERSION" -w "$WHEEL_DIR" 2>&1 \
         | tee "$BUILD_LOG" | build_progress "mmcv"; then
      tail -n 30 "$BUILD_LOG" >&2
      fail "mmcv build" "See $BUILD_LOG. It needs gcc/g++, the Python headers and setuptools<81."
    fi
    WHEEL=$(ls "$WHEEL_DIR"/mmcv-"$MMCV_VERSION"-"$PYTAG"-*.whl | head -n1)
  else
    echo "[setup] installing cached wheel $WHEEL"
  fi
  "${PIP[@]}" install -q --force-reinstall --no-deps "$WHEEL" \
    || fail "mmcv install" "Could not install $WHEEL; delete it to rebuild."
  "$PY" -c 'import mmcv.ops' \
    || fail "mmcv install" "mmcv.ops does not import; delete $WHEEL_DIR to rebuild."
fi

# 6. mmrsod -----------------------------------------------------------------
phase "mmrsod"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$REPO" \
  || fail "mmrsod install" "pip install -e $REPO failed."
"$PY" - <<'EOF' || fail "import check" "The stack installed but does not import (see above)."
import mmcv, mmcv.ops, mmdet, mmengine, mmseg, torch
import mmrsod
print(f'[setup] torch {torch.__version__}, mmcv {mmcv.__version__}, '
      f'mmengine {mmengine.__version__}, mmdet {mmdet.__version__}, '
      f'mmseg {mmseg.__version__}, mmrsod {mmrsod.__version__}')
EOF
phase ""
echo "[setup] done in $(( $(date +%s) - T_START ))s; python: $PY"

if [ "$RUN_DEMO" = "1" ]; then
  MMRSOD_PY="$PY" exec bash "$REPO/tools/run_demo.sh" --demo "$DEMO_TASK"
fi
