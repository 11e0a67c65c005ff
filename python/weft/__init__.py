from ._weft import *  # noqa
