# Table IX "Scale-level filtering": every layer attends with the same
# level-selected tokens (top beta_l per pyramid level); the background
# embedding marks the tokens left out.
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(level_filter_ratio=(0.6, 0.8, 1.0, 1.0), layer_filter_ratio=None)
