//===- ConvToGemm.cpp - f32 convolutions as one BLAS GEMM (im2col) --------===//
//
//   x [N, C, H, W] -> NHWC, padded -> one strided slice per filter tap
//   (i, j): [N, OH, OW, C] -> concatenated: [N*OH*OW, KH*KW*C] (im2col)
//   filter [F, C, KH, KW] -> [KH*KW*C, F]
//   matmul -> [N*OH*OW, F] -> [N, OH, OW, F] -> NCHW (+ bias)
//
// The GEMM becomes a library call; the layout changes and the bias are
// elementwise kernels the fusion policy merges. Grouped convolutions and
// other element types keep the generated convolution.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace weft {
#define GEN_PASS_DEF_CONVTOGEMMPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::weft;

namespace {

struct ConvToGemm : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType xt = op.getInput().getType(),
                     ft = op.getFilter().getType(), yt = op.getType();
    if (op.getGroups() != 1 || !yt.getElementType().isF32() ||
        !xt.hasStaticShape() || !ft.hasStaticShape() || !yt.hasStaticShape())
      return failure();
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t n = xt.getDimSize(0), c = xt.getDimSize(1);
    int64_t f = ft.getDimSize(0), kh = ft.getDimSize(2), kw = ft.getDimSize(3);
    int64_t oh = yt.getDimSize(2), ow = yt.getDimSize(3);
    ArrayRef<int64_t> pad = op.getPadding(), s = op.getStrides(),
                      d = op.getDilations();
    if (n * oh * ow == 0 || f == 0 || c * kh * kw == 0)
      return failure();

    Value x =
        TransposeOp::create(b, op.getInput(), ArrayRef<int64_t>{0, 2, 3, 1});
    x = grad::pad(b, x, {0, pad[0], pad[1], 0}, {0, pad[2], pad[3], 0});
    SmallVector<Value> taps;
    for (int64_t i = 0; i < kh; ++i)
      for (int64_t j = 0; j < kw; ++j) {
        int64_t h0 = i * d[0], w0 = j * d[1];
        taps.push_back(grad::slice(
            b, x, {0, h0, w0, 0},
            {n, h0 + s[0] * (oh - 1) + 1, w0 + s[1] * (ow - 1) + 1, c},
            {1, s[0], s[1], 1}));
      }
    Value cols =
        taps.size() == 1
            ? taps.front()
            : ConcatOp::create(b, taps, b.getI64IntegerAttr(3)).getResult();
    cols = grad::reshape(b, cols, {n * oh * ow, kh * kw * c});
    Value w =
        TransposeOp::create(b, op.getFilter(), ArrayRef<int64_t>{2, 3, 1, 0});
    w = grad::reshape(b, w, {kh * kw * c, f});
    Value y = grad::matmul(b, cols, w);
    y = grad::reshape(b, y, {n, oh, ow, f});
    y = TransposeOp::create(b, y, ArrayRef<int64_t>{0, 3, 1, 2});
    if (Value bias = op.getBias())
      y = grad::add(b, y, grad::reshape(b, bias, {f, 1, 1}));
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct ConvToGemmPass : ::weft::impl::ConvToGemmPassBase<ConvToGemmPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToGemm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
