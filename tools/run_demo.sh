#!/usr/bin/env bash
# Copyright (c) mmrsod contributors. All rights reserved.
#
# The main job on the embedded default: generate the synthetic demo SOD
# dataset (ORSSD layout), train the small SRAL variant (ResNet-18, 300
# iterations, half the paper's resolution: 128 px input -> 256 px saliency
# map) with the standard tools/train.py, then evaluate it with tools/test.py,
# which prints the saliency metrics and writes the predicted maps. About
# 7-11 minutes on a 2-core CPU.
#
# Env: MMRSOD_PY (python), MMRSOD_DEMO_DATA (data/demo_sod),
#      MMRSOD_DEMO_WORK_DIR (work_dirs/sral_r18_demo).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
PY="${MMRSOD_PY:-python}"
DATA="${MMRSOD_DEMO_DATA:-data/demo_sod}"
WORK="${MMRSOD_DEMO_WORK_DIR:-work_dirs/sral_r18_demo}"
CONFIG=configs/sral/sral_r18_1xb4-300iter_demo.py
T0=$(date +%s)

if [ -f "$DATA/demo_data.json" ]; then
  echo "[demo] using the demo dataset in $DATA"
else
  "$PY" tools/misc/generate_demo_data.py "$DATA"
fi
T1=$(date +%s)

echo "[demo] training: $PY tools/train.py $CONFIG --work-dir $WORK"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK" \
  --cfg-options train_dataloader.dataset.data_root="$DATA" \
  val_dataloader.dataset.data_root="$DATA" \
  test_dataloader.dataset.data_root="$DATA"
T2=$(date +%s)

CKPT="$WORK/$(basename "$(cat "$WORK/last_checkpoint")")"
echo "[demo] testing: $PY tools/test.py $CONFIG $CKPT --out-dir $WORK/maps"
"$PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK" \
  --out-dir "$WORK/maps" \
  --cfg-options test_dataloader.dataset.data_root="$DATA"
T3=$(date +%s)
echo "[demo] data $((T1 - T0))s, train $((T2 - T1))s, test $((T3 - T2))s;" \
  "saliency maps in $WORK/maps, logs and checkpoint in $WORK"
