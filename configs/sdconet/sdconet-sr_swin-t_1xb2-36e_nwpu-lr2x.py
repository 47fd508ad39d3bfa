# Table VI "DINO-SR Branch" (also Table V, DINO with SR): SDCoNet without
# saliency prediction, token filtering and background embedding; the SR
# branch and the gradient routing as in the full model.
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(
    saliency_head=None,
    level_filter_ratio=None,
    layer_filter_ratio=None,
    background_embedding=None)
