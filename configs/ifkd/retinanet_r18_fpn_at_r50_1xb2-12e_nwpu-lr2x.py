# AT baseline (IFKD Table 4's baseline): attention transfer on the FPN maps,
# RetinaNet ResNet-18-FPN student <- RetinaNet ResNet-50-FPN teacher.
_base_ = ['./retinanet_r18_fpn_fitnet_r50_1xb2-12e_nwpu-lr2x.py']

model = dict(
    adapters=None,
    distill_losses=dict(
        _delete_=True, at=dict(type='ATLoss', p=2, loss_weight=1.0)))
