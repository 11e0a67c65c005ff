# Weft ops on zero-element tensors, lowered by --convert-weft-to-linalg and
# run with the upstream JIT (mlir-runner), against numpy: a K=0 matmul is
# all zeros, sums over nothing 0, means over nothing NaN, ops with empty
# results empty. (weftc/weft-run on the same programs: zero_size.py.)
# RUN: %PYTHON %s | FileCheck %s
# CHECK: matmul K=0 f32: ok
# CHECK: batch_matmul K=0 f16: ok
# CHECK: reduce_sum over an empty axis: ok
# CHECK: reduce_mean over an empty axis: ok
# CHECK: attention over 0 keys: ok
# CHECK: conv2d over 0 channels: ok
# CHECK: softmax of 2x0: ok
import os
import pathlib
import re
import shutil
import subprocess
import sys

import numpy as np

from harness import tool

RUNNER = shutil.which("mlir-runner")
MLIR_OPT = shutil.which("mlir-opt")
LIBS = pathlib.Path(RUNNER).resolve().parent.parent / "lib"
PIPELINE = ("--one-shot-bufferize=bufferize-function-boundaries "
            "--convert-linalg-to-loops --convert-scf-to-cf "
            "--expand-strided-metadata --finalize-memref-to-llvm "
            "--convert-to-llvm --reconcile-unrealized-casts").split()


def run(body, shape):
    """Runs `body` (which defines %r : tensor<shape x f32>) and returns %r
    as a numpy array."""
    dims = "x".join(map(str, shape))
    t = f"tensor<{dims}xf32>" if shape else "tensor<f32>"
    src = f"""
func.func private @printMemrefF32(tensor<*xf32>)
func.func @main() {{
{body}
  %u = tensor.cast %r : {t} to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}}"""
    lowered = subprocess.run([tool("weft-opt"), "-", "--convert-weft-to-linalg"],
                             input=src, text=True, check=True,
                             capture_output=True).stdout
    llvm = subprocess.run([MLIR_OPT, "-", *PIPELINE], input=lowered, text=True,
                          check=True, capture_output=True).stdout
    libs = ",".join(str(LIBS / f"lib{n}.so")
                    for n in ("mlir_runner_utils", "mlir_c_runner_utils"))
    out = subprocess.run([RUNNER, "-e", "main", "-entry-point-result=void",
                          f"-shared-libs={libs}"], input=llvm, text=True,
                         check=True, capture_output=True).stdout
    sizes = re.search(r"sizes = \[([0-9, ]*)\]", out).group(1)
    got_shape = tuple(int(d) for d in sizes.split(",") if d.strip())
    if got_shape != tuple(shape):
        return np.zeros(got_shape, np.float32)  # check() reports the shape
    if 0 in shape:
        return np.zeros(shape, np.float32)
    data = out[out.index("data =") + len("data ="):]
    values = [float(v) for v in re.findall(r"-?nan|-?inf|-?[0-9][0-9.e+-]*",
                                           data)]
    return np.array(values, np.float32).reshape(shape)


def check(name, got, ref):
    if got.shape != ref.shape or not np.array_equal(got, ref, equal_nan=True):
        print(f"{name}: got {got}, want {ref}: FAIL")
        sys.exit(1)
    print(f"{name}: ok")


a, b = np.zeros((4, 0), np.float32), np.zeros((0, 5), np.float32)
check("matmul K=0 f32", run("""
  %a = arith.constant dense<> : tensor<4x0xf32>
  %b = arith.constant dense<> : tensor<0x5xf32>
  %r = weft.matmul %a, %b : tensor<4x0xf32>, tensor<0x5xf32> -> tensor<4x5xf32>
""", (4, 5)), a @ b)

a, b = np.zeros((2, 3, 0), np.float16), np.zeros((2, 0, 4), np.float16)
check("batch_matmul K=0 f16", run("""
  %a = arith.constant dense<> : tensor<2x3x0xf16>
  %b = arith.constant dense<> : tensor<2x0x4xf16>
  %c = weft.batch_matmul %a, %b : tensor<2x3x0xf16>, tensor<2x0x4xf16> -> tensor<2x3x4xf16>
  %r = weft.cast %c : tensor<2x3x4xf16> -> tensor<2x3x4xf32>
""", (2, 3, 4)), (a @ b).astype(np.float32))

x = np.zeros((3, 0), np.float32)
check("reduce_sum over an empty axis", run("""
  %x = arith.constant dense<> : tensor<3x0xf32>
  %r = weft.reduce_sum %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
""", (3,)), x.sum(axis=1))
with np.errstate(all="ignore"):
    import warnings
    warnings.simplefilter("ignore")
    mean_ref = x.mean(axis=1)
check("reduce_mean over an empty axis", run("""
  %x = arith.constant dense<> : tensor<3x0xf32>
  %r = weft.reduce_mean %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
""", (3,)), mean_ref)

# softmax over no keys is empty; its product with no values is 0.
q = np.ones((2, 4, 8), np.float32)
p, v = np.zeros((2, 4, 0), np.float32), np.zeros((2, 0, 8), np.float32)
check("attention over 0 keys", run("""
  %q = arith.constant dense<1.0> : tensor<2x4x8xf32>
  %k = arith.constant dense<> : tensor<2x0x8xf32>
  %r = weft.scaled_dot_product_attention %q, %k, %k : tensor<2x4x8xf32>, tensor<2x0x8xf32>, tensor<2x0x8xf32> -> tensor<2x4x8xf32>
""", (2, 4, 8)), p @ v)

bias = np.array([1.5, -2.0], np.float32)
check("conv2d over 0 channels", run("""
  %x = arith.constant dense<> : tensor<1x0x4x4xf32>
  %w = arith.constant dense<> : tensor<2x0x3x3xf32>
  %b = arith.constant dense<[1.5, -2.0]> : tensor<2xf32>
  %r = weft.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>} : tensor<1x0x4x4xf32>, tensor<2x0x3x3xf32>, tensor<2xf32> -> tensor<1x2x4x4xf32>
""", (1, 2, 4, 4)), np.broadcast_to(bias[None, :, None, None], (1, 2, 4, 4)))

check("softmax of 2x0", run("""
  %x = arith.constant dense<> : tensor<2x0xf32>
  %r = weft.softmax %x axis = 1 : tensor<2x0xf32>
""", (2, 0)), np.zeros((2, 0), np.float32))
