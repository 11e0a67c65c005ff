//===- weftc.cpp - the weft compiler driver -------------------------------===//
//
//   weftc model.mlir -o model.weft [--target=cpu] [--emit=STAGE] [--report=F]
//   weftc model.mlir --mesh=2x4 [--mesh-axes=dp,tp] [--mesh-topology=...]
//         [--shard-training] [--shard-mode=fast|exact] --report
//         [--report-format=json]
//   weftc loss.mlir --train [--optimizer=adamw|sgd] [--lr=X] ... -o step.weft
//
// Reads weft IR, compiles every entry function (`weft.entry` or @main) to a
// static plan plus native kernels, and writes a versioned artifact that
// weft-run executes. Diagnostics carry file:line:col; any failure exits 1.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/ToolUtilities.h"
#include "weft/InitAllDialects.h"
#include "weft/InitAllPasses.h"
#include "weft/Pipelines/Compile.h"
#include "weft/Target/CPU/CPUBackend.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;
namespace format = ::weft::format;

static cl::OptionCategory weftcCat("weftc options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::init("-"), cl::cat(weftcCat));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Artifact to write (or the "
                                                "--emit stage; '-' = stdout)"),
                                       cl::value_desc("file"), cl::init(""),
                                       cl::cat(weftcCat));
static cl::opt<std::string>
    target("target", cl::desc("Where the kernels run: cpu (cuda: later)"),
           cl::init("cpu"), cl::cat(weftcCat));
static cl::opt<::weft::Stage> emitStage(
    "emit", cl::desc("Print a stage instead of writing an artifact"),
    cl::values(clEnumValN(::weft::Stage::Sharded, "sharded",
                          "entries with an SBP sharding on every value "
                          "(needs a mesh)"),
               clEnumValN(::weft::Stage::Weft, "weft", "canonical weft IR"),
               clEnumValN(::weft::Stage::Groups, "groups",
                          "entries cut into kernel groups"),
               clEnumValN(::weft::Stage::Linalg, "linalg",
                          "outlined kernels lowered to linalg on tensors"),
               clEnumValN(::weft::Stage::Plan, "plan",
                          "the static plan (plan dialect)"),
               clEnumValN(::weft::Stage::LLVM, "llvm",
                          "kernels in the LLVM dialect")),
    cl::init(::weft::Stage::Artifact), cl::cat(weftcCat));
static cl::opt<std::string> reportFile(
    "report",
    cl::desc("Write a report to this file ('-' or no value = stdout): for an "
             "artifact, JSON (commands, arena sizes vs. their lower bound); "
             "with a mesh, the sharding plan (per-op strategy, costs, "
             "collectives; predicted step time and peak memory per device)"),
    cl::value_desc("file"), cl::init(""), cl::ValueOptional, cl::cat(weftcCat));
static cl::opt<std::string>
    reportFormat("report-format",
                 cl::desc("Sharding report format: table (default) or json"),
                 cl::init("table"), cl::cat(weftcCat));
static cl::opt<std::string>
    meshShape("mesh",
              cl::desc("Shard over a device mesh of this shape, e.g. 2x4 "
                       "(axis 0 outermost): one program per device, "
                       "collectives between them"),
              cl::value_desc("AxB..."), cl::init(""), cl::cat(weftcCat));
static cl::opt<std::string> meshAxes("mesh-axes",
                                     cl::desc("Mesh axis names, e.g. dp,tp"),
                                     cl::init(""), cl::cat(weftcCat));
static cl::opt<std::string> meshTopology(
    "mesh-topology",
    cl::desc("Mesh costs: 'latency_us=10,2;bandwidth_gbps=25,450;"
             "memory_bytes=N;flops=F;memory_bandwidth_gbps=F;launch_us=F' "
             "(per-axis lists have one value per axis)"),
    cl::init(""), cl::cat(weftcCat));
static cl::opt<std::string>
    shardMode("shard-mode",
              cl::desc("Sharding search: fast (default; graph elimination + "
                       "local search) or exact (ILP, GLPK)"),
              cl::init("fast"), cl::cat(weftcCat));
static cl::opt<double>
    shardTimeLimit("shard-time-limit",
                   cl::desc("Exact sharding search: solver time limit in "
                            "seconds (default 60); the report gives the gap"),
                   cl::init(60), cl::cat(weftcCat));
static cl::opt<bool> shardTraining(
    "shard-training",
    cl::desc("Shard a forward-only entry for the costs of a training step "
             "(modelled backward, gradient all-reduces, optimizer state)"),
    cl::init(false), cl::cat(weftcCat));

static cl::OptionCategory trainCat("weftc training options");
static cl::opt<bool> train(
    "train",
    cl::desc("Compile each entry (its first result is the loss) as a "
             "training step: gradients of every weft.state argument and the "
             "optimizer update, parameters and optimizer state updated in "
             "place (an entry's own weft.optimizer attribute wins)"),
    cl::init(false), cl::cat(trainCat));
static cl::opt<std::string>
    optimizer("optimizer", cl::desc("--train: sgd or adamw (default)"),
              cl::init("adamw"), cl::cat(trainCat));
static cl::opt<double> lr("lr", cl::desc("--train: learning rate (1e-3)"),
                          cl::init(1e-3), cl::cat(trainCat));
static cl::opt<double> momentum("momentum",
                                cl::desc("--train: SGD momentum (0)"),
                                cl::cat(trainCat));
static cl::opt<double>
    weightDecay("weight-decay",
                cl::desc("--train: weight decay (sgd 0, adamw 0.01)"),
                cl::cat(trainCat));
static cl::opt<double> beta1("beta1", cl::desc("--train: AdamW beta1 (0.9)"),
                             cl::cat(trainCat));
static cl::opt<double> beta2("beta2", cl::desc("--train: AdamW beta2 (0.999)"),
                             cl::cat(trainCat));
static cl::opt<double> eps("eps", cl::desc("--train: AdamW eps (1e-8)"),
                           cl::cat(trainCat));
static cl::opt<double>
    clipNorm("clip-norm",
             cl::desc("--train: clip gradients to this global L2 norm"),
             cl::cat(trainCat));

/// The weft.optimizer attribute of --train (MLIR syntax) from the flags
/// given; the compiler checks the values.
static std::string optimizerAttr() {
  std::string out = "{kind = \"" + optimizer + "\"";
  auto add = [&](const char *key, const cl::opt<double> &v, bool always) {
    if (!always && v.getNumOccurrences() == 0)
      return;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17e", double(v));
    out += std::string(", ") + key + " = " + buf + " : f64";
  };
  add("lr", lr, true);
  add("momentum", momentum, false);
  add("weight_decay", weightDecay, false);
  add("beta1", beta1, false);
  add("beta2", beta2, false);
  add("eps", eps, false);
  add("clip_norm", clipNorm, false);
  return out + "}";
}
static cl::opt<int64_t>
    memoryBudget("memory-budget",
                 cl::desc("Bytes of memory per device for the sharding "
                          "search (default: the mesh's memory_bytes)"),
                 cl::init(0), cl::cat(weftcCat));
static cl::opt<bool> noBlas("no-blas",
                            cl::desc("Generate GEMM kernels instead of "
                                     "calling the runtime's BLAS"),
                            cl::init(false), cl::cat(weftcCat));
static cl::opt<bool> noFuse("no-fuse",
                            cl::desc("One kernel per op: no fusion (for "
                                     "comparison and debugging)"),
                            cl::init(false), cl::cat(weftcCat));
static cl::opt<std::string>
    cpu("cpu",
        cl::desc("CPU the kernels are built for: native (default), a "
                 "portable level (x86-64, x86-64-v2, x86-64-v3, x86-64-v4) "
                 "or an LLVM CPU name; the runtime refuses a CPU that lacks "
                 "the features it implies"),
        cl::init("native"), cl::cat(weftcCat));
static cl::opt<bool> quiet("q", cl::desc("No progress messages"),
                           cl::init(false), cl::cat(weftcCat));
static cl::opt<bool> splitInput(
    "split-input-file",
    cl::desc("Compile each '// -----' chunk on its own (for tests: --emit "
             "output is concatenated, no artifact is written)"),
    cl::init(false), cl::cat(weftcCat));

static const char *commandKind(format::CommandKind k) {
  switch (k) {
  case format::CommandKind::Launch:
    return "launch";
  case format::CommandKind::Gemm:
    return "gemm";
  case format::CommandKind::Copy:
    return "copy";
  case format::CommandKind::Collective:
    return "collective";
  case format::CommandKind::Send:
    return "send";
  case format::CommandKind::Recv:
    return "recv";
  case format::CommandKind::EventRecord:
    return "event_record";
  case format::CommandKind::EventWait:
    return "event_wait";
  }
  return "?";
}

/// Bytes that commands of `p` pass to each other through memory: every
/// buffer of a working (not persistent) arena written by one command and
/// read by a later one counts once per write and once per such read.
static int64_t bytesBetweenCommands(const format::ProgramDesc &p) {
  std::vector<int64_t> writes(p.buffers.size()), reads(p.buffers.size());
  std::vector<bool> written(p.buffers.size());
  for (const format::CommandDesc &c : p.commands) {
    for (uint32_t b : c.ins)
      if (b < p.buffers.size() && written[b])
        ++reads[b];
    for (uint32_t b : c.outs)
      if (b < p.buffers.size()) {
        written[b] = true;
        ++writes[b];
      }
  }
  int64_t total = 0;
  for (size_t b = 0; b < p.buffers.size(); ++b) {
    const format::BufferDesc &buf = p.buffers[b];
    if (!reads[b] || buf.arena >= p.arenas.size() ||
        (p.arenas[buf.arena].flags & format::kPersistent))
      continue;
    total += int64_t(buf.size) * (writes[b] + reads[b]);
  }
  return total;
}

static llvm::json::Value report(const format::ArtifactDesc &a) {
  auto io = [](const std::vector<format::TensorDesc> &ts) {
    llvm::json::Array out;
    for (const format::TensorDesc &t : ts)
      out.push_back(llvm::json::Object{{"name", t.name},
                                       {"dtype", format::dtypeName(t.dtype)},
                                       {"shape", llvm::json::Array(t.shape)}});
    return out;
  };
  llvm::json::Array entries;
  for (const format::EntryDesc &e : a.entries) {
    llvm::json::Array programs;
    for (const format::ProgramDesc &p : e.programs) {
      llvm::json::Array commands, arenas;
      int64_t launches = 0;
      for (const format::CommandDesc &c : p.commands) {
        launches += c.kind == format::CommandKind::Launch;
        llvm::json::Array buffers;
        for (uint32_t b : c.ins)
          buffers.push_back(b);
        for (uint32_t b : c.outs)
          buffers.push_back(b);
        commands.push_back(llvm::json::Object{{"kind", commandKind(c.kind)},
                                              {"what", c.label},
                                              {"extent", int64_t(c.extent)},
                                              {"stream", c.stream},
                                              {"buffers", std::move(buffers)}});
      }
      int64_t bytes = 0;
      for (const format::ArenaDesc &ar : p.arenas) {
        arenas.push_back(llvm::json::Object{
            {"bytes", int64_t(ar.size)},
            {"persistent", (ar.flags & format::kPersistent) != 0}});
        if (!(ar.flags & format::kPersistent))
          bytes += ar.size;
      }
      programs.push_back(llvm::json::Object{
          {"device", p.device},
          {"arenas", std::move(arenas)},
          {"arena_bytes", bytes},
          {"arena_lower_bound_bytes", int64_t(p.lowerBound)},
          {"buffers", int64_t(p.buffers.size())},
          {"streams", int64_t(p.streams.size())},
          {"kernel_launches", launches},
          {"bytes_between_commands", bytesBetweenCommands(p)},
          {"commands", std::move(commands)}});
    }
    entries.push_back(llvm::json::Object{{"name", e.name},
                                         {"inputs", io(e.inputs)},
                                         {"outputs", io(e.outputs)},
                                         {"programs", std::move(programs)}});
  }
  llvm::json::Array features;
  for (const std::string &f : a.targets.front().features)
    features.push_back(f);
  uint64_t weightBytes = a.weightBytes.size();
  return llvm::json::Object{{"target", "cpu"},
                            {"cpu", a.targets.front().arch},
                            {"cpu_features", std::move(features)},
                            {"kernels", int64_t(a.kernels.size())},
                            {"weights", int64_t(a.weights.size())},
                            {"weight_bytes", int64_t(weightBytes)},
                            {"entries", std::move(entries)}};
}

static int fail(const std::string &msg) {
  llvm::errs() << "weftc: error: " << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  ::weft::registerAllPasses();
  // MLIR's pass-manager, context and printing options work through weftc
  // (--mlir-print-ir-after-all, --mlir-pass-statistics,
  // --mlir-pass-pipeline-crash-reproducer=FILE, ...).
  registerPassManagerCLOptions();
  registerMLIRContextCLOptions();
  registerAsmPrinterCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::HideUnrelatedOptions({&weftcCat, &trainCat});
  cl::ParseCommandLineOptions(
      argc, argv,
      "weftc: weft IR -> static plan + kernels\n\n"
      "MLIR pass-manager options also work (see "
      "--help-hidden): --mlir-print-ir-after-all,\n"
      "--mlir-pass-statistics, --mlir-timing, "
      "--mlir-pass-pipeline-crash-reproducer=FILE, ...\n");
  if (target != "cpu")
    return fail("--target=" + target +
                " is not supported yet (supported: cpu)");
  if (reportFile.getNumOccurrences() && reportFile.empty())
    reportFile = "-";
  if (shardMode != "fast" && shardMode != "exact")
    return fail("--shard-mode=" + shardMode + ": expected fast or exact");
  if (reportFormat != "table" && reportFormat != "json")
    return fail("--report-format=" + reportFormat + ": expected table or json");
  if (!(shardTimeLimit > 0))
    return fail("--shard-time-limit must be positive");
  if (memoryBudget < 0)
    return fail("--memory-budget must be a positive number of bytes");
  std::optional<::weft::MeshSpec> mesh;
  if (!meshShape.empty()) {
    auto spec = ::weft::parseMeshSpec(meshShape, meshAxes, meshTopology);
    if (!spec)
      return fail(llvm::toString(spec.takeError()));
    mesh = std::move(*spec);
  } else if (!meshAxes.empty() || !meshTopology.empty()) {
    return fail("--mesh-axes and --mesh-topology need --mesh");
  }
  if (outputFile.empty())
    outputFile = emitStage == ::weft::Stage::Artifact ? "a.weft" : "-";
  // Flags first: a bad --cpu is an error before any input is read.
  if (auto backend = ::weft::createCPUBackend(cpu); !backend)
    return fail(llvm::toString(backend.takeError()));

  DialectRegistry registry;
  ::weft::registerAllDialects(registry);
  MLIRContext ctx(registry);
  // Diagnostics name the op by location; the op dump is noise for users.
  ctx.printOpOnDiagnostic(false);
  ctx.loadAllAvailableDialects();

  std::string err;
  auto input = openInputFile(inputFile, &err);
  if (!input)
    return fail(err);
  auto output = openOutputFile(outputFile, &err);
  if (!output)
    return fail(err);

  ::weft::CompileOptions options;
  options.useBlas = !noBlas;
  options.fuse = !noFuse;
  options.cpu = cpu;
  options.stop = emitStage;
  options.mesh = mesh;
  options.shardMode = shardMode;
  options.training = shardTraining;
  bool trainFlags = optimizer.getNumOccurrences() || lr.getNumOccurrences() ||
                    momentum.getNumOccurrences() ||
                    weightDecay.getNumOccurrences() ||
                    beta1.getNumOccurrences() || beta2.getNumOccurrences() ||
                    eps.getNumOccurrences() || clipNorm.getNumOccurrences();
  if (trainFlags && !train)
    return fail("--optimizer, --lr, --momentum, --weight-decay, --beta1, "
                "--beta2, --eps and --clip-norm need --train");
  if (train && shardTraining)
    return fail("--train compiles the real backward pass; --shard-training "
                "(modelled backward costs) is for forward-only entries");
  if (train)
    options.trainOptimizer = optimizerAttr();
  options.memoryBudget = memoryBudget;
  options.shardTimeLimit = shardTimeLimit;
  options.shardReportFormat = reportFormat;
  // With a mesh, --report is the sharding plan; otherwise the artifact's.
  options.shardReport = reportFile;
  options.progress = quiet ? nullptr : &llvm::errs();
  options.configure = [](PassManager &pm) {
    applyDefaultTimingPassManagerCLOptions(pm);
    return applyPassManagerCLOptions(pm);
  };

  ::weft::CompiledModule compiled;
  auto compileChunk = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                          llvm::raw_ostream &os) -> LogicalResult {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
    SourceMgrDiagnosticHandler diagHandler(sourceMgr, &ctx);
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &ctx);
    if (!module)
      return failure();
    FailureOr<::weft::CompiledModule> result =
        ::weft::compileModule(*module, options, os);
    if (failed(result))
      return failure();
    compiled = std::move(*result);
    return success();
  };
  if (splitInput) {
    // Every chunk runs even after a failure, so all diagnostics show.
    if (failed(splitAndProcessBuffer(std::move(input), compileChunk,
                                     output->os(), kDefaultSplitMarker,
                                     kDefaultSplitMarker)))
      return 1;
    output->keep();
    return 0;
  }
  if (failed(compileChunk(std::move(input), output->os())))
    return 1;
  if (emitStage == ::weft::Stage::Artifact)
    output->os().write(compiled.bytes.data(), compiled.bytes.size());
  output->os().flush();
  if (output->os().has_error())
    return fail("cannot write '" + outputFile +
                "': " + output->os().error().message());
  output->keep();
  if (!reportFile.empty() && emitStage == ::weft::Stage::Artifact &&
      !compiled.sharded) {
    auto rep = openOutputFile(reportFile, &err);
    if (!rep)
      return fail(err);
    rep->os() << llvm::formatv("{0:2}", report(compiled.artifact)) << "\n";
    rep->os().flush();
    if (rep->os().has_error())
      return fail("cannot write '" + reportFile +
                  "': " + rep->os().error().message());
    rep->keep();
  }
  return 0;
}
