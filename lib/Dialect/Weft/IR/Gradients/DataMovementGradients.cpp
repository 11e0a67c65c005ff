//===- DataMovementGradients.cpp - VJPs of weft data movement ops ---------===//
//
// Each rule moves the result gradient back to where the operand's elements
// came from: transposes invert, slices pad (interior padding undoes a
// stride), pads slice, concatenations split, broadcasts sum, gathers
// scatter-add (and the other way round).
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

LogicalResult EmbeddingOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(
      EmbeddingGradOp::create(b, getTable().getType(), grads[0], getIndices()));
  out.push_back(Value()); // integer indices
  return success();
}

LogicalResult EmbeddingGradOp::buildGradients(OpBuilder &builder,
                                              ValueRange grads,
                                              SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(EmbeddingOp::create(b, grads[0], getIndices()));
  out.push_back(Value());
  return success();
}

LogicalResult OneHotOp::buildGradients(OpBuilder &, ValueRange,
                                       SmallVectorImpl<Value> &out) {
  out.push_back(Value()); // integer labels
  return success();
}

LogicalResult TransposeOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = static_cast<int64_t>(i);
  out.push_back(TransposeOp::create(b, grads[0], inverse));
  return success();
}

LogicalResult ReshapeOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(reshape(b, grads[0], getInput().getType().getShape()));
  return success();
}

LogicalResult BroadcastToOp::buildGradients(OpBuilder &builder,
                                            ValueRange grads,
                                            SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(unbroadcast(b, grads[0], getInput().getType()));
  return success();
}

LogicalResult ConcatOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  int64_t axis = getAxis(), offset = 0;
  ArrayRef<int64_t> shape = getType().getShape();
  for (Value in : getInputs()) {
    RankedTensorType t = typeOf(in);
    int64_t n = t.getDimSize(axis);
    if (!isa<FloatType>(t.getElementType())) {
      out.push_back(Value());
    } else if (t.getNumElements() == 0) {
      out.push_back(zerosLike(b, in)); // a slice cannot be empty
    } else {
      SmallVector<int64_t> starts(shape.size(), 0), limits(shape);
      starts[axis] = offset;
      limits[axis] = offset + n;
      out.push_back(SliceOp::create(b, grads[0], starts, limits, nullptr));
    }
    offset += n;
  }
  return success();
}

LogicalResult SliceOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                      SmallVectorImpl<Value> &out) {
  // Element i of dim d came from start + i * stride: pad `start` before,
  // `stride - 1` between and the rest after.
  ImplicitLocOpBuilder b(getLoc(), builder);
  ArrayRef<int64_t> in = getInput().getType().getShape(),
                    res = getType().getShape();
  SmallVector<int64_t> low, high, interior;
  for (size_t d = 0; d < in.size(); ++d) {
    int64_t start = getStarts()[d], stride = getStride(d);
    int64_t last = start + (res[d] - 1) * stride; // res[d] >= 1
    low.push_back(start);
    interior.push_back(stride - 1);
    high.push_back(in[d] - 1 - last);
  }
  bool strided = llvm::any_of(interior, [](int64_t i) { return i != 0; });
  out.push_back(PadOp::create(
      b, grads[0], b.getDenseI64ArrayAttr(low), b.getDenseI64ArrayAttr(high),
      strided ? b.getDenseI64ArrayAttr(interior) : DenseI64ArrayAttr(),
      b.getF64FloatAttr(0)));
  return success();
}

LogicalResult PadOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                    SmallVectorImpl<Value> &out) {
  // The input's elements sit at low + i * (interior + 1).
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType in = getInput().getType();
  if (in.getNumElements() == 0) {
    out.push_back(zerosLike(b, getInput()));
    return success();
  }
  SmallVector<int64_t> starts, limits, strides;
  bool strided = false;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t step = getInteriorOf(d) + 1;
    starts.push_back(getLow()[d]);
    limits.push_back(getLow()[d] + (in.getDimSize(d) - 1) * step + 1);
    strides.push_back(step);
    strided |= step != 1;
  }
  out.push_back(SliceOp::create(b, grads[0], starts, limits,
                                strided ? b.getDenseI64ArrayAttr(strides)
                                        : DenseI64ArrayAttr()));
  return success();
}

LogicalResult ReverseOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                        SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  out.push_back(ReverseOp::create(b, grads[0], getAxes()));
  return success();
}
