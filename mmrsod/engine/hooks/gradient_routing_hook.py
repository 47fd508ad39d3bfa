# Copyright (c) mmrsod contributors. All rights reserved.
"""SDCoNet's gradient routing (Alg. 1): detection first, then SR."""
from typing import Iterator

from mmdet.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmengine.runner import EpochBasedTrainLoop
from torch.nn import Parameter
from torch.nn.parallel import DistributedDataParallel

from mmrsod.utils.errors import ConfigError

__all__ = ['GradientRoutingHook']


@HOOKS.register_module()
class GradientRoutingHook(Hook):
    """Two-stage training of a detector with an SR branch (SDCoNet Alg. 1).

    Stage 1 (epochs ``0 .. detection_epochs - 1``): the SR branch is not
    run, gives no loss, and its parameters have ``requires_grad=False``
    (the optimizer skips them: bit-identical weights). Stage 2: the SR
    branch runs and trains. Its learning rate is ``rho`` times the
    detector's through ``optim_wrapper.paramwise_cfg.custom_keys`` (e.g.
    ``{'sr_head': dict(lr_mult=rho)}``): the SR parameters must be in the
    optimizer from the start, since mmengine's optimizer constructor
    leaves out parameters with ``requires_grad=False`` and never adds them
    later.

    The stage is derived from ``runner.epoch`` before every training
    epoch, so resuming in either stage gives the right one. The model
    (unwrapped) must provide ``set_sr_active``, ``sr_parameters`` and
    ``sr_head``, as :class:`mmrsod.models.detectors.SRBranchMixin` does.

    Args:
        detection_epochs (int): Epochs of stage 1 (T_det). Defaults to 16.
    """

    priority = 'NORMAL'

    def __init__(self, detection_epochs: int = 16) -> None:
        if not isinstance(detection_epochs, int) or detection_epochs < 0:
            raise ConfigError(
                'GradientRoutingHook: detection_epochs must be an int >= 0, '
                f'got {detection_epochs!r}')
        self.detection_epochs = detection_epochs
        self._stage = None

    @staticmethod
    def _model(runner):
        """The runner's model without its wrapper."""
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    @staticmethod
    def _optimized_params(runner) -> Iterator[Parameter]:
        """Every parameter of every optimizer param group."""
        wrappers = runner.optim_wrapper
        if isinstance(wrappers, OptimWrapperDict):
            wrappers = list(wrappers.values())
        else:
            wrappers = [wrappers]
        for wrapper in wrappers:
            for group in wrapper.optimizer.param_groups:
                yield from group['params']

    def before_train(self, runner) -> None:
        """Check that the model, loop and optimizer allow the routing.

        Args:
            runner (Runner): The runner of the training process.

        Raises:
            ConfigError: One line naming the config key to fix.
        """
        model = self._model(runner)
        if not (hasattr(model, 'set_sr_active')
                and hasattr(model, 'sr_parameters')):
            raise ConfigError(
                f'GradientRoutingHook: model {type(model).__name__} has no '
                'SR branch to route (it needs set_sr_active/sr_parameters, '
                'e.g. type=CascadeRCNNSR or SDCoNet); remove the hook from '
                'custom_hooks')
        if getattr(model, 'sr_head', None) is None:
            raise ConfigError(
                'GradientRoutingHook: model.sr_head is None; set '
                'model.sr_head or remove GradientRoutingHook from '
                'custom_hooks')
        if not isinstance(runner.train_loop, EpochBasedTrainLoop):
            raise ConfigError(
                'GradientRoutingHook: counts epochs but train_cfg is '
                f'{type(runner.train_loop).__name__}; use '
                "train_cfg=dict(type='EpochBasedTrainLoop', ...)")
        in_optimizer = {id(p) for p in self._optimized_params(runner)}
        names = {id(p): n for n, p in model.named_parameters()}
        missing = [
            names.get(id(p), '?') for p in model.sr_parameters()
            if id(p) not in in_optimizer
        ]
        if missing:
            raise ConfigError(
                f'GradientRoutingHook: {len(missing)} SR parameters (e.g. '
                f'{missing[0]}) are not in the optimizer: they had '
                'requires_grad=False when it was built; keep them trainable '
                '(the hook freezes them in stage 1) and set their lr with '
                'optim_wrapper.paramwise_cfg.custom_keys')
        if isinstance(runner.model, DistributedDataParallel) and not getattr(
                runner.model, 'find_unused_parameters', False):
            raise ConfigError(
                'GradientRoutingHook: the SR branch gets no gradient in '
                'stage 1; set find_unused_parameters=True in the config')
        if self.detection_epochs >= runner.max_epochs:
            print_log(
                f'GradientRoutingHook: detection_epochs='
                f'{self.detection_epochs} >= train_cfg.max_epochs='
                f'{runner.max_epochs}: the SR branch never trains',
                logger='current',
                level=30)

    def before_train_epoch(self, runner) -> None:
        """Set the stage of the epoch about to run.

        Args:
            runner (Runner): The runner of the training process.
        """
        stage = 2 if runner.epoch >= self.detection_epochs else 1
        self._model(runner).set_sr_active(stage == 2)
        if stage != self._stage:
            what = ('detection + SR (SR branch trained)' if stage == 2 else
                    'detection only (SR branch frozen, not run)')
            print_log(
                f'GradientRoutingHook: epoch {runner.epoch + 1}: stage '
                f'{stage}, {what}',
                logger='current')
        self._stage = stage
