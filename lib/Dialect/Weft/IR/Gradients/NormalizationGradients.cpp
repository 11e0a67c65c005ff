//===- NormalizationGradients.cpp - VJPs of softmax and the norms ---------===//
//
// Softmax uses its result: `dx = y (g - sum(g y))`. The norms recompute
// their statistics from the input (biased variance, the op's epsilon) in
// the accumulator type the lowering normalizes in (f32 for f16/bf16), and
// round the gradients back to the operands' types:
//
//   xhat = (x - mean) * rstd                 (rms_norm: x * rstd)
//   dxhat = g * scale
//   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))
//                                            (rms_norm: no mean(dxhat))
//   dscale = sum(g xhat), dbias = sum(g)     over the leading dims
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Common/Accumulator.h"
#include "weft/Dialect/Weft/IR/GradientUtils.h"

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

namespace {

/// The gradients of layer_norm (`centered`) or rms_norm over the trailing
/// `rank(scale)` dims of `x`. `bias` is null for rms_norm.
void normGradients(ImplicitLocOpBuilder &b, Value x, Value scale, Value bias,
                   double epsilon, bool centered, Value g,
                   SmallVectorImpl<Value> &out) {
  RankedTensorType xt = typeOf(x), st = typeOf(scale);
  if (xt.getNumElements() == 0) {
    // No rows, or empty rows: nothing was normalized.
    out.push_back(zerosLike(b, x));
    out.push_back(zerosLike(b, scale));
    if (bias)
      out.push_back(zerosLike(b, bias));
    return;
  }
  Type et = xt.getElementType();
  Type acc = ::weft::accumulatorType(et);
  SmallVector<int64_t> axes;
  for (int64_t d = xt.getRank() - st.getRank(); d < xt.getRank(); ++d)
    axes.push_back(d);
  auto meanOf = [&](Value v) {
    return ReduceMeanOp::create(b, v, axes, /*keep_dims=*/true);
  };
  Value xa = castTo(b, x, acc), ga = castTo(b, g, acc);
  Value xc = centered ? sub(b, xa, meanOf(xa)) : xa;
  Value var = meanOf(mul(b, xc, xc));
  Value rstd = RsqrtOp::create(b, add(b, var, scalar(b, acc, epsilon)));
  Value xhat = mul(b, xc, rstd);
  Value dxhat = mul(b, ga, castTo(b, scale, acc));
  Value inner = sub(b, dxhat, mul(b, xhat, meanOf(mul(b, dxhat, xhat))));
  if (centered)
    inner = sub(b, inner, meanOf(dxhat));
  out.push_back(castTo(b, mul(b, rstd, inner), et));
  RankedTensorType paramType = st.clone(acc);
  out.push_back(castTo(b, unbroadcast(b, mul(b, ga, xhat), paramType), et));
  if (bias)
    out.push_back(castTo(b, unbroadcast(b, ga, paramType), et));
}

} // namespace

LogicalResult SoftmaxOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  Value y = getResult(), gy = mul(b, grads[0], y);
  Value dot = ReduceSumOp::create(b, gy, ArrayRef<int64_t>{getAxis()},
                                  /*keep_dims=*/true);
  out.push_back(sub(b, gy, mul(b, y, dot)));
  return success();
}

LogicalResult LayerNormOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  normGradients(b, getInput(), getScale(), getBias(),
                getEpsilon().convertToDouble(), /*centered=*/true, grads[0],
                out);
  return success();
}

LogicalResult RMSNormOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  normGradients(b, getInput(), getScale(), Value(),
                getEpsilon().convertToDouble(), /*centered=*/false, grads[0],
                out);
  return success();
}
