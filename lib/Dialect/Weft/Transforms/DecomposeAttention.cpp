//===- DecomposeAttention.cpp - attention as matmuls + softmax ------------===//
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace weft {
#define GEN_PASS_DEF_DECOMPOSEATTENTIONPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
namespace wd = mlir::weft;

namespace {

/// q k^T (or, with `transposeRhs` false, p v) for rank-2 or batched
/// operands.
Value product(PatternRewriter &b, Location loc, Value lhs, Value rhs,
              bool transposeRhs) {
  SmallVector<NamedAttribute> attrs;
  if (transposeRhs)
    attrs.push_back(b.getNamedAttr("transpose_rhs", b.getUnitAttr()));
  if (cast<RankedTensorType>(lhs.getType()).getRank() == 2)
    return wd::MatmulOp::create(b, loc, ValueRange{lhs, rhs}, attrs);
  return wd::BatchMatmulOp::create(b, loc, ValueRange{lhs, rhs}, attrs);
}

struct DecomposeAttention : OpRewritePattern<wd::ScaledDotProductAttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(wd::ScaledDotProductAttentionOp op,
                                PatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto qt = op.getQuery().getType();
    Type et = qt.getElementType();
    int64_t rank = qt.getRank();
    Value scores = product(b, loc, op.getQuery(), op.getKey(), true);
    auto st = cast<RankedTensorType>(scores.getType());

    double scale = op.getScale()
                       ? op.getScale()->convertToDouble()
                       : 1.0 / std::sqrt(double(qt.getShape().back()));
    auto scalarType = RankedTensorType::get({}, et);
    Value c = wd::ConstantOp::create(
        b, loc, DenseElementsAttr::get(scalarType, b.getFloatAttr(et, scale)));
    scores = wd::MulOp::create(b, loc, scores, c);
    if (Value mask = op.getMask())
      scores = wd::AddOp::create(b, loc, scores, mask);
    if (op.getIsCausal()) {
      // Key t > query s is masked: an additive [S, T] constant of 0 / -inf.
      int64_t s = st.getDimSize(rank - 2), t = st.getDimSize(rank - 1);
      auto ft = cast<FloatType>(et);
      APFloat zero = APFloat::getZero(ft.getFloatSemantics());
      APFloat ninf = APFloat::getInf(ft.getFloatSemantics(), true);
      SmallVector<APFloat> values;
      for (int64_t i = 0; i < s; ++i)
        for (int64_t j = 0; j < t; ++j)
          values.push_back(j > i ? ninf : zero);
      Value causal = wd::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(RankedTensorType::get({s, t}, et), values));
      scores = wd::AddOp::create(b, loc, scores, causal);
    }
    Value probs = wd::SoftmaxOp::create(
        b, loc, ValueRange{scores},
        {b.getNamedAttr("axis", b.getI64IntegerAttr(rank - 1))});
    b.replaceOp(op, product(b, loc, probs, op.getValue(), false));
    return success();
  }
};

struct DecomposeAttentionPass
    : ::weft::impl::DecomposeAttentionPassBase<DecomposeAttentionPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeAttention>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
