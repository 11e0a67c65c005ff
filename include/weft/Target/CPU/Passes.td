//===- Passes.td - CPU kernel lowering passes ---------------*- tablegen -*-===//
#ifndef WEFT_TARGET_CPU_PASSES_TD
#define WEFT_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def HoistScratchPass : Pass<"weft-cpu-hoist-scratch", "::mlir::ModuleOp"> {
  let summary = "Turn kernel temporaries into scratch arguments the plan owns";
  let description = [{
    Runs on the bufferized kernel module. Every static allocation at the top
    of a kernel becomes a trailing memref argument (a scratch buffer the
    plan places, so nothing allocates at run time); deallocations go away
    and copies become `linalg.copy` (generated loops). Records on each
    kernel `weft.arg_bytes` (bytes per argument) and `weft.arg_access`
    (1 read, 2 write, 3 both), which the artifact keeps so the loader can
    check every launch. A temporary of dynamic size or inside a loop is an
    error naming the kernel.

    ```mlir
    func.func @k0(%in: memref<8xf32>, %out: memref<8xf32>) {
      %t = memref.alloc() : memref<8xf32>
      ...
    }
    // becomes
    func.func @k0(%in: memref<8xf32>, %out: memref<8xf32>, %t: memref<8xf32>)
        attributes {weft.arg_access = array<i64: 1, 2, 3>,
                    weft.arg_bytes = array<i64: 32, 32, 32>} { ... }
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ApproximateMathPass : Pass<"weft-cpu-approximate-math", "::mlir::ModuleOp"> {
  let summary = "Polynomial f32 tanh, erf, exp and log";
  let description = [{
    Replaces `math.tanh/erf/exp/log` on f32 by polynomial approximations:
    straight-line arithmetic that LLVM vectorizes, instead of one libm call
    per element. f64 math is left alone and becomes libm calls, accurate to
    about an ulp.

    ```mlir
    %y = math.exp %x : f32   // becomes a polynomial in arith ops
    %z = math.exp %d : f64   // stays, later a call to exp
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def AddEntryPointsPass : Pass<"weft-cpu-add-entry-points", "::mlir::ModuleOp"> {
  let summary = "A `void weft_<k>(void **args)` entry point per kernel";
  let description = [{
    Runs on the kernel module in the LLVM dialect: for every kernel `@k`
    with `weft.arg_bytes`, adds the exported `@weft_k` that loads one pointer
    per argument from its `void **` argument and calls `@k` (now internal).
    The entry point carries the argument sizes and access.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // WEFT_TARGET_CPU_PASSES_TD
