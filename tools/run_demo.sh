#!/usr/bin/env bash
# Copyright (c) mmrsod contributors. All rights reserved.
#
# The main job on the embedded default.
#
#   bash tools/run_demo.sh              # the SOD demo (also: sod, --demo sod)
#   bash tools/run_demo.sh --demo det   # the detection demo (also: det)
#   bash tools/run_demo.sh --demo det -- KEY=VALUE ...
#       (detection: extra --cfg-options for tools/train.py and tools/test.py,
#        e.g. train_cfg.max_iters=600)
#
# SOD: generate the synthetic demo SOD dataset (ORSSD layout), train the small
# SRAL variant (ResNet-18, 300 iterations, half the paper's resolution: 128 px
# input -> 256 px saliency map) with the standard tools/train.py, then
# evaluate it with tools/test.py, which prints the saliency metrics and writes
# the predicted maps. About 7-11 minutes on a 2-core CPU.
# Env: MMRSOD_PY (python), MMRSOD_DEMO_DATA (data/demo_sod),
#      MMRSOD_DEMO_WORK_DIR (work_dirs/sral_r18_demo).
#
# Detection: the same path as real data. Generate the synthetic detection set
# in the NWPU VHR-10 release layout, convert it with
# tools/dataset_converters/nwpu_vhr10.py (seeded split by source image), tile
# it with split_tiles.py (256 px tiles, 64 px overlap), train the ResNet-18
# RetinaNet student from scratch on the 2x bicubic LR tiles (128 px input,
# 600 iterations) with tools/train.py, and test it with tools/test.py, which
# prints the COCO table (AP, AP50, AP75, APs/m/l in the HR frame, per-class AP). About 5
# minutes on a 2-core CPU.
# Env: MMRSOD_PY, MMRSOD_DET_DEMO_DATA (data/demo_det: the NWPU-layout set),
#      MMRSOD_DET_DEMO_SPLIT (data/demo_det_split: converted + tiled),
#      MMRSOD_DET_DEMO_WORK_DIR (work_dirs/retinanet_r18_det_demo),
#      MMRSOD_DET_DEMO_IMAGES (40: images generated when DATA has none).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
PY="${MMRSOD_PY:-python}"

TASK=sod
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --demo) if [ $# -gt 1 ] && [[ "$2" =~ ^(sod|det)$ ]]; then TASK="$2"; shift; fi ;;
    --demo=*) TASK="${1#--demo=}" ;;
    sod|det) TASK="$1" ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '3,31p' "$0"; exit 0 ;;
    *) echo "run_demo.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ ! "$TASK" =~ ^(sod|det)$ ]]; then
  echo "run_demo.sh: unknown demo '$TASK' (sod or det)" >&2; exit 2
fi
T0=$(date +%s)

if [ "$TASK" = "sod" ]; then
  DATA="${MMRSOD_DEMO_DATA:-data/demo_sod}"
  WORK="${MMRSOD_DEMO_WORK_DIR:-work_dirs/sral_r18_demo}"
  CONFIG=configs/sral/sral_r18_1xb4-300iter_demo.py

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
  exit 0
fi

DATA="${MMRSOD_DET_DEMO_DATA:-data/demo_det}"
SPLIT="${MMRSOD_DET_DEMO_SPLIT:-data/demo_det_split}"
WORK="${MMRSOD_DET_DEMO_WORK_DIR:-work_dirs/retinanet_r18_det_demo}"
CONFIG=configs/retinanet/retinanet_r18_fpn_1xb4-600iter_det-demo.py
COCO="$SPLIT/whole_images"

if [ -f "$DATA/demo_data.json" ]; then
  echo "[demo] using the demo detection set in $DATA"
else
  "$PY" tools/misc/generate_demo_data.py "$DATA" --task det \
    --num-images "${MMRSOD_DET_DEMO_IMAGES:-40}"
fi
echo "[demo] converting: $PY tools/dataset_converters/nwpu_vhr10.py $DATA $COCO"
"$PY" tools/dataset_converters/nwpu_vhr10.py "$DATA" "$COCO"
for split in train val test; do
  echo "[demo] tiling $split: split_tiles.py --tile 256 --overlap 64"
  "$PY" tools/dataset_converters/split_tiles.py \
    "$COCO/nwpu_vhr10_$split.json" "$DATA" "$SPLIT" \
    --tile 256 --overlap 64 --nproc 2
done
T1=$(date +%s)

echo "[demo] training: $PY tools/train.py $CONFIG --work-dir $WORK"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK" \
  --cfg-options train_dataloader.dataset.data_root="$SPLIT/" "${EXTRA[@]}"
T2=$(date +%s)

CKPT="$WORK/$(basename "$(cat "$WORK/last_checkpoint")")"
echo "[demo] testing: $PY tools/test.py $CONFIG $CKPT"
"$PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$WORK" \
  --cfg-options test_dataloader.dataset.data_root="$SPLIT/" \
  test_evaluator.ann_file="$SPLIT/nwpu_vhr10_test.json" "${EXTRA[@]}"
T3=$(date +%s)
echo "[demo] data $((T1 - T0))s, train $((T2 - T1))s, test $((T3 - T2))s;" \
  "logs and checkpoint in $WORK"
