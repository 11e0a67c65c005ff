//===- DTypes.h - artifact dtypes <-> MLIR element types --------*- C++ -*-===//
//
// The dtype table itself is format::kDTypes (weft/runtime/Format.h); these
// two functions are the only place that relates it to MLIR types.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_TARGET_DTYPES_H
#define WEFT_TARGET_DTYPES_H

#include "mlir/IR/BuiltinTypes.h"
#include "weft/runtime/Format.h"

#include <optional>

namespace weft {

/// The artifact dtype of an MLIR element type, if it has one.
std::optional<format::DType> dtypeOf(mlir::Type type);

/// The MLIR element type of an artifact dtype.
mlir::Type elementTypeOf(format::DType dtype, mlir::MLIRContext *ctx);

} // namespace weft

#endif // WEFT_TARGET_DTYPES_H
