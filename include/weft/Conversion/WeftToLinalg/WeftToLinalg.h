//===- WeftToLinalg.h - weft to linalg conversion ---------------*- C++ -*-===//
#ifndef WEFT_CONVERSION_WEFTTOLINALG_WEFTTOLINALG_H
#define WEFT_CONVERSION_WEFTTOLINALG_WEFTTOLINALG_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace weft {
#define GEN_PASS_DECL_CONVERTWEFTTOLINALGPASS
#include "weft/Conversion/Passes.h.inc"

/// Adds the patterns that lower every weft op to linalg/tensor/arith/math.
void populateWeftToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// The type every summing lowering (reductions, means, matmuls,
/// convolutions, average pooling, normalizations, softmax, losses,
/// attention) accumulates in for elements of `elementType`: f32 for
/// f16/bf16/f32, i32 for i8/i32, i64 for i64 (as PyTorch and XLA do). The
/// result is converted back to the element type at the end.
mlir::Type accumulatorType(mlir::Type elementType);
} // namespace weft

#endif // WEFT_CONVERSION_WEFTTOLINALG_WEFTTOLINALG_H
