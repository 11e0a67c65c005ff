//===- TensorLimits.h - size and rank limits of weft tensors ----*- C++ -*-===//
//
// One place that says how big a tensor weft accepts and computes its size
// without overflow. Verifiers use it to reject types whose byte size does
// not fit; the compiler uses it to size buffers. Header-only so that every
// library (dialects, conversions, the compiler) can use it without a new
// link dependency.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_DIALECT_COMMON_TENSORLIMITS_H
#define WEFT_DIALECT_COMMON_TENSORLIMITS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::weft {

/// Largest tensor weft accepts: 2^48 bytes (256 TiB). Far above any device
/// memory, and far enough below INT64_MAX that sums of buffer sizes, offsets
/// and alignment padding in the planner cannot overflow.
constexpr int64_t kMaxTensorBytes = int64_t(1) << 48;
/// Highest rank weft accepts.
constexpr int64_t kMaxTensorRank = 16;

/// Bytes one element takes in memory: ceil(bits / 8).
inline int64_t elementByteSize(Type elementType) {
  return (static_cast<int64_t>(elementType.getIntOrFloatBitWidth()) + 7) / 8;
}

/// Number of elements of a static shape, or failure when the product
/// overflows int64 or a dim is dynamic or negative.
inline FailureOr<int64_t> checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return failure();
    std::optional<int64_t> p = llvm::checkedMul(n, d);
    if (!p)
      return failure();
    n = *p;
  }
  return n;
}

/// Bytes a statically shaped int/float tensor or memref needs (elements x
/// element bytes), or failure when the type is dynamic, not of an int/float
/// element type, or the size overflows int64 or exceeds kMaxTensorBytes.
/// A zero-element type needs 0 bytes.
inline FailureOr<int64_t> checkedByteSize(ShapedType type) {
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return failure();
  FailureOr<int64_t> n = checkedNumElements(type.getShape());
  if (failed(n))
    return failure();
  std::optional<int64_t> bytes =
      llvm::checkedMul(*n, elementByteSize(type.getElementType()));
  if (!bytes || *bytes > kMaxTensorBytes)
    return failure();
  return *bytes;
}

/// Checks `type` against kMaxTensorRank and kMaxTensorBytes; reports
/// through `emitError` (e.g. `[&] { return op->emitOpError(); }`).
/// Dynamic or non-int/float types pass: other constraints judge them.
inline LogicalResult
verifyTensorLimits(function_ref<InFlightDiagnostic()> emitError,
                   ShapedType type) {
  if (!type.hasRank())
    return success();
  if (type.getRank() > kMaxTensorRank)
    return emitError() << type << " has rank " << type.getRank() << "; at most "
                       << kMaxTensorRank << " dims are supported";
  if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return success();
  if (failed(checkedByteSize(type)))
    return emitError() << type << " needs more than " << kMaxTensorBytes
                       << " bytes (2^48), the largest tensor supported";
  return success();
}

} // namespace mlir::weft

#endif // WEFT_DIALECT_COMMON_TENSORLIMITS_H
