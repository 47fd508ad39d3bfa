# Copyright (c) mmrsod contributors. All rights reserved.
"""Golden numbers of the SRAL authors' code for the equivalence test.

``tests/test_models/test_segmentors/test_sral_golden.py`` checks that our
default SRAL-R50 (``configs/_base_/models/sral_r50.py``) computes what the
authors' released code computes, on the same weights and inputs. The
numbers it compares against (``tests/fixtures/sral_golden/golden.json``) were
produced by this script from a scratch copy of the authors' code
(``lyf0801/SRAL`` at ``cd053e82``/``8ad3451d``: ``src/
baseline123_original_YCbCr.py``, ``src/SR_decoder.py``, ``src/TFGM.py``
and the loss code of ``train_baseline123_YCbCr_final.py``), kept
**outside** this repository. None of their code is in the repository.

How to reproduce (the reference folder is yours to make)::

    # REF/src/{baseline123_original_YCbCr,SR_decoder,TFGM}.py: their files
    # REF/src/batchnorm.py: SynchronizedBatchNorm2d = nn.BatchNorm2d (one
    #   process: the same computation, parameters and buffers)
    # REF/train_losses.py: structure_loss and t1/t2/t3 of their training
    #   script as a function losses(smaps, pred_sr, sod_fea, sr_fea,
    #   img_YCbCr_sr, label) -> (t1, t2, t3, t3_consist)
    python tools/misc/sral_golden_numbers.py --ref-root REF

The procedure, identical on both sides:

1. **Weights**: every tensor is a deterministic function of the authors'
   parameter name and shape (:func:`ref_tensor`), so nothing depends on the
   order in which either model creates its modules. Our parameter names
   are mapped to theirs by ``tests/fixtures/sral_golden/name_map.json``
   (written by :func:`build_name_map`). Their conv biases that our
   ``ConvModule`` (conv + BN) does not have are zero (a bias before a BN is
   cancelled by the batch mean).
2. **Training step**: batch of 8 random 64 px inputs (fixed seed), soft
   128 px labels and YCbCr targets; model in train mode (BN uses batch
   statistics) with every ``Dropout`` off (their forward runs the SR
   decoder twice, so random dropout masks could never be matched); BN
   running statistics reset and accumulated as a cumulative average
   (``momentum=None``). Recorded: the three loss terms of their training
   script, t1 (deep supervision), t2 (SR MSE, unweighted) and t3 (TFGM,
   their batch **sum**; at batch 8 it equals a per-sample mean times a
   reference batch of 8) split into its L1 and affinity parts, plus
   statistics of smap1 and pred_sr.
3. **Eval output**: model in eval mode (BN uses the running statistics of
   step 2) on 2 other random 64 px inputs; recorded: mean/std/min/max and
   some pixels of ``sigmoid(smap1)`` (128 px).
"""
import argparse
import json
import sys
import zlib
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import torch
import torch.nn as nn

REPO = Path(__file__).resolve().parents[2]
DATA_DIR = REPO / 'tests' / 'fixtures' / 'sral_golden'
SEED = 2021
BATCH = 8
EVAL_BATCH = 2
LR_SIZE = 64
#: (image, row, col) of the recorded eval pixels (128 px output)
PIXELS = ((0, 0, 0), (0, 0, 127), (0, 37, 91), (0, 64, 64), (1, 5, 120),
          (1, 100, 17), (1, 127, 127))


def build_name_map(our_keys: List[str]) -> Dict[str, str]:
    """Map our SRAL-R50 state-dict keys to the authors' ``net`` keys.

    Args:
        our_keys (list[str]): Keys of our model's ``state_dict()``.

    Returns:
        dict[str, str]: ``{our_key: their_key}`` for every key.
    """
    out = {}
    for key in our_keys:
        parts = key.split('.')
        head, rest = parts[0], parts[1:]
        tail = '.'.join(rest)
        if head == 'backbone':
            ref = 'bkbone.' + tail
        elif head == 'neck':
            layer = {'conv': '0', 'bn': '1', 'activate': '2'}
            if rest[0] == 'reduce':
                ref = f'ppm.down_conv.{layer[rest[1]]}.' + '.'.join(rest[2:])
            elif rest[0] == 'fuse':
                ref = f'ppm.fuse.{layer[rest[1]]}.' + '.'.join(rest[2:])
            else:  # branches.{i}.1.{conv,bn,activate}.*
                sub = {'conv': '1', 'bn': '2', 'activate': '3'}[rest[3]]
                ref = (f'ppm.conv{int(rest[1]) + 1}.{sub}.' +
                       '.'.join(rest[4:]))
        elif head == 'decode_head':
            block = f'fuse{int(rest[1]) + 1}'
            if rest[0] == 'conv_seg':
                ref = f'{block}.smaps.{rest[2]}'
            else:
                conv, norm = {
                    'fuse_convs': ('fuse', 'bn1'),
                    'up_convs': ('down1', 'bn2'),
                    'refine_convs': ('down2', 'bn3')
                }[rest[0]]
                name = conv if rest[2] == 'conv' else norm
                ref = f'{block}.{name}.' + '.'.join(rest[3:])
        elif head == 'sr_head':
            if rest[0] == 'low_conv':
                sub = {'conv': '0', 'bn': '1'}[rest[1]]
                ref = f'SRDcoder.down.{sub}.' + '.'.join(rest[2:])
            elif rest[0] == 'fuse':
                if rest[1] == '4':
                    ref = 'SRDcoder.fuse.8.' + rest[2]
                else:
                    base = {'0': 0, '2': 4}[rest[1]]
                    idx = base + (0 if rest[2] == 'conv' else 1)
                    ref = f'SRDcoder.fuse.{idx}.' + '.'.join(rest[3:])
            elif rest[0] == 'up':
                if len(rest) == 3:  # deconv weight/bias
                    ref = f'SRDcoder.up.{rest[1]}.{rest[2]}'
                else:  # EDSR block: conv1/conv2/shortcut .conv.weight
                    name = {
                        'conv1': 'conv1',
                        'conv2': 'conv2',
                        'shortcut': 'residual'
                    }[rest[2]]
                    ref = f'SRDcoder.up.{rest[1]}.{name}.' + rest[-1]
            else:
                name = {'conv_sr': 'pred_sr', 'conv_feat': 'sr_fea'}[rest[0]]
                ref = f'SRDcoder.{name}.{rest[1]}'
        elif head == 'tfgm':  # sod_proj.{conv,bn}.*
            sub = {'conv': '0', 'bn': '1'}[rest[1]]
            ref = f'pointwise.{sub}.' + '.'.join(rest[2:])
        else:
            raise KeyError(f'no reference name for {key}')
        out[key] = ref
    return out


def ref_tensor(ref_key: str, shape: Tuple[int, ...]) -> torch.Tensor:
    """The deterministic value of the authors' tensor ``ref_key``.

    Conv/deconv weights: normal, std ``sqrt(2 / (shape[1] * k * k))``;
    BN weights ``1 + 0.1 N(0, 1)``; PReLU weights ``0.25 + 0.05 N(0, 1)``;
    biases ``0.1 N(0, 1)``; running mean 0, running var 1, batch count 0.
    The generator is seeded with ``SEED + crc32(ref_key)``.

    Args:
        ref_key (str): The authors' state-dict key.
        shape (tuple[int]): Tensor shape.

    Returns:
        Tensor: float32 (int64 for ``num_batches_tracked``).
    """
    if ref_key.endswith('num_batches_tracked'):
        return torch.zeros(shape, dtype=torch.long)
    if ref_key.endswith('running_mean'):
        return torch.zeros(shape)
    if ref_key.endswith('running_var'):
        return torch.ones(shape)
    gen = torch.Generator().manual_seed(SEED + zlib.crc32(ref_key.encode()))
    noise = torch.randn(shape, generator=gen)
    if len(shape) == 4:
        fan_in = shape[1] * shape[2] * shape[3]
        return noise * (2.0 / fan_in)**0.5
    if ref_key.endswith('bias'):
        return 0.1 * noise
    if len(shape) == 1 and shape[0] == 1:  # PReLU
        return 0.25 + 0.05 * noise
    return 1.0 + 0.1 * noise  # BN weight


def make_inputs() -> Dict[str, torch.Tensor]:
    """The fixed inputs: normalised images, soft labels, YCbCr targets."""
    gen = torch.Generator().manual_seed(SEED)
    hr = 2 * LR_SIZE
    img = torch.randn(BATCH, 3, LR_SIZE, LR_SIZE, generator=gen)
    lr_ycbcr = torch.rand(BATCH, 3, LR_SIZE, LR_SIZE, generator=gen)
    blobs = torch.rand(BATCH, 1, 8, 8, generator=gen)
    label = nn.functional.interpolate(
        blobs, size=(hr, hr), mode='bilinear', align_corners=False)
    label = ((label - 0.4) * 4).clamp(0, 1)  # soft, with 0 and 1 regions
    gt_sr = torch.rand(BATCH, 3, hr, hr, generator=gen)
    eval_img = torch.randn(EVAL_BATCH, 3, LR_SIZE, LR_SIZE, generator=gen)
    eval_ycbcr = torch.rand(EVAL_BATCH, 3, LR_SIZE, LR_SIZE, generator=gen)
    return dict(
        img=img,
        lr_ycbcr=lr_ycbcr,
        label=label,
        gt_sr=gt_sr,
        eval_img=eval_img,
        eval_ycbcr=eval_ycbcr)


def prepare_modules(model: nn.Module) -> None:
    """Reset BN statistics (cumulative average) and switch dropout off.

    Call after ``model.train()``.
    """
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None
        if isinstance(module, nn.Dropout):
            module.eval()


def stats(x: torch.Tensor) -> Dict[str, float]:
    """mean/std/min/max of a tensor as floats."""
    x = x.detach().double()
    return dict(
        mean=float(x.mean()),
        std=float(x.std()),
        min=float(x.min()),
        max=float(x.max()))


def summarise(t1, t2, t3_consist, t3_similar, smap1, pred_sr,
              prob) -> Dict[str, object]:
    """The golden record (floats only)."""
    return dict(
        loss_t1=float(t1),
        loss_t2=float(t2),
        loss_t3=float(t3_consist + t3_similar),
        loss_t3_consist=float(t3_consist),
        loss_t3_similar=float(t3_similar),
        train_smap1=stats(smap1),
        train_pred_sr=stats(pred_sr),
        eval_prob=stats(prob),
        eval_pixels=[float(prob[i, 0, r, c]) for i, r, c in PIXELS])


def our_model_cfg(align_corners: Optional[bool] = None):
    """Config of our default SRAL-R50 for the comparison.

    No pretrained weights; SR loss weight 1 (t2 is the plain MSE; the
    loss is divided by ``sr_head.loss_weight`` anyway).

    Args:
        align_corners (bool, optional): Override ``align_corners`` of the
            decode and SR heads. Defaults to None (config default).
    """
    from mmengine.config import Config
    cfg = Config.fromfile(str(REPO / 'configs/_base_/models/sral_r50.py'))
    model = cfg.model
    model.backbone.init_cfg = None
    # only keys the config has (the warm-up may live in a hook)
    for key, value in (('loss_weight', 1.0), ('warmup_iters', 0)):
        if key in model.sr_head:
            model.sr_head[key] = value
    if align_corners is not None:
        model.decode_head.align_corners = align_corners
        model.sr_head.align_corners = align_corners
    return model


def build_ours(align_corners: Optional[bool] = None,
               name_map: Optional[Dict[str, str]] = None) -> nn.Module:
    """Build our model and load the deterministic weights.

    Args:
        align_corners (bool, optional): See :func:`our_model_cfg`.
        name_map (dict, optional): ``{our_key: their_key}``; defaults to
            :func:`build_name_map`.

    Returns:
        nn.Module: The segmentor.
    """
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import mmrsod.models  # noqa: F401
    register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(our_model_cfg(align_corners))
    state = model.state_dict()
    name_map = name_map or build_name_map(list(state))
    missing = sorted(set(state) - set(name_map))
    if missing:
        raise KeyError(f'name map lacks {len(missing)} keys, e.g. '
                       f'{missing[:3]}')
    model.load_state_dict(
        {k: ref_tensor(name_map[k], tuple(v.shape))
         for k, v in state.items()})
    return model


def run_ours(model: nn.Module) -> Dict[str, object]:
    """Run the procedure of the module docstring on our model."""
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    data = make_inputs()
    hr = 2 * LR_SIZE
    samples = []
    for i in range(BATCH):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=data['label'][i])
        sample.gt_sr = PixelData(data=data['gt_sr'][i])
        sample.set_metainfo(
            dict(img_shape=(LR_SIZE, LR_SIZE), ori_shape=(hr, hr)))
        samples.append(sample)
    seen = {}
    hooks = [
        model.decode_head.register_forward_hook(
            lambda m, i, o: seen.__setitem__('smaps', o)),
        model.sr_head.register_forward_hook(
            lambda m, i, o: seen.__setitem__('sr', o)),
    ]
    model.train()
    prepare_modules(model)
    losses = model.loss(data['img'], samples)
    for hook in hooks:
        hook.remove()
    t1 = sum(v for k, v in losses.items() if k.startswith('decode.'))
    model.eval()
    with torch.no_grad():
        metas = [dict(img_shape=(LR_SIZE, LR_SIZE))] * EVAL_BATCH
        prob = model.encode_decode(data['eval_img'], metas).sigmoid()
    sr_weight = float(getattr(model.sr_head, 'loss_weight', 1.0))
    return summarise(t1, losses['sr.loss_sr'] / sr_weight,
                     losses['tfgm.loss_tfgm_consist'],
                     losses['tfgm.loss_tfgm_similar'], seen['smaps'][0],
                     seen['sr'][0], prob)


def run_reference(ref_root: Path, name_map: Dict[str,
                                                 str]) -> Dict[str, object]:
    """Run the procedure on the authors' ``net`` from ``ref_root``."""
    sys.path.insert(0, str(ref_root))
    from src.baseline123_original_YCbCr import net as RefNet
    from train_losses import losses as ref_losses
    torch.manual_seed(0)
    ref = RefNet()
    ref_state = ref.state_dict()
    mapped = set(name_map.values())
    values = {}
    for key, value in ref_state.items():
        if key in mapped:
            values[key] = ref_tensor(key, tuple(value.shape))
        elif key.endswith('bias') and value.dim() == 1:
            values[key] = torch.zeros_like(value)  # bias before a BN
        else:
            raise KeyError(f'unmapped reference tensor {key}')
    ref.load_state_dict(values)
    data = make_inputs()
    ref.train()
    prepare_modules(ref)
    smaps, pred_sr, sod_fea, sr_fea = ref(data['img'], data['lr_ycbcr'])
    t1, t2, t3, t3_consist = ref_losses(smaps, pred_sr, sod_fea, sr_fea,
                                        data['gt_sr'], data['label'])
    ref.eval()
    with torch.no_grad():
        prob = ref(data['eval_img'], data['eval_ycbcr'])
    record = summarise(t1, t2, t3_consist, t3 - t3_consist, smaps[0], pred_sr,
                       prob)
    record['loss_t3'] = float(t3)
    return record


def main(argv: Optional[List[str]] = None,
         runner: Optional[Callable] = None) -> None:
    """Write ``name_map.json`` and ``golden.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--ref-root',
        required=True,
        help='folder holding a copy of the authors\' src/ and train_losses.py')
    parser.add_argument('--out-dir', default=str(DATA_DIR))
    args = parser.parse_args(argv)
    # one thread, as the test compares: float32 reductions (the SR output's
    # maximum, the TFGM sums) depend on the thread count at ~1e-5
    torch.set_num_threads(1)
    ours = build_ours()
    name_map = build_name_map(list(ours.state_dict()))
    record = run_reference(Path(args.ref_root), name_map)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / 'name_map.json').write_text(json.dumps(name_map, indent=1) + '\n')
    meta = dict(
        source='lyf0801/SRAL src/baseline123_original_YCbCr.py, '
        'src/SR_decoder.py, src/TFGM.py, train_baseline123_YCbCr_final.py '
        '(commits cd053e82 / 8ad3451d)',
        torch=torch.__version__,
        seed=SEED,
        batch=BATCH,
        eval_batch=EVAL_BATCH,
        lr_size=LR_SIZE,
        pixels=[list(p) for p in PIXELS])
    (out / 'golden.json').write_text(
        json.dumps(dict(meta=meta, reference=record), indent=1) + '\n')
    print(json.dumps(record, indent=1))
    mine = run_ours(ours)
    print('ours (default config):', json.dumps(mine, indent=1))


if __name__ == '__main__':
    main()
