//===- WeftToLinalg.h - weft to linalg conversion ---------------*- C++ -*-===//
#ifndef WEFT_CONVERSION_WEFTTOLINALG_WEFTTOLINALG_H
#define WEFT_CONVERSION_WEFTTOLINALG_WEFTTOLINALG_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace weft {
#define GEN_PASS_DECL_CONVERTWEFTTOLINALGPASS
#include "weft/Conversion/Passes.h.inc"

/// Adds the patterns that lower every weft op to linalg/tensor/arith/math
/// (and scf, for the scatter-add of embedding_grad).
void populateWeftToLinalgPatterns(mlir::RewritePatternSet &patterns);
} // namespace weft

#endif // WEFT_CONVERSION_WEFTTOLINALG_WEFTTOLINALG_H
