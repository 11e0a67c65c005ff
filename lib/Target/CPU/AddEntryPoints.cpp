//===- AddEntryPoints.cpp - exported `void weft_k(void **)` per kernel ----===//
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
      if (!llvm::all_of(kernel.getArgumentTypes(),
                        [](Type t) { return isa<LLVM::LLVMPointerType>(t); })) {
        kernel.emitError("kernel @")
            << kernel.getSymName()
            << " takes non-pointer arguments; memrefs must lower to bare "
               "pointers";
        return signalPassFailure();
      }
      if (static_cast<int64_t>(kernel.getNumArguments()) != bytes.size()) {
        kernel.emitError("kernel @")
            << kernel.getSymName() << " has " << kernel.getNumArguments()
            << " arguments after lowering but " << bytes.size()
            << " recorded sizes (memrefs must lower to bare pointers)";
        return signalPassFailure();
      }
      kernel.setLinkage(LLVM::Linkage::Internal);
      Location loc = kernel.getLoc();
      auto fnType =
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
      auto entry = LLVM::LLVMFuncOp::create(b, loc, entryName, fnType);
      entry->setAttr(::weft::kArgBytesAttr, bytes);
      entry->setAttr(::weft::kArgAccessAttr, access);
      kernel->removeAttr(::weft::kArgBytesAttr);
      kernel->removeAttr(::weft::kArgAccessAttr);
      Block *body = entry.addEntryBlock(b);
      OpBuilder eb = OpBuilder::atBlockEnd(body);
      SmallVector<Value> args;
      for (unsigned i = 0; i < kernel.getNumArguments(); ++i) {
        Value slot =
            LLVM::GEPOp::create(eb, loc, ptr, ptr, body->getArgument(0),
                                ArrayRef<LLVM::GEPArg>{int32_t(i)});
        args.push_back(LLVM::LoadOp::create(eb, loc, ptr, slot));
      }
      LLVM::CallOp::create(eb, loc, kernel, args);
      LLVM::ReturnOp::create(eb, loc, ValueRange{});
    }
  }
};
} // namespace
