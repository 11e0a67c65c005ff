//===- Optimizer.cpp - optimizer updates compiled into a training step ----===//
//
// Turns the parameter gradients of a differentiated function into the
// update of SGD (with momentum) or AdamW, written in weft ops, with the
// optimizer state as new persistent-state arguments and the new values as
// `weft.update` results (written back into the state by the plan).
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/GradientUtils.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/StringSwitch.h"

namespace weft {
#define GEN_PASS_DEF_OPTIMIZERPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
namespace wd = mlir::weft;
using namespace mlir::weft::grad;

namespace {

struct OptimizerConfig {
  enum Kind { SGD, AdamW } kind = AdamW;
  double lr = 1e-3, momentum = 0, weightDecay = 0.01, beta1 = 0.9,
         beta2 = 0.999, eps = 1e-8, clipNorm = 0;
};

/// Reads and checks the `weft.optimizer` dictionary.
FailureOr<OptimizerConfig> parseConfig(func::FuncOp fn, Attribute attr) {
  auto dict = dyn_cast<DictionaryAttr>(attr);
  auto kindAttr = dict ? dict.getAs<StringAttr>("kind") : StringAttr();
  if (!kindAttr)
    return fn.emitOpError("weft-optimizer: '")
           << ::weft::kOptimizerAttr
           << "' must be a dictionary with kind = \"sgd\" or \"adamw\"";
  OptimizerConfig c;
  StringRef kind = kindAttr.getValue();
  if (kind == "sgd") {
    c.kind = OptimizerConfig::SGD;
    c.weightDecay = 0;
  } else if (kind != "adamw") {
    return fn.emitOpError("weft-optimizer: unknown optimizer '")
           << kind << "' (sgd or adamw)";
  }
  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().getValue();
    if (key == "kind")
      continue;
    double *field = llvm::StringSwitch<double *>(key)
                        .Case("lr", &c.lr)
                        .Case("weight_decay", &c.weightDecay)
                        .Case("clip_norm", &c.clipNorm)
                        .Default(nullptr);
    if (c.kind == OptimizerConfig::SGD && key == "momentum")
      field = &c.momentum;
    if (c.kind == OptimizerConfig::AdamW)
      field = llvm::StringSwitch<double *>(key)
                  .Case("beta1", &c.beta1)
                  .Case("beta2", &c.beta2)
                  .Case("eps", &c.eps)
                  .Default(field);
    if (!field)
      return fn.emitOpError("weft-optimizer: '")
             << key << "' is not an option of " << kind
             << (c.kind == OptimizerConfig::SGD
                     ? " (lr, momentum, weight_decay, clip_norm)"
                     : " (lr, beta1, beta2, eps, weight_decay, clip_norm)");
    if (auto f = dyn_cast<FloatAttr>(entry.getValue()))
      *field = f.getValueAsDouble();
    else if (auto i = dyn_cast<IntegerAttr>(entry.getValue()))
      *field = static_cast<double>(i.getInt());
    else
      return fn.emitOpError("weft-optimizer: '") << key << "' must be a number";
    if (!std::isfinite(*field) || *field < 0)
      return fn.emitOpError("weft-optimizer: '")
             << key << "' must be a non-negative finite number, got " << *field;
  }
  if (c.beta1 >= 1 || c.beta2 >= 1)
    return fn.emitOpError("weft-optimizer: beta1 and beta2 must be below 1");
  if (c.kind == OptimizerConfig::AdamW && c.eps == 0)
    return fn.emitOpError("weft-optimizer: eps must be positive");
  return c;
}

class StepBuilder {
public:
  StepBuilder(func::FuncOp fn, const OptimizerConfig &config)
      : fn(fn), config(config),
        ret(cast<func::ReturnOp>(fn.getBody().front().getTerminator())),
        b(ret.getLoc(), ret) {}

  LogicalResult run();

private:
  /// A new zero- (or `init`-) initialized state argument.
  Value addState(RankedTensorType type, const std::string &name,
                 double init = 0);
  /// `value` replaces state argument `arg` after the step.
  void addUpdate(Value value, Value arg) {
    updates.emplace_back(value, cast<BlockArgument>(arg).getArgNumber());
  }
  /// A rank-0 f32 `v` in element type `et`.
  Value in(Value v, Type et) {
    if (et.isF32())
      return v;
    return wd::CastOp::create(b, RankedTensorType::get({}, et), v);
  }
  Value f32(double v) { return scalar(b, b.getF32Type(), v); }
  Value globalNormScale(ArrayRef<Value> grads);

  func::FuncOp fn;
  const OptimizerConfig &config;
  func::ReturnOp ret;
  ImplicitLocOpBuilder b;
  SmallVector<std::pair<Value, unsigned>> updates;
};

Value StepBuilder::addState(RankedTensorType type, const std::string &name,
                            double init) {
  MLIRContext *ctx = fn.getContext();
  Type et = type.getElementType();
  Attribute value = isa<FloatType>(et)
                        ? Attribute(FloatAttr::get(et, init))
                        : Attribute(IntegerAttr::get(et, int64_t(init)));
  NamedAttribute attrs[] = {
      NamedAttribute(StringAttr::get(ctx, ::weft::kStateAttr),
                     UnitAttr::get(ctx)),
      NamedAttribute(StringAttr::get(ctx, "weft.name"),
                     StringAttr::get(ctx, name)),
      NamedAttribute(StringAttr::get(ctx, ::weft::kStateInitAttr),
                     DenseElementsAttr::get(type, value))};
  unsigned index = fn.getNumArguments();
  (void)fn.insertArgument(index, type, DictionaryAttr::get(ctx, attrs),
                          fn.getLoc());
  return fn.getArgument(index);
}

/// min(1, clip / (norm + 1e-6)) as a rank-0 f32, `norm` the global L2 norm
/// of `grads`.
Value StepBuilder::globalNormScale(ArrayRef<Value> grads) {
  Value sum = f32(0);
  for (Value g : grads) {
    RankedTensorType t = typeOf(g);
    Value sq = mul(b, g, g);
    if (!t.getElementType().isF32())
      sq = wd::CastOp::create(
          b, RankedTensorType::get(t.getShape(), b.getF32Type()), sq);
    if (t.getRank() > 0) {
      SmallVector<int64_t> axes(t.getRank());
      std::iota(axes.begin(), axes.end(), 0);
      sq = wd::ReduceSumOp::create(b, sq, axes);
    }
    sum = add(b, sum, sq);
  }
  Value norm = wd::SqrtOp::create(b, sum);
  Value coef = div(b, f32(config.clipNorm), add(b, norm, f32(1e-6)));
  return wd::MinOp::create(b, f32(1), coef);
}

LogicalResult StepBuilder::run() {
  // The parameters: state arguments whose gradient is a result.
  SmallVector<std::pair<unsigned, Value>> params;
  llvm::BitVector consumed(fn.getNumResults());
  for (unsigned r = 0; r < fn.getNumResults(); ++r) {
    auto of = fn.getResultAttrOfType<IntegerAttr>(r, ::weft::kGradOfAttr);
    if (!of || !fn.getArgAttr(of.getInt(), ::weft::kStateAttr))
      continue;
    params.emplace_back(of.getInt(), ret.getOperand(r));
    consumed.set(r);
  }
  if (params.empty())
    return fn.emitOpError("weft-optimizer: no parameter to train (no float "
                          "'weft.state' argument has a gradient)");

  RankedTensorType scalarType = RankedTensorType::get({}, b.getF32Type());
  Value lr = addState(scalarType, "optimizer.lr", config.lr);
  Value clip;
  if (config.clipNorm > 0) {
    SmallVector<Value> grads;
    for (auto &[i, g] : params)
      grads.push_back(g);
    clip = globalNormScale(grads);
  }
  // AdamW's step count and bias corrections, shared by all parameters.
  Value stepSize, bc2Sqrt;
  if (config.kind == OptimizerConfig::AdamW) {
    Value t = addState(scalarType, "optimizer.step");
    Value next = add(b, t, f32(1));
    addUpdate(next, t);
    // The bias corrections in f64 (as PyTorch computes them in double),
    // rounded to f32 once.
    Type f64 = b.getF64Type();
    auto toF64 = [&](Value v) {
      return wd::CastOp::create(b, RankedTensorType::get({}, f64), v);
    };
    auto toF32 = [&](Value v) { return wd::CastOp::create(b, scalarType, v); };
    Value t64 = toF64(next), one = scalar(b, f64, 1);
    Value bc1 =
        sub(b, one, wd::PowOp::create(b, scalar(b, f64, config.beta1), t64));
    Value bc2 =
        sub(b, one, wd::PowOp::create(b, scalar(b, f64, config.beta2), t64));
    stepSize = toF32(div(b, toF64(lr), bc1));
    bc2Sqrt = toF32(wd::SqrtOp::create(b, bc2));
  }

  for (auto &[i, g] : params) {
    Value p = fn.getArgument(i);
    RankedTensorType type = typeOf(p);
    Type et = type.getElementType();
    std::string name = ::weft::argumentName(fn, i);
    if (clip)
      g = mul(b, g, in(clip, et));
    if (config.kind == OptimizerConfig::SGD) {
      if (config.weightDecay != 0)
        g = add(b, g, scale(b, p, config.weightDecay));
      Value d = g;
      if (config.momentum != 0) {
        Value buf = addState(type, name + ".momentum_buffer");
        d = add(b, scale(b, buf, config.momentum), g);
        addUpdate(d, buf);
      }
      addUpdate(sub(b, p, mul(b, d, in(lr, et))), p);
      continue;
    }
    Value m = addState(type, name + ".exp_avg");
    Value v = addState(type, name + ".exp_avg_sq");
    Value decayed = p;
    if (config.weightDecay != 0)
      decayed = mul(
          b, p, in(sub(b, f32(1), mul(b, lr, f32(config.weightDecay))), et));
    Value mNew =
        add(b, scale(b, m, config.beta1), scale(b, g, 1 - config.beta1));
    Value vNew = add(b, scale(b, v, config.beta2),
                     scale(b, mul(b, g, g), 1 - config.beta2));
    Value denom = add(b, div(b, wd::SqrtOp::create(b, vNew), in(bc2Sqrt, et)),
                      scalar(b, et, config.eps));
    Value pNew = sub(b, decayed, mul(b, in(stepSize, et), div(b, mNew, denom)));
    addUpdate(mNew, m);
    addUpdate(vNew, v);
    addUpdate(pNew, p);
  }

  // Gradients the update consumed are no longer results.
  for (int r = consumed.size() - 1; r >= 0; --r)
    if (consumed.test(r))
      ret.getOperandsMutable().erase(r);
  (void)fn.eraseResults(consumed);
  MLIRContext *ctx = fn.getContext();
  for (auto &[value, arg] : updates) {
    NamedAttribute attrs[] = {
        NamedAttribute(StringAttr::get(ctx, ::weft::kUpdateAttr),
                       b.getI64IntegerAttr(arg)),
        NamedAttribute(StringAttr::get(ctx, "weft.name"),
                       StringAttr::get(ctx, ::weft::argumentName(fn, arg)))};
    (void)fn.insertResult(fn.getNumResults(), value.getType(),
                          DictionaryAttr::get(ctx, attrs));
    ret.getOperandsMutable().append(value);
  }
  fn->removeAttr(::weft::kOptimizerAttr);
  return success();
}

struct OptimizerPass : ::weft::impl::OptimizerPassBase<OptimizerPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      Attribute attr = fn->getAttr(::weft::kOptimizerAttr);
      if (!attr)
        continue;
      if (fn->hasAttr(::weft::kAutodiffAttr)) {
        fn.emitOpError("weft-optimizer: run weft-autodiff first");
        return signalPassFailure();
      }
      FailureOr<OptimizerConfig> config = parseConfig(fn, attr);
      if (failed(config) || failed(StepBuilder(fn, *config).run()))
        return signalPassFailure();
    }
  }
};
} // namespace
