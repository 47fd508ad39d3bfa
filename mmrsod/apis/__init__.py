# Copyright (c) mmrsod contributors. All rights reserved.
from .inference import (IMAGE_EXTENSIONS, collect_images, inference_model,
                        init_model, load_image, to_bgr_uint8)

__all__ = [
    'IMAGE_EXTENSIONS', 'collect_images', 'inference_model', 'init_model',
    'load_image', 'to_bgr_uint8'
]
