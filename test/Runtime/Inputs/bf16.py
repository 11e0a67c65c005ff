"""bf16 .npy files in the ml_dtypes convention (descr '<V2', the upper 16
bits of a float32) without needing ml_dtypes: `write PATH` stores an input,
`check IN OUT` compares weft-run's output with numpy's relu(x) + x."""
import sys

import numpy as np

V2 = np.dtype("V2")


def to_bf16(x):
    bits = np.asarray(x, np.float32).view(np.uint32)
    return (bits >> 16).astype(np.uint16)  # values below are exact in bf16


def from_bf16(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


if sys.argv[1] == "write":
    x = np.array([-2.5, -1, -0.25, 0, 0.5, 1.5, 3, 96], np.float32)
    np.save(sys.argv[2], to_bf16(x).view(V2))
else:
    x = from_bf16(np.load(sys.argv[2]).view(np.uint16))
    y = np.load(sys.argv[3])
    assert y.dtype == V2, y.dtype
    got = from_bf16(y.view(np.uint16))
    ref = np.maximum(x, 0) + x
    assert np.array_equal(got, ref), (got, ref)
    print("bf16 ok")
