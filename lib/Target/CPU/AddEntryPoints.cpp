//===- AddEntryPoints.cpp - exported kernel entry points ------------------===//
//
// `void weft_<k>(void **args, int64_t begin, int64_t end)`: one pointer per
// buffer, and the range of the kernel's parallel loop this call runs.
//
//===----------------------------------------------------------------------===//
#include "weft/Target/CPU/Passes.h"

namespace weft {
#define GEN_PASS_DEF_ADDENTRYPOINTSPASS
#include "weft/Target/CPU/Passes.h.inc"
} // namespace weft

using namespace mlir;

namespace {
struct AddEntryPointsPass
    : ::weft::impl::AddEntryPointsPassBase<AddEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    SmallVector<LLVM::LLVMFuncOp> kernels;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(::weft::kArgBytesAttr) && !fn.isExternal())
        kernels.push_back(fn);
    for (LLVM::LLVMFuncOp kernel : kernels) {
      auto bytes =
          kernel->getAttrOfType<DenseI64ArrayAttr>(::weft::kArgBytesAttr);
      auto access =
          kernel->getAttrOfType<DenseI64ArrayAttr>(::weft::kArgAccessAttr);
      std::string entryName =
          (::weft::kEntryPointPrefix + kernel.getSymName()).str();
      if (!access || access.size() != bytes.size()) {
        kernel.emitError("kernel @")
            << kernel.getSymName() << " records " << bytes.size()
            << " argument sizes but no matching weft.arg_access";
        return signalPassFailure();
      }
      if (module.lookupSymbol(entryName)) {
        kernel.emitError("kernel @")
            << kernel.getSymName() << ": the entry point @" << entryName
            << " already exists";
        return signalPassFailure();
      }
      // One pointer per buffer, then the range [begin, end) of the
      // parallel loop (weft-cpu-parallelize).
      ArrayRef<Type> types = kernel.getArgumentTypes();
      auto i64 = IntegerType::get(ctx, 64);
      if (static_cast<int64_t>(types.size()) != bytes.size() + 2 ||
          !llvm::all_of(types.drop_back(2),
                        [](Type t) { return isa<LLVM::LLVMPointerType>(t); }) ||
          types.take_back(2) != ArrayRef<Type>{i64, i64}) {
        kernel.emitError("kernel @")
            << kernel.getSymName() << " takes (" << types.size()
            << " arguments) but the CPU kernel ABI is " << bytes.size()
            << " bare pointers (its recorded buffers) and the i64 range of "
               "its parallel loop";
        return signalPassFailure();
      }
      kernel.setLinkage(LLVM::Linkage::Internal);
      Location loc = kernel.getLoc();
      auto fnType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                                {ptr, i64, i64});
      auto entry = LLVM::LLVMFuncOp::create(b, loc, entryName, fnType);
      entry->setAttr(::weft::kArgBytesAttr, bytes);
      entry->setAttr(::weft::kArgAccessAttr, access);
      if (Attribute extent = kernel->getAttr(::weft::kParallelExtentAttr))
        entry->setAttr(::weft::kParallelExtentAttr, extent);
      kernel->removeAttr(::weft::kParallelExtentAttr);
      kernel->removeAttr(::weft::kArgBytesAttr);
      kernel->removeAttr(::weft::kArgAccessAttr);
      Block *body = entry.addEntryBlock(b);
      OpBuilder eb = OpBuilder::atBlockEnd(body);
      SmallVector<Value> args;
      for (unsigned i = 0; i < bytes.size(); ++i) {
        Value slot =
            LLVM::GEPOp::create(eb, loc, ptr, ptr, body->getArgument(0),
                                ArrayRef<LLVM::GEPArg>{int32_t(i)});
        args.push_back(LLVM::LoadOp::create(eb, loc, ptr, slot));
      }
      args.push_back(body->getArgument(1));
      args.push_back(body->getArgument(2));
      LLVM::CallOp::create(eb, loc, kernel, args);
      LLVM::ReturnOp::create(eb, loc, ValueRange{});
    }
  }
};
} // namespace
