//===- Passes.h - CPU kernel lowering passes --------------------*- C++ -*-===//
#ifndef WEFT_TARGET_CPU_PASSES_H
#define WEFT_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace weft {
/// Attributes a lowered kernel carries for the artifact.
inline constexpr llvm::StringLiteral kArgBytesAttr = "weft.arg_bytes";
inline constexpr llvm::StringLiteral kArgAccessAttr = "weft.arg_access";
/// On a lowered kernel: the iterations of its parallel loop (1: serial).
/// The kernel takes, after its buffers, the range [begin, end) of them
/// that one call runs.
inline constexpr llvm::StringLiteral kParallelExtentAttr =
    "weft.parallel_extent";
/// Prefix of a kernel's exported entry point.
inline constexpr llvm::StringLiteral kEntryPointPrefix = "weft_";

#define GEN_PASS_DECL
#include "weft/Target/CPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "weft/Target/CPU/Passes.h.inc"
} // namespace weft

#endif // WEFT_TARGET_CPU_PASSES_H
