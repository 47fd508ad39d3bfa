# Copyright (c) mmrsod contributors. All rights reserved.
"""Transposed saliency detection decoder (TSDD) of SRAL."""
from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, SampleList
from torch import Tensor

__all__ = ['TSDDHead']


@MODELS.register_module()
class TSDDHead(BaseDecodeHead):
    """TSDD: top-down decoder with transposed aggregation blocks (TABs).

    Inputs are the encoder features ``(f1, ..., f5, f6)`` (f1 at stride 2,
    f6 the PPM feature at the size of f5). Stage ``i`` (5 -> 1) fuses its
    skip feature with the feature passed down from stage ``i + 1`` (for
    stage 5: f5 with f6)::

        fused_i = C1x1([f_i, resize(passed_{i+1}, size(f_i))])
        t_i     = C3x3(Up(fused_i))           # 2x the size of f_i
        p_i     = resize(Conv3x3(t_i), out_size)

    where ``Up`` is a stride-2 transposed conv + norm + act (the TAB of
    eq. 4) or, with ``use_transposed_conv=False``, a 3x3 conv at the same
    resolution (an FPN-style head whose side maps are only bilinearly
    upsampled: the paper's baseline decoder, Table IV row 1).

    Two decoding paths, selected by ``pass_fused_feature``:

    * ``True`` (default, the authors' released code): the feature passed to
      the next stage is ``fused_i`` (``fuse_channels`` wide, before the
      transposed conv); the transposed convs only feed the side outputs.
      Code widths: ``fuse_channels=256``, ``up_channels=128``,
      ``channels=64``.
    * ``False`` (paper eqs. 4-5): ``t_i = TAB(t_{i+1}, f_i)``, i.e. the
      64-channel upsampled ``t_i`` is passed on (paper widths, e.g.
      ``fuse_channels=64, up_channels=64``).

    **Final map.** The paper text calls ``p5`` the final saliency map, but
    its deep-supervision loss (eq. 15) gives full weight to ``p1``, the
    finest decoder output, and the authors' code returns ``smap1`` (the
    stage-1 block, at 2x the stem resolution) at test time. This head
    therefore returns ``[p1, p2, p3, p4, p5]`` and **the first element,
    p1, is the final prediction**: :meth:`final_logits` is the one place
    that says so (``predict_by_feat`` and :class:`SRALSegmentor` call it).

    The deep-supervision loss (eq. 15) is
    ``L = sum_i side_weights[i] * L(p_i)`` with weights
    ``(1, 1, 1/2, 1/4, 1/8)`` for ``p1..p5``; every ``loss_decode`` entry is
    logged per side output as ``<loss_name>_p<i>`` (weighted).

    Args:
        in_channels (Sequence[int]): Channels of ``(f1, ..., f5, f6)``.
            Defaults to ``(64, 256, 512, 1024, 2048, 256)`` (ResNet-50 +
            PPM).
        channels (int): Channels of ``t_i``. Defaults to 64.
        in_index (Sequence[int]): Indices of the inputs. Defaults to
            ``(0, 1, 2, 3, 4, 5)``.
        fuse_channels (int): Channels of the 1x1 fusion conv.
            Defaults to 256.
        up_channels (int): Output channels of ``Up``. Defaults to 128.
        pass_fused_feature (bool): Decoding path, see above. Defaults to
            True (code).
        use_transposed_conv (bool): Use the transposed conv in ``Up``.
            Defaults to True.
        deconv_kernel_size (int): Kernel size of the transposed conv
            (padding and output padding are chosen for an exact 2x).
            Defaults to 3.
        seg_kernel_size (int): Kernel size of the side predictors.
            Defaults to 3.
        out_scale (float): Size of the side outputs relative to the input
            image (2: 224 in, 448 out). Defaults to 2.
        first_stride (int): Stride of the first input feature (f1) w.r.t.
            the image, used to infer the image size. Defaults to 2.
        side_weights (Sequence[float]): Loss weights of ``p1..p5``.
            Defaults to ``(1, 1, 0.5, 0.25, 0.125)``.
        eval_final_only (bool): In eval mode compute only the final map
            (skips the side branches that the test-time output does not
            need). Defaults to False (the authors compute all of them).
        num_classes (int): Defaults to 2 (binary saliency).
        out_channels (int): Defaults to 1 (sigmoid output).
        threshold (float): Binarisation threshold. Defaults to 0.5.
        dropout_ratio (float): Dropout before the side predictors.
            Defaults to 0.
        norm_cfg (dict): Defaults to ``dict(type='BN')``.
        act_cfg (dict): Defaults to ``dict(type='ReLU')`` (code; the paper
            writes PReLU for every ``C``).
        align_corners (bool): ``align_corners`` of the bilinear resizes
            (feature passing, side maps to the output size, label size;
            :class:`SRALSegmentor` also uses it for its final resizes).
            Defaults to True (the authors' code; mmseg's heads use False).
        loss_decode (dict | Sequence[dict]): Defaults to
            ``dict(type='StructureLoss', loss_name='loss_sod')``.
        **kwargs: Other arguments of
            :class:`mmseg.models.decode_heads.decode_head.BaseDecodeHead`.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (64, 256, 512, 1024, 2048, 256),
                 channels: int = 64,
                 *,
                 in_index: Sequence[int] = (0, 1, 2, 3, 4, 5),
                 fuse_channels: int = 256,
                 up_channels: int = 128,
                 pass_fused_feature: bool = True,
                 use_transposed_conv: bool = True,
                 deconv_kernel_size: int = 3,
                 seg_kernel_size: int = 3,
                 out_scale: float = 2.0,
                 first_stride: int = 2,
                 side_weights: Sequence[float] = (1.0, 1.0, 0.5, 0.25, 0.125),
                 eval_final_only: bool = False,
                 num_classes: int = 2,
                 out_channels: int = 1,
                 threshold: float = 0.5,
                 dropout_ratio: float = 0.0,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=True),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 loss_decode: Union[ConfigType, Sequence[ConfigType]] = dict(
                     type='StructureLoss', loss_name='loss_sod'),
                 **kwargs) -> None:
        kwargs.setdefault('input_transform', 'multiple_select')
        kwargs.setdefault('align_corners', True)  # the authors' code
        if kwargs['input_transform'] != 'multiple_select':
            raise ValueError('TSDDHead needs input_transform='
                             "'multiple_select' (it fuses every level)")
        if len(in_channels) < 3:
            raise ValueError('TSDDHead: `in_channels` needs at least three '
                             'levels (skips..., deepest, context feature), '
                             f'got {in_channels}')
        if kwargs.get('sampler') is not None:
            raise NotImplementedError('TSDDHead does not support `sampler`')
        super().__init__(
            in_channels=list(in_channels),
            channels=channels,
            in_index=list(in_index),
            num_classes=num_classes,
            out_channels=out_channels,
            threshold=threshold,
            dropout_ratio=dropout_ratio,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
            loss_decode=loss_decode,
            **kwargs)
        self.num_stages = len(in_channels) - 1
        if len(side_weights) != self.num_stages:
            raise ValueError(f'TSDDHead: `side_weights` needs '
                             f'{self.num_stages} values (one per side '
                             f'output), got {side_weights}')
        self.fuse_channels = fuse_channels
        self.up_channels = up_channels
        self.pass_fused_feature = pass_fused_feature
        self.use_transposed_conv = use_transposed_conv
        self.out_scale = out_scale
        self.first_stride = first_stride
        self.side_weights = tuple(float(w) for w in side_weights)
        self.eval_final_only = eval_final_only

        common = dict(
            conv_cfg=self.conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)
        pass_channels = fuse_channels if pass_fused_feature else channels
        self.fuse_convs = nn.ModuleList()
        self.up_convs = nn.ModuleList()
        self.refine_convs = nn.ModuleList()
        for i in range(self.num_stages):
            top = i == self.num_stages - 1
            prev_channels = in_channels[-1] if top else pass_channels
            self.fuse_convs.append(
                ConvModule(in_channels[i] + prev_channels, fuse_channels, 1,
                           **common))
            if use_transposed_conv:
                k = deconv_kernel_size
                up = ConvModule(
                    fuse_channels,
                    up_channels,
                    k,
                    stride=2,
                    padding=(k - 1) // 2,
                    conv_cfg=dict(type='deconv', output_padding=k % 2),
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg)
            else:
                up = ConvModule(
                    fuse_channels, up_channels, 3, padding=1, **common)
            self.up_convs.append(up)
            self.refine_convs.append(
                ConvModule(up_channels, channels, 3, padding=1, **common))
        # ``conv_seg`` holds the side predictors (``conv_seg[0]`` gives the
        # final map) so that BaseDecodeHead's init_cfg still applies.
        self.conv_seg = nn.ModuleList([
            nn.Conv2d(
                channels,
                self.out_channels,
                seg_kernel_size,
                padding=seg_kernel_size // 2) for _ in range(self.num_stages)
        ])

    def decode(self,
               inputs: Sequence[Tensor],
               with_sides: bool = True) -> Tuple[List[Tensor], List[Tensor]]:
        """Run the decoder.

        Args:
            inputs (Sequence[Tensor]): Multi-level features, at least up to
                the largest index in ``in_index``.
            with_sides (bool): Compute all side outputs; otherwise only the
                final one (stage 1). Defaults to True.

        Returns:
            tuple[list[Tensor], list[Tensor]]: ``(t, logits)``, finest
            first: ``t[i]`` of shape (N, channels, 2h_i, 2w_i) (``2h_i``
            only with transposed convs) and the side logits ``logits[i]``
            of shape (N, out_channels, 2h_i, 2w_i), before resizing to the
            output size. Without ``with_sides`` both lists hold the final
            stage only (``t`` may hold more when the paper path needs
            them).
        """
        if len(inputs) <= max(self.in_index):
            raise ValueError(f'TSDDHead got {len(inputs)} input features but '
                             f'decode_head.in_index={self.in_index}; it needs '
                             '(f1, ..., f5, f6), e.g. SODResNet + PPMNeck')
        feats = self._transform_inputs(inputs)
        skips, context = feats[:-1], feats[-1]
        need_t = not self.pass_fused_feature
        t_list: List[Tensor] = []
        logits: List[Tensor] = []
        passed = context
        for i in reversed(range(self.num_stages)):
            skip = skips[i]
            if passed.shape[2:] != skip.shape[2:]:
                passed = resize(
                    passed,
                    size=skip.shape[2:],
                    mode='bilinear',
                    align_corners=self.align_corners,
                    warning=False)
            fused = self.fuse_convs[i](torch.cat([skip, passed], dim=1))
            side = with_sides or i == 0
            t = None
            if side or need_t:
                t = self.refine_convs[i](self.up_convs[i](fused))
                t_list.insert(0, t)
            if side:
                feat = t if self.dropout is None else self.dropout(t)
                logits.insert(0, self.conv_seg[i](feat))
            passed = fused if self.pass_fused_feature else t
        return t_list, logits

    def _out_size(self, inputs: Sequence[Tensor]) -> Tuple[int, int]:
        """Output size: ``out_scale`` x the image size implied by f1."""
        height, width = (int(s) for s in inputs[self.in_index[0]].shape[2:])
        scale = self.first_stride * self.out_scale
        return int(round(height * scale)), int(round(width * scale))

    def forward(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        """Forward function.

        Args:
            inputs (Sequence[Tensor]): Multi-level features
                ``(f1, ..., f5, f6)``.

        Returns:
            list[Tensor]: Side logits ``[p1, ..., p5]`` of shape
            (N, out_channels, H_out, W_out), ``H_out = out_scale * H_img``.
            ``p1`` is the final map. In eval mode with ``eval_final_only``
            the list holds ``p1`` only.
        """
        with_sides = self.training or not self.eval_final_only
        _, logits = self.decode(inputs, with_sides=with_sides)
        size = self._out_size(inputs)
        return [
            p if p.shape[2:] == size else resize(
                p,
                size=size,
                mode='bilinear',
                align_corners=self.align_corners,
                warning=False) for p in logits
        ]

    def loss_by_feat(self, seg_logits: Union[Tensor, List[Tensor]],
                     batch_data_samples: SampleList) -> Dict[str, Tensor]:
        """Deep-supervision loss (SRAL eq. 15).

        Args:
            seg_logits (list[Tensor] | Tensor): ``[p1, ..., p5]`` as
                returned by :meth:`forward`.
            batch_data_samples (list[SegDataSample]): Samples with
                ``gt_sem_seg`` of shape (1, H, W), values in [0, 1].

        Returns:
            dict[str, Tensor]: ``<loss_name>_p<i>`` for every loss entry and
            side output with a non-zero weight (weights already applied).
        """
        if isinstance(seg_logits, Tensor):
            seg_logits = [seg_logits]
        if len(seg_logits) > len(self.side_weights):
            raise ValueError(f'TSDDHead: got {len(seg_logits)} side outputs '
                             f'but {len(self.side_weights)} side_weights')
        seg_label = self._stack_batch_gt(batch_data_samples)
        seg_label = seg_label.squeeze(1)
        if isinstance(self.loss_decode, nn.ModuleList):
            losses_decode = list(self.loss_decode)
        else:
            losses_decode = [self.loss_decode]
        losses: Dict[str, Tensor] = dict()
        for i, (logit, weight) in enumerate(
                zip(seg_logits, self.side_weights), start=1):
            if weight == 0:
                continue
            if logit.shape[2:] != seg_label.shape[1:]:
                logit = resize(
                    logit,
                    size=seg_label.shape[1:],
                    mode='bilinear',
                    align_corners=self.align_corners,
                    warning=False)
            for loss_decode in losses_decode:
                key = f'{loss_decode.loss_name}_p{i}'
                value = weight * loss_decode(
                    logit,
                    seg_label,
                    weight=None,
                    ignore_index=self.ignore_index)
                losses[key] = losses[key] + value if key in losses else value
        return losses

    def predict_by_feat(self, seg_logits: Union[Tensor, List[Tensor]],
                        batch_img_metas: List[dict]) -> Tensor:
        """Return the final map at ``out_scale`` x the (padded) input size.

        Unlike the base class this does not shrink the 2x output back to
        ``img_shape``.

        Args:
            seg_logits (list[Tensor] | Tensor): Output of :meth:`forward`.
            batch_img_metas (list[dict]): Image meta information.

        Returns:
            Tensor: Final logits of shape (N, out_channels, H_out, W_out).
        """
        final = self.final_logits(seg_logits)
        meta = batch_img_metas[0]
        shape = meta.get('pad_shape', meta['img_shape'])[:2]
        size = tuple(int(round(s * self.out_scale)) for s in shape)
        if tuple(final.shape[2:]) == size:
            return final
        return resize(
            final,
            size=size,
            mode='bilinear',
            align_corners=self.align_corners,
            warning=False)

    def final_logits(self, seg_logits: Union[Tensor, List[Tensor]]) -> Tensor:
        """Select the final map (``p1``) from :meth:`forward`'s output.

        Args:
            seg_logits (list[Tensor] | Tensor): Output of :meth:`forward`.

        Returns:
            Tensor: ``p1`` of shape (N, out_channels, H_out, W_out).
        """
        if isinstance(seg_logits, (list, tuple)):
            return seg_logits[0]
        return seg_logits

    def extra_repr(self) -> str:
        """Extra repr."""
        return (super().extra_repr() +
                f', pass_fused_feature={self.pass_fused_feature}, '
                f'use_transposed_conv={self.use_transposed_conv}, '
                f'out_scale={self.out_scale}')
