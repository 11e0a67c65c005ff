//===- ContractionGradients.cpp - VJPs of matmuls and convolutions --------===//
//
// A matrix product's gradients are matrix products of the result gradient
// with the other operand; the transpose flags of the new products absorb
// the operands' own flags, so no transpose is materialized.
//
// A convolution's input gradient is the transposed convolution: the result
// gradient, dilated by the stride (interior padding) and edge-padded, is
// correlated with the filter reversed on KH/KW and with F/C swapped within
// each group. Its filter gradient is a convolution with the roles swapped:
// the input (channels as the batch) convolved with the result gradient
// (batch as the channels), stride and dilation exchanged. Its bias gradient
// sums over N, OH and OW.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

namespace {

/// Gradients of `C = A' B'` with `A' = tl ? A^T : A`, `B' = tr ? B^T : B`:
/// `dA' = G B'^T` and `dB' = A'^T G`, transposed back where the operand is
/// read transposed (`dA = B' G^T`, `dB = G^T A'`).
LogicalResult contractionGradients(Operation *op, OpBuilder &builder, Value lhs,
                                   Value rhs, bool tl, bool tr, Value g,
                                   SmallVectorImpl<Value> &out) {
  if (!isa<FloatType>(typeOf(lhs).getElementType())) {
    out.append(2, Value()); // integer matmuls have no gradient
    return success();
  }
  ImplicitLocOpBuilder b(op->getLoc(), builder);
  out.push_back(tl ? matmul(b, rhs, g, tr, true)
                   : matmul(b, g, rhs, false, !tr));
  out.push_back(tr ? matmul(b, g, lhs, true, tl)
                   : matmul(b, lhs, g, !tl, false));
  return success();
}

/// `v [D0, D1, ...]` with its two leading dims swapped.
Value swapLeading(ImplicitLocOpBuilder &b, Value v) {
  return TransposeOp::create(b, v, ArrayRef<int64_t>{1, 0, 2, 3});
}

/// `x [N, G * Cg, H, W]` as `[Cg, G * N, H, W]` (`x[n, g * Cg + c]` at
/// `[c, g * N + n]`): the batch as channels, split into the same groups.
Value swapInputGroups(ImplicitLocOpBuilder &b, Value x, int64_t groups) {
  if (groups == 1)
    return swapLeading(b, x);
  ArrayRef<int64_t> s = typeOf(x).getShape();
  int64_t per = s[1] / groups;
  Value split = reshape(b, x, {s[0], groups, per, s[2], s[3]});
  Value t = TransposeOp::create(b, split, ArrayRef<int64_t>{2, 1, 0, 3, 4});
  return reshape(b, t, {per, groups * s[0], s[2], s[3]});
}

/// `w [G * Fg, Cg, KH, KW]` as `[G * Cg, Fg, KH, KW]` (`w[g * Fg + f, c]` at
/// `[g * Cg + c, f]`): filter and channel roles swapped within each group.
Value swapFilterGroups(ImplicitLocOpBuilder &b, Value w, int64_t groups) {
  if (groups == 1)
    return swapLeading(b, w);
  ArrayRef<int64_t> s = typeOf(w).getShape();
  int64_t per = s[0] / groups;
  Value split = reshape(b, w, {groups, per, s[1], s[2], s[3]});
  Value t = TransposeOp::create(b, split, ArrayRef<int64_t>{0, 2, 1, 3, 4});
  return reshape(b, t, {groups * s[1], per, s[2], s[3]});
}

} // namespace

LogicalResult MatmulOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  return contractionGradients(*this, builder, getLhs(), getRhs(),
                              getTransposeLhs(), getTransposeRhs(), grads[0],
                              out);
}

LogicalResult BatchMatmulOp::buildGradients(OpBuilder &builder,
                                            ValueRange grads,
                                            SmallVectorImpl<Value> &out) {
  return contractionGradients(*this, builder, getLhs(), getRhs(),
                              getTransposeLhs(), getTransposeRhs(), grads[0],
                              out);
}

LogicalResult Conv2DOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                       SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  Value x = getInput(), w = getFilter(), g = grads[0];
  RankedTensorType xt = getInput().getType(), wt = getFilter().getType();
  ArrayRef<int64_t> in = xt.getShape(), res = getType().getShape(),
                    k = wt.getShape();
  ArrayRef<int64_t> s = getStrides(), p = getPadding(), d = getDilations();
  int64_t groups = getGroups();
  // With no input, filter or result element there is nothing to correlate:
  // the input and filter gradients are zero.
  bool empty = xt.getNumElements() == 0 || wt.getNumElements() == 0 ||
               getType().getNumElements() == 0;

  // Per spatial dim i: the window span, and the trailing rows of the padded
  // input that no window reads (a strided conv may stop short of the end).
  int64_t span[2], unread[2];
  for (int i = 0; i < 2; ++i) {
    span[i] = d[i] * (k[2 + i] - 1);
    int64_t padded = in[2 + i] + p[i] + p[i + 2];
    unread[i] = padded - ((res[2 + i] - 1) * s[i] + span[i] + 1);
  }

  // Input gradient: dx_pad[i] = sum_kh gd[i - kh * d] w[kh] with gd the
  // gradient dilated by the stride, i.e. a correlation of gd padded by
  // `span` before and `span + unread` after with the reversed filter; the
  // padding of the forward conv then comes off both ends. Where that would
  // be a negative padding the correlation runs unpadded and its output is
  // cropped instead.
  if (empty) {
    out.push_back(zerosLike(b, x));
  } else {
    Value gd =
        pad(b, g, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, s[0] - 1, s[1] - 1});
    SmallVector<int64_t> convPad(4), starts(4, 0), limits(in);
    for (int i = 0; i < 2; ++i) {
      int64_t lo = span[i] - p[i], hi = span[i] + unread[i] - p[i + 2];
      convPad[i] = std::max<int64_t>(lo, 0);
      convPad[i + 2] = std::max<int64_t>(hi, 0);
      int64_t cropLo = std::max<int64_t>(-lo, 0);
      starts[2 + i] = cropLo;
      limits[2 + i] = cropLo + in[2 + i];
    }
    SmallVector<int64_t> flip;
    for (int64_t axis : {2, 3})
      if (k[axis] > 1)
        flip.push_back(axis);
    Value wr = flip.empty() ? w : ReverseOp::create(b, w, flip);
    // [F, Cg, KH, KW] -> [C, Fg, KH, KW] within each group.
    Value dx = Conv2DOp::create(b, gd, swapFilterGroups(b, wr, groups),
                                /*bias=*/Value(), {1, 1}, convPad, d, groups);
    out.push_back(slice(b, dx, starts, limits));
  }

  // Filter gradient: dw[f, c, kh, kw] = sum_{n, oh, ow} g[n, f, oh, ow]
  // x_pad[n, c, oh * s + kh * d, ...], a conv of x^T [Cg, G * N, H, W] with
  // the filter g^T [F, N, OH, OW] (stride d, dilation s) giving
  // [Cg, F, KH', KW'] with KH' >= KH. Rows that no window reads are dropped
  // from the padding first; what is left over is sliced off.
  if (empty) {
    out.push_back(zerosLike(b, w));
  } else {
    SmallVector<int64_t> convPad(p);
    for (int i = 0; i < 2; ++i)
      convPad[i + 2] -= std::min(p[i + 2], unread[i]);
    // g^T needs no regrouping: filter f of the swapped conv reads the
    // channels g * N + n of its group g = f / Fg.
    Value dwT =
        Conv2DOp::create(b, swapInputGroups(b, x, groups), swapLeading(b, g),
                         /*bias=*/Value(), d, convPad, s, groups);
    Value dw = slice(b, dwT, {0, 0, 0, 0}, {k[1], k[0], k[2], k[3]});
    out.push_back(swapLeading(b, dw));
  }

  if (getBias())
    out.push_back(ReduceSumOp::create(b, g, ArrayRef<int64_t>{0, 2, 3}));
  return success();
}
