//===- SelectLibraryCalls.cpp - GEMMs that a library runs -----------------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include <limits>

namespace weft {
#define GEN_PASS_DEF_SELECTLIBRARYCALLSPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::weft;

namespace {
/// Vector width from which the generated GEMM beats OpenBLAS sgemm on
/// every measured shape (see the pass description).
constexpr int64_t kGeneratedWinsFromBits = 512;

/// The measured rule: f32 GEMMs go to BLAS unless the generated GEMM has
/// 512-bit vectors; other element types have no library path. BLAS
/// dimensions are 32-bit and must be positive.
bool prefersLibrary(Operation *op, int64_t vectorBits) {
  if (!isa<MatmulOp, BatchMatmulOp>(op) || vectorBits >= kGeneratedWinsFromBits)
    return false;
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!type.getElementType().isF32())
    return false;
  // BLAS takes 32-bit dimensions; empty products are a fill, not a GEMM.
  auto lhs = cast<RankedTensorType>(op->getOperand(0).getType());
  int64_t rank = lhs.getRank();
  int64_t dims[] = {type.getDimSize(rank - 2), type.getDimSize(rank - 1),
                    lhs.getDimSize(rank - 1), lhs.getDimSize(rank - 2)};
  return llvm::all_of(dims, [](int64_t d) {
    return d > 0 && d <= std::numeric_limits<int32_t>::max();
  });
}

struct SelectLibraryCallsPass
    : ::weft::impl::SelectLibraryCallsPassBase<SelectLibraryCallsPass> {
  using Base::Base;
  void runOnOperation() override {
    Builder b(&getContext());
    for (func::FuncOp fn : ::weft::getEntryFunctions(getOperation()))
      fn.walk([&](Operation *op) {
        if (prefersLibrary(op, vectorBits))
          op->setAttr(::weft::kLibraryCallAttr, b.getStringAttr("gemm"));
      });
  }
};
} // namespace
