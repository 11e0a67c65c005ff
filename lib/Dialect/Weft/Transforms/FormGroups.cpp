//===- FormGroups.cpp - entry functions cut into kernel groups ------------===//
//
// The policy of this pass is one op per group; the machinery (formGroup)
// is shared with the fusion policy.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

namespace weft {
#define GEN_PASS_DEF_FORMGROUPSPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::weft;

namespace {
/// Whether `op` needs no kernel of its own.
bool staysOutside(Operation *op) {
  if (isa<ConstantOp, GroupOp, DispatchOp>(op) ||
      op->hasAttr(::weft::kLibraryCallAttr))
    return true;
  // A row-major reshape is the same bytes: it aliases its input's buffer.
  if (auto reshape = dyn_cast<ReshapeOp>(op))
    return !reshape.getInput().getDefiningOp<ConstantOp>();
  return false;
}

struct FormGroupsPass : ::weft::impl::FormGroupsPassBase<FormGroupsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (func::FuncOp fn : ::weft::getEntryFunctions(getOperation())) {
      SmallVector<Operation *> ops;
      for (Block &block : fn.getBody())
        for (Operation &op : block.without_terminator())
          if (isa<WeftDialect>(op.getDialect()) && !staysOutside(&op))
            ops.push_back(&op);
      for (Operation *op : ops)
        ::weft::formGroup({op}, rewriter);
      // Constants that every reader now holds a copy of are dead.
      SmallVector<Operation *> dead;
      fn.walk([&](ConstantOp c) {
        if (c->use_empty() && !isa<GroupOp>(c->getParentOp()))
          dead.push_back(c);
      });
      for (Operation *op : dead)
        rewriter.eraseOp(op);
    }
  }
};
} // namespace
