//===- Passes.td - weft graph passes ------------------------*- tablegen -*-===//
#ifndef WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_TD
#define WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def AutodiffPass : Pass<"weft-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of functions marked weft.autodiff";
  let description = [{
    A function with `weft.autodiff = array<i64: i, j, ...>` gets, after its
    results, the gradients of its first result (the loss: a float tensor of
    one element) with respect to arguments `i, j, ...` in that order. Each
    gradient result has the argument's type and the attributes
    `weft.grad_of = <argument index>` and `weft.name = "grad.<argument
    name>"`; the attribute `weft.autodiff` is removed.

    The backward pass is built from each op's `GradientOpInterface` rule,
    walking the ops in reverse and summing the gradients of values with
    several uses; only ops between a differentiated argument and the loss
    are differentiated. The result is weft IR like the forward pass. An
    argument the loss does not depend on gets a zero gradient.

    Errors: an integer argument (it has no gradient), a loss that is not a
    one-element float tensor, an index out of range or repeated, an op with
    no gradient rule on the path from an argument to the loss.

    ```mlir
    func.func @main(%w: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<f32>
        attributes {weft.autodiff = array<i64: 0>} {
      %p = weft.mul %w, %x : tensor<4xf32>
      %l = weft.reduce_sum %p axes = [0] : tensor<4xf32> -> tensor<f32>
      return %l : tensor<f32>
    }
    // becomes @main(...) -> (tensor<f32>, tensor<4xf32> {weft.grad_of = 0,
    // weft.name = "grad.arg0"}) whose second result is %x broadcast.
    ```
  }];
  let dependentDialects = ["::mlir::weft::WeftDialect"];
}

def OptimizerPass : Pass<"weft-optimizer", "::mlir::ModuleOp"> {
  let summary = "Compile an optimizer update into a training step";
  let description = [{
    A function with `weft.optimizer = {kind = ..., ...}`, differentiated by
    `weft-autodiff` (which, when the function has no `weft.autodiff`,
    differentiates it with respect to every float `weft.state` argument),
    becomes a training step: the gradient results of its parameters
    (`weft.state` arguments) are consumed by the update and replaced by the
    updated parameters and optimizer state, returned as results marked
    `weft.update = <argument index>`. Such a result is written back into
    that argument's persistent buffer at the end of the step (in place when
    the plan can, see `plan-build`), so parameters and optimizer state never
    leave the loaded model. Other results (the loss first) are kept.

    The optimizer state is new `weft.state` arguments, zero-initialized:
    `optimizer.lr` (f32, initialized to `lr`, so a schedule can change it
    between steps without recompiling), and per parameter `P`:

    * `kind = "sgd"` (PyTorch's SGD): `g += weight_decay * p`; with
      `momentum > 0`, `P.momentum_buffer = momentum * buf + g` and
      `p -= lr * buf`, else `p -= lr * g`.
    * `kind = "adamw"` (PyTorch's AdamW, decoupled weight decay):
      `optimizer.step` (f32) counts steps; `p *= 1 - lr * weight_decay`;
      `P.exp_avg = beta1 m + (1 - beta1) g`, `P.exp_avg_sq = beta2 v +
      (1 - beta2) g^2`; `p -= lr / (1 - beta1^t) * m /
      (sqrt(v) / sqrt(1 - beta2^t) + eps)`.

    `clip_norm > 0` first scales all gradients by `min(1, clip_norm /
    (norm + 1e-6))` where `norm` is their global L2 norm (PyTorch's
    `clip_grad_norm_`). Defaults: lr 1e-3; sgd momentum 0, weight_decay 0;
    adamw beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.01.

    ```mlir
    func.func @main(%w: tensor<4x2xf32> {weft.state, weft.name = "w"},
                    %x: tensor<8x4xf32>) -> tensor<f32>
        attributes {weft.optimizer = {kind = "sgd", lr = 0.1 : f64}} {...}
    // becomes @main(%w, %x, %lr {weft.state, weft.name = "optimizer.lr"})
    //   -> (tensor<f32>, tensor<4x2xf32> {weft.update = 0})
    ```
  }];
  let dependentDialects = ["::mlir::weft::WeftDialect"];
}

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

def ConvToGemmPass : Pass<"weft-conv-to-gemm"> {
  let summary = "Rewrite f32 convolutions as one GEMM over im2col patches";
  let description = [{
    With a BLAS, an f32 `weft.conv2d` (one group) becomes data movement and
    one matmul: the input goes to NHWC and is padded, one strided slice per
    filter tap gives `[N, OH, OW, C]`, their concatenation is the patch
    matrix `[N*OH*OW, KH*KW*C]`, the filter becomes `[KH*KW*C, F]`, and the
    product goes back to NCHW (plus the bias). The matmul is then a
    library call; the rest are kernels the fusion policy merges. Grouped
    convolutions and other element types are left alone.

    ```mlir
    %y = weft.conv2d %x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>
        -> tensor<1x4x6x6xf32>
    // becomes transpose, 9 slices, concat, reshape, matmul, reshape,
    // transpose
    ```
  }];
  let dependentDialects = ["::mlir::weft::WeftDialect"];
}

def SelectLibraryCallsPass : Pass<"weft-select-library-calls", "::mlir::ModuleOp"> {
  let summary = "Mark the GEMMs that a library (BLAS) runs faster";
  let description = [{
    Marks `weft.matmul` and `weft.batch_matmul` with
    `weft.library_call = "gemm"` where a vendor GEMM is the faster path as
    measured on the target. Marked ops stay out of kernel groups and become
    `plan.gemm` commands; constant operands are fine (they become weights).
    Other GEMMs are left to code generation (weft-cpu-tile-contractions),
    which also fuses their epilogues.

    The measured rule (bench/gemm.py, bench/cpu_models.py; 2 threads each,
    2026-12-01, AMD EPYC with AVX-512): with 512-bit vectors the generated
    GEMM beats OpenBLAS sgemm on every shape measured (1024^3: 177% of its
    speed; M = 1..128 rows by 2048x2048: 1.2-3.5x faster; the MLP and the
    transformer block 1.6-1.9x faster end to end), so nothing is marked.
    With narrower vectors (`vector-bits` below 512: AVX2 or SSE targets)
    the generated GEMM is at best even with OpenBLAS, and f32 GEMMs are
    marked. Only f32 has a library path; BLAS dimensions are 32-bit and
    positive.

    ```mlir
    %y = weft.matmul %x, %w : tensor<8x16xf32>, tensor<16x32xf32> -> tensor<8x32xf32>
    // becomes
    %y = weft.matmul %x, %w {weft.library_call = "gemm"} : ...
    ```
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "0",
           "SIMD width of the target's generated GEMMs in bits (0: unknown, "
           "treated as narrow)">
  ];
}

def FormGroupsPass : Pass<"weft-form-groups", "::mlir::ModuleOp"> {
  let summary = "Cut entry functions into kernel groups";
  let description = [{
    Wraps the ops of every entry function (`weft.entry` or `@main`) into
    `weft.group` regions, one group per future kernel. The policy is one op
    per group (the fusion pass replaces the policy, not the machinery).
    Left outside any group: constants (splat constants are cloned into the
    groups that read them; other constants become weights), reshapes of
    non-constant tensors (row-major reshapes alias their input's buffer),
    and GEMMs marked as library calls.

    ```mlir
    %r = weft.relu %x : tensor<8xf32>
    // becomes
    %r = weft.group -> tensor<8xf32> {
      %0 = weft.relu %x : tensor<8xf32>
      weft.yield %0 : tensor<8xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::weft::WeftDialect"];
}

def FuseOpsPass : Pass<"weft-fuse", "::mlir::ModuleOp"> {
  let summary = "Cut entry functions into fused kernel groups";
  let description = [{
    The fusion policy over the kernel-group machinery of
    `weft-form-groups` (the same ops stay outside groups). Greedy
    producer-consumer fusion in program order, then sibling fusion:
    chains of elementwise ops (casts, transposes and broadcast_to
    included); a reduction (reduce_*, softmax, layer_norm, rms_norm) with
    its elementwise prologue and epilogue; an elementwise epilogue of a
    generated matmul, batch_matmul or conv2d; and elementwise ops or
    reductions over one iteration space reading the same tensor (one
    kernel with several results).

    A producer joins a consumer only over the same iteration space (equal
    element counts; a reduced result may broadcast along trailing dims
    into its epilogue), so no tile of the kernel recomputes more than its
    own slice. A group holds at most one reduction or contraction, no
    contraction reads a value computed in its own group (matmul -> matmul
    stays two kernels), a group with a contraction yields one value (its
    tiles are the GEMM's), groups stay convex (no path leaves a group and
    returns through another kernel) and hold at most `max-group-size` ops.
    Nothing is duplicated: a fused value used outside its group is yielded.

    ```mlir
    %a = weft.add %x, %b : tensor<8x16xf32>, tensor<16xf32>
    %g = weft.gelu %a : tensor<8x16xf32>
    // becomes
    %g = weft.group -> tensor<8x16xf32> {
      %0 = weft.add %x, %b : tensor<8x16xf32>, tensor<16xf32>
      %1 = weft.gelu %0 : tensor<8x16xf32>
      weft.yield %1 : tensor<8x16xf32>
    }
    ```
  }];
  let options = [
    Option<"maxGroupSize", "max-group-size", "int64_t", "32",
           "Most ops in one kernel group">
  ];
  let dependentDialects = ["::mlir::weft::WeftDialect"];
}

def OutlineKernelsPass : Pass<"weft-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Turn kernel groups into kernel functions";
  let description = [{
    Moves each `weft.group` into a function of the nested module
    `@weft_kernels`, in destination-passing style on memrefs: one argument
    per value the group reads from outside, then one per value it yields
    (only values used outside the group escape; intermediates stay inside).
    The group is replaced by a `weft.dispatch` of that function.

    ```mlir
    %r = weft.group -> tensor<8xf32> { ... weft.yield %t : tensor<8xf32> }
    // becomes
    %r = weft.dispatch @weft_kernels::@k0(%a, %b) label = "weft.add"
        : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    module @weft_kernels {
      func.func @k0(%a: memref<8xf32>, %b: memref<8xf32>, %r: memref<8xf32>) {
        ...  // to_tensor, the group's ops, materialize_in_destination
      }
    }
    ```
  }];
  let dependentDialects = ["::mlir::weft::WeftDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_TD
