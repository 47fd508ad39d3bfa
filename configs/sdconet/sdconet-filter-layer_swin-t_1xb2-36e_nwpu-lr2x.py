# Table IX "Layer-wise filtering": layer t keeps the top gamma_t of all
# valid tokens (no scale-level pre-selection, hence no token outside the
# level-selected set and no background embedding).
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(
    level_filter_ratio=None,
    layer_filter_ratio=(1.0, 0.8, 0.6, 0.6, 0.4, 0.2),
    background_embedding=None)
