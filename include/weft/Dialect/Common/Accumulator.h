//===- Accumulator.h - the type a sum accumulates in ------------*- C++ -*-===//
//
// One rule for every op that sums (reductions, matmuls, norms, GEMM library
// calls): f32 for f16/bf16/f32, f64 for f64, i32 for i8/i32, i64 for i64.
// Header-only so the dialects, the lowering and the plan passes share it
// without a new link dependency. (The runtime checks the same rule on
// artifact dtypes in runtime/src/Validate.cpp, which cannot see MLIR types;
// library GEMMs take no f64.)
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_DIALECT_COMMON_ACCUMULATOR_H
#define WEFT_DIALECT_COMMON_ACCUMULATOR_H

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>

namespace weft {

/// The accumulator type of sums of `elementType` values.
inline mlir::Type accumulatorType(mlir::Type elementType) {
  mlir::MLIRContext *ctx = elementType.getContext();
  if (elementType.isF64())
    return elementType;
  if (mlir::isa<mlir::FloatType>(elementType))
    return mlir::Float32Type::get(ctx);
  if (auto it = mlir::dyn_cast<mlir::IntegerType>(elementType))
    return mlir::IntegerType::get(ctx, std::max(32u, it.getWidth()));
  return elementType;
}

} // namespace weft

#endif // WEFT_DIALECT_COMMON_ACCUMULATOR_H
