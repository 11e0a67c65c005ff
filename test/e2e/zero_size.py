# Zero-element tensors through weftc and weft-run, against numpy: softmax of
# a 2x0 tensor (an empty result), a K=0 matmul (zeros) with the BLAS call
# and with the generated kernel, and a sum over an empty axis (zeros).
#
# Zero-element kernel arguments are passed as rank-1 empty memrefs (the
# bare-pointer calling convention cannot lower memref<2x0xf32>), and a GEMM
# with an empty dimension is generated (a fill), not a BLAS call.
# RUN: %PYTHON %s | FileCheck %s
# CHECK: softmax of 2x0: relative error {{.*}} ok
# CHECK: matmul K=0 (blas gemm): relative error {{.*}} ok
# CHECK: matmul K=0 (generated gemm): relative error {{.*}} ok
# CHECK: sum over an empty axis: relative error {{.*}} ok
import numpy as np

from harness import check, compile_and_run

x = np.zeros((2, 0), np.float32)
out = compile_and_run("""
func.func @main(%x: tensor<2x0xf32> {weft.name = "x"}) -> (tensor<2x0xf32> {weft.name = "y"}) {
  %y = weft.softmax %x axis = 1 : tensor<2x0xf32>
  return %y : tensor<2x0xf32>
}""", {"x": x})
check("softmax of 2x0", out["y"], np.zeros((2, 0), np.float32))

a = np.zeros((4, 0), np.float32)
b = np.zeros((0, 5), np.float32)
mlir = """
func.func @main(%a: tensor<4x0xf32> {weft.name = "a"}, %b: tensor<0x5xf32> {weft.name = "b"})
    -> (tensor<4x5xf32> {weft.name = "c"}) {
  %c = weft.matmul %a, %b : tensor<4x0xf32>, tensor<0x5xf32> -> tensor<4x5xf32>
  return %c : tensor<4x5xf32>
}"""
for flags, tag in [((), "blas gemm"), (("--no-blas",), "generated gemm")]:
    out = compile_and_run(mlir, {"a": a, "b": b}, flags)
    check(f"matmul K=0 ({tag})", out["c"], a @ b)

x = np.zeros((3, 0), np.float32)
out = compile_and_run("""
func.func @main(%x: tensor<3x0xf32> {weft.name = "x"}) -> (tensor<3xf32> {weft.name = "s"}) {
  %s = weft.reduce_sum %x axes = [1] : tensor<3x0xf32> -> tensor<3xf32>
  return %s : tensor<3xf32>
}""", {"x": x})
check("sum over an empty axis", out["s"], x.sum(axis=1))
