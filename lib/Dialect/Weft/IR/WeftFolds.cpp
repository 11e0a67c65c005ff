//===- WeftFolds.cpp - weft folders ---------------------------------------===//
//
// Folds that never change a value's type: algebraic identities (x + 0,
// x * 1, ...), constant evaluation of same-typed elementwise ops, and the
// collapse of chains of layout ops (reshape of reshape, transpose of
// transpose).
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/WeftOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::weft;

namespace {
/// True if `attr` is a splat whose every element equals `value`.
bool isSplatOf(Attribute attr, double value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type et = splat.getElementType();
  if (isa<FloatType>(et))
    return splat.getSplatValue<APFloat>().convertToDouble() == value;
  if (isa<IntegerType>(et))
    return splat.getSplatValue<APInt>().getSExtValue() ==
           static_cast<int64_t>(value);
  return false;
}

/// `x op identity -> x` when the identity is on `rhs` (or, for commutative
/// ops, either side) and folding keeps the result type.
OpFoldResult foldIdentity(Operation *op, ArrayRef<Attribute> operands,
                          double identity, bool commutative) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Type resultType = op->getResult(0).getType();
  if (isSplatOf(operands[1], identity) && lhs.getType() == resultType)
    return lhs;
  if (commutative && isSplatOf(operands[0], identity) &&
      rhs.getType() == resultType)
    return rhs;
  return {};
}

/// Evaluates a same-typed elementwise op on two constants.
template <typename FloatFn, typename IntFn>
OpFoldResult foldConstants(Operation *op, ArrayRef<Attribute> operands,
                           FloatFn floatFn, IntFn intFn) {
  auto type = cast<ShapedType>(op->getResult(0).getType());
  Type et = type.getElementType();
  // Two splats (of any broadcast-compatible shapes): a splat of the result.
  auto a = dyn_cast_or_null<SplatElementsAttr>(operands[0]);
  auto b = dyn_cast_or_null<SplatElementsAttr>(operands[1]);
  if (a && b && a.getElementType() == et && b.getElementType() == et) {
    if (isa<FloatType>(et))
      return DenseElementsAttr::get(type, floatFn(a.getSplatValue<APFloat>(),
                                                  b.getSplatValue<APFloat>()));
    if (std::optional<APInt> v =
            intFn(a.getSplatValue<APInt>(), b.getSplatValue<APInt>()))
      return DenseElementsAttr::get(type, *v);
    return {};
  }
  if (op->getOperand(0).getType() != type ||
      op->getOperand(1).getType() != type)
    return {};
  if (isa<FloatType>(et))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(
        operands, [&](const APFloat &a, const APFloat &b) {
          return std::optional<APFloat>(floatFn(a, b));
        });
  return constFoldBinaryOp<IntegerAttr, APInt, void>(
      operands, [&](const APInt &a, const APInt &b) { return intFn(a, b); });
}
} // namespace

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult NegOp::fold(FoldAdaptor) {
  // neg(neg(x)) -> x
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return {};
}

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu(relu(x)) -> relu(x)
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentity(*this, adaptor.getOperands(), 0, true))
    return r;
  return foldConstants(
      *this, adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentity(*this, adaptor.getOperands(), 0, false))
    return r;
  return foldConstants(
      *this, adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentity(*this, adaptor.getOperands(), 1, true))
    return r;
  return foldConstants(
      *this, adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = foldIdentity(*this, adaptor.getOperands(), 1, false))
    return r;
  return foldConstants(
      *this, adaptor.getOperands(),
      [](const APFloat &a, const APFloat &b) { return a / b; },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // weft.div semantics: x / 0 == 0; INT_MIN / -1 wraps to INT_MIN
        // (which APInt::sdiv gives).
        if (b.isZero())
          return APInt::getZero(a.getBitWidth());
        return a.sdiv(b);
      });
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.resizeSplat(getType());
  // transpose(transpose(x, p), q) -> transpose(x, p o q): result dim i is
  // inner-result dim q[i], which is x dim p[q[i]].
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t q : perm)
      composed.push_back(innerPerm[q]);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  // reshape(reshape(x)) -> reshape(x)
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    if (inner.getInput().getType() == getType())
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

OpFoldResult BroadcastToOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.resizeSplat(getType());
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat.resizeSplat(getType());
  return {};
}

/// An unchanged type is no padding: low = high = 0 and no dim with two
/// elements to pad between.
OpFoldResult PadOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

/// Whether reversing `axes` of `type` moves no element (every reversed dim
/// has at most one).
static bool reversesNothing(RankedTensorType type, ArrayRef<int64_t> axes) {
  return llvm::all_of(axes, [&](int64_t a) {
    return a < 0 || a >= type.getRank() || type.getDimSize(a) <= 1;
  });
}

OpFoldResult ReverseOp::fold(FoldAdaptor adaptor) {
  if (reversesNothing(getType(), getAxes()))
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return splat;
  // reverse(reverse(x)) over the same axes -> x
  if (auto inner = getInput().getDefiningOp<ReverseOp>()) {
    SmallVector<int64_t> mine(getAxes()), theirs(inner.getAxes());
    llvm::sort(mine);
    llvm::sort(theirs);
    if (mine == theirs)
      return inner.getInput();
  }
  return {};
}
