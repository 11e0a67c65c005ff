//===- Passes.td - weft conversion passes -------------------*- tablegen -*-===//
#ifndef WEFT_CONVERSION_PASSES_TD
#define WEFT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertWeftToLinalgPass : Pass<"convert-weft-to-linalg"> {
  let summary = "Lower weft graph ops to linalg, tensor, arith and math";
  let description = [{
    Every weft op becomes destination-style tensor code: elementwise ops,
    reductions, normalizations, attention and convolutions become
    `linalg.generic` (numpy broadcasting is an affine map that reads a
    constant 0 index), layout ops become `linalg.transpose` and `tensor`
    reshapes and slices, constants become `arith.constant`. Composite ops
    (softmax, layer_norm, attention, cross_entropy) decompose into several
    generics; a later fusion pass may merge them again. `weft.embedding_grad`
    is a scatter-add: an `scf.for` over the index positions adding rows into
    a zero table. An op that cannot be
    lowered is reported and the pass fails.

    ```mlir
    %y = weft.add %x, %b : tensor<4x8xf32>, tensor<8xf32>
    // becomes
    %e = tensor.empty() : tensor<4x8xf32>
    %y = linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1),
                                          (d0, d1) -> (d0, d1)], ...}
        ins(%x, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {...}
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // WEFT_CONVERSION_PASSES_TD
