//===- Passes.td - weft graph passes ------------------------*- tablegen -*-===//
#ifndef WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_TD
#define WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DecomposeAttentionPass : Pass<"weft-decompose-attention"> {
  let summary = "Rewrite scaled_dot_product_attention as matmuls and softmax";
  let description = [{
    `softmax(q k^T * scale + mask [+ causal]) v` as two (batched) matmuls
    around a softmax, so that the matmuls can become library GEMM calls. The
    causal mask becomes an additive constant (0 / -inf).

    ```mlir
    %o = weft.scaled_dot_product_attention %q, %k, %v
        : tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>, tensor<2x4x16x8xf32>
        -> tensor<2x4x16x8xf32>
    // becomes
    %s = weft.batch_matmul %q, %k {transpose_rhs} : ... -> tensor<2x4x16x16xf32>
    %c = weft.constant dense<0.353553385> : tensor<f32>
    %m = weft.mul %s, %c : tensor<2x4x16x16xf32>, tensor<f32>
    %p = weft.softmax %m axis = 3 : tensor<2x4x16x16xf32>
    %o = weft.batch_matmul %p, %v : ... -> tensor<2x4x16x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::weft::WeftDialect"];
}

#endif // WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_TD
