//===- Partition.cpp - sharded entry functions to per-device form ---------===//
//
// dist-partition: every value of a sharded entry function takes its local
// (per-device) type, every dist.reshard becomes the boxing planner's chain
// of explicit collectives and local steps, pins disappear. The result is
// the SPMD program each device of the mesh runs.
//
//===----------------------------------------------------------------------===//
#include "weft/Analysis/BoxingPlanner.h"
#include "weft/Dialect/Dist/IR/DistOps.h"
#include "weft/Dialect/Dist/Transforms/Passes.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace weft {
#define GEN_PASS_DEF_PARTITIONPASS
#include "weft/Dialect/Dist/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::dist;
using ::weft::BoxingPlan;
using ::weft::BoxingStep;
using ::weft::CollectiveKind;
using ::weft::sbp::NdSbp;
using ::weft::sbp::Placement;

namespace {

class Partitioner {
public:
  Partitioner(MeshOp mesh)
      : mesh(mesh), topology(mesh.getTopology()), model(topology),
        planner(model),
        meshRef(FlatSymbolRefAttr::get(mesh.getContext(), mesh.getSymName())) {}

  LogicalResult run(func::FuncOp fn);

private:
  /// The global layout of every value of the sharded function.
  LogicalResult collectShardings(func::FuncOp fn);
  RankedTensorType localType(RankedTensorType global, const NdSbp &s) const;
  /// Emits the steps of `from -> to` for `v` (local under `from`) of
  /// global type `global` before `at`; returns the local result.
  FailureOr<Value> emitReshard(OpBuilder &b, Location loc, Value v,
                               RankedTensorType global, const NdSbp &from,
                               const NdSbp &to);
  LogicalResult localizeOp(Operation &op);
  /// A mean reduced over a split dim: scale its partial by 1 / parts.
  LogicalResult rescaleMean(Operation &op, ArrayRef<int64_t> reducedDims,
                            const NdSbp &input);

  MeshOp mesh;
  ::weft::MeshTopology topology;
  ::weft::CostModel model;
  ::weft::BoxingPlanner planner;
  FlatSymbolRefAttr meshRef;
  DenseMap<Value, NdSbp> layout;
  int64_t nextOrder = 0;
};

RankedTensorType Partitioner::localType(RankedTensorType global,
                                        const NdSbp &s) const {
  std::optional<std::vector<int64_t>> local = ::weft::sbp::localShape(
      s, topology.shape, {global.getShape().begin(), global.getShape().end()});
  if (!local)
    return {};
  return RankedTensorType::get(*local, global.getElementType());
}

LogicalResult Partitioner::collectShardings(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    auto s =
        fn.getArgAttrOfType<ShardingAttr>(arg.getArgNumber(), attr::kSharding);
    if (!s)
      return emitError(fn.getLoc(), "dist-partition: argument ")
             << arg.getArgNumber() << " of @" << fn.getSymName()
             << " has no dist.sharding; run dist-auto-shard first";
    layout[arg] = s.getNdSbp();
  }
  for (Operation &op : body.without_terminator()) {
    if (auto annotate = dyn_cast<AnnotateOp>(op)) {
      layout[annotate.getResult()] = annotate.getSharding().getNdSbp();
      continue;
    }
    if (auto reshard = dyn_cast<ReshardOp>(op)) {
      layout[reshard.getResult()] = reshard.getTarget().getNdSbp();
      continue;
    }
    auto s = op.getAttrOfType<ShardingAttr>(attr::kSharding);
    if (!s || op.getNumResults() != 1)
      return op.emitOpError("dist-partition: has no dist.sharding; run "
                            "dist-auto-shard first");
    if (s.getMesh() != meshRef)
      return op.emitOpError("dist-partition: sharded over ")
             << s.getMesh() << ", expected " << meshRef;
    layout[op.getResult(0)] = s.getNdSbp();
  }
  return success();
}

FailureOr<Value> Partitioner::emitReshard(OpBuilder &b, Location loc, Value v,
                                          RankedTensorType global,
                                          const NdSbp &from, const NdSbp &to) {
  if (from == to)
    return v;
  std::vector<int64_t> shape(global.getShape().begin(),
                             global.getShape().end());
  std::optional<BoxingPlan> plan = planner.plan(
      from, to, shape,
      llvm::divideCeil(global.getElementType().getIntOrFloatBitWidth(), 8));
  if (!plan)
    return emitError(loc, "dist-partition: no chain of collectives turns ")
           << ::weft::sbp::str(from) << " into " << ::weft::sbp::str(to);
  for (const BoxingStep &step : plan->steps) {
    RankedTensorType out = localType(global, step.to);
    auto axes = b.getDenseI64ArrayAttr({static_cast<int64_t>(step.axis)});
    Operation *op = nullptr;
    switch (step.kind) {
    case CollectiveKind::AllReduce:
      op = AllReduceOp::create(
          b, loc, out, v, meshRef, axes,
          ReduceKindAttr::get(b.getContext(), step.reduceMax
                                                  ? ReduceKind::max
                                                  : ReduceKind::sum));
      break;
    case CollectiveKind::AllGather:
      op = AllGatherOp::create(b, loc, out, v, meshRef, axes,
                               b.getI64IntegerAttr(step.dim));
      break;
    case CollectiveKind::ReduceScatter:
      op = ReduceScatterOp::create(
          b, loc, out, v, meshRef, axes, b.getI64IntegerAttr(step.dim),
          ReduceKindAttr::get(b.getContext(), ReduceKind::sum));
      break;
    case CollectiveKind::AllToAll:
      op = AllToAllOp::create(b, loc, out, v, meshRef, axes,
                              b.getI64IntegerAttr(step.splitDim),
                              b.getI64IntegerAttr(step.dim));
      break;
    case CollectiveKind::LocalSlice:
      op = LocalSliceOp::create(b, loc, out, v, meshRef, axes,
                                b.getI64IntegerAttr(step.dim));
      break;
    case CollectiveKind::MakePartial:
      op = MakePartialOp::create(b, loc, out, v, meshRef, axes);
      break;
    }
    if (step.kind != CollectiveKind::LocalSlice &&
        step.kind != CollectiveKind::MakePartial)
      op->setAttr(attr::kOrder, b.getI64IntegerAttr(nextOrder++));
    v = op->getResult(0);
  }
  return v;
}

LogicalResult Partitioner::rescaleMean(Operation &op,
                                       ArrayRef<int64_t> reducedDims,
                                       const NdSbp &input) {
  double parts = 1;
  for (size_t a = 0; a < input.size(); ++a)
    if (input[a].isSplit() && llvm::is_contained(reducedDims, input[a].dim))
      parts *= static_cast<double>(topology.shape[a]);
  if (parts == 1)
    return success();
  auto type = cast<RankedTensorType>(op.getResult(0).getType());
  if (!isa<FloatType>(type.getElementType()))
    return op.emitOpError("dist-partition: an integer mean split over its "
                          "reduced dim has no exact local form");
  OpBuilder b(op.getContext());
  b.setInsertionPointAfter(&op);
  auto scalar = RankedTensorType::get({}, type.getElementType());
  auto scale = mlir::weft::ConstantOp::create(
      b, op.getLoc(),
      DenseElementsAttr::get(
          scalar, b.getFloatAttr(type.getElementType(), 1.0 / parts)));
  Value result = op.getResult(0);
  auto mul =
      mlir::weft::MulOp::create(b, op.getLoc(), result, scale.getResult());
  mul->setAttr(attr::kSharding, op.getAttr(attr::kSharding));
  result.replaceAllUsesExcept(mul.getResult(), mul);
  return success();
}

LogicalResult Partitioner::localizeOp(Operation &op) {
  auto result = cast<OpResult>(op.getResult(0));
  auto global = cast<RankedTensorType>(result.getType());
  const NdSbp &s = layout.lookup(result);
  RankedTensorType local = localType(global, s);
  if (!local)
    return op.emitOpError("dist-partition: sharding ")
           << ::weft::sbp::str(s) << " does not fit " << global;
  if (auto constant = dyn_cast<mlir::weft::ConstantOp>(op)) {
    // The literal stays whole; each device slices its part.
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : result.getUses())
      uses.push_back(&use);
    OpBuilder b(op.getContext());
    b.setInsertionPointAfter(&op);
    FailureOr<Value> v =
        emitReshard(b, op.getLoc(), result, global,
                    ::weft::sbp::replicated(topology.rank()), s);
    if (failed(v))
      return failure();
    for (OpOperand *use : uses)
      use->set(*v);
    return success();
  }
  if (auto embedding = dyn_cast<mlir::weft::EmbeddingOp>(op)) {
    // A vocabulary-split table: each device looks up the rows it owns and
    // gives zeros for the others (P(sum)); dist-specialize builds that
    // form once the device's row offset is known.
    const NdSbp &table = layout.lookup(embedding.getTable());
    SmallVector<int64_t> vocabAxes;
    for (auto [a, p] : llvm::enumerate(table))
      if (p.isSplit() && p.dim == 0)
        vocabAxes.push_back(static_cast<int64_t>(a));
    if (!vocabAxes.empty())
      op.setAttr(attr::kVocabAxes,
                 Builder(op.getContext()).getDenseI64ArrayAttr(vocabAxes));
  }
  if (auto slice = dyn_cast<mlir::weft::SliceOp>(op)) {
    // Split dims are taken whole (the sharding rule): their limits become
    // the local sizes.
    const NdSbp &in = layout.lookup(slice.getInput());
    SmallVector<int64_t> limits(slice.getLimits());
    auto inLocal = cast<RankedTensorType>(slice.getInput().getType());
    for (const Placement &p : in)
      if (p.isSplit())
        limits[p.dim] = inLocal.getDimSize(p.dim);
    slice.setLimits(limits);
  }
  result.setType(local);
  if (auto mean = dyn_cast<mlir::weft::ReduceMeanOp>(op))
    return rescaleMean(op, mean.getAxes(), layout.lookup(mean.getInput()));
  if (auto ce = dyn_cast<mlir::weft::CrossEntropyOp>(op))
    return rescaleMean(op, {0}, layout.lookup(ce.getLogits()));
  return success();
}

LogicalResult Partitioner::run(func::FuncOp fn) {
  if (!fn.getBody().hasOneBlock())
    return emitError(fn.getLoc(), "dist-partition: @")
           << fn.getSymName() << " must have one block";
  if (failed(collectShardings(fn)))
    return failure();
  Block &body = fn.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    RankedTensorType local =
        localType(cast<RankedTensorType>(arg.getType()), layout.lookup(arg));
    if (!local)
      return emitError(fn.getLoc(), "dist-partition: argument ")
             << arg.getArgNumber() << "'s sharding does not fit its type";
    arg.setType(local);
  }
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  for (Operation *op : ops) {
    if (auto annotate = dyn_cast<AnnotateOp>(op)) {
      annotate.getResult().replaceAllUsesWith(annotate.getInput());
      annotate.erase();
      continue;
    }
    if (auto reshard = dyn_cast<ReshardOp>(op)) {
      OpBuilder b(reshard);
      FailureOr<Value> v = emitReshard(
          b, reshard.getLoc(), reshard.getInput(), reshard.getType(),
          reshard.getSource().getNdSbp(), reshard.getTarget().getNdSbp());
      if (failed(v))
        return failure();
      reshard.getResult().replaceAllUsesWith(*v);
      reshard.erase();
      continue;
    }
    if (failed(localizeOp(*op)))
      return failure();
  }
  Operation *ret = body.getTerminator();
  fn.setType(FunctionType::get(fn.getContext(), body.getArgumentTypes(),
                               ret->getOperandTypes()));
  fn->setAttr(attr::kPartitioned, meshRef);
  return success();
}

struct PartitionPass : ::weft::impl::PartitionPassBase<PartitionPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (func::FuncOp fn : ::weft::getEntryFunctions(module)) {
      if (fn->hasAttr(attr::kPartitioned))
        continue;
      auto first = fn.getNumArguments()
                       ? fn.getArgAttrOfType<ShardingAttr>(0, attr::kSharding)
                       : ShardingAttr();
      if (!first) {
        emitError(fn.getLoc(), "dist-partition: @")
            << fn.getSymName()
            << " is not sharded (its arguments carry no dist.sharding); run "
               "dist-auto-shard first";
        return signalPassFailure();
      }
      auto mesh =
          SymbolTable::lookupNearestSymbolFrom<MeshOp>(fn, first.getMesh());
      if (!mesh) {
        emitError(fn.getLoc(), "dist-partition: no dist.mesh ")
            << first.getMesh();
        return signalPassFailure();
      }
      Partitioner partitioner(mesh);
      if (failed(partitioner.run(fn)))
        return signalPassFailure();
    }
  }
};

} // namespace
