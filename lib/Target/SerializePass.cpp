//===- SerializePass.cpp - plan-serialize ---------------------------------===//
#include "weft/Target/CPU/CPUBackend.h"
#include "weft/Target/Passes.h"
#include "weft/Target/Serialize.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace weft {
#define GEN_PASS_DEF_SERIALIZEPASS
#include "weft/Target/Passes.h.inc"
} // namespace weft

using namespace mlir;

namespace {
struct SerializePass : ::weft::impl::SerializePassBase<SerializePass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::Expected<std::unique_ptr<::weft::Backend>> backend =
        ::weft::createCPUBackend(cpu);
    if (!backend) {
      module.emitError(llvm::toString(backend.takeError()));
      return signalPassFailure();
    }
    FailureOr<std::vector<char>> bytes =
        ::weft::serializeArtifact(module, **backend);
    if (failed(bytes))
      return signalPassFailure();
    std::error_code ec;
    llvm::raw_fd_ostream os(output, ec, llvm::sys::fs::OF_None);
    if (!ec) {
      os.write(bytes->data(), bytes->size());
      os.close();
      if (os.has_error())
        ec = os.error();
    }
    if (ec) {
      module.emitError("plan-serialize: cannot write '")
          << output << "': " << ec.message();
      return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};
} // namespace
