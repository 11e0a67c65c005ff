//===- ReductionGradients.cpp - VJPs of weft reductions -------------------===//
//
// The result gradient is broadcast back over the reduced axes: as it is for
// a sum, divided by the element count for a mean, and shared among the
// elements equal to the maximum for a max (evenly among ties, as JAX does).
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

LogicalResult ReduceSumOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(unreduce(b, grads[0], getAxes(), getInput().getType()));
  return success();
}

LogicalResult ReduceMeanOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                           SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType in = getInput().getType();
  double count = 1;
  for (int64_t a : getAxes())
    count *= static_cast<double>(in.getDimSize(a));
  Value g = unreduce(b, grads[0], getAxes(), in);
  out.push_back(count == 0 ? g : scale(b, g, 1 / count));
  return success();
}

LogicalResult ReduceMaxOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType in = getInput().getType();
  Value max = unreduce(b, getResult(), getAxes(), in);
  Value mask = CompareOp::create(b, ComparePredicate::eq, getInput(), max);
  Value ties = ReduceSumOp::create(b, mask, getAxes(), /*keep_dims=*/true);
  Value share = div(b, unreduce(b, grads[0], getAxes(), in), ties);
  out.push_back(mul(b, mask, share));
  return success();
}
