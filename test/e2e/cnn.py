# A small CNN (conv2d + bias, relu, max pool, conv2d with padding, avg pool,
# linear) against numpy.
# RUN: %PYTHON %s
import numpy as np

from harness import check, compile_and_run

N, C, HW, F1, F2, K = 2, 3, 16, 8, 12, 10
rng = np.random.default_rng(99)
f32 = np.float32
x = rng.standard_normal((N, C, HW, HW)).astype(f32)
w1 = (rng.standard_normal((F1, C, 3, 3)) / 5).astype(f32)
b1 = (0.1 * rng.standard_normal(F1)).astype(f32)
w2 = (rng.standard_normal((F2, F1, 3, 3)) / 8).astype(f32)
wl = (rng.standard_normal((F2 * 4 * 4, K)) / 14).astype(f32)

mlir = f"""
func.func @main(%x: tensor<{N}x{C}x{HW}x{HW}xf32> {{weft.name = "x"}},
                %w1: tensor<{F1}x{C}x3x3xf32> {{weft.name = "w1"}},
                %b1: tensor<{F1}xf32> {{weft.name = "b1"}},
                %w2: tensor<{F2}x{F1}x3x3xf32> {{weft.name = "w2"}},
                %wl: tensor<{F2 * 16}x{K}xf32> {{weft.name = "wl"}})
    -> (tensor<{N}x{K}xf32> {{weft.name = "logits"}}) {{
  %c1 = weft.conv2d %x, %w1, %b1 : tensor<{N}x{C}x{HW}x{HW}xf32>, tensor<{F1}x{C}x3x3xf32>, tensor<{F1}xf32> -> tensor<{N}x{F1}x14x14xf32>
  %r1 = weft.relu %c1 : tensor<{N}x{F1}x14x14xf32>
  %p1 = weft.max_pool2d %r1 {{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}} : tensor<{N}x{F1}x14x14xf32> -> tensor<{N}x{F1}x7x7xf32>
  %c2 = weft.conv2d %p1, %w2 {{padding = array<i64: 1, 1, 1, 1>}} : tensor<{N}x{F1}x7x7xf32>, tensor<{F2}x{F1}x3x3xf32> -> tensor<{N}x{F2}x7x7xf32>
  %r2 = weft.relu %c2 : tensor<{N}x{F2}x7x7xf32>
  %p2 = weft.avg_pool2d %r2 {{kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 1, 1>}} : tensor<{N}x{F2}x7x7xf32> -> tensor<{N}x{F2}x4x4xf32>
  %fl = weft.reshape %p2 : tensor<{N}x{F2}x4x4xf32> -> tensor<{N}x{F2 * 16}xf32>
  %y = weft.matmul %fl, %wl : tensor<{N}x{F2 * 16}xf32>, tensor<{F2 * 16}x{K}xf32> -> tensor<{N}x{K}xf32>
  return %y : tensor<{N}x{K}xf32>
}}
"""


def conv(x, w, pad=0):
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    oh, ow = h - kh + 1, wd - kw + 1
    out = np.zeros((n, f, oh, ow))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,fc->nfhw", x[:, :, i:i + oh, j:j + ow],
                             w[:, :, i, j])
    return out


def pool(x, k, mode, pad_hi=0):
    n, c, h, w = x.shape
    oh, ow = (h + pad_hi - k) // k + 1, (w + pad_hi - k) // k + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * k:i * k + k, j * k:j * k + k]  # clipped at edge
            out[:, :, i, j] = win.max((2, 3)) if mode == "max" else win.mean((2, 3))
    return out


a = lambda t: t.astype(np.float64)
h = np.maximum(conv(a(x), a(w1)) + a(b1)[None, :, None, None], 0)
h = pool(h, 2, "max")
h = np.maximum(conv(h, a(w2), pad=1), 0)
h = pool(h, 2, "avg", pad_hi=1)
ref = (h.reshape(N, -1) @ a(wl)).astype(f32)

inputs = dict(x=x, w1=w1, b1=b1, w2=w2, wl=wl)
out = compile_and_run(mlir, inputs)
check("cnn", out["logits"], ref)
