//===- DistDialect.h - dist dialect -----------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_DIST_IR_DISTDIALECT_H
#define WEFT_DIALECT_DIST_IR_DISTDIALECT_H

#include "mlir/IR/Dialect.h"

#include "weft/Dialect/Dist/IR/DistDialect.h.inc"

namespace mlir::dist {
/// Discardable attributes the dist passes put on ops, functions, arguments
/// and results (one spelling for every pass that reads or writes them).
namespace attr {
/// `#dist.sharding` of a value: an op's result, an argument, a result.
inline constexpr llvm::StringLiteral kSharding = "dist.sharding";
/// A collective's global order number (every device issues them in order).
inline constexpr llvm::StringLiteral kOrder = "dist.order";
/// A collective's devices, in group order (dist-specialize).
inline constexpr llvm::StringLiteral kGroup = "dist.group";
/// On a partitioned (SPMD) entry: the mesh it runs on.
inline constexpr llvm::StringLiteral kPartitioned = "dist.partitioned";
/// On a per-device function: its device number and its entry's name.
inline constexpr llvm::StringLiteral kDevice = "dist.device";
inline constexpr llvm::StringLiteral kEntry = "dist.entry";
/// On a per-device argument or result: where its slice of the global
/// tensor starts, and the global tensor's type.
inline constexpr llvm::StringLiteral kStart = "dist.start";
inline constexpr llvm::StringLiteral kGlobalType = "dist.global_type";
/// On an embedding: the mesh axes splitting its table's rows.
inline constexpr llvm::StringLiteral kVocabAxes = "dist.vocab_axes";
} // namespace attr
} // namespace mlir::dist

#endif // WEFT_DIALECT_DIST_IR_DISTDIALECT_H
