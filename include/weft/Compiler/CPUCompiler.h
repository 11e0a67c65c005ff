//===- CPUCompiler.h - weft IR to a CPU artifact ----------------*- C++ -*-===//
//
// The CPU path of weftc: every entry function of a weft module becomes a
// static plan over one arena, its ops become kernels (generated through
// linalg -> loops -> LLVM -> a native shared object) or library calls.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_COMPILER_CPUCOMPILER_H
#define WEFT_COMPILER_CPUCOMPILER_H

#include "mlir/IR/BuiltinOps.h"
#include "weft/Compiler/Artifact.h"
#include "llvm/Support/raw_ostream.h"

namespace weft {

/// Stages `weftc --emit=` can print instead of producing an artifact.
enum class Stage { Weft, Linalg, Plan, LLVM, Artifact };

struct CPUCompileOptions {
  /// f32 2-D matmuls call the runtime's BLAS GEMM; otherwise they are
  /// generated like every other op.
  bool useBlas = true;
  /// LLVM CPU name for kernels ("native": the host).
  std::string cpu = "native";
  /// Stop after this stage and print it to `emit`.
  Stage stop = Stage::Artifact;
  /// Progress messages ("[weftc] ...") go here when set.
  llvm::raw_ostream *progress = nullptr;
};

/// Compiles `module` (weft IR) in place. Returns the artifact, or failure
/// after reporting diagnostics on the module's context. With `stop` before
/// Artifact, prints that stage to `emit` and returns an empty artifact.
mlir::FailureOr<CompiledArtifact>
compileForCPU(mlir::ModuleOp module, const CPUCompileOptions &options,
              llvm::raw_ostream &emit);

} // namespace weft

#endif // WEFT_COMPILER_CPUCOMPILER_H
