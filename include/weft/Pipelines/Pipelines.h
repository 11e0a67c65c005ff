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

/// Stages a pipeline can stop after (`--emit=` in weftc). `Sharded` is the
/// entry functions after dist-auto-shard (modules with a dist.mesh).
enum class Stage { Sharded, Weft, Groups, Linalg, Plan, LLVM, Artifact };

/// Parses "sharded", "weft", "groups", "linalg", "plan", "llvm" or
/// "artifact".
std::optional<Stage> parseStage(llvm::StringRef name);

struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<bool> blas{*this, "blas",
                    llvm::cl::desc("f32 GEMMs call the runtime's BLAS "
                                   "(otherwise they are generated)"),
                    llvm::cl::init(true)};
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Fuse ops into kernels (weft-fuse); "
                                   "otherwise one op per kernel"),
                    llvm::cl::init(true)};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("SIMD register width of the target for generated GEMMs "
                     "(512 AVX-512, 256 AVX2, 128 SSE)"),
      llvm::cl::init(512)};
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("Stop after a stage: weft, groups, linalg, plan, llvm "
                     "(default: the whole pipeline)"),
      llvm::cl::init("llvm")};
};

/// Adds the CPU pipeline's passes to `pm` (on a builtin.module).
void buildCPUPipeline(mlir::OpPassManager &pm,
                      const CPUPipelineOptions &options);

struct ShardPipelineOptions
    : public mlir::PassPipelineOptions<ShardPipelineOptions> {
  Option<std::string> mode{*this, "mode",
                           llvm::cl::desc("Search mode: fast or exact"),
                           llvm::cl::init("fast")};
  Option<bool> training{*this, "training",
                        llvm::cl::desc("Model a training step"),
                        llvm::cl::init(false)};
  Option<int64_t> memoryBudget{
      *this, "memory-budget",
      llvm::cl::desc("Bytes per device (0: the mesh's memory_bytes)"),
      llvm::cl::init(0)};
  Option<double> timeLimit{*this, "time-limit",
                           llvm::cl::desc("Exact mode: solver time limit (s)"),
                           llvm::cl::init(60)};
  Option<std::string> report{*this, "report",
                             llvm::cl::desc("Report file (- for stdout)"),
                             llvm::cl::init("")};
  Option<std::string> reportFormat{*this, "report-format",
                                   llvm::cl::desc("table or json"),
                                   llvm::cl::init("table")};
};

/// Graph clean-up, then dist-auto-shard over the module's dist.mesh.
void buildShardPipeline(mlir::OpPassManager &pm,
                        const ShardPipelineOptions &options);

/// Registers the named pipelines with the global registry.
void registerPipelines();

} // namespace weft

#endif // WEFT_PIPELINES_PIPELINES_H
