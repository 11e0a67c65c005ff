//===- HoistScratch.cpp - kernel temporaries as scratch arguments ---------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "weft/Dialect/Common/TensorLimits.h"

namespace weft {
#define GEN_PASS_DEF_HOISTSCRATCHPASS
#include "weft/Target/CPU/Passes.h.inc"
} // namespace weft

using namespace mlir;

namespace {

/// Bytes of a static memref (at least 1, so every buffer has an address of
/// its own), or nullopt when it has no static size that fits.
std::optional<int64_t> bytesOf(MemRefType t) {
  FailureOr<int64_t> bytes = mlir::weft::checkedByteSize(t);
  if (failed(bytes))
    return std::nullopt;
  return std::max<int64_t>(*bytes, 1);
}

LogicalResult hoist(func::FuncOp fn) {
  Block &entry = fn.getBody().front();
  // Buffers first; trailing scalars (the parallel range) stay last.
  unsigned numArgs = llvm::count_if(entry.getArgumentTypes(),
                                    [](Type t) { return isa<MemRefType>(t); });
  int64_t numInputs = numArgs;
  if (auto attr = fn->getAttrOfType<IntegerAttr>(::weft::kNumInputsAttr))
    numInputs = attr.getInt();

  SmallVector<memref::AllocOp> allocs;
  fn.walk([&](memref::AllocOp a) { allocs.push_back(a); });
  for (auto [i, a] : llvm::enumerate(allocs)) {
    MemRefType t = a.getType();
    if (a->getBlock() != &entry || !t.hasStaticShape() ||
        !t.getLayout().isIdentity())
      return emitError(a.getLoc(), "kernel @")
             << fn.getSymName()
             << " needs a temporary of dynamic size or inside a loop; it "
                "cannot be planned statically";
    BlockArgument arg = entry.insertArgument(numArgs + i, t, a.getLoc());
    a.getResult().replaceAllUsesWith(arg);
    a.erase();
  }
  // Copies (e.g. into a padded buffer) become linalg.copy, i.e. generated
  // loops: a memref.copy of a strided view would call an MLIR runtime
  // helper that the kernel library does not have.
  SmallVector<memref::CopyOp> copies;
  fn.walk([&](memref::CopyOp c) { copies.push_back(c); });
  for (memref::CopyOp c : copies) {
    // A buffer copied onto itself (an in-place insert_slice whose two
    // subviews CSE merged after canonicalization) is no copy.
    if (c.getSource() == c.getTarget()) {
      c.erase();
      continue;
    }
    OpBuilder b(c);
    linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
    c.erase();
  }
  SmallVector<memref::DeallocOp> deallocs;
  fn.walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
  for (memref::DeallocOp d : deallocs)
    d.erase();
  fn.setType(FunctionType::get(fn.getContext(), entry.getArgumentTypes(), {}));

  SmallVector<int64_t> bytes, access;
  for (BlockArgument arg : entry.getArguments()) {
    if (arg.getArgNumber() >= numArgs + allocs.size())
      break;
    auto t = dyn_cast<MemRefType>(arg.getType());
    std::optional<int64_t> size =
        t && t.hasStaticShape() ? bytesOf(t) : std::nullopt;
    if (!size)
      return emitError(fn.getLoc(), "kernel @")
             << fn.getSymName() << " argument #" << arg.getArgNumber()
             << " of type " << arg.getType()
             << " has no static size that fits in 64 bits";
    bytes.push_back(*size);
    unsigned i = arg.getArgNumber();
    access.push_back(i < numInputs ? 1 : i < numArgs ? 2 : 3);
  }
  Builder b(fn.getContext());
  fn->setAttr(::weft::kArgBytesAttr, b.getDenseI64ArrayAttr(bytes));
  fn->setAttr(::weft::kArgAccessAttr, b.getDenseI64ArrayAttr(access));
  return success();
}

struct HoistScratchPass : ::weft::impl::HoistScratchPassBase<HoistScratchPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>())
      if (!fn.isDeclaration() && failed(hoist(fn)))
        return signalPassFailure();
  }
};
} // namespace
