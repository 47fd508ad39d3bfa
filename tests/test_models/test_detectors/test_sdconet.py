# Copyright (c) mmrsod contributors. All rights reserved.
"""SDCoNet as a whole: switches, losses, filtering budgets, padding, the
stripped test-time model."""
import copy
from pathlib import Path

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData, PixelData

import mmrsod.models  # noqa: F401
from mmrsod.utils.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]
DINO_SWIN = REPO / 'configs/dino/dino-4scale_swin-t_1xb2-12e_nwpu-lr2x.py'
BETA = (0.6, 0.8, 1.0, 1.0)
GAMMA = (1.0, 0.8, 0.6, 0.6, 0.4, 0.2)
FULL = dict(
    backbone=dict(out_indices=(0, 1, 2, 3)),
    neck_in_indices=(1, 2, 3),
    saliency_head=dict(type='SaliencyScoreHead'),
    level_filter_ratio=BETA,
    layer_filter_ratio=GAMMA,
    background_embedding=dict(max_size=200),
    sr_head=dict(type='SwinUNetSRHead'))


@pytest.fixture(autouse=True)
def mmdet_scope():
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


@pytest.fixture(scope='module')
def built():
    """The full SDCoNet and the Swin-T DINO, built once (about 5 s each);
    tests deep-copy what they change."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        return dict(full=_build(**FULL), dino=_build('RSDINO'))


def _model_cfg(type_='SDCoNet', **switches):
    cfg = copy.deepcopy(Config.fromfile(str(DINO_SWIN)).model)
    cfg.type = type_
    cfg.backbone.init_cfg = None
    # a 64 px input has 8x8 + 4x4 + 2x2 + 1x1 = 85 tokens
    cfg.num_queries = 30
    for key, value in switches.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key].update(value)
        else:
            cfg[key] = value
    return cfg


def _build(type_='SDCoNet', **switches):
    from mmdet.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(_model_cfg(type_, **switches))
    model.init_weights()
    return model


def _batch(sizes=((64, 64), (64, 64)), with_sr=True):
    """Normalised-looking inputs, boxes in the input frame, [0, 1] HR
    targets (as DetSRDataPreprocessor leaves them)."""
    torch.manual_seed(1)
    pad_h = max(h for h, _ in sizes)
    pad_w = max(w for _, w in sizes)
    inputs = torch.zeros(len(sizes), 3, pad_h, pad_w)
    samples = []
    for i, (h, w) in enumerate(sizes):
        inputs[i, :, :h, :w] = torch.randn(3, h, w)
        sample = DetDataSample(
            metainfo=dict(
                img_shape=(h, w),
                ori_shape=(2 * h, 2 * w),
                pad_shape=(pad_h, pad_w),
                batch_input_shape=(pad_h, pad_w),
                scale_factor=(0.5, 0.5),
                sr_scale=2))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[4., 6., 20., 18.], [30., 28., 50., 60.]]),
            labels=torch.tensor([0, 3]))
        if with_sr:
            target = torch.zeros(3, 2 * pad_h, 2 * pad_w)
            target[:, :2 * h, :2 * w] = torch.rand(3, 2 * h, 2 * w)
            sample.gt_sr = PixelData(data=target)
        samples.append(sample)
    return inputs, samples


def _param_count(module):
    return sum(p.numel() for p in module.parameters())


def test_all_switches_off_is_dino(built):
    sdconet = _build()
    dino = copy.deepcopy(built['dino'])
    assert {k: v.shape for k, v in sdconet.state_dict().items()} == \
        {k: v.shape for k, v in dino.state_dict().items()}
    sdconet.load_state_dict(dino.state_dict())
    inputs, samples = _batch(with_sr=False)
    sdconet.eval()
    dino.eval()
    with torch.no_grad():
        a = sdconet.predict(inputs, copy.deepcopy(samples))
        b = dino.predict(inputs, copy.deepcopy(samples))
    for x, y in zip(a, b):
        assert torch.equal(x.pred_instances.bboxes, y.pred_instances.bboxes)
        assert torch.equal(x.pred_instances.scores, y.pred_instances.scores)


def test_full_model_losses_follow_the_sr_stage(built):
    model = copy.deepcopy(built['full'])
    model.train()
    inputs, samples = _batch()
    losses = model.loss(inputs, samples)
    assert 'loss_saliency' in losses and 'loss_sr' in losses
    assert 'loss_cls' in losses and 'enc_loss_cls' in losses
    assert all(
        torch.isfinite(v).all() for k, v in losses.items()
        if k.startswith('loss'))
    model.set_sr_active(False)
    losses = model.loss(inputs, samples)
    assert 'loss_sr' not in losses and 'loss_saliency' in losses
    total = sum(v for k, v in losses.items() if 'loss' in k)
    total.backward()
    assert all(p.grad is None for p in model.sr_parameters())
    assert all(p.grad is not None for p in model.saliency_head.parameters())


def test_encoder_layers_attend_the_paper_token_budget(built):
    model = copy.deepcopy(built['full'])
    model.eval()
    seen = []
    for layer in model.encoder.layers:
        layer.self_attn.register_forward_hook(
            lambda mod, args, kwargs, out: seen.append(kwargs['query'].shape[1]
                                                       ),
            with_kwargs=True)
    inputs, samples = _batch(with_sr=False)
    with torch.no_grad():
        model.predict(inputs, samples)
    # levels 8x8, 4x4, 2x2, 1x1: ceil(0.6*64) + ceil(0.8*16) + 4 + 1 = 57
    # tokens; layer t keeps ceil(gamma_t * 57)
    assert seen == [57, 46, 35, 35, 23, 12]


def test_padded_batch_trains(built):
    model = copy.deepcopy(built['full'])
    model.train()
    inputs, samples = _batch(sizes=((64, 64), (48, 40)))
    losses = model.loss(inputs, samples)
    assert 'loss_sr' in losses and torch.isfinite(losses['loss_saliency'])


def test_stripped_model_is_dino_plus_saliency(built):
    model = copy.deepcopy(built['full'])
    dino = built['dino']
    model.strip_auxiliary()
    extra = _param_count(model.saliency_head) + _param_count(
        model.background_embedding)
    assert _param_count(model) == _param_count(dino) + extra
    keys = set(model.state_dict())
    assert not any(k.startswith('sr_head') for k in keys)
    assert not any(k.startswith('backbone.norm0') for k in keys)
    dino_keys = set(dino.state_dict())
    assert dino_keys <= keys
    assert all(
        k.startswith(('saliency_head.', 'background_embedding.'))
        for k in keys - dino_keys)
    # the stripped model still predicts, at the SR-free backbone outputs
    model.eval()
    inputs, samples = _batch(with_sr=False)
    with torch.no_grad():
        results = model.predict(inputs, samples)
    assert len(results) == 2


@pytest.mark.parametrize('switches, message', [
    (dict(level_filter_ratio=BETA), 'saliency_head'),
    (dict(
        saliency_head=dict(type='SaliencyScoreHead'),
        background_embedding=dict(max_size=200)), 'background_embedding'),
    (dict(
        saliency_head=dict(type='SaliencyScoreHead'),
        layer_filter_ratio=(1.0, 0.5)), 'layer_filter_ratio'),
    (dict(
        saliency_head=dict(type='SaliencyScoreHead'),
        level_filter_ratio=(0.0, 1.0, 1.0, 1.0)), 'level_filter_ratio'),
])
def test_config_errors_name_the_key(switches, message):
    with pytest.raises(ConfigError, match=message):
        _build(**switches)


def test_unfiltered_saliency_is_a_training_loss_only():
    """With no filtering the scores rank nothing: the saliency head runs in
    training (its loss) and not at test time."""
    model = _build(saliency_head=dict(type='SaliencyScoreHead'))
    calls = []
    model.saliency_head.register_forward_hook(
        lambda *args: calls.append(model.training))
    inputs, samples = _batch(with_sr=False)
    model.train()
    assert 'loss_saliency' in model.loss(inputs, copy.deepcopy(samples))
    model.eval()
    with torch.no_grad():
        model.predict(inputs, copy.deepcopy(samples))
    assert calls == [True]


def _flops(model):
    from mmengine.analysis import FlopAnalyzer

    from mmrsod.models.utils import NetworkForward
    net = NetworkForward(model).eval()
    with torch.no_grad():
        analyzer = FlopAnalyzer(net, (torch.randn(1, 3, 64, 64), ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        return int(analyzer.total())


def test_stripped_model_costs_what_the_sr_free_model_costs(built):
    """The SR branch adds nothing at test time: the stripped SDCoNet has the
    parameters and FLOPs of the same model built without SR (DINO Swin-T +
    saliency + filtering), and fewer FLOPs than DINO Swin-T."""
    stripped = copy.deepcopy(built['full'])
    stripped.strip_auxiliary()
    no_sr = dict(
        FULL,
        sr_head=None,
        neck_in_indices=None,
        backbone=dict(out_indices=(1, 2, 3)))
    sal = _build(**no_sr)
    assert _param_count(stripped) == _param_count(sal)
    flops = _flops(stripped)
    assert flops == _flops(sal)
    assert flops < _flops(built['dino'])


def test_own_initialisation_survives_dino_init_weights(built):
    """DINO.init_weights xavier-initialises every >1-D encoder parameter;
    the saliency head and the background embedding live outside the
    encoder and keep their own initialisation."""
    from mmengine.model import bias_init_with_prob
    model = built['full']
    head = model.saliency_head
    assert head.mlp2[-1].bias.item() == pytest.approx(
        bias_init_with_prob(0.01))
    # truncated normal, std 0.02 (xavier on 256 x 256 would give 0.051)
    assert head.mlp1[1].weight.std().item() == pytest.approx(0.02, rel=0.05)
    assert isinstance(head.alpha, torch.nn.Parameter)
    assert head.alpha.item() == 0.5
    for table in model.background_embedding.parameters():
        assert 0.0 <= table.min() and table.max() < 1.0  # uniform [0, 1)
