//===- Passes.h - weft graph passes -----------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_H
#define WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "weft/Dialect/Weft/IR/WeftDialect.h"

namespace weft {
#define GEN_PASS_DECL
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

#endif // WEFT_DIALECT_WEFT_TRANSFORMS_PASSES_H
