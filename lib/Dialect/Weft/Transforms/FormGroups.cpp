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
struct FormGroupsPass : ::weft::impl::FormGroupsPassBase<FormGroupsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (func::FuncOp fn : ::weft::getEntryFunctions(getOperation())) {
      SmallVector<Operation *> ops;
      for (Block &block : fn.getBody())
        for (Operation &op : block.without_terminator())
          if (isa<WeftDialect>(op.getDialect()) &&
              !::weft::staysOutsideGroups(&op))
            ops.push_back(&op);
      for (Operation *op : ops)
        ::weft::formGroup({op}, rewriter);
      ::weft::eraseDeadConstants(fn, rewriter);
    }
  }
};
} // namespace
