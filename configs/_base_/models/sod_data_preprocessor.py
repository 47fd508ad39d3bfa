# The one definition of the SOD input normalisation: the EORSSD statistics
# the SRAL authors use for every data set (RGB order, 0-255 scale), 224 px
# LR input. Model bases use it as `{{_base_.sod_data_preprocessor}}`.
sod_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[87.0, 96.85, 91.37],
    std=[29.27, 26.57, 25.25],
    bgr_to_rgb=True,
    size=(224, 224),
    pad_val=0,
    seg_pad_val=0)
