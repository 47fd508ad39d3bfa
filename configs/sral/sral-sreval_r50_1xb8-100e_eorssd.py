# Test-only config for the SR branch (Table V): run a trained full SRAL
# checkpoint with ASRD kept at test time and report PSNR/SSIM (Y channel of
# YCbCr, 448 px) next to the saliency metrics:
#   python tools/test.py configs/sral/sral-sreval_r50_1xb8-100e_eorssd.py CKPT
_base_ = './sral_r50_1xb8-100e_eorssd.py'
model = dict(test_cfg=dict(with_sr=True))
test_dataloader = dict(dataset=dict(pipeline={{_base_.sr_test_pipeline}}))
test_evaluator = [dict(type='SODMetric'), dict(type='SRMetric')]
