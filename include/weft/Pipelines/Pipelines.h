//===- Pipelines.h - named end-to-end pass pipelines ------------*- C++ -*-===//
//
// `weft-cpu-pipeline`: weft IR -> kernel groups -> outlined kernels lowered
// to LLVM + one plan.program per (entry, device) with streams, events and
// offsets. Registered so `weft-opt --weft-cpu-pipeline='stop-after=plan'`
// runs any prefix; weftc and the Python module build the same pipeline.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_PIPELINES_PIPELINES_H
#define WEFT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace weft {

/// Stages a pipeline can stop after (`--emit=` in weftc).
enum class Stage { Weft, Groups, Linalg, Plan, LLVM, Artifact };

/// Parses "weft", "groups", "linalg", "plan", "llvm" or "artifact".
std::optional<Stage> parseStage(llvm::StringRef name);

struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> blas{*this, "blas",
                    llvm::cl::desc("f32 GEMMs call the runtime's BLAS "
                                   "(otherwise they are generated)"),
                    llvm::cl::init(true)};
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("Stop after a stage: weft, groups, linalg, plan, llvm "
                     "(default: the whole pipeline)"),
      llvm::cl::init("llvm")};
};

/// Adds the CPU pipeline's passes to `pm` (on a builtin.module).
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

/// Registers the named pipelines with the global registry.
void registerPipelines();

} // namespace weft

#endif // WEFT_PIPELINES_PIPELINES_H
