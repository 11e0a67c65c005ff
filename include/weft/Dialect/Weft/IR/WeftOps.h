//===- WeftOps.h - weft graph ops -------------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_WEFT_IR_WEFTOPS_H
#define WEFT_DIALECT_WEFT_IR_WEFTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "weft/Dialect/Weft/IR/WeftDialect.h"

namespace mlir::weft {
/// Numpy broadcast of two shapes; failure when a dim pair is neither equal
/// nor has a 1.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b);

/// Checks every operand and result type of `op` against the rank and byte
/// size limits of TensorLimits.h.
LogicalResult verifyOpTensorLimits(Operation *op);

namespace OpTrait {
/// Op trait running verifyOpTensorLimits.
template <typename ConcreteType>
class TensorLimits
    : public ::mlir::OpTrait::TraitBase<ConcreteType, TensorLimits> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyOpTensorLimits(op);
  }
};
} // namespace OpTrait
} // namespace mlir::weft

#define GET_OP_CLASSES
#include "weft/Dialect/Weft/IR/WeftOps.h.inc"

#endif // WEFT_DIALECT_WEFT_IR_WEFTOPS_H
