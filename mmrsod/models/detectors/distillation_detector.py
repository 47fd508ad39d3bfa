# Copyright (c) mmrsod contributors. All rights reserved.
"""Feature/head distillation from a frozen teacher detector.

:class:`DistillationDetector` wraps one mmdet student detector, one-stage
(RetinaNet: the "head output" is ``bbox_head``'s classification scores) or
two-stage (Faster R-CNN: the RPN objectness, as FRS and IFKD use), and a
teacher built from ``teacher_config`` + ``teacher_ckpt``.

The teacher is frozen, kept in eval mode, and stored with
``object.__setattr__`` (mmdet's ``KnowledgeDistillationSingleStageDetector``
pattern): it is **not** a submodule, so it is not in ``state_dict()``,
``parameters()``, the optimizer or DDP's buckets; ``_apply`` is overridden so
``.to()``/``.cuda()``/``.half()`` move it with the student.

Distill-loss interface (for FitNet/AT here, FRS/FGD/IFKD later)
---------------------------------------------------------------
``distill_losses`` maps a name to an mmdet ``MODELS`` config. Each built
loss is an ``nn.Module`` (it may own parameters, e.g. IFKD's spectral
filters; they train with the student and are dropped by the export tool)
called as ``loss(ctx)`` with a :class:`DistillContext`:

* ``student_feats`` / ``teacher_feats``: the FPN outputs, tuple of L tensors
  (B, C, H_l, W_l); the student's carry gradients, the teacher's do not.
* ``student_feats_adapted``: the student FPN outputs through the wrapper's
  adapters (one 3x3 conv per level, ``phi_adapt``), or ``student_feats``
  when ``adapters=None``.
* ``student_cls`` / ``teacher_cls``: the dense head's classification
  logits per level, list of L tensors (B, A*K, H_l, W_l) (RetinaNet:
  A anchors x K classes; Faster R-CNN: the RPN objectness (B, A, H_l, W_l)).
* ``data_samples``: the batch's :class:`DetDataSample` list (GT boxes,
  ``img_path``, ``flip``, ``img_shape``, ``batch_input_shape``).
* ``batch_inputs``: the normalised LR input batch (B, 3, H, W) both
  detectors saw; ``img_paths``: list of B paths (for feature caches such as
  EDE's MobileSAM cache); ``data_preprocessor``: the wrapper's (its
  mean/std recover the raw image).

A loss returns a scalar tensor (stored as ``loss_<name>``) or a dict of
tensors whose keys start with ``loss`` (stored as they are). Every
distillation term is multiplied by the warm-up factor (``warmup_iters``;
set each iteration by :class:`~mmrsod.engine.hooks.DistillWarmupHook`).
A loss that needs the teacher features changed first (EDE adds
MobileSAM features to them) does it itself from the context.
"""
import copy
import os.path as osp
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmdet.models.detectors.base import BaseDetector
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch import Tensor, nn

from mmrsod.utils.checkpoint import trusted_torch_load
from mmrsod.utils.errors import ConfigError

__all__ = [
    'DistillContext', 'DistillationDetector', 'load_teacher_config',
    'dense_head_of'
]


@dataclass
class DistillContext:
    """What one distillation loss sees for one training batch.

    Attributes:
        student_feats (tuple[Tensor]): Student FPN maps, each
            (B, C, H_l, W_l).
        teacher_feats (tuple[Tensor]): Teacher FPN maps (no grad).
        student_feats_adapted (tuple[Tensor]): ``phi_adapt`` of the student
            maps (the student maps when the wrapper has no adapters).
        student_cls (list[Tensor]): Student dense-head logits per level,
            (B, A*K, H_l, W_l).
        teacher_cls (list[Tensor]): Teacher dense-head logits (no grad).
        data_samples (list[DetDataSample]): The batch's samples.
        batch_inputs (Tensor): Normalised input batch (B, 3, H, W).
        img_paths (list[str]): ``img_path`` of each sample ('' if absent).
        data_preprocessor (nn.Module, optional): The wrapper's data
            pre-processor (its mean/std undo the normalisation, e.g. for
            EDE's MobileSAM input).
    """
    student_feats: Tuple[Tensor, ...]
    teacher_feats: Tuple[Tensor, ...]
    student_feats_adapted: Tuple[Tensor, ...]
    student_cls: List[Tensor]
    teacher_cls: List[Tensor]
    data_samples: SampleList
    batch_inputs: Tensor
    img_paths: List[str] = field(default_factory=list)
    data_preprocessor: Optional[nn.Module] = None


def load_teacher_config(path: str) -> Config:
    """Load a teacher config from an mmrsod file path or ``mmdet::...``.

    Args:
        path (str): A config file (absolute, relative to the working
            directory, or relative to the mmrsod repository root) or an
            ``mmdet::`` hub path.

    Returns:
        Config: The teacher's full config.

    Raises:
        ConfigError: if the file cannot be found or parsed.
    """
    if '::' in path:
        from mmengine.hub import get_config
        try:
            return get_config(path)
        except Exception as err:
            raise ConfigError(f'model.teacher_config: cannot load {path!r}: '
                              f'{type(err).__name__}: {err}') from err
    candidates = [path]
    if not osp.isabs(path):
        repo = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
        candidates.append(osp.join(repo, path))
    for cand in candidates:
        if osp.isfile(cand):
            return Config.fromfile(cand)
    raise ConfigError(f'model.teacher_config: config file not found: {path}')


def dense_head_of(detector: nn.Module) -> nn.Module:
    """The head whose classification logits are distilled.

    Args:
        detector (nn.Module): An mmdet one-stage or two-stage detector.

    Returns:
        nn.Module: ``rpn_head`` of a two-stage detector, else ``bbox_head``.

    Raises:
        ConfigError: if the detector has neither.
    """
    head = getattr(detector, 'rpn_head', None)
    if head is None:
        head = getattr(detector, 'bbox_head', None)
    if head is None:
        raise ConfigError(f'{type(detector).__name__} has no rpn_head or '
                          'bbox_head to distil')
    return head


@MODELS.register_module()
class DistillationDetector(BaseDetector):
    """A student detector trained with GT losses plus distillation losses
    from a frozen teacher.

    Args:
        student (dict): The student detector's model config (a one-stage
            detector with ``bbox_head`` or a two-stage one with
            ``rpn_head``; FPN neck).
        teacher_config (str): Teacher config path or ``mmdet::`` path; its
            ``model`` is built.
        teacher_ckpt (str, optional): Teacher checkpoint (an mmengine
            checkpoint or a bare state dict), loaded strictly. ``None`` is
            refused unless ``allow_random_teacher=True`` (tests only).
        distill_losses (dict): Name -> loss config (see the module
            docstring for the interface). Defaults to none.
        adapters (dict, optional): ``dict(in_channels=256,
            out_channels=256, num_levels=5)``: one 3x3 conv per FPN level on
            the student side (``phi_adapt``). ``None``: no adapters.
        warmup_iters (int): Distillation weights rise linearly from
            ``1/warmup_iters`` to 1 over this many iterations (needs
            ``DistillWarmupHook``). 0 disables the warm-up.
        eval_teacher (bool): Keep the teacher in eval mode. Defaults to
            True.
        allow_random_teacher (bool): Accept ``teacher_ckpt=None``.
        data_preprocessor (dict, optional): Defaults to the student's.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 student: ConfigType,
                 teacher_config: str,
                 teacher_ckpt: Optional[str] = None,
                 distill_losses: Optional[Dict[str, ConfigType]] = None,
                 adapters: OptConfigType = None,
                 warmup_iters: int = 0,
                 eval_teacher: bool = True,
                 allow_random_teacher: bool = False,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        student = copy.deepcopy(dict(student))
        if data_preprocessor is None:
            data_preprocessor = student.get('data_preprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if teacher_ckpt is None and not allow_random_teacher:
            raise ConfigError(
                'model.teacher_ckpt is None: a randomly initialised teacher '
                'teaches nothing; give the trained teacher checkpoint (or '
                'set model.allow_random_teacher=True for tests)')
        if warmup_iters < 0:
            raise ConfigError(
                f'model.warmup_iters must be >= 0, got {warmup_iters}')
        self.student = MODELS.build(student)
        dense_head_of(self.student)
        self.teacher_config = teacher_config
        self.teacher_ckpt = teacher_ckpt
        self.eval_teacher = eval_teacher
        self.warmup_iters = int(warmup_iters)
        self._distill_iter: Optional[int] = None
        self._set_teacher(self._build_teacher(teacher_config, teacher_ckpt))
        self.adapters = None
        if adapters is not None:
            adapters = dict(adapters)
            in_ch = adapters.pop('in_channels', 256)
            out_ch = adapters.pop('out_channels', 256)
            levels = adapters.pop('num_levels', 5)
            if adapters:
                raise ConfigError('model.adapters: unknown keys '
                                  f'{sorted(adapters)}')
            self.adapters = nn.ModuleList(
                nn.Conv2d(in_ch, out_ch, 3, padding=1) for _ in range(levels))
        self.distill_losses = nn.ModuleDict()
        for name, cfg in (distill_losses or {}).items():
            self.distill_losses[name] = MODELS.build(cfg)

    # ---- the teacher: frozen, eval, not a submodule -----------------------
    @staticmethod
    def _build_teacher(config: str, ckpt: Optional[str]) -> nn.Module:
        """Build the teacher from its config and load ``ckpt`` strictly."""
        cfg = load_teacher_config(config)
        model_cfg = copy.deepcopy(cfg.model)
        if model_cfg.get('backbone', {}).get('init_cfg') is not None:
            model_cfg.backbone.init_cfg = None  # weights come from ckpt
        with DefaultScope.overwrite_default_scope('mmdet'):
            teacher = MODELS.build(model_cfg)
        dense_head_of(teacher)
        if ckpt is not None:
            if not osp.isfile(ckpt):
                raise ConfigError(
                    f'model.teacher_ckpt: checkpoint not found: {ckpt}')
            state = trusted_torch_load(ckpt, map_location='cpu')
            state = state.get('state_dict', state)
            state = {(k[len('module.'):] if k.startswith('module.') else k): v
                     for k, v in state.items()}
            try:
                teacher.load_state_dict(state, strict=True)
            except RuntimeError as err:
                first = str(err).strip().splitlines()
                raise ConfigError(f'model.teacher_ckpt {ckpt} does not match '
                                  f'{config}: {" ".join(first[:2])}') from None
        for param in teacher.parameters():
            param.requires_grad_(False)
        teacher.eval()
        return teacher

    def _set_teacher(self, teacher: nn.Module) -> None:
        # a plain attribute: not in _modules, so not in state_dict(),
        # parameters(), the optimizer or DDP
        object.__setattr__(self, 'teacher', teacher)

    def _apply(self, fn, *args, **kwargs):
        """Move/cast the teacher with the student (``to``, ``cuda``,
        ``half``...)."""
        teacher = self.__dict__.get('teacher')
        if teacher is not None:
            teacher._apply(fn, *args, **kwargs)
        return super()._apply(fn, *args, **kwargs)

    def train(self, mode: bool = True) -> 'DistillationDetector':
        """Set the student's mode; the teacher stays in eval mode unless
        ``eval_teacher=False``."""
        super().train(mode)
        if 'teacher' not in self.__dict__:
            return self
        self.teacher.train(False if self.eval_teacher else mode)
        return self

    # ---- warm-up -----------------------------------------------------------
    def set_distill_iter(self, cur_iter: int) -> None:
        """Tell the wrapper the current (0-based) training iteration."""
        self._distill_iter = int(cur_iter)

    @property
    def distill_factor(self) -> float:
        """Warm-up factor of the distillation losses.

        Returns:
            float: ``min(1, (iter + 1) / warmup_iters)``, 1 without warm-up.

        Raises:
            ConfigError: if ``warmup_iters > 0`` and no iteration was set
                (``DistillWarmupHook`` missing from ``custom_hooks``).
        """
        if self.warmup_iters == 0:
            return 1.0
        if self._distill_iter is None:
            raise ConfigError('model.warmup_iters > 0 needs '
                              "custom_hooks=[dict(type='DistillWarmupHook')]")
        return min(1.0, (self._distill_iter + 1) / self.warmup_iters)

    # ---- BaseDetector API -----------------------------------------------
    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """The student's FPN features, (B, C, H_l, W_l) per level."""
        return self.student.extract_feat(batch_inputs)

    def _forward(self,
                 batch_inputs: Tensor,
                 batch_data_samples: Optional[SampleList] = None) -> Any:
        """The student's raw head outputs."""
        return self.student._forward(batch_inputs, batch_data_samples)

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: SampleList,
                rescale: bool = True) -> SampleList:
        """The student's predictions (the teacher is not run)."""
        return self.student.predict(
            batch_inputs, batch_data_samples, rescale=rescale)

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Student GT losses plus the weighted distillation losses.

        The student runs its own ``loss`` once; forward hooks on its neck and
        dense head capture the FPN maps and the classification logits, so no
        part of the student runs twice.

        Args:
            batch_inputs (Tensor): Input batch (B, 3, H, W).
            batch_data_samples (list[DetDataSample]): Samples with GT.

        Returns:
            dict[str, Tensor]: The student's losses and ``loss_<name>`` per
            distillation loss.
        """
        captured: Dict[str, Any] = {}

        def keep(key):

            def hook(module, args, output):
                captured[key] = output

            return hook

        handles = [
            self.student.neck.register_forward_hook(keep('feats')),
            dense_head_of(self.student).register_forward_hook(keep('head'))
        ]
        try:
            losses = self.student.loss(batch_inputs, batch_data_samples)
        finally:
            for handle in handles:
                handle.remove()
        if not self.distill_losses:
            return losses
        with torch.no_grad():
            t_feats = tuple(self.teacher.extract_feat(batch_inputs))
            t_cls = list(dense_head_of(self.teacher)(t_feats)[0])
        s_feats = tuple(captured['feats'])
        if self.adapters is not None:
            if len(self.adapters) != len(s_feats):
                raise ConfigError(
                    f'model.adapters.num_levels={len(self.adapters)} but '
                    f'the student FPN has {len(s_feats)} levels')
            adapted = tuple(a(f) for a, f in zip(self.adapters, s_feats))
        else:
            adapted = s_feats
        ctx = DistillContext(
            student_feats=s_feats,
            teacher_feats=t_feats,
            student_feats_adapted=adapted,
            student_cls=list(captured['head'][0]),
            teacher_cls=t_cls,
            data_samples=batch_data_samples,
            batch_inputs=batch_inputs,
            img_paths=[
                s.metainfo.get('img_path', '') for s in batch_data_samples
            ],
            data_preprocessor=self.data_preprocessor)
        factor = self.distill_factor
        for name, loss_module in self.distill_losses.items():
            out = loss_module(ctx)
            if isinstance(out, dict):
                for key, value in out.items():
                    losses[key] = _scale(value, factor)
            else:
                losses[f'loss_{name}'] = _scale(out, factor)
        return losses


def _scale(value: Union[Tensor, Sequence[Tensor]],
           factor: float) -> Union[Tensor, List[Tensor]]:
    """Multiply a loss (or a list of losses) by the warm-up factor."""
    if isinstance(value, (list, tuple)):
        return [v * factor for v in value]
    return value * factor
