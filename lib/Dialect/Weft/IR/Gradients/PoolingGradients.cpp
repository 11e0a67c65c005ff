//===- PoolingGradients.cpp - VJPs of weft pooling ops --------------------===//
//
// An average pool hands each window's gradient, divided by the number of
// real (unpadded) elements under the window, to each of those elements: the
// divided gradient is dilated by the stride and summed over KH x KW
// windows by a convolution with a filter of ones. A max pool hands each
// window's gradient to the first element (row-major window order, as
// PyTorch) equal to the window's maximum; padded positions never win.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::weft;
using namespace mlir::weft::grad;

LogicalResult AvgPool2DOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType xt = getInput().getType();
  if (xt.getNumElements() == 0) {
    out.push_back(zerosLike(b, getInput()));
    return success();
  }
  ArrayRef<int64_t> in = xt.getShape(), res = getType().getShape();
  ArrayRef<int64_t> k = getKernel(), s = getStrides(), p = getPadding();
  Type et = xt.getElementType();

  // The real elements under window o of spatial dim i (a compile-time
  // constant; the count of a 2-D window is the product of the two).
  SmallVector<int64_t> counts[2];
  for (int i = 0; i < 2; ++i)
    for (int64_t o = 0; o < res[2 + i]; ++o) {
      int64_t first = o * s[i] - p[i];
      counts[i].push_back(std::min(first + k[i], in[2 + i]) -
                          std::max<int64_t>(first, 0));
    }
  SmallVector<double> count;
  for (int64_t ch : counts[0])
    for (int64_t cw : counts[1])
      count.push_back(static_cast<double>(ch * cw));
  Value g = grads[0];
  if (llvm::all_equal(count)) {
    g = div(b, g, scalar(b, et, count.front()));
  } else {
    auto countType = RankedTensorType::get({res[2], res[3]}, et);
    SmallVector<Attribute> values;
    for (double c : count)
      values.push_back(b.getFloatAttr(et, c));
    g = div(b, g,
            ConstantOp::create(b, DenseElementsAttr::get(countType, values)));
  }

  // dx_pad[i] = sum over windows o, offsets kh with o * s + kh = i: the
  // stride-dilated gradient padded by KH - 1 on both sides (plus the
  // unread trailing rows), summed over KH x KW windows; the pool's padding
  // comes off both ends. Padding is smaller than the kernel, so the edge
  // paddings are never negative.
  SmallVector<int64_t> convPad(4);
  for (int i = 0; i < 2; ++i) {
    int64_t padded = in[2 + i] + p[i] + p[i + 2];
    int64_t unread = padded - ((res[2 + i] - 1) * s[i] + k[i]);
    convPad[i] = k[i] - 1 - p[i];
    convPad[i + 2] = k[i] - 1 + unread - p[i + 2];
  }
  Value gd = pad(b, g, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, s[0] - 1, s[1] - 1});
  ArrayRef<int64_t> ds = typeOf(gd).getShape();
  // One channel per (n, c) pair, so one [1, 1, KH, KW] filter serves all.
  Value flat = reshape(b, gd, {in[0] * in[1], 1, ds[2], ds[3]});
  Value ones = splat(b, RankedTensorType::get({1, 1, k[0], k[1]}, et), 1);
  Value sum = Conv2DOp::create(b, flat, ones, /*bias=*/Value(), {1, 1}, convPad,
                               {1, 1}, 1);
  out.push_back(reshape(b, sum, in));
  return success();
}

LogicalResult MaxPool2DOp::buildGradients(OpBuilder &builder, ValueRange grads,
                                          SmallVectorImpl<Value> &out) {
  ImplicitLocOpBuilder b(getLoc(), builder);
  RankedTensorType xt = getInput().getType();
  if (xt.getNumElements() == 0) {
    out.push_back(zerosLike(b, getInput()));
    return success();
  }
  ArrayRef<int64_t> in = xt.getShape(), res = getType().getShape();
  ArrayRef<int64_t> k = getKernel(), s = getStrides(), p = getPadding();
  Type et = xt.getElementType();
  Value y = getResult(), g = grads[0];

  // NaN padding compares unequal to every maximum: padded positions never
  // win, even where the real elements of a window are all -inf.
  Value xp = pad(b, getInput(), {0, 0, p[0], p[1]}, {0, 0, p[2], p[3]}, {},
                 std::numeric_limits<double>::quiet_NaN());
  ArrayRef<int64_t> padded = typeOf(xp).getShape();
  // For each window offset: the elements at that offset of every window,
  // which of them win (equal to the maximum and no earlier offset won),
  // and their gradient put back in place in the padded input.
  Value free, total;
  Value one = scalar(b, et, 1);
  for (int64_t kh = 0; kh < k[0]; ++kh) {
    for (int64_t kw = 0; kw < k[1]; ++kw) {
      int64_t lastH = kh + (res[2] - 1) * s[0],
              lastW = kw + (res[3] - 1) * s[1];
      Value at =
          slice(b, xp, {0, 0, kh, kw}, {in[0], in[1], lastH + 1, lastW + 1},
                {1, 1, s[0], s[1]});
      Value wins = CompareOp::create(b, ComparePredicate::eq, at, y);
      if (free)
        wins = mul(b, wins, free);
      bool last = kh == k[0] - 1 && kw == k[1] - 1;
      if (!last)
        free = sub(b, free ? free : one, wins);
      Value placed = pad(b, mul(b, wins, g), {0, 0, kh, kw},
                         {0, 0, padded[2] - 1 - lastH, padded[3] - 1 - lastW},
                         {0, 0, s[0] - 1, s[1] - 1});
      total = total ? add(b, total, placed) : placed;
    }
  }
  out.push_back(slice(b, total, {0, 0, p[0], p[1]},
                      {in[0], in[1], p[0] + in[2], p[1] + in[3]}));
  return success();
}
