//===- Compile.h - weft IR to artifact bytes --------------------*- C++ -*-===//
//
// What weftc and the Python module call: create the backend (validating its
// options first), run the named pipeline, print a stage or serialize.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_PIPELINES_COMPILE_H
#define WEFT_PIPELINES_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "weft/Pipelines/MeshSpec.h"
#include "weft/Pipelines/Pipelines.h"
#include "weft/runtime/Format.h"

#include <functional>
#include <vector>

namespace weft {

struct CompileOptions {
  /// f32 GEMMs call the runtime's BLAS; otherwise they are generated.
  bool useBlas = true;
  /// Kernels are fused groups (weft-fuse); otherwise one op per kernel.
  bool fuse = true;
  /// LLVM CPU for kernels: "native", "x86-64-v3", "skylake-avx512", ...
  std::string cpu = "native";
  /// Stop after this stage and print it to `emit`.
  Stage stop = Stage::Artifact;
  /// Progress messages ("[weftc] ...") go here when set.
  llvm::raw_ostream *progress = nullptr;
  /// A device mesh to add to the module (weftc --mesh); a module may also
  /// declare its own `dist.mesh`. With a mesh the module is sharded
  /// (weft-shard-pipeline) and only Stage::Sharded can be emitted until
  /// per-device programs are built.
  std::optional<MeshSpec> mesh;
  /// Options of the sharding search.
  std::string shardMode = "fast";
  bool training = false;
  int64_t memoryBudget = 0;
  double shardTimeLimit = 60; ///< exact mode, seconds
  /// --train: the weft.optimizer attribute (MLIR syntax) given to every
  /// entry without one, making it a training step; "" = none.
  std::string trainOptimizer;
  /// Sharding report: file, "-" = stdout, "" = none (only with a mesh).
  std::string shardReport;
  std::string shardReportFormat = "table";
  /// Called on the pass manager before it runs (command-line options such
  /// as --mlir-print-ir-after-all and crash reproducers).
  std::function<mlir::LogicalResult(mlir::PassManager &)> configure;
};

/// A compiled module: what the artifact holds, and its bytes.
struct CompiledModule {
  format::ArtifactDesc artifact;
  std::vector<char> bytes;
  /// Sharded over a mesh (the sharding report was written instead of the
  /// artifact summary).
  bool sharded = false;
};

/// Compiles `module` (weft IR) in place. Returns the artifact, or failure
/// after diagnostics on the module's context. With `stop` before Artifact,
/// prints that stage to `emit` and returns an empty result.
mlir::FailureOr<CompiledModule> compileModule(mlir::ModuleOp module,
                                              const CompileOptions &options,
                                              llvm::raw_ostream &emit);

} // namespace weft

#endif // WEFT_PIPELINES_COMPILE_H
