//===- weftc.cpp - the weft compiler driver -------------------------------===//
//
//   weftc model.mlir -o model.weft [--target=cpu] [--emit=STAGE] [--report=F]
//
// Reads weft IR, compiles every entry function (`weft.entry` or @main) to a
// static plan plus native kernels, and writes a versioned artifact that
// weft-run executes. Diagnostics carry file:line:col; any failure exits 1.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "weft/Compiler/CPUCompiler.h"
#include "weft/InitAllDialects.h"
#include "weft/InitAllPasses.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

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
    cl::values(clEnumValN(::weft::Stage::Weft, "weft", "canonical weft IR"),
               clEnumValN(::weft::Stage::Linalg, "linalg",
                          "kernels lowered to linalg on tensors"),
               clEnumValN(::weft::Stage::Plan, "plan",
                          "the static plan (plan dialect)"),
               clEnumValN(::weft::Stage::LLVM, "llvm",
                          "kernels in the LLVM dialect")),
    cl::init(::weft::Stage::Artifact), cl::cat(weftcCat));
static cl::opt<std::string>
    reportFile("report",
               cl::desc("Write a JSON report (commands, arena size vs. its "
                        "lower bound) to this file ('-' = stdout)"),
               cl::value_desc("file"), cl::init(""), cl::cat(weftcCat));
static cl::opt<bool> noBlas("no-blas",
                            cl::desc("Generate GEMM kernels instead of "
                                     "calling the runtime's BLAS"),
                            cl::init(false), cl::cat(weftcCat));
static cl::opt<std::string> cpu("cpu",
                                cl::desc("LLVM CPU for kernels (default: "
                                         "the host)"),
                                cl::init("native"), cl::cat(weftcCat));
static cl::opt<bool> quiet("q", cl::desc("No progress messages"),
                           cl::init(false), cl::cat(weftcCat));
static cl::opt<bool> splitInput(
    "split-input-file",
    cl::desc("Compile each '// -----' chunk on its own (for tests: --emit "
             "output is concatenated, no artifact is written)"),
    cl::init(false), cl::cat(weftcCat));

static llvm::json::Value report(const ::weft::CompiledArtifact &a) {
  llvm::json::Array entries;
  for (const ::weft::EntryProgram &e : a.entries) {
    llvm::json::Array commands;
    for (const ::weft::Command &c : e.commands)
      commands.push_back(llvm::json::Object{
          {"kind",
           c.kind == ::weft::format::CommandKind::Sgemm ? "sgemm" : "launch"},
          {"what", c.label},
          {"buffers", llvm::json::Array(c.args)}});
    auto io = [](const std::vector<::weft::TensorDesc> &ts) {
      llvm::json::Array out;
      for (const ::weft::TensorDesc &t : ts)
        out.push_back(
            llvm::json::Object{{"name", t.name},
                               {"dtype", ::weft::format::dtypeName(t.dtype)},
                               {"shape", llvm::json::Array(t.shape)}});
      return out;
    };
    entries.push_back(
        llvm::json::Object{{"name", e.name},
                           {"inputs", io(e.inputs)},
                           {"outputs", io(e.outputs)},
                           {"arena_bytes", e.arenaSize},
                           {"arena_lower_bound_bytes", e.lowerBound},
                           {"placement", e.planStrategy},
                           {"buffers", int64_t(e.buffers.size())},
                           {"commands", std::move(commands)}});
  }
  return llvm::json::Object{{"target", "cpu"},
                            {"kernels", int64_t(a.kernelSymbols.size())},
                            {"entries", std::move(entries)}};
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  ::weft::registerAllPasses();
  cl::HideUnrelatedOptions(weftcCat);
  cl::ParseCommandLineOptions(argc, argv,
                              "weftc: weft IR -> static plan + kernels\n");
  if (target != "cpu") {
    llvm::errs() << "weftc: error: --target=" << target
                 << " is not supported yet (supported: cpu)\n";
    return 1;
  }
  if (outputFile.empty())
    outputFile = emitStage == ::weft::Stage::Artifact ? "a.weft" : "-";

  DialectRegistry registry;
  ::weft::registerAllDialects(registry);
  MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  std::string err;
  auto input = openInputFile(inputFile, &err);
  if (!input) {
    llvm::errs() << "weftc: error: " << err << "\n";
    return 1;
  }
  auto output = openOutputFile(outputFile, &err);
  if (!output) {
    llvm::errs() << "weftc: error: " << err << "\n";
    return 1;
  }

  ::weft::CPUCompileOptions options;
  options.useBlas = !noBlas;
  options.cpu = cpu;
  options.stop = emitStage;
  options.progress = quiet ? nullptr : &llvm::errs();

  ::weft::CompiledArtifact artifact;
  auto compileChunk = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                          llvm::raw_ostream &os) -> LogicalResult {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
    SourceMgrDiagnosticHandler diagHandler(sourceMgr, &ctx);
    OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &ctx);
    if (!module)
      return failure();
    FailureOr<::weft::CompiledArtifact> result =
        ::weft::compileForCPU(*module, options, os);
    if (failed(result))
      return failure();
    artifact = std::move(*result);
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
  if (emitStage == ::weft::Stage::Artifact) {
    std::vector<char> bytes = ::weft::serialize(artifact);
    output->os().write(bytes.data(), bytes.size());
  }
  output->keep();
  if (!reportFile.empty()) {
    auto rep = openOutputFile(reportFile, &err);
    if (!rep) {
      llvm::errs() << "weftc: error: " << err << "\n";
      return 1;
    }
    rep->os() << llvm::formatv("{0:2}", report(artifact)) << "\n";
    rep->keep();
  }
  return 0;
}
