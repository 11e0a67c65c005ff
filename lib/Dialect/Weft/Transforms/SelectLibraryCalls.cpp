//===- SelectLibraryCalls.cpp - GEMMs that a library runs -----------------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

namespace weft {
#define GEN_PASS_DEF_SELECTLIBRARYCALLSPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::weft;

namespace {
/// The measured rule: on the CPU, OpenBLAS sgemm beats generated loops by
/// two orders of magnitude for f32; other element types have no library
/// path yet.
bool prefersLibrary(Operation *op) {
  if (!isa<MatmulOp, BatchMatmulOp>(op))
    return false;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return type.getElementType().isF32();
}

struct SelectLibraryCallsPass
    : ::weft::impl::SelectLibraryCallsPassBase<SelectLibraryCallsPass> {
  void runOnOperation() override {
    Builder b(&getContext());
    for (func::FuncOp fn : ::weft::getEntryFunctions(getOperation()))
      fn.walk([&](Operation *op) {
        if (prefersLibrary(op))
          op->setAttr(::weft::kLibraryCallAttr, b.getStringAttr("gemm"));
      });
  }
};
} // namespace
