//===- Passes.h - dist passes -----------------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_DIST_TRANSFORMS_PASSES_H
#define WEFT_DIALECT_DIST_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "weft/Dialect/Dist/IR/DistDialect.h"

namespace weft {
#define GEN_PASS_DECL
#include "weft/Dialect/Dist/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "weft/Dialect/Dist/Transforms/Passes.h.inc"
} // namespace weft

#endif // WEFT_DIALECT_DIST_TRANSFORMS_PASSES_H
