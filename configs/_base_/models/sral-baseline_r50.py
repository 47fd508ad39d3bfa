# SRAL paper baseline (Table IV, row 1): ResNet-50 + PPM encoder and an
# FPN-style decoder with deep supervision, on the 448 px HR input (448 px
# output): TSDDHead without transposed convs (side maps bilinearly
# upsampled), out_scale 1, no SR branch, no TFGM.
_base_ = './sral_r50.py'
data_preprocessor = dict(size=(448, 448))
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(use_transposed_conv=False, out_scale=1),
    sr_head=None,
    tfgm=None)
