//===- CPUBackend.cpp - LLVM dialect kernels to a native shared object ----===//
//
// LLVM IR -> O3 -> object file -> shared object (linked by the system C
// compiler driver, so no undefined symbol may remain). The target record
// names the CPU and the ISA extensions the code may use, so the runtime can
// refuse a machine that lacks them instead of dying of SIGILL.
//
//===----------------------------------------------------------------------===//
#include "weft/Target/CPU/CPUBackend.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

using namespace mlir;
using namespace ::weft;

namespace {

class CPUBackend : public Backend {
public:
  CPUBackend(std::string cpu, std::string llvmFeatures,
             std::vector<std::string> isaFeatures)
      : cpu(std::move(cpu)), llvmFeatures(std::move(llvmFeatures)),
        isaFeatures(std::move(isaFeatures)) {}

  format::DeviceKind deviceKind() const override {
    return format::DeviceKind::Cpu;
  }

  format::TargetDesc targetDesc() const override {
    format::TargetDesc t;
    t.kind = format::DeviceKind::Cpu;
    t.arch = cpu;
    t.features = isaFeatures;
    return t;
  }

  FailureOr<std::vector<char>> emitObject(ModuleOp kernels) override;

private:
  std::string cpu, llvmFeatures;
  std::vector<std::string> isaFeatures;
};

FailureOr<std::vector<char>> CPUBackend::emitObject(ModuleOp module) {
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmCtx, "weft_kernels");
  if (!llvmModule)
    return emitError(module.getLoc(), "translation to LLVM IR failed");

  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return emitError(module.getLoc(), "no LLVM target for ")
           << triple.str() << ": " << err;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, llvmFeatures, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return emitError(module.getLoc(), "cannot target CPU '") << cpu << "'";
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(triple);
  if (llvm::Error e =
          makeOptimizingTransformer(3, 0, tm.get())(llvmModule.get()))
    return emitError(module.getLoc(), "LLVM optimization failed: ")
           << llvm::toString(std::move(e));

  SmallString<128> objPath, soPath;
  int objFd;
  if (llvm::sys::fs::createTemporaryFile("weft-kernels", "o", objFd, objPath) ||
      llvm::sys::fs::createTemporaryFile("weft-kernels", "so", soPath))
    return emitError(module.getLoc(), "cannot create temporary files");
  auto cleanup = llvm::make_scope_exit([&] {
    llvm::sys::fs::remove(objPath);
    llvm::sys::fs::remove(soPath);
  });
  {
    llvm::raw_fd_ostream os(objFd, /*shouldClose=*/true);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return emitError(module.getLoc(), "target cannot emit object files");
    pm.run(*llvmModule);
    if (os.has_error())
      return emitError(module.getLoc(), "cannot write the kernel object: ")
             << os.error().message();
  }
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    cc = llvm::sys::findProgramByName("gcc");
  if (!cc)
    return emitError(module.getLoc(),
                     "no C compiler driver (cc) on PATH to link the kernel "
                     "shared object");
  SmallVector<StringRef> argv = {
      *cc, "-shared", "-o", soPath, objPath, "-lm", "-Wl,--no-undefined"};
  std::string msg;
  if (llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, {}, 0, 0, &msg) != 0)
    return emitError(module.getLoc(), "linking the kernel shared object failed")
           << (msg.empty() ? "" : ": ") << msg;
  auto so = llvm::MemoryBuffer::getFile(soPath);
  if (!so)
    return emitError(module.getLoc(), "cannot read the linked shared object");
  return std::vector<char>((*so)->getBufferStart(), (*so)->getBufferEnd());
}

} // namespace

llvm::Expected<std::unique_ptr<Backend>>
weft::createCPUBackend(llvm::StringRef cpuName) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  if (triple.getArch() != llvm::Triple::x86_64)
    return llvm::createStringError(
        "the CPU backend supports x86-64 hosts only, this is " + triple.str());
  std::string cpu = cpuName.str(), llvmFeatures;
  llvm::StringSet<> on;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (auto &f : llvm::sys::getHostCPUFeatures()) {
      llvmFeatures += (f.second ? "+" : "-") + f.first().str() + ",";
      if (f.second)
        on.insert(f.first());
    }
  } else {
    if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) == llvm::X86::CK_None)
      return llvm::createStringError(
          "unknown CPU '" + cpu +
          "' (use native, a level x86-64, x86-64-v2, x86-64-v3, x86-64-v4, "
          "or an LLVM CPU name such as skylake-avx512)");
    SmallVector<StringRef> features;
    llvm::X86::getFeaturesForCPU(cpu, features, /*NeedPlus=*/false);
    for (StringRef f : features)
      on.insert(f);
  }
  std::vector<std::string> isa;
  for (const char *f : format::kCpuFeatures)
    if (on.contains(f))
      isa.push_back(f);
  return std::make_unique<CPUBackend>(cpu, llvmFeatures, isa);
}
