# 16-bit floats accumulate in f32: sums, means, matmuls, softmax and
# layer_norm of f16/bf16 tensors against numpy (float64 on the same
# 16-bit inputs). With 16-bit accumulators an f16 sum of 65536 values of
# U(0,1) came out as 2048, an f16 mean of 4096 values of 100 as inf, and an
# f16 layer_norm with row mean 100 over D=4096 as NaN.
# RUN: %PYTHON %s | FileCheck %s
# CHECK: f16 sum of 65536 U(0,1): relative error {{.*}} ok
# CHECK: f16 mean of 4096 x 100: relative error {{.*}} ok
# CHECK: f16 layer_norm, row mean 100, D=4096: relative error {{.*}} ok
# CHECK: f16 rms_norm, D=4096: relative error {{.*}} ok
# CHECK: f16 softmax, D=4096: relative error {{.*}} ok
# CHECK: f16 matmul, K=4096: relative error {{.*}} ok
# CHECK: bf16 sum of 65536 U(0,1): relative error {{.*}} ok
import numpy as np

from harness import check, compile_and_run

rng = np.random.default_rng(7)
N, D = 65536, 4096

# A result rounded to f16 is within an ulp or so of the float64 reference:
# about 1e-3 relative (bf16: 8e-3). 16-bit accumulation is off by 10-100%.
F16_TOL, BF16_TOL = 2e-3, 8e-3

x = rng.uniform(0, 1, N).astype(np.float16)
got = compile_and_run(f"""
func.func @main(%x: tensor<{N}xf16> {{weft.name = "x"}}) -> (tensor<f16> {{weft.name = "s"}}) {{
  %s = weft.reduce_sum %x axes = [0] : tensor<{N}xf16> -> tensor<f16>
  return %s : tensor<f16>
}}""", {"x": x})["s"]
ref = np.asarray(x.astype(np.float64).sum())
check("f16 sum of 65536 U(0,1)", got, ref.astype(np.float16), F16_TOL)

x = np.full((2, D), 100, np.float16)
got = compile_and_run(f"""
func.func @main(%x: tensor<2x{D}xf16> {{weft.name = "x"}}) -> (tensor<2xf16> {{weft.name = "m"}}) {{
  %m = weft.reduce_mean %x axes = [1] : tensor<2x{D}xf16> -> tensor<2xf16>
  return %m : tensor<2xf16>
}}""", {"x": x})["m"]
ref = x.astype(np.float64).mean(axis=1)
check("f16 mean of 4096 x 100", got, ref.astype(np.float16), F16_TOL)

x = (100 + rng.standard_normal((4, D))).astype(np.float16)
g = rng.uniform(0.5, 1.5, D).astype(np.float16)
b = rng.uniform(-0.5, 0.5, D).astype(np.float16)
out = compile_and_run(f"""
func.func @main(%x: tensor<4x{D}xf16> {{weft.name = "x"}}, %g: tensor<{D}xf16> {{weft.name = "g"}},
                %b: tensor<{D}xf16> {{weft.name = "b"}})
    -> (tensor<4x{D}xf16> {{weft.name = "ln"}}, tensor<4x{D}xf16> {{weft.name = "rms"}},
        tensor<4x{D}xf16> {{weft.name = "sm"}}) {{
  %ln = weft.layer_norm %x, %g, %b {{epsilon = 1.0e-05 : f32}} : tensor<4x{D}xf16>, tensor<{D}xf16>
  %rms = weft.rms_norm %x, %g {{epsilon = 1.0e-06 : f32}} : tensor<4x{D}xf16>, tensor<{D}xf16>
  %sm = weft.softmax %x axis = 1 : tensor<4x{D}xf16>
  return %ln, %rms, %sm : tensor<4x{D}xf16>, tensor<4x{D}xf16>, tensor<4x{D}xf16>
}}""", {"x": x, "g": g, "b": b})
x64, g64, b64 = (t.astype(np.float64) for t in (x, g, b))
mean = x64.mean(axis=1, keepdims=True)
var = ((x64 - mean) ** 2).mean(axis=1, keepdims=True)
ln = (x64 - mean) / np.sqrt(var + 1e-5) * g64 + b64
check("f16 layer_norm, row mean 100, D=4096", out["ln"], ln.astype(np.float16),
      F16_TOL)
rms = x64 / np.sqrt((x64 ** 2).mean(axis=1, keepdims=True) + 1e-6) * g64
check("f16 rms_norm, D=4096", out["rms"], rms.astype(np.float16), F16_TOL)
e = np.exp(x64 - x64.max(axis=1, keepdims=True))
sm = e / e.sum(axis=1, keepdims=True)
check("f16 softmax, D=4096", out["sm"], sm.astype(np.float16), F16_TOL)

a = rng.uniform(0, 1, (8, D)).astype(np.float16)
w = rng.uniform(0, 1, (D, 16)).astype(np.float16)
got = compile_and_run(f"""
func.func @main(%a: tensor<8x{D}xf16> {{weft.name = "a"}}, %w: tensor<{D}x16xf16> {{weft.name = "w"}})
    -> (tensor<8x16xf16> {{weft.name = "c"}}) {{
  %c = weft.matmul %a, %w : tensor<8x{D}xf16>, tensor<{D}x16xf16> -> tensor<8x16xf16>
  return %c : tensor<8x16xf16>
}}""", {"a": a, "w": w})["c"]
ref = a.astype(np.float64) @ w.astype(np.float64)
check("f16 matmul, K=4096", got, ref.astype(np.float16), F16_TOL)

# numpy has no bfloat16: the input travels as float32 values that bf16
# represents exactly (low 16 bits cleared), the output as float32 too.
xb = (rng.uniform(0, 1, N).astype(np.float32).view(np.uint32)
      & np.uint32(0xFFFF0000)).view(np.float32)
got = compile_and_run(f"""
func.func @main(%x: tensor<{N}xf32> {{weft.name = "x"}}) -> (tensor<f32> {{weft.name = "s"}}) {{
  %h = weft.cast %x : tensor<{N}xf32> -> tensor<{N}xbf16>
  %s = weft.reduce_sum %h axes = [0] : tensor<{N}xbf16> -> tensor<bf16>
  %r = weft.cast %s : tensor<bf16> -> tensor<f32>
  return %r : tensor<f32>
}}""", {"x": xb})["s"]
ref = np.asarray(xb.astype(np.float64).sum())
check("bf16 sum of 65536 U(0,1)", got, ref.astype(np.float32), BF16_TOL)
