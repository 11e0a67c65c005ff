//===- WeftOps.h - weft graph ops -------------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_WEFT_IR_WEFTOPS_H
#define WEFT_DIALECT_WEFT_IR_WEFTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "weft/Analysis/ShardingRule.h"
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

/// The elementwise sharding rule of `op` (numpy broadcasting of every
/// operand to its single result) with the given linear operand sets: the
/// default of ShardingRuleOpInterface.
::weft::ShardingRule
elementwiseShardingRule(Operation *op,
                        std::vector<std::vector<int>> linearOperandSets);
/// Number of elements of `op`'s results (the default FLOP count).
double resultElementCount(Operation *op);
} // namespace mlir::weft

#include "weft/Dialect/Weft/IR/WeftEnums.h.inc"
#include "weft/Dialect/Weft/IR/WeftInterfaces.h.inc"

#define GET_OP_CLASSES
#include "weft/Dialect/Weft/IR/WeftOps.h.inc"

#endif // WEFT_DIALECT_WEFT_IR_WEFTOPS_H
