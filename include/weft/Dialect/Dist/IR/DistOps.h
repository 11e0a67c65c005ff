//===- DistOps.h - dist ops, attributes and types ---------------*- C++ -*-===//
#ifndef WEFT_DIALECT_DIST_IR_DISTOPS_H
#define WEFT_DIALECT_DIST_IR_DISTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "weft/Analysis/CostModel.h"
#include "weft/Analysis/SBP.h"
#include "weft/Dialect/Dist/IR/DistDialect.h"
#include "llvm/ADT/Hashing.h"

#include "weft/Dialect/Dist/IR/DistEnums.h.inc"

namespace mlir::dist {
class MeshOp;
} // namespace mlir::dist

namespace weft::sbp {
/// Lets `#dist.sharding` store placements as attribute parameters.
inline llvm::hash_code hash_value(const Placement &p) {
  return llvm::hash_combine(static_cast<int>(p.kind), p.dim);
}
} // namespace weft::sbp

#define GET_ATTRDEF_CLASSES
#include "weft/Dialect/Dist/IR/DistAttrs.h.inc"
#define GET_TYPEDEF_CLASSES
#include "weft/Dialect/Dist/IR/DistTypes.h.inc"
namespace mlir::dist {
/// `!dist.host<T>` for a ranked tensor T; other types come back unchanged
/// (the parser applies this before verification, so it must be total).
Type hostFormOf(Type type);
/// The tensor a `!dist.host<T>` holds; other types come back unchanged.
Type deviceFormOf(Type type);
} // namespace mlir::dist

#define GET_OP_CLASSES
#include "weft/Dialect/Dist/IR/DistOps.h.inc"

#endif // WEFT_DIALECT_DIST_IR_DISTOPS_H
