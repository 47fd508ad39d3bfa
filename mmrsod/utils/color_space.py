# Copyright (c) mmrsod contributors. All rights reserved.
"""The one definition of the RGB -> YCbCr transform used by mmrsod.

ITU-R BT.601 full range, JPEG/JFIF convention (what PIL's
``convert('YCbCr')`` computes on 8-bit images): the data pipeline's SR
target (:func:`mmrsod.datasets.transforms.bgr_to_ycbcr`) and the model's
conversions (:func:`mmrsod.models.utils.rgb_to_ycbcr`, used for the SR input
residual and ``pred_sr``) both read these constants, so they cannot drift.
"""

__all__ = ['BT601_RGB_TO_YCBCR', 'BT601_YCBCR_OFFSET_8BIT']

# Rows give Y, Cb, Cr as linear combinations of R, G, B.
BT601_RGB_TO_YCBCR = ((0.299, 0.587, 0.114), (-0.168736, -0.331264, 0.5),
                      (0.5, -0.418688, -0.081312))
# Offsets of Y, Cb, Cr on the 0-255 scale (divide by 255 for [0, 1] images).
BT601_YCBCR_OFFSET_8BIT = (0.0, 128.0, 128.0)
