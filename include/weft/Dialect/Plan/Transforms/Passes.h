//===- Passes.h - plan passes -----------------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_PLAN_TRANSFORMS_PASSES_H
#define WEFT_DIALECT_PLAN_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"
#include "weft/Dialect/Plan/IR/PlanDialect.h"

namespace weft {
#define GEN_PASS_DECL
#include "weft/Dialect/Plan/Transforms/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "weft/Dialect/Plan/Transforms/Passes.h.inc"
} // namespace weft

#endif // WEFT_DIALECT_PLAN_TRANSFORMS_PASSES_H
