//===- Compile.cpp - weft IR to artifact bytes ----------------------------===//
#include "weft/Pipelines/Compile.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Pass/PassRegistry.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "weft/Dialect/Dist/IR/DistOps.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Target/CPU/CPUBackend.h"
#include "weft/Target/CPU/Passes.h"
#include "weft/Target/Serialize.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"

using namespace mlir;
using namespace ::weft;

namespace {
const char *stageName(Stage s) {
  switch (s) {
  case Stage::Sharded:
    return "sharded";
  case Stage::Weft:
    return "weft";
  case Stage::Groups:
    return "groups";
  case Stage::Linalg:
    return "linalg";
  case Stage::Plan:
    return "plan";
  case Stage::LLVM:
    return "llvm";
  case Stage::Artifact:
    break;
  }
  return "llvm";
}

void progress(const CompileOptions &opts, const Twine &msg) {
  if (opts.progress)
    *opts.progress << "[weftc] " << msg << "\n";
}

/// Adds the sharding passes for a module with a dist.mesh: the search,
/// then (past Stage::Sharded) per-device programs.
void addShardingPasses(OpPassManager &pm, const CompileOptions &opts) {
  ShardPipelineOptions shard;
  shard.mode = opts.shardMode;
  shard.training = opts.training;
  shard.memoryBudget = opts.memoryBudget;
  shard.timeLimit = opts.shardTimeLimit;
  shard.report = opts.shardReport;
  shard.reportFormat = opts.shardReportFormat;
  buildShardPipeline(pm, shard);
  if (opts.stop == Stage::Sharded)
    return;
  if (failed(parsePassPipeline("dist-partition,dist-specialize", pm)))
    llvm::report_fatal_error("weft: dist passes are not registered");
}
} // namespace

auto ::weft::compileModule(ModuleOp module, const CompileOptions &opts,
                           raw_ostream &emit) -> FailureOr<CompiledModule> {
  // The backend first: a bad --cpu is an error before any work.
  llvm::Expected<std::unique_ptr<Backend>> backend = createCPUBackend(opts.cpu);
  if (!backend)
    return emitError(module.getLoc(), llvm::toString(backend.takeError()));
  SmallVector<func::FuncOp> entries = getEntryFunctions(module);
  if (entries.empty())
    return emitError(module.getLoc(),
                     "weftc: no entry function: mark one with the "
                     "'weft.entry' attribute or name it @main");
  if (!opts.trainOptimizer.empty()) {
    Attribute attr = parseAttribute(opts.trainOptimizer, module.getContext());
    if (!isa_and_nonnull<DictionaryAttr>(attr))
      return emitError(module.getLoc(), "weftc: bad optimizer attribute ")
             << opts.trainOptimizer;
    for (func::FuncOp fn : entries)
      if (!fn->hasAttr(kOptimizerAttr) && !fn->hasAttr(kAutodiffAttr))
        fn->setAttr(kOptimizerAttr, attr);
  }
  if (opts.mesh && failed(addMesh(module, *opts.mesh)))
    return failure();
  bool sharded = !module.getOps<dist::MeshOp>().empty();
  if (!sharded && opts.stop == Stage::Sharded)
    return emitError(module.getLoc(), "weftc: --emit=sharded needs a mesh "
                                      "(--mesh=... or a dist.mesh op)");
  for (func::FuncOp fn : entries)
    if (failed(verifyEntryFunction(fn, /*allowDist=*/sharded)))
      return failure();

  PassManager pm(module->getContext());
  if (sharded)
    addShardingPasses(pm, opts);
  if (opts.stop != Stage::Sharded) {
    CPUPipelineOptions pipeline;
    pipeline.blas = opts.useBlas;
    pipeline.fuse = opts.fuse;
    // Generated GEMMs use the target's widest vectors (any AVX-512
    // extension implies avx512f: a CPU level may list only the extensions).
    const std::vector<std::string> &isa = (*backend)->targetDesc().features;
    bool avx512 = llvm::any_of(isa, [](const std::string &f) {
      return llvm::StringRef(f).starts_with("avx512");
    });
    pipeline.vectorBits = avx512                            ? 512
                          : llvm::is_contained(isa, "avx2") ? 256
                                                            : 128;
    pipeline.stopAfter = stageName(opts.stop);
    buildCPUPipeline(pm, pipeline);
  }
  if (opts.configure && failed(opts.configure(pm)))
    return failure();
  if (sharded)
    progress(opts, "sharding (weft-shard-pipeline, " + opts.shardMode +
                       " search)" +
                       (opts.stop == Stage::Sharded
                            ? ""
                            : ", per-device programs, weft-cpu-pipeline"));
  else
    progress(opts, "compiling (weft-cpu-pipeline)");
  if (failed(pm.run(module)))
    return failure();
  if (opts.stop == Stage::Sharded) {
    module.print(emit);
    emit << "\n";
    return CompiledModule();
  }

  if (opts.stop == Stage::Plan) {
    for (auto program : module.getOps<plan::ProgramOp>()) {
      program.print(emit);
      emit << "\n";
    }
    return CompiledModule();
  }
  if (opts.stop == Stage::LLVM) {
    for (auto m : module.getOps<ModuleOp>())
      if (m.getSymName() == kKernelModuleName)
        m.print(emit);
    emit << "\n";
    return CompiledModule();
  }
  if (opts.stop != Stage::Artifact) {
    module.print(emit);
    emit << "\n";
    return CompiledModule();
  }
  // Entries, not per-device programs: a mesh gives one program per device.
  llvm::StringSet<> entryNames;
  size_t numPrograms = 0, numKernels = 0;
  for (auto program : module.getOps<plan::ProgramOp>()) {
    entryNames.insert(program.getEntry().value_or(program.getSymName()));
    ++numPrograms;
  }
  size_t numEntries = entryNames.size();
  for (auto m : module.getOps<ModuleOp>())
    if (m.getSymName() == kKernelModuleName)
      numKernels =
          llvm::count_if(m.getOps<LLVM::LLVMFuncOp>(), [](LLVM::LLVMFuncOp f) {
            return f.getSymName().starts_with(kEntryPointPrefix);
          });
  progress(opts,
           Twine(numEntries) + (numEntries == 1 ? " entry, " : " entries, ") +
               (numPrograms > numEntries
                    ? Twine(numPrograms) + " device programs, "
                    : Twine()) +
               Twine(numKernels) + (numKernels == 1 ? " kernel" : " kernels"));
  for (auto program : module.getOps<plan::ProgramOp>()) {
    int64_t bytes = 0, bound = 0;
    for (auto arena : program.getBody().getOps<plan::ArenaOp>()) {
      bytes += arena.getSize();
      if (auto lb = arena->getAttrOfType<IntegerAttr>("weft.lower_bound"))
        bound += lb.getInt();
    }
    // Collectives, and how many of them have compute to overlap with.
    int64_t collectives = 0, overlapping = 0;
    for (Operation *op : program.getCommands())
      if (isa<plan::CollectiveOp>(op)) {
        ++collectives;
        if (auto n = op->getAttrOfType<IntegerAttr>("weft.overlap"))
          overlapping += n.getInt() > 0;
      }
    std::string comm = collectives
                           ? (", " + Twine(collectives) + " collectives (" +
                              Twine(overlapping) + " with compute to overlap)")
                                 .str()
                           : "";
    progress(opts, "@" + program.getSymName() + ": " +
                       Twine(program.getCommands().size()) + " commands" +
                       comm + ", arenas " + Twine(bytes) +
                       " bytes (lower bound " + Twine(bound) + ")");
  }
  progress(opts, "generating native code");
  FailureOr<format::ArtifactDesc> artifact =
      describeArtifact(module, **backend);
  if (failed(artifact))
    return failure();
  CompiledModule out;
  out.sharded = sharded;
  out.bytes = format::encodeArtifact(*artifact);
  out.artifact = std::move(*artifact);
  return out;
}
