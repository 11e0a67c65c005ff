//===- GradientUtils.cpp - building blocks of gradient rules --------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"

using namespace mlir;
using namespace mlir::weft;

Value grad::splat(ImplicitLocOpBuilder &b, RankedTensorType type, double v) {
  Type et = type.getElementType();
  Attribute value;
  if (auto ft = dyn_cast<FloatType>(et))
    value = b.getFloatAttr(ft, v);
  else
    value = b.getIntegerAttr(et, static_cast<int64_t>(v));
  return ConstantOp::create(b, DenseElementsAttr::get(type, value));
}

Value grad::scalar(ImplicitLocOpBuilder &b, Type elementType, double v) {
  return splat(b, RankedTensorType::get({}, elementType), v);
}

Value grad::zerosLike(ImplicitLocOpBuilder &b, Value v) {
  return splat(b, typeOf(v), 0);
}

Value grad::reshape(ImplicitLocOpBuilder &b, Value v, ArrayRef<int64_t> shape) {
  RankedTensorType t = typeOf(v);
  if (t.getShape() == shape)
    return v;
  return ReshapeOp::create(b, RankedTensorType::get(shape, t.getElementType()),
                           v);
}

Value grad::broadcastTo(ImplicitLocOpBuilder &b, Value v,
                        RankedTensorType type) {
  if (v.getType() == type)
    return v;
  return BroadcastToOp::create(b, type, v);
}

Value grad::unbroadcast(ImplicitLocOpBuilder &b, Value g,
                        RankedTensorType type) {
  RankedTensorType gt = typeOf(g);
  if (gt.getShape() == type.getShape())
    return g;
  int64_t lead = gt.getRank() - type.getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < gt.getRank(); ++d)
    if (d < lead || (type.getDimSize(d - lead) == 1 && gt.getDimSize(d) != 1))
      axes.push_back(d);
  Value sum = g;
  if (!axes.empty())
    sum = ReduceSumOp::create(b, g, axes, /*keep_dims=*/true);
  return reshape(b, sum, type.getShape());
}

Value grad::unreduce(ImplicitLocOpBuilder &b, Value reduced,
                     ArrayRef<int64_t> axes, RankedTensorType input) {
  SmallVector<int64_t> kept(input.getShape());
  for (int64_t a : axes)
    kept[a] = 1;
  return broadcastTo(b, reshape(b, reduced, kept), input);
}

Value grad::mul(ImplicitLocOpBuilder &b, Value x, Value y) {
  return MulOp::create(b, x, y);
}
Value grad::add(ImplicitLocOpBuilder &b, Value x, Value y) {
  return AddOp::create(b, x, y);
}
Value grad::sub(ImplicitLocOpBuilder &b, Value x, Value y) {
  return SubOp::create(b, x, y);
}
Value grad::div(ImplicitLocOpBuilder &b, Value x, Value y) {
  return DivOp::create(b, x, y);
}
Value grad::scale(ImplicitLocOpBuilder &b, Value x, double c) {
  return mul(b, x, scalar(b, typeOf(x).getElementType(), c));
}

Value grad::matmul(ImplicitLocOpBuilder &b, Value lhs, Value rhs,
                   bool transposeLhs, bool transposeRhs) {
  if (typeOf(lhs).getRank() == 2)
    return MatmulOp::create(b, lhs, rhs, transposeLhs, transposeRhs);
  return BatchMatmulOp::create(b, lhs, rhs, transposeLhs, transposeRhs);
}

Value grad::castTo(ImplicitLocOpBuilder &b, Value v, Type elementType) {
  RankedTensorType t = typeOf(v);
  if (t.getElementType() == elementType)
    return v;
  return CastOp::create(b, t.clone(elementType), v);
}

Value grad::pad(ImplicitLocOpBuilder &b, Value v, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, ArrayRef<int64_t> interior,
                double value) {
  auto nonZero = [](int64_t x) { return x != 0; };
  bool inner = llvm::any_of(interior, nonZero);
  if (!inner && !llvm::any_of(low, nonZero) && !llvm::any_of(high, nonZero))
    return v;
  return PadOp::create(
      b, v, b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high),
      inner ? b.getDenseI64ArrayAttr(interior) : DenseI64ArrayAttr(),
      b.getF64FloatAttr(value));
}

Value grad::slice(ImplicitLocOpBuilder &b, Value v, ArrayRef<int64_t> starts,
                  ArrayRef<int64_t> limits, ArrayRef<int64_t> strides) {
  ArrayRef<int64_t> shape = typeOf(v).getShape();
  bool strided = llvm::any_of(strides, [](int64_t s) { return s != 1; });
  bool whole = !strided &&
               llvm::all_of(starts, [](int64_t s) { return s == 0; }) &&
               limits == shape;
  if (whole)
    return v;
  return SliceOp::create(b, v, starts, limits,
                         strided ? b.getDenseI64ArrayAttr(strides)
                                 : DenseI64ArrayAttr());
}
