//===- CPUCompiler.cpp - weft IR to a CPU artifact ------------------------===//
//
// 1. Kernel formation: each entry function is cut into groups of ops; each
//    group becomes one kernel function in a separate module, written in
//    destination-passing style on memrefs (inputs, outputs, then scratch).
//    Today a group is one op; fusion will hand larger groups to the same
//    machinery. f32 2-D matmuls may become BLAS library calls instead.
// 2. Planning: every tensor gets a buffer with a live range in command
//    steps; the offset planner places them in one arena; the result is
//    built as a plan.program and verified (no two live buffers overlap).
// 3. Kernel lowering: weft -> linalg -> bufferized memrefs; temporaries a
//    kernel allocates become scratch arguments the planner owns (no
//    allocation at run time); loops -> LLVM; each kernel gets a
//    `void weft_<k>(void **args)` entry point.
// 4. Codegen: LLVM IR -> optimized native object -> shared object (linked
//    by the system C compiler driver).
//
//===----------------------------------------------------------------------===//
#include "weft/Compiler/CPUCompiler.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "weft/Compiler/OffsetPlanner.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace ::weft;
namespace wd = mlir::weft;

namespace {

constexpr int64_t kAlignment = 64;

FailureOr<format::DType> dtypeOf(Type t) {
  if (t.isF32())
    return format::DType::F32;
  if (t.isF16())
    return format::DType::F16;
  if (t.isBF16())
    return format::DType::BF16;
  if (t.isInteger(8))
    return format::DType::I8;
  if (t.isInteger(32))
    return format::DType::I32;
  if (t.isInteger(64))
    return format::DType::I64;
  return failure();
}

/// Bytes a buffer of this type needs (at least 1, so every buffer has an
/// address of its own).
int64_t byteSize(ShapedType t) {
  return std::max<int64_t>(1, t.getNumElements() *
                                  ((t.getElementTypeBitWidth() + 7) / 8));
}

MemRefType memrefOf(Type t) {
  auto tensor = cast<RankedTensorType>(t);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

//===----------------------------------------------------------------------===//
// 1. Kernel formation
//===----------------------------------------------------------------------===//

class ProgramFormer {
public:
  ProgramFormer(ModuleOp kernels, CompiledArtifact &artifact,
                const CPUCompileOptions &options)
      : kernels(kernels), artifact(artifact), options(options) {}

  LogicalResult formEntry(func::FuncOp func, EntryProgram &program);

private:
  uint32_t bufferFor(EntryProgram &program, Value v) {
    auto it = buffers.find(v);
    if (it != buffers.end())
      return it->second;
    uint32_t id = program.buffers.size();
    program.buffers.push_back({byteSize(cast<RankedTensorType>(v.getType()))});
    buffers[v] = id;
    return id;
  }
  bool isConstant(Value v) { return v.getDefiningOp<wd::ConstantOp>(); }
  LogicalResult addKernel(ArrayRef<Operation *> group, EntryProgram &program);
  bool tryLibraryCall(Operation *op, EntryProgram &program);

  ModuleOp kernels;
  CompiledArtifact &artifact;
  const CPUCompileOptions &options;
  DenseMap<Value, uint32_t> buffers;
};

/// Name of an argument or result: its `weft.name` attribute, or a default.
std::string ioName(DictionaryAttr attrs, StringRef fallback, unsigned i) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>("weft.name"))
      return name.str();
  return (fallback + Twine(i)).str();
}

bool ProgramFormer::tryLibraryCall(Operation *op, EntryProgram &program) {
  // f32 (batched) matmuls on non-constant operands become GEMM calls.
  Value lhs, rhs, result;
  bool transA, transB;
  if (auto mm = dyn_cast<wd::MatmulOp>(op)) {
    lhs = mm.getLhs(), rhs = mm.getRhs(), result = mm.getResult();
    transA = mm.getTransposeLhs(), transB = mm.getTransposeRhs();
  } else if (auto bmm = dyn_cast<wd::BatchMatmulOp>(op)) {
    lhs = bmm.getLhs(), rhs = bmm.getRhs(), result = bmm.getResult();
    transA = bmm.getTransposeLhs(), transB = bmm.getTransposeRhs();
  } else {
    return false;
  }
  auto out = cast<RankedTensorType>(result.getType());
  if (!options.useBlas || !out.getElementType().isF32() || isConstant(lhs) ||
      isConstant(rhs))
    return false;
  auto lt = cast<RankedTensorType>(lhs.getType());
  int64_t rank = out.getRank();
  int64_t k = transA ? lt.getDimSize(rank - 2) : lt.getDimSize(rank - 1);
  int64_t batch = 1;
  for (int64_t d : out.getShape().drop_back(2))
    batch *= d;
  Command c{format::CommandKind::Sgemm,
            0,
            op->getName().getStringRef().str() + " (sgemm)",
            {},
            {}};
  c.args = {bufferFor(program, lhs), bufferFor(program, rhs),
            bufferFor(program, result)};
  c.params = {out.getDimSize(rank - 2),
              out.getDimSize(rank - 1),
              k,
              transA,
              transB,
              batch};
  program.commands.push_back(std::move(c));
  return true;
}

LogicalResult ProgramFormer::addKernel(ArrayRef<Operation *> group,
                                       EntryProgram &program) {
  // Values the group reads from outside (constants are cloned in instead)
  // and values it produces.
  llvm::SetVector<Value> inputs;
  llvm::SetVector<Operation *> constants;
  llvm::SmallPtrSet<Operation *, 8> inGroup(group.begin(), group.end());
  for (Operation *op : group)
    for (Value v : op->getOperands()) {
      if (inGroup.contains(v.getDefiningOp()))
        continue;
      if (isConstant(v))
        constants.insert(v.getDefiningOp());
      else
        inputs.insert(v);
    }
  SmallVector<Value> outputs;
  for (Operation *op : group)
    llvm::append_range(outputs, op->getResults());

  std::string symbol = "k" + std::to_string(artifact.kernelSymbols.size());
  SmallVector<Type> argTypes;
  for (Value v : llvm::concat<const Value>(inputs.getArrayRef(), outputs))
    argTypes.push_back(memrefOf(v.getType()));
  OpBuilder b(kernels.getBodyRegion());
  b.setInsertionPointToEnd(kernels.getBody());
  Location loc = group.front()->getLoc();
  auto fn =
      func::FuncOp::create(b, loc, symbol, b.getFunctionType(argTypes, {}));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping map;
  for (auto [i, v] : llvm::enumerate(inputs))
    map.map(v, bufferization::ToTensorOp::create(b, loc, v.getType(),
                                                 body->getArgument(i),
                                                 /*restrict=*/true));
  for (Operation *c : constants)
    b.clone(*c, map);
  for (Operation *op : group)
    b.clone(*op, map);
  for (auto [i, v] : llvm::enumerate(outputs)) {
    auto m = bufferization::MaterializeInDestinationOp::create(
        b, loc, map.lookup(v), body->getArgument(inputs.size() + i));
    m.setRestrict(true);
    m.setWritable(true);
  }
  func::ReturnOp::create(b, loc);

  Command c{format::CommandKind::Launch,
            static_cast<uint32_t>(artifact.kernelSymbols.size()),
            group.front()->getName().getStringRef().str(),
            {},
            {}};
  for (Value v : llvm::concat<const Value>(inputs.getArrayRef(), outputs))
    c.args.push_back(bufferFor(program, v));
  artifact.kernelSymbols.push_back(symbol);
  program.commands.push_back(std::move(c));
  return success();
}

LogicalResult ProgramFormer::formEntry(func::FuncOp func,
                                       EntryProgram &program) {
  buffers.clear();
  program.name = func.getSymName().str();
  if (!func.getBody().hasOneBlock())
    return emitError(func.getLoc(), "weftc: entry @")
           << func.getSymName() << " must have a single block";
  for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    FailureOr<format::DType> dt = failure();
    if (type)
      dt = dtypeOf(type.getElementType());
    if (!type || !type.hasStaticShape() || failed(dt))
      return emitError(func.getLoc(), "weftc: argument #")
             << i << " of @" << func.getSymName() << " has type "
             << arg.getType()
             << "; entries take statically shaped f32/f16/bf16/i8/i32/i64 "
                "tensors";
    program.inputs.push_back({ioName(func.getArgAttrDict(i), "arg", i),
                              bufferFor(program, arg), *dt,
                              std::vector<int64_t>(type.getShape())});
  }

  Block &block = func.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(block.getTerminator());
  for (Operation &op : block.without_terminator()) {
    if (isa<wd::ConstantOp>(op)) {
      // Cloned into the kernels that read it; only a returned constant
      // needs a kernel of its own to materialize it.
      if (llvm::is_contained(ret.getOperands(), op.getResult(0)) &&
          failed(addKernel({&op}, program)))
        return failure();
      continue;
    }
    if (!isa<wd::WeftDialect>(op.getDialect()))
      return emitError(op.getLoc(),
                       "weftc: only weft ops are supported in an entry "
                       "function, got '")
             << op.getName() << "'";
    // A reshape of a row-major tensor is the same bytes: alias the buffer
    // instead of copying. (Kernels never write their inputs, so sharing is
    // safe; liveness follows the buffer through both names.)
    if (auto reshape = dyn_cast<wd::ReshapeOp>(op);
        reshape && !isConstant(reshape.getInput())) {
      buffers[reshape.getResult()] = bufferFor(program, reshape.getInput());
      continue;
    }
    if (tryLibraryCall(&op, program))
      continue;
    if (failed(addKernel({&op}, program)))
      return failure();
  }

  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto type = cast<RankedTensorType>(v.getType());
    program.outputs.push_back({ioName(func.getResultAttrDict(i), "out", i),
                               bufferFor(program, v),
                               *dtypeOf(type.getElementType()),
                               std::vector<int64_t>(type.getShape())});
  }

  // Live ranges: inputs and outputs persist over the whole step; others
  // live from the command that writes them to the last that reads them.
  int64_t end = std::max<int64_t>(program.commands.size(), 1) - 1;
  for (auto [step, c] : llvm::enumerate(program.commands))
    for (uint32_t a : c.args) {
      BufferDesc &buf = program.buffers[a];
      if (buf.first < 0)
        buf.first = step;
      buf.last = std::max<int64_t>(buf.last, step);
    }
  for (const TensorDesc &t :
       llvm::concat<const TensorDesc>(program.inputs, program.outputs)) {
    program.buffers[t.buffer].first = 0;
    program.buffers[t.buffer].last = end;
  }
  for (BufferDesc &buf : program.buffers)
    if (buf.first < 0) // never touched by a command (unused input)
      buf.first = 0, buf.last = 0;
  return success();
}

//===----------------------------------------------------------------------===//
// 2. Planning
//===----------------------------------------------------------------------===//

void assignOffsets(EntryProgram &program) {
  std::vector<BufferRequest> reqs;
  for (const BufferDesc &b : program.buffers)
    reqs.push_back({b.size, b.first, b.last});
  OffsetPlan plan = planOffsets(reqs, kAlignment);
  for (auto [b, off] : llvm::zip(program.buffers, plan.offsets))
    b.offset = off;
  program.arenaSize = plan.arenaSize;
  program.lowerBound = plan.lowerBound;
  program.planStrategy = plan.strategy;
}

/// The plan as IR; verifying it proves the placement sound.
OwningOpRef<ModuleOp> buildPlanModule(MLIRContext *ctx,
                                      const CompiledArtifact &artifact,
                                      Location loc) {
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToStart(module->getBody());
  for (const EntryProgram &e : artifact.entries) {
    auto program = plan::ProgramOp::create(b, loc, e.name, 0);
    program->setAttr("weft.lower_bound", b.getI64IntegerAttr(e.lowerBound));
    Block *body = new Block();
    program.getBody().push_back(body);
    OpBuilder pb = OpBuilder::atBlockEnd(body);
    plan::ArenaOp::create(pb, loc, "arena", plan::ArenaKind::device,
                          e.arenaSize, kAlignment);
    plan::StreamOp::create(pb, loc, "compute", plan::StreamKind::compute);
    auto bufName = [](uint32_t i) { return "b" + std::to_string(i); };
    for (auto [i, buf] : llvm::enumerate(e.buffers)) {
      // With no commands there are no steps for a live range to name.
      DenseI64ArrayAttr live =
          e.commands.empty() ? DenseI64ArrayAttr()
                             : pb.getDenseI64ArrayAttr({buf.first, buf.last});
      auto op = plan::BufferOp::create(pb, loc, pb.getStringAttr(bufName(i)),
                                       FlatSymbolRefAttr::get(ctx, "arena"),
                                       pb.getI64IntegerAttr(buf.offset),
                                       pb.getI64IntegerAttr(buf.size), live);
      for (const TensorDesc &t : e.inputs)
        if (t.buffer == i)
          op->setAttr("weft.input", pb.getStringAttr(t.name));
      for (const TensorDesc &t : e.outputs)
        if (t.buffer == i)
          op->setAttr("weft.output", pb.getStringAttr(t.name));
    }
    auto refs = [&](ArrayRef<uint32_t> ids) {
      SmallVector<Attribute> out;
      for (uint32_t id : ids)
        out.push_back(FlatSymbolRefAttr::get(ctx, bufName(id)));
      return pb.getArrayAttr(out);
    };
    auto stream = FlatSymbolRefAttr::get(ctx, "compute");
    for (const Command &c : e.commands) {
      ArrayRef<uint32_t> args = c.args;
      if (c.kind == format::CommandKind::Sgemm) {
        auto call = plan::LibraryCallOp::create(
            pb, loc, pb.getStringAttr("sgemm"), stream,
            refs(args.take_front(2)), refs(args.drop_front(2)));
        const char *names[] = {"m", "n", "k", "trans_a", "trans_b", "batch"};
        for (auto [name, v] : llvm::zip(names, c.params))
          call->setAttr(name, pb.getI64IntegerAttr(v));
        continue;
      }
      // Kernel arguments: inputs first, then outputs and scratch; the
      // split is not needed by the runtime, all are passed in order.
      plan::LaunchOp::create(pb, loc,
                             pb.getStringAttr(artifact.kernelSymbols[c.kernel]),
                             stream, refs(args), pb.getArrayAttr({}));
    }
  }
  return module;
}

//===----------------------------------------------------------------------===//
// 3. Kernel lowering
//===----------------------------------------------------------------------===//

/// Runs a textual pass list (the inside of `builtin.module(...)`).
LogicalResult runPipeline(ModuleOp module, StringRef pipeline) {
  PassManager pm(module->getContext());
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    return emitError(module.getLoc(),
                     "weftc: internal pipeline does not parse: ")
           << pipeline;
  return pm.run(module);
}

/// Turns every top-level static allocation of a bufferized kernel into a
/// trailing scratch argument; returns the scratch sizes per kernel.
LogicalResult
hoistAllocations(ModuleOp kernels,
                 std::map<std::string, std::vector<int64_t>> &scratch) {
  WalkResult result = kernels.walk([&](func::FuncOp fn) {
    std::vector<int64_t> &sizes = scratch[fn.getSymName().str()];
    SmallVector<memref::AllocOp> allocs;
    fn.walk([&](memref::AllocOp a) { allocs.push_back(a); });
    for (memref::AllocOp a : allocs) {
      MemRefType t = a.getType();
      if (a->getBlock() != &fn.getBody().front() || !t.hasStaticShape() ||
          !t.getLayout().isIdentity()) {
        emitError(a.getLoc(),
                  "weftc: kernel needs a dynamic or nested temporary; "
                  "cannot plan it statically");
        return WalkResult::interrupt();
      }
      BlockArgument arg = fn.getBody().front().addArgument(t, a.getLoc());
      a.getResult().replaceAllUsesWith(arg);
      a.erase();
      sizes.push_back(byteSize(t));
    }
    // Copies (e.g. into a padded buffer) become linalg.copy, i.e. generated
    // loops: a memref.copy of a strided view would call an MLIR runtime
    // helper that the kernel library does not have.
    SmallVector<memref::CopyOp> copies;
    fn.walk([&](memref::CopyOp c) { copies.push_back(c); });
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
    SmallVector<memref::DeallocOp> deallocs;
    fn.walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
    for (memref::DeallocOp d : deallocs)
      d.erase();
    fn.setType(FunctionType::get(fn.getContext(),
                                 fn.getBody().front().getArgumentTypes(), {}));
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// Replaces transcendental calls (tanh, erf, exp, log) by f32 polynomial
/// approximations: straight-line arithmetic that LLVM vectorizes, instead of
/// one libm call per element.
LogicalResult approximateMath(ModuleOp module) {
  RewritePatternSet patterns(module.getContext());
  populateMathPolynomialApproximationPatterns(patterns, [](StringRef name) {
    return llvm::is_contained({"math.tanh", "math.erf", "math.exp", "math.log"},
                              name);
  });
  return applyPatternsGreedily(module, std::move(patterns));
}

/// Adds `void weft_<k>(void **args)` for every kernel `k`.
LogicalResult addEntryPoints(ModuleOp module, ArrayRef<std::string> symbols) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  for (const std::string &sym : symbols) {
    auto kernel = module.lookupSymbol<LLVM::LLVMFuncOp>(sym);
    if (!kernel)
      return emitError(module.getLoc(), "weftc: internal error: kernel @")
             << sym << " was lost during lowering";
    kernel.setLinkage(LLVM::Linkage::Internal);
    Location loc = kernel.getLoc();
    auto fnType =
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
    auto entry = LLVM::LLVMFuncOp::create(b, loc, "weft_" + sym, fnType);
    Block *body = entry.addEntryBlock(b);
    OpBuilder eb = OpBuilder::atBlockEnd(body);
    SmallVector<Value> args;
    for (unsigned i = 0; i < kernel.getNumArguments(); ++i) {
      Value slot = LLVM::GEPOp::create(eb, loc, ptr, ptr, body->getArgument(0),
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      args.push_back(LLVM::LoadOp::create(eb, loc, ptr, slot));
    }
    LLVM::CallOp::create(eb, loc, kernel, args);
    LLVM::ReturnOp::create(eb, loc, ValueRange{});
  }
  return success();
}

//===----------------------------------------------------------------------===//
// 4. Codegen
//===----------------------------------------------------------------------===//

FailureOr<std::vector<char>> emitSharedObject(ModuleOp module,
                                              const CPUCompileOptions &opts) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  DialectRegistry registry;
  registerAllToLLVMIRTranslations(registry);
  module->getContext()->appendDialectRegistry(registry);

  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmCtx, "weft_kernels");
  if (!llvmModule)
    return emitError(module.getLoc(), "weftc: translation to LLVM IR failed");

  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string err;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, err);
  if (!target)
    return emitError(module.getLoc(), "weftc: no LLVM target for ")
           << triple.str() << ": " << err;
  std::string cpu = opts.cpu, features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (auto &f : llvm::sys::getHostCPUFeatures())
      features += (f.second ? "+" : "-") + f.first().str() + ",";
  }
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return emitError(module.getLoc(), "weftc: cannot target CPU '")
           << cpu << "'";
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(triple);
  if (llvm::Error e =
          makeOptimizingTransformer(3, 0, tm.get())(llvmModule.get()))
    return emitError(module.getLoc(), "weftc: LLVM optimization failed: ")
           << llvm::toString(std::move(e));

  SmallString<128> objPath, soPath;
  int objFd;
  if (llvm::sys::fs::createTemporaryFile("weft-kernels", "o", objFd, objPath) ||
      llvm::sys::fs::createTemporaryFile("weft-kernels", "so", soPath))
    return emitError(module.getLoc(), "weftc: cannot create temporary files");
  auto cleanup = llvm::make_scope_exit([&] {
    llvm::sys::fs::remove(objPath);
    llvm::sys::fs::remove(soPath);
  });
  {
    llvm::raw_fd_ostream os(objFd, /*shouldClose=*/true);
    llvm::legacy::PassManager pm;
    if (tm->addPassesToEmitFile(pm, os, nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return emitError(module.getLoc(),
                       "weftc: target cannot emit object files");
    pm.run(*llvmModule);
  }
  // Link with the system compiler driver: libm for the math kernels call,
  // and no undefined symbol may remain.
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    cc = llvm::sys::findProgramByName("gcc");
  if (!cc)
    return emitError(module.getLoc(),
                     "weftc: no C compiler driver (cc) on PATH to "
                     "link the kernel shared object");
  SmallVector<StringRef> argv = {
      *cc, "-shared", "-o", soPath, objPath, "-lm", "-Wl,--no-undefined"};
  std::string msg;
  if (llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, {}, 0, 0, &msg) != 0)
    return emitError(module.getLoc(),
                     "weftc: linking the kernel shared object failed")
           << (msg.empty() ? "" : ": ") << msg;
  auto so = llvm::MemoryBuffer::getFile(soPath);
  if (!so)
    return emitError(module.getLoc(),
                     "weftc: cannot read the linked shared object");
  return std::vector<char>((*so)->getBufferStart(), (*so)->getBufferEnd());
}

void progress(const CPUCompileOptions &opts, const Twine &msg) {
  if (opts.progress)
    *opts.progress << "[weftc] " << msg << "\n";
}

} // namespace

auto ::weft::compileForCPU(ModuleOp module, const CPUCompileOptions &opts,
                           llvm::raw_ostream &emit)
    -> FailureOr<CompiledArtifact> {
  MLIRContext *ctx = module.getContext();
  // With GEMM library calls, attention is worth splitting into matmuls.
  if (failed(runPipeline(
          module, opts.useBlas ? "weft-decompose-attention,canonicalize,cse"
                               : "canonicalize,cse")))
    return failure();
  if (opts.stop == Stage::Weft) {
    module.print(emit);
    return CompiledArtifact();
  }

  SmallVector<func::FuncOp> entries;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn->hasAttr("weft.entry") ||
        (fn.getSymName() == "main" && !fn.isDeclaration()))
      entries.push_back(fn);
  if (entries.empty())
    return emitError(module.getLoc(),
                     "weftc: no entry function: mark one with the "
                     "'weft.entry' attribute or name it @main");

  CompiledArtifact artifact;
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(module.getLoc());
  ProgramFormer former(*kernels, artifact, opts);
  for (func::FuncOp fn : entries) {
    EntryProgram &program = artifact.entries.emplace_back();
    if (failed(former.formEntry(fn, program)))
      return failure();
  }
  progress(opts, Twine(artifact.entries.size()) + " entr" +
                     (artifact.entries.size() == 1 ? "y" : "ies") + ", " +
                     Twine(artifact.kernelSymbols.size()) + " kernels");

  // Kernels down to bufferized memrefs; temporaries become scratch buffers.
  if (failed(runPipeline(*kernels, "convert-weft-to-linalg,canonicalize,cse")))
    return failure();
  if (opts.stop == Stage::Linalg) {
    kernels->print(emit);
    return CompiledArtifact();
  }
  if (failed(runPipeline(
          *kernels,
          "eliminate-empty-tensors,empty-tensor-to-alloc-tensor,"
          "one-shot-bufferize,canonicalize,cse,func.func(buffer-hoisting)")))
    return failure();
  std::map<std::string, std::vector<int64_t>> scratch;
  if (failed(hoistAllocations(*kernels, scratch)))
    return failure();
  for (EntryProgram &program : artifact.entries) {
    for (auto [step, c] : llvm::enumerate(program.commands)) {
      if (c.kind != format::CommandKind::Launch)
        continue;
      for (int64_t size : scratch[artifact.kernelSymbols[c.kernel]]) {
        c.args.push_back(program.buffers.size());
        program.buffers.push_back({size, int64_t(step), int64_t(step)});
      }
    }
    assignOffsets(program);
    progress(opts, "@" + program.name + ": " + Twine(program.commands.size()) +
                       " commands, arena " + Twine(program.arenaSize) +
                       " bytes (lower bound " + Twine(program.lowerBound) +
                       ")");
  }

  OwningOpRef<ModuleOp> planModule =
      buildPlanModule(ctx, artifact, module.getLoc());
  if (failed(verify(*planModule)))
    return emitError(module.getLoc(),
                     "weftc: internal error: the plan does not verify");
  if (opts.stop == Stage::Plan) {
    planModule->print(emit);
    return CompiledArtifact();
  }

  if (failed(approximateMath(*kernels)))
    return emitError(module.getLoc(), "weftc: math approximation failed");
  if (failed(runPipeline(
          *kernels,
          "convert-linalg-to-loops,lower-affine,"
          "convert-scf-to-cf,canonicalize,cse,convert-math-to-llvm,"
          "convert-math-to-libm,expand-strided-metadata,"
          "finalize-memref-to-llvm,convert-arith-to-llvm,"
          "convert-index-to-llvm,"
          "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
          "convert-cf-to-llvm,reconcile-unrealized-casts,canonicalize")))
    return failure();
  if (failed(addEntryPoints(*kernels, artifact.kernelSymbols))) {
    kernels->print(llvm::errs());
    return failure();
  }
  for (std::string &sym : artifact.kernelSymbols)
    sym = "weft_" + sym;
  artifact.kernelArity.assign(artifact.kernelSymbols.size(), 0);
  for (const EntryProgram &program : artifact.entries)
    for (const Command &c : program.commands)
      if (c.kind == format::CommandKind::Launch)
        artifact.kernelArity[c.kernel] = c.args.size();
  if (opts.stop == Stage::LLVM) {
    kernels->print(emit);
    return CompiledArtifact();
  }
  progress(opts, "generating native code");
  FailureOr<std::vector<char>> so = emitSharedObject(*kernels, opts);
  if (failed(so))
    return failure();
  artifact.cpuKernels = std::move(*so);
  return artifact;
}
