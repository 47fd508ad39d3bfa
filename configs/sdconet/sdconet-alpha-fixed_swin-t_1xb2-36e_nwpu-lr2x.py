# Table VII "Fixed alpha": eq. 6 top-down fusion with a constant 0.5.
_base_ = './sdconet_swin-t_1xb2-36e_nwpu-lr2x.py'

model = dict(saliency_head=dict(alpha=0.5, learnable_alpha=False))
