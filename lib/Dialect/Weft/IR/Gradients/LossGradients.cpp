//===- LossGradients.cpp - VJPs of cross_entropy and attention ------------===//
//
// Both rules recompute the softmax of their forward op in the accumulator
// type the lowering computes it in (f32 for f16/bf16) and round the
// gradients back to the operands' types.
//
// Cross-entropy: `dlogits = (softmax(logits) - one_hot(labels)) g / N`.
//
// Attention, with `P = softmax(q k^T scale + mask)` (causally masked
// positions at -inf, so P is 0 there):
//
//   dV = P^T dO        dP = dO V^T        dS = P (dP - rowsum(dP P))
//   dQ = dS K scale    dK = dS^T Q scale  dmask = dS summed to mask's shape
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Common/Accumulator.h"
#include "weft/Dialect/Weft/IR/GradientUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

namespace {

/// The additive causal mask `[S, T]`: 0 where key `t <= s`, -inf after.
Value causalMask(ImplicitLocOpBuilder &b, int64_t s, int64_t t, FloatType et) {
  APFloat zero = APFloat::getZero(et.getFloatSemantics());
  APFloat ninf = APFloat::getInf(et.getFloatSemantics(), /*Negative=*/true);
  SmallVector<APFloat> values;
  values.reserve(s * t);
  for (int64_t i = 0; i < s; ++i)
    for (int64_t j = 0; j < t; ++j)
      values.push_back(j > i ? ninf : zero);
  return ConstantOp::create(
      b, DenseElementsAttr::get(RankedTensorType::get({s, t}, et), values));
}

} // namespace

LogicalResult CrossEntropyOp::buildGradients(OpBuilder &builder,
                                             ValueRange grads,
                                             SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType lt = getLogits().getType();
  int64_t n = lt.getDimSize(0);
  if (n == 0) {
    // No rows: the loss is NaN whatever the (empty) logits are.
    out.push_back(zerosLike(b, getLogits()));
    out.push_back(Value());
    return success();
  }
  Type et = lt.getElementType();
  Type acc = ::weft::accumulatorType(et);
  Value probs = SoftmaxOp::create(b, castTo(b, getLogits(), acc), 1);
  Value hot = OneHotOp::create(b, lt.clone(acc), getLabels());
  Value perRow = scale(b, castTo(b, grads[0], acc), 1.0 / n);
  out.push_back(castTo(b, mul(b, sub(b, probs, hot), perRow), et));
  out.push_back(Value()); // integer labels
  return success();
}

LogicalResult ScaledDotProductAttentionOp::buildGradients(
    OpBuilder &builder, ValueRange grads, SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType qt = getQuery().getType();
  Value mask = getMask();
  int64_t rank = qt.getRank();
  int64_t s = qt.getDimSize(rank - 2);
  int64_t t = getKey().getType().getDimSize(rank - 2);
  if (t == 0) {
    // No keys: the result is zeros whatever the operands are.
    for (Value v : getOperands())
      out.push_back(zerosLike(b, v));
    return success();
  }
  Type et = qt.getElementType();
  auto acc = cast<FloatType>(::weft::accumulatorType(et));
  double scaleBy = getScale() ? getScale()->convertToDouble()
                              : 1.0 / std::sqrt(double(qt.getShape().back()));
  Value q = castTo(b, getQuery(), acc), k = castTo(b, getKey(), acc),
        v = castTo(b, getValue(), acc), dO = castTo(b, grads[0], acc);

  // The forward's probabilities.
  Value scores = scale(b, matmul(b, q, k, false, true), scaleBy);
  if (mask)
    scores = add(b, scores, castTo(b, mask, acc));
  if (getIsCausal())
    scores = add(b, scores, causalMask(b, s, t, acc));
  Value p = SoftmaxOp::create(b, scores, rank - 1);

  Value dV = matmul(b, p, dO, true, false);
  Value dP = matmul(b, dO, v, false, true);
  Value rowDot =
      ReduceSumOp::create(b, mul(b, dP, p), ArrayRef<int64_t>{rank - 1},
                          /*keep_dims=*/true);
  Value dS = mul(b, p, sub(b, dP, rowDot));
  Value dQ = scale(b, matmul(b, dS, k, false, false), scaleBy);
  Value dK = scale(b, matmul(b, dS, q, true, false), scaleBy);
  out.push_back(castTo(b, dQ, et));
  out.push_back(castTo(b, dK, et));
  out.push_back(castTo(b, dV, et));
  if (mask) {
    RankedTensorType mt = typeOf(mask);
    out.push_back(castTo(b, unbroadcast(b, dS, mt.clone(acc)), et));
  }
  return success();
}
