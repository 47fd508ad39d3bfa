# Table IX "No hierarchical filtering": the saliency head is still trained
# (L_sa) but every encoder layer attends with all tokens, so there are no
# unselected tokens and no background embedding.
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(
    level_filter_ratio=None,
    layer_filter_ratio=None,
    background_embedding=None)
