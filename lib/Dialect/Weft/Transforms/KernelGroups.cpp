//===- KernelGroups.cpp - forming kernel groups ---------------------------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"

#include "mlir/IR/IRMapping.h"
#include "weft/Dialect/Common/TensorLimits.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::weft;

auto ::weft::ioName(DictionaryAttr attrs, StringRef fallback, unsigned i)
    -> std::string {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("weft.name"))
      return name.str();
  return (fallback + Twine(i)).str();
}

bool ::weft::isEntryFunction(func::FuncOp fn) {
  if (fn.isDeclaration())
    return false;
  return fn->hasAttr("weft.entry") || fn.getSymName() == "main";
}

auto ::weft::getEntryFunctions(ModuleOp module) -> SmallVector<func::FuncOp> {
  SmallVector<func::FuncOp> entries;
  for (auto fn : module.getOps<func::FuncOp>())
    if (::weft::isEntryFunction(fn))
      entries.push_back(fn);
  return entries;
}

auto ::weft::verifyEntryFunction(func::FuncOp fn, bool allowDist)
    -> LogicalResult {
  if (!fn.getBody().hasOneBlock())
    return emitError(fn.getLoc(), "entry @")
           << fn.getSymName() << " must have a single block";
  Block &block = fn.getBody().front();
  if (block.empty() || !isa<func::ReturnOp>(block.back()))
    return emitError(fn.getLoc(), "entry @")
           << fn.getSymName() << " must end in func.return";
  auto checkType = [&](Type t, StringRef what, unsigned i) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(t);
    Type e = tensor ? tensor.getElementType() : Type();
    if (tensor && tensor.hasStaticShape() &&
        (e.isF32() || e.isF16() || e.isBF16() || e.isF64() || e.isInteger(8) ||
         e.isInteger(32) || e.isInteger(64)))
      return verifyTensorLimits([&] { return emitError(fn.getLoc()); }, tensor);
    return emitError(fn.getLoc())
           << what << " #" << i << " of @" << fn.getSymName() << " has type "
           << t
           << "; entries take statically shaped f32/f16/bf16/i8/i32/i64/f64 "
              "tensors";
  };
  for (auto [i, t] : llvm::enumerate(fn.getArgumentTypes()))
    if (failed(checkType(t, "argument", i)))
      return failure();
  for (auto [i, t] : llvm::enumerate(fn.getResultTypes()))
    if (failed(checkType(t, "result", i)))
      return failure();
  for (Operation &op : block.without_terminator())
    if (!isa<WeftDialect>(op.getDialect()) &&
        !(allowDist && op.getDialect() &&
          op.getDialect()->getNamespace() == "dist"))
      return emitError(op.getLoc(), "only weft ops are supported in an entry "
                                    "function, got '")
             << op.getName() << "'";
  return success();
}

bool ::weft::isClonableConstant(Operation *op) {
  auto constant = dyn_cast_or_null<ConstantOp>(op);
  if (!constant)
    return false;
  auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
  return dense && dense.isSplat();
}

bool ::weft::staysOutsideGroups(Operation *op) {
  if (isa<ConstantOp, GroupOp, DispatchOp>(op) ||
      op->hasAttr(::weft::kLibraryCallAttr))
    return true;
  // A row-major reshape is the same bytes: it aliases its input's buffer.
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    return !reshape.getInput().getDefiningOp<ConstantOp>();
  return false;
}

void ::weft::eraseDeadConstants(func::FuncOp fn, RewriterBase &rewriter) {
  SmallVector<Operation *> dead;
  fn.walk([&](ConstantOp c) {
    if (c->use_empty() && !isa<GroupOp>(c->getParentOp()))
      dead.push_back(c);
  });
  for (Operation *op : dead)
    rewriter.eraseOp(op);
}

auto ::weft::formGroup(ArrayRef<Operation *> ops, RewriterBase &rewriter)
    -> GroupOp {
  llvm::SmallPtrSet<Operation *, 8> members(ops.begin(), ops.end());
  // Values that escape: results used by an op outside the set.
  SmallVector<Value> escaping;
  for (Operation *op : ops)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !members.contains(user);
          }))
        escaping.push_back(result);

  Location loc = ops.front()->getLoc();
  rewriter.setInsertionPoint(ops.front());
  auto group = GroupOp::create(rewriter, loc, ValueRange(escaping).getTypes());
  Block *body = rewriter.createBlock(&group.getBody());
  rewriter.setInsertionPointToStart(body);
  // Clonable constants read by the members live inside the group.
  IRMapping map;
  llvm::SetVector<Operation *> constants;
  for (Operation *op : ops)
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp();
          def && !members.contains(def) && isClonableConstant(def))
        constants.insert(def);
  for (Operation *c : constants)
    rewriter.clone(*c, map);
  for (Operation *op : ops)
    rewriter.clone(*op, map);
  SmallVector<Value> yielded;
  for (Value v : escaping)
    yielded.push_back(map.lookup(v));
  YieldOp::create(rewriter, loc, yielded);

  for (auto [v, r] : llvm::zip(escaping, group.getResults()))
    rewriter.replaceAllUsesWith(v, r);
  for (Operation *op : llvm::reverse(ops))
    rewriter.eraseOp(op);
  return group;
}
