//===- GradientUtils.h - building blocks of gradient rules ------*- C++ -*-===//
//
// What the reverse-mode rules of weft ops (GradientOpInterface, in
// lib/Dialect/Weft/IR/Gradients/) share: constants, summing a broadcast
// gradient back to an operand's shape, undoing a reduction's shape. Every
// helper builds weft ops at the builder's insertion point.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_DIALECT_WEFT_IR_GRADIENTUTILS_H
#define WEFT_DIALECT_WEFT_IR_GRADIENTUTILS_H

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"

namespace mlir::weft::grad {

/// The ranked tensor type of `v`.
inline RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A `weft.constant` splat of `v` with type `type` (float or integer).
Value splat(ImplicitLocOpBuilder &b, RankedTensorType type, double v);

/// A rank-0 `weft.constant` of element type `elementType` holding `v`.
Value scalar(ImplicitLocOpBuilder &b, Type elementType, double v);

/// Zeros of `v`'s type.
Value zerosLike(ImplicitLocOpBuilder &b, Value v);

/// `v` reshaped to `shape` (same element type); `v` when already so.
Value reshape(ImplicitLocOpBuilder &b, Value v, ArrayRef<int64_t> shape);

/// `v` broadcast (numpy rules) to `type`; `v` when already of that type.
Value broadcastTo(ImplicitLocOpBuilder &b, Value v, RankedTensorType type);

/// The gradient `g` of a result that `type` was broadcast into, summed
/// back to `type`: over the leading dims `type` lacks and over its size-1
/// dims that `g` has wider. `g` when the shapes already match.
Value unbroadcast(ImplicitLocOpBuilder &b, Value g, RankedTensorType type);

/// A reduction's result (or its gradient) `reduced`, taken over `axes` of
/// `input` with `keepDims` or not, reshaped to keep the reduced dims as 1
/// and broadcast back to `input`'s type.
Value unreduce(ImplicitLocOpBuilder &b, Value reduced, ArrayRef<int64_t> axes,
               RankedTensorType input);

/// `x * y`, `x + y`, `x - y`, `x / y` with numpy broadcasting (shorthands
/// that keep rules readable).
Value mul(ImplicitLocOpBuilder &b, Value x, Value y);
Value add(ImplicitLocOpBuilder &b, Value x, Value y);
Value sub(ImplicitLocOpBuilder &b, Value x, Value y);
Value div(ImplicitLocOpBuilder &b, Value x, Value y);
/// `x * c` for a scalar constant `c` of `x`'s element type.
Value scale(ImplicitLocOpBuilder &b, Value x, double c);

/// `op(lhs) x op(rhs)` (`op` transposes the last two dims where asked) as
/// a `weft.matmul` for rank 2 and a `weft.batch_matmul` above.
Value matmul(ImplicitLocOpBuilder &b, Value lhs, Value rhs,
             bool transposeLhs = false, bool transposeRhs = false);

/// `v` converted to element type `elementType`; `v` when already of it.
Value castTo(ImplicitLocOpBuilder &b, Value v, Type elementType);

/// `weft.pad` of `v` (`interior` may be empty for none) with `value`; `v`
/// when nothing is padded.
Value pad(ImplicitLocOpBuilder &b, Value v, ArrayRef<int64_t> low,
          ArrayRef<int64_t> high, ArrayRef<int64_t> interior = {},
          double value = 0);

/// `weft.slice` of `v` (`strides` may be empty for unit strides); `v` when
/// the slice is the whole tensor. The slice must not be empty.
Value slice(ImplicitLocOpBuilder &b, Value v, ArrayRef<int64_t> starts,
            ArrayRef<int64_t> limits, ArrayRef<int64_t> strides = {});

} // namespace mlir::weft::grad

#endif // WEFT_DIALECT_WEFT_IR_GRADIENTUTILS_H
