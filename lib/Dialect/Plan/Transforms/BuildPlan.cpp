//===- BuildPlan.cpp - entry functions to plan.programs -------------------===//
#include "weft/Dialect/Common/Accumulator.h"
#include "weft/Dialect/Common/TensorLimits.h"
#include "weft/Dialect/Dist/IR/DistOps.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Plan/Transforms/Passes.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "weft/runtime/Format.h"
#include "llvm/Support/CheckedArithmetic.h"

namespace weft {
#define GEN_PASS_DEF_BUILDPLANPASS
#include "weft/Dialect/Plan/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::plan;
namespace wd = mlir::weft;

namespace {

constexpr int64_t kAlignment = 64;
/// Scratch buffers obey the tensor limit too.
constexpr int64_t kMaxBufferBytes = mlir::weft::kMaxTensorBytes;

/// Builds one program from one entry function.
class ProgramBuilder {
public:
  ProgramBuilder(func::FuncOp fn, ModuleOp kernels)
      : fn(fn), kernels(kernels), b(fn.getContext()) {}

  LogicalResult build(ModuleOp top);

private:
  /// A new buffer of `bytes` in `arena` (bump placement).
  FailureOr<FlatSymbolRefAttr> newBuffer(Location loc, StringRef arena,
                                         int64_t bytes, Attribute what,
                                         ElementsAttr init = {});
  FailureOr<FlatSymbolRefAttr> newBuffer(Location loc, StringRef arena,
                                         Type tensor, ElementsAttr init = {});
  FailureOr<FlatSymbolRefAttr> bufferOf(Value v);
  LogicalResult addDispatch(wd::DispatchOp dispatch);
  LogicalResult addGemm(Operation *op);
  LogicalResult addCollective(Operation *op);
  /// Makes `value` the new content of state buffer `state` at the end of
  /// the run: its producer writes the state directly when nothing reads
  /// the old state after it (and it reads the old state only elementwise),
  /// else a copy at the end.
  LogicalResult writeBack(Value value, FlatSymbolRefAttr state, Location loc);
  bool kernelWritesInPlace(LaunchOp launch, unsigned input, unsigned output);
  /// `at [start] of <global>` of a value placed on one device of a mesh.
  std::pair<DenseI64ArrayAttr, TypeAttr> sliceOf(DictionaryAttr attrs) {
    if (!attrs)
      return {};
    return {attrs.getAs<DenseI64ArrayAttr>(mlir::dist::attr::kStart),
            attrs.getAs<TypeAttr>(mlir::dist::attr::kGlobalType)};
  }
  ArrayAttr refs(ArrayRef<FlatSymbolRefAttr> list) {
    return b.getArrayAttr(SmallVector<Attribute>(list.begin(), list.end()));
  }

  func::FuncOp fn;
  ModuleOp kernels;
  OpBuilder b;
  ProgramOp program;
  FlatSymbolRefAttr compute;
  llvm::StringMap<int64_t> arenaEnd;
  DenseMap<Value, FlatSymbolRefAttr> buffers;
  DenseMap<Attribute, FlatSymbolRefAttr> weights;
  unsigned nextBuffer = 0;
};

FailureOr<FlatSymbolRefAttr>
ProgramBuilder::newBuffer(Location loc, StringRef arena, int64_t bytes,
                          Attribute what, ElementsAttr init) {
  if (bytes > kMaxBufferBytes)
    return emitError(loc, "plan-build: ")
           << what << " needs " << bytes << " bytes, more than the "
           << kMaxBufferBytes << " a buffer may have";
  int64_t &end = arenaEnd[arena];
  int64_t offset = end;
  std::optional<int64_t> next = llvm::checkedAdd(
      offset, (bytes + kAlignment - 1) / kAlignment * kAlignment);
  if (!next || uint64_t(*next) > ::weft::format::kMaxArenaBytes)
    return emitError(loc, "plan-build: the arena of @")
           << fn.getSymName() << " overflows while placing " << what;
  end = *next;
  std::string name = "b" + std::to_string(nextBuffer++);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&program.getBody().front());
  BufferOp::create(b, loc, b.getStringAttr(name),
                   FlatSymbolRefAttr::get(b.getContext(), arena),
                   b.getI64IntegerAttr(offset), b.getI64IntegerAttr(bytes),
                   DenseI64ArrayAttr(), init);
  return FlatSymbolRefAttr::get(b.getContext(), name);
}

FailureOr<FlatSymbolRefAttr> ProgramBuilder::newBuffer(Location loc,
                                                       StringRef arena,
                                                       Type type,
                                                       ElementsAttr init) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape() ||
      !tensor.getElementType().isIntOrFloat())
    return emitError(loc, "plan-build: cannot place a value of type ")
           << type << " (statically shaped int/float tensors only)";
  FailureOr<int64_t> bytes = mlir::weft::checkedByteSize(tensor);
  if (failed(bytes))
    return emitError(loc, "plan-build: ")
           << type << " needs more than " << mlir::weft::kMaxTensorBytes
           << " bytes (2^48), the largest tensor supported";
  return newBuffer(loc, arena, std::max<int64_t>(*bytes, 1),
                   TypeAttr::get(type), init);
}

FailureOr<FlatSymbolRefAttr> ProgramBuilder::bufferOf(Value v) {
  auto it = buffers.find(v);
  if (it != buffers.end())
    return it->second;
  auto constant = v.getDefiningOp<wd::ConstantOp>();
  if (!constant)
    return emitError(v.getLoc(), "plan-build: value has no buffer (is the "
                                 "entry grouped and outlined?)");
  // Constants are weights: stored once, bound at load.
  Attribute value = constant.getValue();
  if (auto w = weights.find(value); w != weights.end())
    return buffers[v] = w->second;
  FailureOr<FlatSymbolRefAttr> buf =
      newBuffer(constant.getLoc(), "weights", v.getType(), constant.getValue());
  if (failed(buf))
    return failure();
  weights[value] = *buf;
  return buffers[v] = *buf;
}

LogicalResult ProgramBuilder::addDispatch(wd::DispatchOp dispatch) {
  auto kernel = dyn_cast_or_null<func::FuncOp>(
      SymbolTable::lookupNearestSymbolFrom(dispatch, dispatch.getKernel()));
  auto sizes =
      kernel ? kernel->getAttrOfType<DenseI64ArrayAttr>(::weft::kArgBytesAttr)
             : DenseI64ArrayAttr();
  size_t numIO = dispatch.getInputs().size() + dispatch.getNumResults();
  if (!sizes || sizes.size() < static_cast<int64_t>(numIO))
    return dispatch.emitOpError("plan-build: kernel ")
           << dispatch.getKernel()
           << " is not lowered to bufferized form with recorded argument "
              "sizes (run the backend's kernel lowering first)";
  SmallVector<FlatSymbolRefAttr> ins, outs;
  for (Value v : dispatch.getInputs()) {
    FailureOr<FlatSymbolRefAttr> buf = bufferOf(v);
    if (failed(buf))
      return failure();
    ins.push_back(*buf);
  }
  for (Value r : dispatch.getResults()) {
    FailureOr<FlatSymbolRefAttr> buf =
        newBuffer(dispatch.getLoc(), "activations", r.getType());
    if (failed(buf))
      return failure();
    buffers[r] = *buf;
    outs.push_back(*buf);
  }
  for (int64_t bytes : sizes.asArrayRef().drop_front(numIO)) {
    FailureOr<FlatSymbolRefAttr> buf =
        newBuffer(dispatch.getLoc(), "activations", bytes,
                  b.getStringAttr("scratch of " + dispatch.getLabel()));
    if (failed(buf))
      return failure();
    outs.push_back(*buf);
  }
  // The iterations of the kernel's parallel loop the runtime may spread
  // over its threads.
  int64_t extent = 1;
  if (auto e = kernel->getAttrOfType<IntegerAttr>(::weft::kParallelExtentAttr))
    extent = e.getInt();
  auto launch = LaunchOp::create(
      b, dispatch.getLoc(), dispatch.getKernel().getLeafReference(), compute,
      refs(ins), refs(outs), b.getI64IntegerAttr(extent));
  launch->setAttr("weft.label", dispatch.getLabelAttr());
  return success();
}

LogicalResult ProgramBuilder::addGemm(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1),
        result = op->getResult(0);
  bool transA, transB;
  if (auto mm = dyn_cast<wd::MatmulOp>(op))
    transA = mm.getTransposeLhs(), transB = mm.getTransposeRhs();
  else if (auto bmm = dyn_cast<wd::BatchMatmulOp>(op))
    transA = bmm.getTransposeLhs(), transB = bmm.getTransposeRhs();
  else
    return op->emitOpError("plan-build: only matmul and batch_matmul can be "
                           "library calls");
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto out = cast<RankedTensorType>(result.getType());
  int64_t rank = out.getRank();
  int64_t m = out.getDimSize(rank - 2), n = out.getDimSize(rank - 1);
  int64_t k = transA ? lt.getDimSize(rank - 2) : lt.getDimSize(rank - 1);
  int64_t batch = 1;
  for (int64_t d : out.getShape().drop_back(2))
    batch *= d; // bounded: the result's byte size was checked
  FailureOr<FlatSymbolRefAttr> a = bufferOf(lhs), bb = bufferOf(rhs);
  if (failed(a) || failed(bb))
    return failure();
  FailureOr<FlatSymbolRefAttr> c =
      newBuffer(op->getLoc(), "activations", result.getType());
  if (failed(c))
    return failure();
  buffers[result] = *c;
  Type et = out.getElementType();
  Type acc = ::weft::accumulatorType(et);
  auto gemm = GemmOp::create(
      b, op->getLoc(), TypeAttr::get(et), TypeAttr::get(et), TypeAttr::get(et),
      TypeAttr::get(acc), b.getI64IntegerAttr(m), b.getI64IntegerAttr(n),
      b.getI64IntegerAttr(k), b.getI64IntegerAttr(batch), IntegerAttr(),
      IntegerAttr(), IntegerAttr(), transA ? b.getUnitAttr() : UnitAttr(),
      transB ? b.getUnitAttr() : UnitAttr(),
      EpilogueAttr::get(b.getContext(), Epilogue::none), compute,
      refs({*a, *bb}), refs({*c}));
  gemm->setAttr("weft.label",
                b.getStringAttr(op->getName().getStringRef() + " (gemm)"));
  return success();
}

LogicalResult ProgramBuilder::addCollective(Operation *op) {
  auto order = op->getAttrOfType<IntegerAttr>(mlir::dist::attr::kOrder);
  auto group = op->getAttrOfType<DenseI64ArrayAttr>(mlir::dist::attr::kGroup);
  if (!order || !group)
    return op->emitOpError("plan-build: a collective needs dist.order and "
                           "dist.group (run dist-specialize first)");
  CollectiveKind kind;
  std::optional<ReductionKind> reduce;
  auto reductionOf = [](mlir::dist::ReduceKind k) {
    switch (k) {
    case mlir::dist::ReduceKind::sum:
      return ReductionKind::sum;
    case mlir::dist::ReduceKind::max:
      return ReductionKind::max;
    case mlir::dist::ReduceKind::min:
      return ReductionKind::min;
    case mlir::dist::ReduceKind::avg:
      break;
    }
    return ReductionKind::prod;
  };
  if (auto ar = dyn_cast<mlir::dist::AllReduceOp>(op)) {
    kind = CollectiveKind::all_reduce;
    if (ar.getKind() == mlir::dist::ReduceKind::avg)
      return op->emitOpError("plan-build: avg all_reduce has no plan form");
    reduce = reductionOf(ar.getKind());
  } else if (auto ag = dyn_cast<mlir::dist::AllGatherOp>(op)) {
    kind = CollectiveKind::all_gather;
    if (ag.getDim() != 0 &&
        llvm::any_of(ag.getInput().getType().getShape().take_front(ag.getDim()),
                     [](int64_t n) { return n != 1; }))
      return op->emitOpError("plan-build: all_gather along a dim that is not "
                             "outermost (run dist-specialize first)");
  } else if (auto rs = dyn_cast<mlir::dist::ReduceScatterOp>(op)) {
    kind = CollectiveKind::reduce_scatter;
    if (rs.getKind() == mlir::dist::ReduceKind::avg)
      return op->emitOpError("plan-build: avg reduce_scatter has no plan "
                             "form");
    reduce = reductionOf(rs.getKind());
    if (rs.getDim() != 0 &&
        llvm::any_of(rs.getInput().getType().getShape().take_front(rs.getDim()),
                     [](int64_t n) { return n != 1; }))
      return op->emitOpError("plan-build: reduce_scatter along a dim that is "
                             "not outermost (run dist-specialize first)");
  } else {
    return op->emitOpError("plan-build: no plan form for this dist op (run "
                           "dist-specialize first)");
  }
  FailureOr<FlatSymbolRefAttr> in = bufferOf(op->getOperand(0));
  if (failed(in))
    return failure();
  FailureOr<FlatSymbolRefAttr> out =
      newBuffer(op->getLoc(), "activations", op->getResult(0).getType());
  if (failed(out))
    return failure();
  buffers[op->getResult(0)] = *out;
  auto c = CollectiveOp::create(
      b, op->getLoc(), CollectiveKindAttr::get(b.getContext(), kind), order,
      group,
      reduce ? ReductionKindAttr::get(b.getContext(), *reduce)
             : ReductionKindAttr(),
      compute, refs({*in}), refs({*out}), IntegerAttr());
  c->setAttr("weft.label", b.getStringAttr(op->getName().getStringRef()));
  // What the runtime needs to size it: the tensor each device puts in.
  c->setAttr("weft.type", TypeAttr::get(op->getOperand(0).getType()));
  return success();
}

/// The memref `v` is accessed through: `v` itself and every subview of it
/// (transitively).
static SmallVector<Value> viewsOf(Value v) {
  SmallVector<Value> views = {v};
  for (size_t i = 0; i < views.size(); ++i)
    for (Operation *user : views[i].getUsers())
      if (auto sub = dyn_cast<memref::SubViewOp>(user))
        views.push_back(sub.getResult());
  return views;
}

/// Whether two views of different buffers select the same elements: both
/// the buffers themselves, or subviews with equal offsets, sizes and
/// strides of such views.
static bool sameWindow(Value a, Value b, Value baseA, Value baseB) {
  if (a == baseA || b == baseB)
    return a == baseA && b == baseB;
  auto sa = a.getDefiningOp<memref::SubViewOp>(),
       sb = b.getDefiningOp<memref::SubViewOp>();
  if (!sa || !sb)
    return false;
  auto same = [](ArrayRef<OpFoldResult> x, ArrayRef<OpFoldResult> y) {
    return x.size() == y.size() && llvm::all_of(llvm::zip(x, y), [](auto p) {
             return isEqualConstantIntOrValue(std::get<0>(p), std::get<1>(p));
           });
  };
  return same(sa.getMixedOffsets(), sb.getMixedOffsets()) &&
         same(sa.getMixedSizes(), sb.getMixedSizes()) &&
         same(sa.getMixedStrides(), sb.getMixedStrides()) &&
         sameWindow(sa.getSource(), sb.getSource(), baseA, baseB);
}

/// Whether kernel `launch` may write its output `output` over its input
/// `input`: one elementwise linalg.generic G writes the output at the
/// elements it reads of the input (the same window of both buffers, the
/// output's injective indexing map, the old output value unused); other
/// ops read the input only through that same window, before G in its
/// block; the output is otherwise only read, after G. Then each element of
/// the input is read before it is overwritten, and never after. Fused and
/// tiled kernels qualify tile by tile (the windows of different tiles are
/// disjoint).
bool ProgramBuilder::kernelWritesInPlace(LaunchOp launch, unsigned input,
                                         unsigned output) {
  auto kernel = kernels ? kernels.lookupSymbol<func::FuncOp>(launch.getKernel())
                        : func::FuncOp();
  if (!kernel || kernel.isExternal())
    return false;
  BlockArgument in = kernel.getArgument(input);
  BlockArgument out = kernel.getArgument(launch.getIns().size() + output);
  SmallVector<Value> inViews = viewsOf(in), outViews = viewsOf(out);
  // Every use of the input is a linalg op reading it; G writes the output.
  SmallVector<OpOperand *> reads;
  linalg::GenericOp generic;
  OpOperand *read = nullptr;
  for (Value v : inViews)
    for (OpOperand &use : v.getUses()) {
      if (isa<memref::SubViewOp>(use.getOwner()))
        continue;
      auto reader = dyn_cast<linalg::LinalgOp>(use.getOwner());
      if (!reader || reader.isDpsInit(&use))
        return false;
      reads.push_back(&use);
      auto g = dyn_cast<linalg::GenericOp>(use.getOwner());
      if (g && g.getNumDpsInits() == 1 &&
          llvm::is_contained(outViews, g.getDpsInitOperand(0)->get())) {
        if (generic)
          return false;
        generic = g;
        read = &use;
      }
    }
  if (!generic || generic.getNumReductionLoops() != 0)
    return false;
  OpOperand *init = generic.getDpsInitOperand(0);
  if (!sameWindow(read->get(), init->get(), in, out) ||
      generic.payloadUsesValueFromOperand(init))
    return false;
  AffineMap outMap = generic.getMatchingIndexingMap(init);
  if (!outMap.isPermutation() || generic.getMatchingIndexingMap(read) != outMap)
    return false;
  for (OpOperand *r : reads)
    if (r != read && (r->getOwner()->getBlock() != generic->getBlock() ||
                      !r->getOwner()->isBeforeInBlock(generic) ||
                      !sameWindow(r->get(), read->get(), in, in)))
      return false;
  // Everything else that touches the output reads it after G.
  for (Value v : outViews)
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::SubViewOp>(user) || &use == init)
        continue;
      auto reader = dyn_cast<linalg::LinalgOp>(user);
      if (!reader || reader.isDpsInit(&use) ||
          reader->getBlock() != generic->getBlock() ||
          !generic->isBeforeInBlock(reader))
        return false;
    }
  return true;
}

LogicalResult ProgramBuilder::writeBack(Value value, FlatSymbolRefAttr state,
                                        Location loc) {
  FailureOr<FlatSymbolRefAttr> src = bufferOf(value);
  if (failed(src))
    return failure();
  if (*src == state)
    return success(); // the state is returned unchanged
  SmallVector<Operation *> commands = program.getCommands();
  auto touches = [](Operation *op, FlatSymbolRefAttr buf) {
    auto cmd = cast<PlanCommand>(op);
    return llvm::is_contained(cmd.getReadBuffers(), buf) ||
           llvm::is_contained(cmd.getWrittenBuffers(), buf);
  };
  int writer = -1;
  for (auto [i, op] : llvm::enumerate(commands))
    if (llvm::is_contained(cast<PlanCommand>(op).getWrittenBuffers(), *src))
      writer = static_cast<int>(i);
  auto buffer = cast<BufferOp>(SymbolTable::lookupSymbolIn(program, *src));
  bool retarget =
      writer >= 0 && buffer.getArena() == "activations" &&
      isa<LaunchOp, GemmOp, CollectiveOp>(commands[writer]) &&
      llvm::none_of(program.getBody().getOps<OutputOp>(),
                    [&](OutputOp o) { return o.getBufferAttr() == *src; }) &&
      llvm::none_of(ArrayRef(commands).drop_front(writer + 1),
                    [&](Operation *op) { return touches(op, state); });
  Operation *op = retarget ? commands[writer] : nullptr;
  auto outs = op ? op->getAttrOfType<ArrayAttr>("outs") : ArrayAttr();
  auto ins = op ? op->getAttrOfType<ArrayAttr>("ins") : ArrayAttr();
  if (outs && ins && llvm::is_contained(ins.getValue(), Attribute(state))) {
    // The writer reads the old state too: only an elementwise kernel may.
    auto launch = dyn_cast<LaunchOp>(op);
    auto in = llvm::find(ins.getValue(), Attribute(state));
    auto out = llvm::find(outs.getValue(), Attribute(*src));
    retarget =
        launch && out != outs.end() &&
        llvm::count(ins.getValue(), Attribute(state)) == 1 &&
        kernelWritesInPlace(launch, in - ins.begin(), out - outs.begin());
  }
  if (!retarget || !outs) {
    // The old value of another state must be read before any write-back
    // can overwrite it: a copy at the start keeps it.
    if (buffer.getArena() == "state") {
      FailureOr<FlatSymbolRefAttr> kept =
          newBuffer(loc, "activations", value.getType());
      if (failed(kept))
        return failure();
      OpBuilder::InsertionGuard guard(b);
      if (!commands.empty())
        b.setInsertionPoint(commands.front());
      CopyOp::create(b, loc, *src, *kept, compute);
      src = kept;
    }
    CopyOp::create(b, loc, *src, state, compute);
    return success();
  }
  // The value is produced into the state; later readers read it there.
  auto rename = [&](Operation *cmd, StringRef name) {
    auto list = cmd->getAttrOfType<ArrayAttr>(name);
    if (!list)
      return;
    SmallVector<Attribute> renamed(list.getValue());
    for (Attribute &a : renamed)
      if (a == *src)
        a = state;
    cmd->setAttr(name, b.getArrayAttr(renamed));
  };
  rename(op, "outs");
  for (Operation *later : ArrayRef(commands).drop_front(writer + 1)) {
    rename(later, "ins");
    if (auto copy = dyn_cast<CopyOp>(later);
        copy && copy.getSourceAttr() == *src)
      copy.setSourceAttr(state);
  }
  buffers[value] = state;
  if (SymbolTable::symbolKnownUseEmpty(buffer, program))
    buffer.erase();
  return success();
}

LogicalResult ProgramBuilder::build(ModuleOp top) {
  if (failed(::weft::verifyEntryFunction(fn, /*allowDist=*/true)))
    return failure();
  Block &block = fn.getBody().front();
  auto ret = cast<func::ReturnOp>(block.getTerminator());
  Location loc = fn.getLoc();
  b.setInsertionPointToEnd(top.getBody());
  // A device of a mesh (dist-specialize) or the one device.
  int64_t device = 0;
  std::string name = (fn.getSymName() + ".dev0").str();
  StringAttr entry = fn.getSymNameAttr();
  if (auto d = fn->getAttrOfType<IntegerAttr>(mlir::dist::attr::kDevice)) {
    device = d.getInt();
    if (auto e = fn->getAttrOfType<StringAttr>(mlir::dist::attr::kEntry))
      entry = e;
    name = (entry.getValue() + ".dev" + Twine(device)).str();
  }
  program = ProgramOp::create(b, loc, name, device, entry);
  program.getBody().push_back(new Block());
  b.setInsertionPointToEnd(&program.getBody().front());
  ArenaOp::create(b, loc, "activations", ArenaKind::device, 0, kAlignment,
                  false);
  ArenaOp::create(b, loc, "weights", ArenaKind::device, 0, kAlignment, true);
  ArenaOp::create(b, loc, "state", ArenaKind::device, 0, kAlignment, true);
  StreamOp::create(b, loc, "compute", StreamKind::compute);
  compute = FlatSymbolRefAttr::get(b.getContext(), "compute");

  for (auto [i, arg] : llvm::enumerate(fn.getArguments())) {
    DictionaryAttr attrs = fn.getArgAttrDict(i);
    StringAttr name = b.getStringAttr(::weft::ioName(attrs, "arg", i));
    // Parameters are persistent state: bound once, kept between runs.
    if (attrs && attrs.get(::weft::kStateAttr)) {
      auto init = attrs.getAs<ElementsAttr>(::weft::kStateInitAttr);
      if (init && init.getType() != arg.getType())
        return fn.emitOpError("plan-build: initial value of state '")
               << name.getValue() << "' has type " << init.getType() << ", not "
               << arg.getType();
      FailureOr<FlatSymbolRefAttr> buf =
          newBuffer(loc, "state", arg.getType(), init);
      if (failed(buf))
        return failure();
      buffers[arg] = *buf;
      auto [start, global] = sliceOf(attrs);
      StateOp::create(b, loc, name, *buf, TypeAttr::get(arg.getType()), start,
                      global);
      continue;
    }
    FailureOr<FlatSymbolRefAttr> buf =
        newBuffer(loc, "activations", arg.getType());
    if (failed(buf))
      return failure();
    buffers[arg] = *buf;
    auto [start, global] = sliceOf(attrs);
    InputOp::create(b, loc, name, *buf, TypeAttr::get(arg.getType()), start,
                    global);
  }
  for (Operation &op : block.without_terminator()) {
    if (isa<wd::ConstantOp>(op))
      continue; // placed when first read
    if (auto reshape = dyn_cast<wd::ReshapeOp>(op)) {
      FailureOr<FlatSymbolRefAttr> buf = bufferOf(reshape.getInput());
      if (failed(buf))
        return failure();
      buffers[reshape.getResult()] = *buf;
      continue;
    }
    if (auto dispatch = dyn_cast<wd::DispatchOp>(op)) {
      if (failed(addDispatch(dispatch)))
        return failure();
      continue;
    }
    if (op.hasAttr(::weft::kLibraryCallAttr)) {
      if (failed(addGemm(&op)))
        return failure();
      continue;
    }
    if (isa<mlir::dist::DistDialect>(op.getDialect())) {
      if (failed(addCollective(&op)))
        return failure();
      continue;
    }
    return op.emitOpError("plan-build: only kernel dispatches, library "
                          "calls, reshapes and constants can be planned "
                          "(is every weft op grouped?); got '")
           << op.getName() << "'";
  }

  // Results: each output gets a buffer of its own in the activations arena
  // that nothing else names as input, output or weight.
  llvm::DenseSet<Attribute> taken;
  for (Value arg : fn.getArguments())
    taken.insert(buffers[arg]); // inputs and state

  // Results marked weft.update are the new values of state arguments.
  SmallVector<std::pair<Value, unsigned>> updates;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    auto update = fn.getResultAttrOfType<IntegerAttr>(i, ::weft::kUpdateAttr);
    if (!update)
      continue;
    int64_t arg = update.getInt();
    if (arg < 0 || arg >= fn.getNumArguments() ||
        !fn.getArgAttr(arg, ::weft::kStateAttr) ||
        fn.getArgument(arg).getType() != v.getType())
      return fn.emitOpError("plan-build: result ")
             << i << " updates argument " << arg
             << ", which is not a 'weft.state' argument of type "
             << v.getType();
    if (llvm::any_of(updates, [&](auto &u) { return u.second == arg; }))
      return fn.emitOpError("plan-build: state argument ")
             << arg << " is updated by two results";
    updates.emplace_back(v, arg);
  }

  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    if (fn.getResultAttr(i, ::weft::kUpdateAttr))
      continue;
    FailureOr<FlatSymbolRefAttr> buf = bufferOf(v);
    if (failed(buf))
      return failure();
    bool isWeight =
        llvm::any_of(weights, [&](auto &w) { return w.second == *buf; });
    if (taken.contains(*buf) || isWeight) {
      FailureOr<FlatSymbolRefAttr> copy =
          newBuffer(ret.getLoc(), "activations", v.getType());
      if (failed(copy))
        return failure();
      CopyOp::create(b, ret.getLoc(), *buf, *copy, compute);
      buf = copy;
    }
    taken.insert(*buf);
    auto [start, global] = sliceOf(fn.getResultAttrDict(i));
    OutputOp::create(
        b, ret.getLoc(),
        b.getStringAttr(::weft::ioName(fn.getResultAttrDict(i), "out", i)),
        *buf, TypeAttr::get(v.getType()), start, global);
  }
  for (auto &[v, arg] : updates)
    if (failed(writeBack(v, buffers[fn.getArgument(arg)], ret.getLoc())))
      return failure();
  for (ArenaOp arena :
       llvm::make_early_inc_range(program.getBody().getOps<ArenaOp>())) {
    if (!arenaEnd.count(arena.getSymName())) {
      arena.erase(); // no buffer lives in it
      continue;
    }
    arena.setSize(arenaEnd.lookup(arena.getSymName()));
  }
  return success();
}

struct BuildPlanPass : ::weft::impl::BuildPlanPassBase<BuildPlanPass> {
  void runOnOperation() override {
    ModuleOp top = getOperation();
    ModuleOp kernels;
    for (auto m : top.getOps<ModuleOp>())
      if (m.getSymName() == ::weft::kKernelModuleName)
        kernels = m;
    for (func::FuncOp fn : ::weft::getEntryFunctions(top))
      if (failed(ProgramBuilder(fn, kernels).build(top)))
        return signalPassFailure();
  }
};
} // namespace
