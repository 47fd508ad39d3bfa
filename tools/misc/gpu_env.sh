#!/usr/bin/env bash
# Copyright (c) mmrsod contributors. All rights reserved.
#
# Prepare an offline GPU machine (python3.12, CUDA torch already installed,
# no internet) and run the GPU checks, in two steps:
#
#   1. here, with internet access to PyPI (from the repo root):
#        bash tools/misc/gpu_env.sh --download
#      saves the wheels mmrsod needs for cp312/manylinux x86-64 and the mmcv
#      sdist into .whl/ (git-ignored; about 10 MB).
#   2. on the GPU machine, with .whl/ carried along:
#        bash tools/misc/gpu_env.sh
#      installs them into /tmp/site (PYTHONPATH, the machine's torch is kept),
#      builds mmcv 2.1.0 with CUDA ops for the local GPU (TORCH_CUDA_ARCH_LIST
#      from the device, e.g. 9.0 on H100/H200; timed), checks mmcv.ops on CUDA
#      against PyTorch references (tools/misc/check_mmcv_ops.py) and runs the
#      demo (tools/run_demo.sh) on the GPU.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WHL="$REPO/.whl"
SITE="${MMRSOD_GPU_SITE:-/tmp/site}"
PY="${PYTHON:-python3}"

if [ "${1:-}" = "--download" ]; then
  mkdir -p "$WHL"
  PLAT=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64
        --platform manylinux2014_x86_64 --platform manylinux1_x86_64
        --platform any)
  # Only what the GPU image lacks: it has torch, numpy 2.5 (its compiled
  # packages are built against it, so it is kept; pysodmetrics' numpy pin
  # only matters for MSIoU, which mmrsod does not use), opencv, scipy,
  # scikit-image, scikit-learn, matplotlib, rich, pyyaml, pillow.
  for req in mmengine==0.10.7 mmdet==3.3.0 mmsegmentation==1.2.2 \
             pysodmetrics==1.6.2 ftfy addict yapf termcolor pycocotools \
             terminaltables shapely platformdirs tomli wcwidth prettytable \
             "setuptools<81"; do
    python3 -m pip download -q --no-deps --only-binary=:all: \
      --python-version 3.12 --implementation cp "${PLAT[@]}" -d "$WHL" "$req"
  done
  # mmcv's sdist metadata step imports torch: use the mmrsod environment
  DLPY="${MMRSOD_PY:-$HOME/.cache/mmrsod/venv/bin/python}"
  "$DLPY" -m pip download -q --no-deps --no-binary=:all: \
    --no-build-isolation -d "$WHL" mmcv==2.1.0
  du -sh "$WHL"
  exit 0
fi

[ -d "$WHL" ] || { echo "gpu_env.sh: $WHL missing; run with --download first" >&2; exit 1; }
T0=$(date +%s)
mkdir -p "$SITE"
"$PY" -m pip install -q --no-index --no-deps --no-compile --target "$SITE" \
  "$WHL"/*.whl
export PYTHONPATH="$SITE:$REPO:${PYTHONPATH:-}"
"$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
T1=$(date +%s)
echo "[gpu] wheels installed in $((T1 - T0))s"

ARCH=$("$PY" -c 'import torch; m, n = torch.cuda.get_device_capability(0); print(f"{m}.{n}")')
BUILD=/tmp/mmcv-build
rm -rf "$BUILD" && mkdir -p "$BUILD"
tar -xzf "$WHL"/mmcv-2.1.0.tar.gz -C "$BUILD"
echo "[gpu] building mmcv 2.1.0 with CUDA ops for sm_${ARCH/./}"
( cd "$BUILD/mmcv-2.1.0" && MMCV_WITH_OPS=1 FORCE_CUDA=1 \
    TORCH_CUDA_ARCH_LIST="$ARCH" MAX_JOBS="$(nproc)" \
    "$PY" -m pip install -q --no-deps --no-build-isolation --no-index \
    --target "$SITE" . ) > "$BUILD/build.log" 2>&1 \
  || { tail -n 40 "$BUILD/build.log"; echo "[gpu] mmcv CUDA build FAILED after $(( $(date +%s) - T1 ))s"; exit 1; }
T2=$(date +%s)
echo "[gpu] mmcv CUDA build OK in $((T2 - T1))s"

"$PY" "$REPO/tools/misc/check_mmcv_ops.py" --device cuda
T3=$(date +%s)
echo "[gpu] ops check in $((T3 - T2))s"
MMRSOD_PY="$PY" bash "$REPO/tools/run_demo.sh"
echo "[gpu] demo in $(( $(date +%s) - T3 ))s; total $(( $(date +%s) - T0 ))s"
