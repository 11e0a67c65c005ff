//===- Autodiff.cpp - reverse-mode differentiation of weft functions ------===//
//
// For a function marked `weft.autodiff`, walks its ops backwards from the
// loss and asks each op on a path from a differentiated argument to the
// loss for its vector-Jacobian product (GradientOpInterface). Gradients of
// values with several uses are summed. The backward ops are appended before
// the return, so the function computes the loss, then the gradients.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SmallBitVector.h"

namespace weft {
#define GEN_PASS_DEF_AUTODIFFPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
namespace wd = mlir::weft;

namespace {

bool isFloatTensor(Type t) {
  auto tensor = dyn_cast<RankedTensorType>(t);
  return tensor && isa<FloatType>(tensor.getElementType());
}

class Differentiator {
public:
  explicit Differentiator(func::FuncOp fn) : fn(fn) {}
  LogicalResult run(ArrayRef<int64_t> wrt);

private:
  /// Adds `g` to the gradient of `v`.
  void accumulate(ImplicitLocOpBuilder &b, Value v, Value g) {
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted)
      it->second = wd::grad::add(b, it->second, g);
  }

  func::FuncOp fn;
  DenseMap<Value, Value> grads;
};

LogicalResult Differentiator::run(ArrayRef<int64_t> wrt) {
  Block &block = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  if (ret.getNumOperands() == 0)
    return fn.emitOpError("weft-autodiff: the function returns nothing; its "
                          "first result must be the loss");
  Value loss = ret.getOperand(0);
  auto lossType = dyn_cast<RankedTensorType>(loss.getType());
  if (!isFloatTensor(loss.getType()) || lossType.getNumElements() != 1)
    return fn.emitOpError("weft-autodiff: the loss (first result) must be a "
                          "float tensor of one element, got ")
           << loss.getType();
  llvm::SmallBitVector seen(fn.getNumArguments());
  for (int64_t i : wrt) {
    if (i < 0 || i >= fn.getNumArguments())
      return fn.emitOpError("weft-autodiff: argument index ")
             << i << " is out of range (the function has "
             << fn.getNumArguments() << " arguments)";
    if (seen.test(i))
      return fn.emitOpError("weft-autodiff: argument ")
             << i << " is listed twice";
    seen.set(i);
    if (!isFloatTensor(fn.getArgument(i).getType()))
      return fn.emitOpError("weft-autodiff: argument ")
             << i << " ('" << ::weft::argumentName(fn, i) << "') has type "
             << fn.getArgument(i).getType()
             << ": only float tensors have gradients (integer ids and "
                "labels are not differentiable)";
  }

  // Values that depend on a differentiated argument through float values.
  DenseSet<Value> active;
  for (int64_t i : wrt)
    active.insert(fn.getArgument(i));
  SmallVector<Operation *> forward;
  for (Operation &op : block.without_terminator()) {
    forward.push_back(&op);
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.contains(v); }))
      for (Value r : op.getResults())
        if (isFloatTensor(r.getType()))
          active.insert(r);
  }

  ImplicitLocOpBuilder b(ret.getLoc(), ret);
  if (active.contains(loss))
    grads[loss] = wd::grad::splat(b, lossType, 1);
  for (Operation *op : llvm::reverse(forward)) {
    if (llvm::none_of(op->getResults(),
                      [&](Value r) { return grads.count(r); }) ||
        llvm::none_of(op->getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    auto rule = dyn_cast<wd::GradientOpInterface>(op);
    if (!rule)
      return op->emitOpError("weft-autodiff: no gradient rule for '")
             << op->getName() << "' (on the path from a differentiated "
             << "argument to the loss)";
    SmallVector<Value> resultGrads;
    b.setLoc(op->getLoc());
    for (Value r : op->getResults()) {
      Value g = grads.lookup(r);
      resultGrads.push_back(g ? g : wd::grad::zerosLike(b, r));
    }
    SmallVector<Value> operandGrads;
    if (failed(rule.buildGradients(b, resultGrads, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitOpError("weft-autodiff: the gradient rule gave ")
             << operandGrads.size() << " gradients for " << op->getNumOperands()
             << " operands";
    for (auto [i, v] : llvm::enumerate(op->getOperands())) {
      if (!active.contains(v))
        continue;
      Value g = operandGrads[i];
      if (!g)
        return op->emitOpError("weft-autodiff: operand #")
               << i << " is not differentiable, but depends on a "
               << "differentiated argument";
      if (g.getType() != v.getType())
        return op->emitOpError("weft-autodiff: the gradient rule gave ")
               << g.getType() << " for operand #" << i << " of type "
               << v.getType();
      accumulate(b, v, g);
    }
  }

  // The gradients become results after the existing ones.
  b.setLoc(ret.getLoc());
  MLIRContext *ctx = fn.getContext();
  for (int64_t i : wrt) {
    BlockArgument arg = fn.getArgument(i);
    Value g = grads.lookup(arg);
    if (!g)
      g = wd::grad::zerosLike(b, arg);
    unsigned index = fn.getNumResults();
    NamedAttribute attrs[] = {
        NamedAttribute(StringAttr::get(ctx, ::weft::kGradOfAttr),
                       b.getI64IntegerAttr(i)),
        NamedAttribute(StringAttr::get(ctx, "weft.name"),
                       b.getStringAttr("grad." + ::weft::argumentName(fn, i)))};
    if (failed(fn.insertResult(index, g.getType(),
                               DictionaryAttr::get(ctx, attrs))))
      return fn.emitOpError("weft-autodiff: cannot add a result");
    ret.getOperandsMutable().append(g);
  }
  fn->removeAttr(::weft::kAutodiffAttr);
  // Rules build every operand's gradient; those nobody needs go away (the
  // user's own ops stay as written).
  DenseSet<Operation *> original(forward.begin(), forward.end());
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
    if (!original.contains(&op) && isOpTriviallyDead(&op))
      op.erase();
  return success();
}

struct AutodiffPass : ::weft::impl::AutodiffPassBase<AutodiffPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      Attribute attr = fn->getAttr(::weft::kAutodiffAttr);
      if (!attr && fn->hasAttr(::weft::kOptimizerAttr)) {
        // A training step: the parameters are the float state arguments.
        SmallVector<int64_t> params;
        for (unsigned i = 0; i < fn.getNumArguments(); ++i)
          if (fn.getArgAttr(i, ::weft::kStateAttr) &&
              isFloatTensor(fn.getArgument(i).getType()))
            params.push_back(i);
        if (params.empty()) {
          fn.emitOpError("weft-autodiff: the function has an optimizer but "
                         "no parameter to train (no float 'weft.state' "
                         "argument)");
          return signalPassFailure();
        }
        attr = DenseI64ArrayAttr::get(fn.getContext(), params);
      }
      if (!attr)
        continue;
      auto wrt = dyn_cast<DenseI64ArrayAttr>(attr);
      if (!wrt) {
        fn.emitOpError("weft-autodiff: '")
            << ::weft::kAutodiffAttr
            << "' must list argument indices (array<i64: ...>)";
        return signalPassFailure();
      }
      if (fn.isExternal() || !fn.getBody().hasOneBlock()) {
        fn.emitOpError("weft-autodiff: needs a function with one block");
        return signalPassFailure();
      }
      if (failed(Differentiator(fn).run(wrt.asArrayRef())))
        return signalPassFailure();
    }
  }
};
} // namespace
