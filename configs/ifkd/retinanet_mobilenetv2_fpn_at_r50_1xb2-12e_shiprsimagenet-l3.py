# AT baseline (IFKD Table 4's baseline row, in the paper's setting): attention
# transfer on the FPN maps, RetinaNet MobileNetV2-FPN student <- RetinaNet
# ResNet-50-FPN teacher on ShipRSImageNet-L3. The same loss as
# ./retinanet_r18_fpn_at_r50_1xb2-12e_nwpu-lr2x.py; the student is exactly
# ../retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_shiprsimagenet-l3.py.
_base_ = [
    '../retinanet/retinanet_mobilenetv2_fpn_1xb2-12e_shiprsimagenet-l3.py'
]

teacher_config = (
    'configs/retinanet/retinanet_r50_fpn_1xb2-12e_shiprsimagenet-l3.py')
teacher_ckpt = (
    'work_dirs/retinanet_r50_fpn_1xb2-12e_shiprsimagenet-l3/epoch_12.pth')

model = dict(
    _delete_=True,
    type='DistillationDetector',
    student={{_base_.model}},
    teacher_config=teacher_config,
    teacher_ckpt=teacher_ckpt,
    adapters=None,  # AT compares channel sums: no phi_adapt
    distill_losses=dict(at=dict(type='ATLoss', p=2, loss_weight=1.0)))
