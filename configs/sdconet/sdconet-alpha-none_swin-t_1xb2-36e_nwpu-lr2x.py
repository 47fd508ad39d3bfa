# Table VII "Remove alpha": eq. 6 without a coefficient (alpha = 1).
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(saliency_head=dict(alpha=1.0, learnable_alpha=False))
