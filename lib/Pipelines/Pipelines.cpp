//===- Pipelines.cpp - the CPU pipeline -----------------------------------===//
#include "weft/Pipelines/Pipelines.h"
#include "weft/Dialect/Dist/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"

using namespace mlir;

auto ::weft::parseStage(llvm::StringRef name) -> std::optional<Stage> {
  return llvm::StringSwitch<std::optional<Stage>>(name)
      .Case("sharded", Stage::Sharded)
      .Case("weft", Stage::Weft)
      .Case("groups", Stage::Groups)
      .Case("linalg", Stage::Linalg)
      .Case("plan", Stage::Plan)
      .Case("llvm", Stage::LLVM)
      .Case("artifact", Stage::Artifact)
      .Default(std::nullopt);
}

namespace {
/// Appends a textual pass list to `pm`. Every pass named here is registered
/// by weft::registerAllPasses, which every tool calls first; a failure is a
/// bug in this file, reported loudly.
void add(OpPassManager &pm, StringRef passes) {
  if (failed(parsePassPipeline(passes, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("weft: pipeline does not parse: ") +
                             passes);
}
} // namespace

void ::weft::buildCPUPipeline(OpPassManager &pm,
                              const CPUPipelineOptions &options) {
  Stage stop = parseStage(options.stopAfter).value_or(Stage::Artifact);
  auto after = [&](Stage s) { return stop != Stage::Artifact && stop <= s; };

  // Training entries get their backward pass first (attribute-driven: a
  // no-op for other functions and after the shard pipeline ran it).
  add(pm, "weft-autodiff,weft-optimizer");
  // Graph clean-up; attention and f32 convolutions become matmuls (fast
  // generated or library GEMMs).
  add(pm, "canonicalize,cse,weft-decompose-attention,weft-conv-to-gemm,"
          "canonicalize,cse");
  if (after(Stage::Weft))
    return;

  // Kernel formation.
  if (options.blas)
    add(pm, "weft-select-library-calls{vector-bits=" +
                std::to_string(options.vectorBits) + "}");
  add(pm, options.fuse ? "weft-fuse" : "weft-form-groups");
  if (after(Stage::Groups))
    return;
  add(pm, "weft-outline-kernels");

  // Kernels down to bufferized memrefs; temporaries become scratch.
  OpPassManager &kernels = pm.nest<ModuleOp>();
  add(kernels, "convert-weft-to-linalg,canonicalize,cse");
  // GEMMs: an outer scf.forall of packed, register-tiled panels.
  add(kernels, std::string("weft-cpu-tile-contractions{vector-bits=") +
                   std::to_string(options.vectorBits) + "},canonicalize,cse");
  // A fused group becomes one parallel loop of tiles.
  add(kernels, "linalg-generalize-named-ops,linalg-fuse-elementwise-ops,"
               "canonicalize,cse,"
               "weft-cpu-tile-kernels,canonicalize,cse");
  if (after(Stage::Linalg))
    return;
  // The parallel loop's iterations are handed to the runtime's threads.
  add(kernels, "eliminate-empty-tensors,empty-tensor-to-alloc-tensor,"
               "one-shot-bufferize,canonicalize,cse,weft-cpu-parallelize,"
               "func.func(buffer-hoisting,buffer-loop-hoisting),"
               "weft-cpu-hoist-scratch");

  // The plan.
  add(pm, "plan-build,plan-schedule,plan-verify-collectives,"
          "plan-assign-offsets");
  if (after(Stage::Plan))
    return;

  // Kernels to the LLVM dialect with exported entry points. Subviews at
  // dynamic offsets (embedding_grad's rows) expand to affine.apply, lowered
  // by the second lower-affine.
  add(pm.nest<ModuleOp>(),
      "weft-cpu-approximate-math,convert-vector-to-scf{full-unroll=true},"
      "convert-linalg-to-loops,lower-affine,"
      "convert-scf-to-cf,canonicalize,cse,convert-math-to-llvm,"
      "convert-math-to-libm,expand-strided-metadata,lower-affine,"
      "convert-vector-to-llvm,finalize-memref-to-llvm,convert-arith-to-llvm,"
      "convert-index-to-llvm,"
      "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
      "convert-cf-to-llvm,reconcile-unrealized-casts,canonicalize,"
      "weft-cpu-add-entry-points");
}

void ::weft::buildShardPipeline(OpPassManager &pm,
                                const ShardPipelineOptions &options) {
  // The search sees the backward pass of training entries.
  add(pm, "weft-autodiff,weft-optimizer,canonicalize,cse");
  // Built from the options struct, not pass-pipeline text: a report path
  // may hold any character.
  AutoShardPassOptions shard;
  shard.mode = options.mode;
  shard.training = options.training;
  shard.memoryBudget = options.memoryBudget;
  shard.timeLimit = options.timeLimit;
  shard.reportFile = options.report;
  shard.reportFormat = options.reportFormat;
  pm.addPass(createAutoShardPass(shard));
}

void ::weft::registerPipelines() {
  PassPipelineRegistration<ShardPipelineOptions>(
      "weft-shard-pipeline",
      "clean up, then choose an SBP sharding of every value over the "
      "module's dist.mesh (dist-auto-shard)",
      buildShardPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "weft-cpu-pipeline",
      "weft IR to lowered CPU kernels and a static plan per (entry, device)",
      buildCPUPipeline);
}
