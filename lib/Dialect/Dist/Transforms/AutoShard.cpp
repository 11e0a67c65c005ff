//===- AutoShard.cpp - SBP sharding search over a device mesh -------------===//
//
// dist-auto-shard: builds the search problem of ShardingSearch.h from an
// entry function (nodes: arguments and ops with their legal SBP signatures
// and costs; edges: the boxing cost of every use), solves it, and writes the
// choice back as `dist.sharding` attributes and `dist.reshard` ops, plus a
// report (ShardingReport.h).
//
//===----------------------------------------------------------------------===//
#include "weft/Analysis/BoxingPlanner.h"
#include "weft/Analysis/CostModel.h"
#include "weft/Analysis/ShardingSearch.h"
#include "weft/Dialect/Dist/IR/DistOps.h"
#include "weft/Dialect/Dist/Transforms/Passes.h"
#include "weft/Dialect/Dist/Transforms/ShardingReport.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"

#include "mlir/IR/Builders.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

#include <map>
#include <set>

namespace weft {
#define GEN_PASS_DEF_AUTOSHARDPASS
#include "weft/Dialect/Dist/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::dist;
using ::weft::BoxingPlanner;
using ::weft::CollectiveKind;
using ::weft::CostModel;
using ::weft::ReportCollective;
using ::weft::ReportRow;
using ::weft::SearchProblem;
using ::weft::SearchResult;
using ::weft::ShardingReport;
using ::weft::Signature;
using ::weft::sbp::NdSbp;
using ::weft::sbp::Placement;

namespace {

/// Whether result `i` of `fn` is the new value of a state argument.
bool isWriteBack(func::FuncOp fn, unsigned i) {
  return fn.getResultAttr(i, ::weft::kUpdateAttr) != nullptr;
}

/// Per-device memory of a parameter in a training step: the value, its
/// gradient and two Adam moments.
constexpr double kTrainingParameterCopies = 4;
/// Forward + backward compute of a training step relative to the forward.
constexpr double kTrainingComputeFactor = 3;
/// Seconds per byte of per-device memory added to every strategy's cost:
/// far below any real cost, it only breaks ties towards less memory (an
/// input split where it is consumed split rather than sliced later).
constexpr double kMemoryTieBreak = 1e-16;

double elementBytes(Type type) {
  auto t = cast<RankedTensorType>(type);
  return static_cast<double>(
      llvm::divideCeil(t.getElementType().getIntOrFloatBitWidth(), 8));
}

std::vector<int64_t> shapeOf(Type type) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(type).getShape();
  return {s.begin(), s.end()};
}

bool isShardable(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() && t.getElementType().isIntOrFloat();
}

std::string locationOf(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  if (auto named = dyn_cast<NameLoc>(loc))
    return named.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (std::string s = locationOf(l); !s.empty())
        return s;
  return "";
}

/// One node of the search: an argument or an op.
struct Node {
  Operation *op = nullptr; ///< null for an argument
  int argIndex = -1;
  std::vector<Signature> strategies;
  bool pinned = false;
  bool fallback = false;        ///< no sharding rule: replicated
  std::vector<double> compute;  ///< per strategy
  std::vector<double> gradComm; ///< per strategy (training)
  std::vector<double> exitComm; ///< per strategy: leaving the function
  std::vector<int64_t> memory;  ///< per strategy
};

/// A use of a node's result by another node's operand, or (`writeBack`)
/// the new value of a state argument stored back into it: its "operand" is
/// the argument's own layout.
struct Use {
  int producer, result, consumer, operand;
  Value value;
  bool writeBack = false;
};

class AutoSharder {
public:
  AutoSharder(MeshOp mesh, ::weft::AutoShardPassOptions options)
      : mesh(mesh), topology(mesh.getTopology()), model(topology),
        planner(model), options(options) {}

  LogicalResult run(func::FuncOp fn, ShardingReport &report);

private:
  LogicalResult buildNodes(func::FuncOp fn);
  void markGradients(func::FuncOp fn);
  void computeNodeCosts(func::FuncOp fn);
  SearchProblem buildProblem(func::FuncOp fn, int64_t budget, bool tie);
  void rewrite(func::FuncOp fn, const std::vector<int> &choice);
  void fillReport(func::FuncOp fn, const std::vector<int> &choice,
                  const SearchResult &result, ShardingReport &report);

  /// Every layout of an argument or constant: per mesh axis B or S(d)
  /// (never partial), valid for the shape; a size-1 axis only B.
  std::vector<NdSbp> layoutsOf(Type type) const;
  /// Forward and (training) backward seconds of a reshard.
  std::pair<double, double> reshardSeconds(const NdSbp &from, const NdSbp &to,
                                           Type type) const;
  /// Backward seconds of the steps of a forward reshard plan: the
  /// transpose of each step (AG <-> RS, A2A <-> A2A, AR -> nothing, a
  /// local slice or make-partial -> an all_reduce of its group).
  double backwardSeconds(const ::weft::BoxingPlan &plan) const;
  /// The layout a result leaves the function in.
  NdSbp exitLayout(func::FuncOp fn, unsigned resultIndex,
                   const NdSbp &produced) const;
  double localBytes(const NdSbp &s, Type type) const;
  /// Seconds of the gradient all-reduces of strategy `s` of node `n`.
  double gradientSeconds(const Node &n, const Signature &s,
                         std::vector<ReportCollective> *out) const;
  void addSteps(const ::weft::BoxingPlan &plan, const std::string &what,
                bool backward, std::vector<ReportCollective> &out) const;

  MeshOp mesh;
  ::weft::MeshTopology topology;
  CostModel model;
  BoxingPlanner planner;
  ::weft::AutoShardPassOptions options;

  std::vector<Node> nodes;
  std::vector<Use> uses;
  /// Where a value comes from: (node, result index).
  DenseMap<Value, std::pair<int, int>> producerOf;
  DenseSet<Value> needsGradient;
  std::vector<std::string> warnings;
  mutable std::map<std::tuple<NdSbp, NdSbp, std::vector<int64_t>, int64_t>,
                   std::pair<double, double>>
      reshardMemo;
};

std::vector<NdSbp> AutoSharder::layoutsOf(Type type) const {
  std::vector<int64_t> shape = shapeOf(type);
  std::vector<int64_t> meshShape = topology.shape;
  std::vector<Placement> choices{Placement::broadcast()};
  for (size_t d = 0; d < shape.size(); ++d)
    choices.push_back(Placement::split(static_cast<int64_t>(d)));
  std::vector<NdSbp> out;
  std::vector<size_t> pick(meshShape.size(), 0);
  while (true) {
    NdSbp s;
    bool ok = true;
    for (size_t a = 0; a < pick.size(); ++a) {
      s.push_back(choices[pick[a]]);
      ok &= meshShape[a] > 1 || pick[a] == 0;
    }
    if (ok && ::weft::sbp::isValidFor(s, meshShape, shape))
      out.push_back(s);
    size_t a = pick.size();
    while (a > 0 && ++pick[a - 1] == choices.size())
      pick[--a] = 0;
    if (a == 0)
      return out;
  }
}

double AutoSharder::localBytes(const NdSbp &s, Type type) const {
  std::optional<std::vector<int64_t>> local =
      ::weft::sbp::localShape(s, topology.shape, shapeOf(type));
  double n = elementBytes(type);
  if (!local)
    return n;
  for (int64_t d : *local)
    n *= static_cast<double>(d);
  return n;
}

/// The collective the backward pass runs for one forward step (the
/// transpose: AG <-> RS, A2A <-> A2A; an all_reduce of P -> B needs nothing
/// back; a local slice or make-partial of a replicated value needs its
/// gradient pieces summed: an all_reduce of the group).
static std::optional<CollectiveKind> transposeOf(CollectiveKind kind) {
  switch (kind) {
  case CollectiveKind::AllReduce:
    return std::nullopt;
  case CollectiveKind::AllGather:
    return CollectiveKind::ReduceScatter;
  case CollectiveKind::ReduceScatter:
    return CollectiveKind::AllGather;
  case CollectiveKind::AllToAll:
    return CollectiveKind::AllToAll;
  case CollectiveKind::LocalSlice:
  case CollectiveKind::MakePartial:
    return CollectiveKind::AllReduce;
  }
  return std::nullopt;
}

double AutoSharder::backwardSeconds(const ::weft::BoxingPlan &plan) const {
  double s = 0;
  for (const ::weft::BoxingStep &step : plan.steps)
    if (std::optional<CollectiveKind> back = transposeOf(step.kind))
      s += model.collectiveSeconds(*back, step.axis, step.groupBytes);
  return s;
}

std::pair<double, double> AutoSharder::reshardSeconds(const NdSbp &from,
                                                      const NdSbp &to,
                                                      Type type) const {
  if (from == to)
    return {0, 0};
  auto key = std::make_tuple(from, to, shapeOf(type),
                             static_cast<int64_t>(elementBytes(type)));
  if (auto it = reshardMemo.find(key); it != reshardMemo.end())
    return it->second;
  std::optional<::weft::BoxingPlan> plan = planner.plan(
      from, to, shapeOf(type), static_cast<int64_t>(elementBytes(type)));
  std::pair<double, double> out{std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::infinity()};
  if (plan)
    out = {plan->seconds, backwardSeconds(*plan)};
  reshardMemo[key] = out;
  return out;
}

NdSbp AutoSharder::exitLayout(func::FuncOp fn, unsigned resultIndex,
                              const NdSbp &produced) const {
  if (auto pin =
          fn.getResultAttrOfType<ShardingAttr>(resultIndex, attr::kSharding))
    return pin.getNdSbp();
  // The new value of a state argument is stored back in that argument's
  // layout (known once chosen, or pinned).
  if (auto update =
          fn.getResultAttrOfType<IntegerAttr>(resultIndex, ::weft::kUpdateAttr))
    if (update.getInt() >= 0 && update.getInt() < fn.getNumArguments())
      if (auto arg = fn.getArgAttrOfType<ShardingAttr>(update.getInt(),
                                                       attr::kSharding))
        return arg.getNdSbp();
  NdSbp out = produced;
  for (Placement &p : out)
    if (p.isPartial())
      p = Placement::broadcast();
  return out;
}

LogicalResult AutoSharder::buildNodes(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    Node n;
    n.argIndex = static_cast<int>(arg.getArgNumber());
    Signature sig;
    if (!isShardable(arg.getType()))
      return emitError(fn.getLoc(), "dist-auto-shard: argument ")
             << arg.getArgNumber() << " of @" << fn.getSymName() << " has type "
             << arg.getType()
             << "; only statically shaped int/float tensors can be sharded";
    if (auto pin = fn.getArgAttrOfType<ShardingAttr>(arg.getArgNumber(),
                                                     attr::kSharding)) {
      if (pin.getMesh().getValue() != mesh.getSymName())
        return emitError(fn.getLoc(), "argument ")
               << arg.getArgNumber() << " is pinned to mesh " << pin.getMesh()
               << " but the function is sharded over @" << mesh.getSymName();
      if (failed(pin.verifyFor(
              [&] { return emitError(fn.getLoc(), "argument pin: "); }, mesh,
              cast<RankedTensorType>(arg.getType()))))
        return failure();
      sig.results.push_back(pin.getNdSbp());
      n.strategies.push_back(sig);
      n.pinned = true;
    } else {
      for (NdSbp &s : layoutsOf(arg.getType())) {
        sig.results = {s};
        n.strategies.push_back(sig);
      }
    }
    producerOf[arg] = {static_cast<int>(nodes.size()), 0};
    nodes.push_back(std::move(n));
  }
  size_t rank = topology.rank();
  for (Operation &op : body.without_terminator()) {
    Node n;
    n.op = &op;
    int self = static_cast<int>(nodes.size());
    for (OpOperand &operand : op.getOpOperands()) {
      auto it = producerOf.find(operand.get());
      if (it == producerOf.end())
        return op.emitOpError("dist-auto-shard: operand ")
               << operand.getOperandNumber()
               << " is not defined in the entry block";
      if (isShardable(operand.get().getType()))
        uses.push_back({it->second.first, it->second.second, self,
                        static_cast<int>(operand.getOperandNumber()),
                        operand.get()});
    }
    auto pinned = [&](ShardingAttr in, ShardingAttr out) -> LogicalResult {
      if (in.getMesh().getValue() != mesh.getSymName())
        return op.emitOpError("pins mesh ")
               << in.getMesh() << " but the function is sharded over @"
               << mesh.getSymName();
      n.strategies.push_back({{in.getNdSbp()}, {out.getNdSbp()}, {}});
      n.pinned = true;
      return success();
    };
    if (auto annotate = dyn_cast<AnnotateOp>(op)) {
      if (failed(pinned(annotate.getSharding(), annotate.getSharding())))
        return failure();
    } else if (auto reshard = dyn_cast<ReshardOp>(op)) {
      if (failed(pinned(reshard.getSource(), reshard.getTarget())))
        return failure();
    } else if (auto rule = dyn_cast<mlir::weft::ShardingRuleOpInterface>(op);
               rule && llvm::all_of(op.getOperandTypes(), isShardable) &&
               llvm::all_of(op.getResultTypes(), isShardable)) {
      ::weft::ShardingRule r = rule.getShardingRule();
      std::string problem = r.validate(op.getNumOperands(), op.getNumResults());
      if (!problem.empty())
        return op.emitOpError("has a malformed sharding rule: ") << problem;
      std::vector<std::vector<int64_t>> ins, outs;
      for (Type t : op.getOperandTypes())
        ins.push_back(shapeOf(t));
      for (Type t : op.getResultTypes())
        outs.push_back(shapeOf(t));
      n.strategies = r.signatures(topology.shape, ins, outs);
    } else {
      Signature all;
      for (size_t i = 0; i < op.getNumOperands(); ++i)
        all.operands.push_back(::weft::sbp::replicated(rank));
      for (size_t i = 0; i < op.getNumResults(); ++i)
        all.results.push_back(::weft::sbp::replicated(rank));
      n.strategies.push_back(all);
      n.fallback = true;
      warnings.push_back(("no sharding rule for '" +
                          op.getName().getStringRef() + "'" +
                          (locationOf(op.getLoc()).empty()
                               ? ""
                               : " at " + locationOf(op.getLoc())) +
                          "; it runs replicated")
                             .str());
      op.emitWarning("no sharding rule for this op; it runs replicated");
    }
    for (OpResult r : op.getResults())
      producerOf[r] = {self, static_cast<int>(r.getResultNumber())};
    nodes.push_back(std::move(n));
  }
  // A state argument's new value (weft.update) goes back in the argument's
  // layout: an edge from its producer to the argument, whose "operand" is
  // its own layout, so the search prices the write-back reshard.
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (OpOperand &r : ret->getOpOperands()) {
    auto update = fn.getResultAttrOfType<IntegerAttr>(r.getOperandNumber(),
                                                      ::weft::kUpdateAttr);
    if (!update || update.getInt() < 0 ||
        update.getInt() >= fn.getNumArguments())
      continue;
    int arg = static_cast<int>(update.getInt()); // arguments come first
    auto [p, res] = producerOf.lookup(r.get());
    if (p == arg)
      continue; // the state is returned unchanged
    for (Signature &sig : nodes[arg].strategies)
      sig.operands = {sig.results[0]};
    uses.push_back({p, res, arg, 0, r.get(), /*writeBack=*/true});
  }
  return success();
}

void AutoSharder::markGradients(func::FuncOp fn) {
  if (!options.training)
    return;
  Block &body = fn.getBody().front();
  bool any = false;
  for (BlockArgument arg : body.getArguments())
    if (fn.getArgAttr(arg.getArgNumber(), ::weft::kStateAttr)) {
      needsGradient.insert(arg);
      any = true;
    }
  if (!any)
    warnings.push_back("training: no argument of @" + fn.getSymName().str() +
                       " is a parameter (weft.state), so no gradient is "
                       "modeled");
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return needsGradient.contains(v); }))
      for (Value r : op.getResults())
        if (isa<FloatType>(getElementTypeOrSelf(r.getType())))
          needsGradient.insert(r);
}

double AutoSharder::gradientSeconds(const Node &n, const Signature &s,
                                    std::vector<ReportCollective> *out) const {
  if (!options.training || !n.op || n.fallback || s.perAxis.empty())
    return 0;
  double total = 0;
  for (OpOperand &operand : n.op->getOpOperands()) {
    unsigned k = operand.getOperandNumber();
    if (!needsGradient.contains(operand.get()))
      continue;
    for (size_t a = 0; a < topology.rank(); ++a) {
      // A replicated operand of an op whose work is divided over axis `a`
      // gets a partial gradient there, summed by an all_reduce.
      if (!s.operands[k][a].isBroadcast() || s.perAxis[a] == 0)
        continue;
      double bytes = localBytes(s.operands[k], operand.get().getType());
      double secs =
          model.collectiveSeconds(CollectiveKind::AllReduce, a, bytes);
      total += secs;
      if (out)
        out->push_back({"all_reduce", topology.axisNames[a], bytes,
                        CostModel::sentBytesPerRank(CollectiveKind::AllReduce,
                                                    topology.shape[a], bytes),
                        secs, "gradient of operand " + std::to_string(k), true,
                        true});
    }
  }
  return total;
}

void AutoSharder::computeNodeCosts(func::FuncOp fn) {
  auto returnOp = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  for (Node &n : nodes) {
    for (const Signature &s : n.strategies) {
      double compute = 0, mem = 0;
      if (n.op && !isa<AnnotateOp, ReshardOp>(n.op)) {
        auto rule = dyn_cast<mlir::weft::ShardingRuleOpInterface>(n.op);
        if (!rule || !rule.isMetadataOnly()) {
          double flops =
              rule ? rule.getFlops() : mlir::weft::resultElementCount(n.op);
          double parallel = 1, bytes = 0;
          for (size_t a = 0; a < topology.rank(); ++a) {
            bool split = false;
            for (const NdSbp &p : s.operands)
              split |= p[a].isSplit();
            for (const NdSbp &p : s.results)
              split |= p[a].isSplit();
            if (split)
              parallel *= static_cast<double>(topology.shape[a]);
          }
          for (auto [i, v] : llvm::enumerate(n.op->getOperands()))
            bytes += localBytes(s.operands[i], v.getType());
          for (auto [i, v] : llvm::enumerate(n.op->getResults()))
            bytes += localBytes(s.results[i], v.getType());
          compute = model.computeSeconds(flops / parallel, bytes);
          if (options.training)
            compute *= kTrainingComputeFactor;
        }
      }
      Type resultType =
          n.op ? (n.op->getNumResults() ? n.op->getResult(0).getType() : Type())
               : fn.getArgument(n.argIndex).getType();
      if (n.op) {
        for (auto [i, v] : llvm::enumerate(n.op->getResults()))
          mem += localBytes(s.results[i], v.getType());
      } else {
        mem = localBytes(s.results[0], resultType);
        if (options.training &&
            needsGradient.contains(fn.getArgument(n.argIndex)))
          mem *= kTrainingParameterCopies;
      }
      double exit = 0;
      for (OpOperand &ret : returnOp->getOpOperands()) {
        auto [p, r] = producerOf.lookup(ret.get());
        if (&nodes[p] != &n || isWriteBack(fn, ret.getOperandNumber()))
          continue; // a write-back is costed on its own edge
        const NdSbp &produced = s.results[r];
        NdSbp target = exitLayout(fn, ret.getOperandNumber(), produced);
        exit += reshardSeconds(produced, target, ret.get().getType()).first;
      }
      n.compute.push_back(compute);
      n.gradComm.push_back(gradientSeconds(n, s, nullptr));
      n.exitComm.push_back(exit);
      n.memory.push_back(static_cast<int64_t>(std::min(mem, 9.0e18)));
    }
  }
}

/// Weisfeiler-Lehman colors: nodes with equal colors after a few rounds
/// have identical neighbourhoods (the same op at the same place in two
/// copies of a layer).
std::vector<uint64_t> neighbourhoodColors(const std::vector<Node> &nodes,
                                          const std::vector<Use> &uses,
                                          func::FuncOp fn) {
  std::vector<uint64_t> color(nodes.size());
  for (auto [i, n] : llvm::enumerate(nodes)) {
    llvm::hash_code h = llvm::hash_value(n.strategies.size());
    if (!n.op) {
      Type t = fn.getArgument(n.argIndex).getType();
      h = llvm::hash_combine(
          h, "arg", t.getAsOpaquePointer(),
          fn.getArgAttr(n.argIndex, ::weft::kStateAttr) != nullptr, n.pinned);
    } else {
      h = llvm::hash_combine(
          h, n.op->getName().getAsOpaquePointer(),
          n.op->getRawDictionaryAttrs().getAsOpaquePointer());
      for (Type t : n.op->getOperandTypes())
        h = llvm::hash_combine(h, t.getAsOpaquePointer());
      for (Type t : n.op->getResultTypes())
        h = llvm::hash_combine(h, t.getAsOpaquePointer());
    }
    color[i] = h;
  }
  for (int round = 0; round < 3; ++round) {
    std::vector<std::vector<std::pair<uint64_t, int>>> in(nodes.size()),
        out(nodes.size());
    for (const Use &u : uses) {
      in[u.consumer].push_back({color[u.producer], u.operand * 16 + u.result});
      out[u.producer].push_back({color[u.consumer], u.operand * 16 + u.result});
    }
    std::vector<uint64_t> next(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      llvm::sort(in[i]);
      llvm::sort(out[i]);
      llvm::hash_code h = llvm::hash_value(color[i]);
      for (auto [c, k] : in[i])
        h = llvm::hash_combine(h, 1, c, k);
      for (auto [c, k] : out[i])
        h = llvm::hash_combine(h, 2, c, k);
      next[i] = h;
    }
    color = std::move(next);
  }
  return color;
}

SearchProblem AutoSharder::buildProblem(func::FuncOp fn, int64_t budget,
                                        bool tie) {
  SearchProblem p;
  for (Node &n : nodes) {
    ::weft::SearchNode sn;
    sn.name = n.op ? n.op->getName().getStringRef().str()
                   : "arg" + std::to_string(n.argIndex);
    for (size_t s = 0; s < n.strategies.size(); ++s)
      sn.cost.push_back(n.compute[s] + n.gradComm[s] + n.exitComm[s] +
                        kMemoryTieBreak * static_cast<double>(n.memory[s]));
    sn.memoryBytes = n.memory;
    p.nodes.push_back(std::move(sn));
  }
  for (const Use &u : uses) {
    const Node &prod = nodes[u.producer], &cons = nodes[u.consumer];
    Value v = u.value;
    bool grad = options.training && needsGradient.contains(v);
    ::weft::SearchEdge e;
    e.src = u.producer;
    e.dst = u.consumer;
    e.cost.resize(prod.strategies.size() * cons.strategies.size());
    for (size_t i = 0; i < prod.strategies.size(); ++i)
      for (size_t j = 0; j < cons.strategies.size(); ++j) {
        auto [fwd, bwd] =
            reshardSeconds(prod.strategies[i].results[u.result],
                           cons.strategies[j].operands[u.operand], v.getType());
        e.cost[i * cons.strategies.size() + j] = fwd + (grad ? bwd : 0);
      }
    p.edges.push_back(std::move(e));
  }
  p.memoryBudget = budget;
  // Live sets: a training step keeps every activation for the backward
  // pass; an inference step frees a value after its last use. Arguments
  // live throughout.
  std::vector<int> args;
  for (auto [i, n] : llvm::enumerate(nodes))
    if (!n.op)
      args.push_back(static_cast<int>(i));
  if (options.training) {
    std::vector<int> all(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i)
      all[i] = static_cast<int>(i);
    p.liveSets.push_back(all);
  } else {
    std::vector<int> lastUse(nodes.size(), -1);
    for (const Use &u : uses)
      lastUse[u.producer] = std::max(lastUse[u.producer], u.consumer);
    int last = static_cast<int>(nodes.size()) - 1;
    auto returnOp = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    for (Value v : returnOp.getOperands())
      lastUse[producerOf.lookup(v).first] = last + 1;
    for (int t = static_cast<int>(args.size()); t <= last; ++t) {
      // Only where a value dies after t (or at the end) can the live bytes
      // peak, so sets at the other points are dominated.
      bool peak = t == last;
      for (int i = static_cast<int>(args.size()); i < t && !peak; ++i)
        peak = lastUse[i] == t;
      if (!peak && t + 1 <= last) {
        bool dies = false;
        for (int i = static_cast<int>(args.size()); i <= t && !dies; ++i)
          dies = lastUse[i] == t + 1;
        peak = dies;
      }
      if (!peak)
        continue;
      std::vector<int> set = args;
      for (int i = static_cast<int>(args.size()); i <= t; ++i)
        if (lastUse[i] >= t || i == t)
          set.push_back(i);
      p.liveSets.push_back(std::move(set));
    }
    if (p.liveSets.empty())
      p.liveSets.push_back(args);
  }
  if (!tie)
    return p;
  std::vector<uint64_t> color = neighbourhoodColors(nodes, uses, fn);
  llvm::MapVector<uint64_t, std::vector<int>> groups;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!nodes[i].pinned && nodes[i].strategies.size() > 1)
      groups[color[i]].push_back(static_cast<int>(i));
  int next = 0;
  for (auto &[c, members] : groups) {
    if (members.size() < 2)
      continue;
    // Same color means same op and types, so the strategy lists agree;
    // check anyway and leave a mismatch untied.
    const Node &first = nodes[members[0]];
    bool same = llvm::all_of(members, [&](int m) {
      return nodes[m].strategies.size() == first.strategies.size();
    });
    if (!same)
      continue;
    for (int m : members)
      p.nodes[m].tieGroup = next;
    ++next;
  }
  return p;
}

void AutoSharder::rewrite(func::FuncOp fn, const std::vector<int> &choice) {
  MLIRContext *ctx = fn.getContext();
  auto meshRef = FlatSymbolRefAttr::get(ctx, mesh.getSymName());
  auto attrOf = [&](const NdSbp &s) {
    return ShardingAttr::get(ctx, meshRef, s);
  };
  for (auto [i, n] : llvm::enumerate(nodes)) {
    const Signature &s = n.strategies[choice[i]];
    if (!n.op) {
      fn.setArgAttr(n.argIndex, attr::kSharding, attrOf(s.results[0]));
      continue;
    }
    if (isa<AnnotateOp, ReshardOp>(n.op))
      continue;
    if (n.op->getNumResults() == 1)
      n.op->setAttr(attr::kSharding, attrOf(s.results[0]));
  }
  // Reshards where a value is consumed in another layout; one per (value,
  // layout), placed before its first consumer.
  std::map<std::pair<void *, NdSbp>, Value> made;
  OpBuilder b(ctx);
  auto reshardTo = [&](Value v, const NdSbp &from, const NdSbp &to,
                       Operation *before) -> Value {
    if (from == to)
      return v;
    auto key = std::make_pair(v.getAsOpaquePointer(), to);
    if (auto it = made.find(key); it != made.end())
      return it->second;
    b.setInsertionPoint(before);
    Value r = ReshardOp::create(b, before->getLoc(), v.getType(), v,
                                attrOf(from), attrOf(to));
    made[key] = r;
    return r;
  };
  for (const Use &u : uses) {
    if (u.writeBack)
      continue; // resharded at the return below
    Operation *consumer = nodes[u.consumer].op;
    Value v = consumer->getOperand(u.operand);
    const NdSbp &from =
        nodes[u.producer].strategies[choice[u.producer]].results[u.result];
    const NdSbp &to =
        nodes[u.consumer].strategies[choice[u.consumer]].operands[u.operand];
    consumer->setOperand(u.operand, reshardTo(v, from, to, consumer));
  }
  auto returnOp = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  for (OpOperand &ret : returnOp->getOpOperands()) {
    auto [p, r] = producerOf.lookup(ret.get());
    const NdSbp &from = nodes[p].strategies[choice[p]].results[r];
    NdSbp to = exitLayout(fn, ret.getOperandNumber(), from);
    ret.set(reshardTo(ret.get(), from, to, returnOp));
    fn.setResultAttr(ret.getOperandNumber(), attr::kSharding, attrOf(to));
  }
}

void AutoSharder::addSteps(const ::weft::BoxingPlan &plan,
                           const std::string &what, bool backward,
                           std::vector<ReportCollective> &out) const {
  for (const ::weft::BoxingStep &step : plan.steps) {
    CollectiveKind kind = step.kind;
    if (backward) {
      std::optional<CollectiveKind> back = transposeOf(step.kind);
      if (!back)
        continue;
      kind = *back;
    }
    ReportCollective c;
    c.kind = ::weft::collectiveName(kind);
    c.axis = topology.axisNames[step.axis];
    c.bytes = step.groupBytes;
    c.sentBytesPerRank = CostModel::sentBytesPerRank(
        kind, topology.shape[step.axis], step.groupBytes);
    c.seconds = model.collectiveSeconds(kind, step.axis, step.groupBytes);
    c.value = what;
    c.backward = backward;
    out.push_back(c);
  }
}

std::string strategyString(const Signature &s) {
  std::string out;
  for (size_t i = 0; i < s.operands.size(); ++i)
    out += (i ? ", " : "") + ::weft::sbp::str(s.operands[i]);
  out += s.operands.empty() ? "-> " : " -> ";
  for (size_t i = 0; i < s.results.size(); ++i)
    out += (i ? ", " : "") + ::weft::sbp::str(s.results[i]);
  return out;
}

void AutoSharder::fillReport(func::FuncOp fn, const std::vector<int> &choice,
                             const SearchResult &result,
                             ShardingReport &report) {
  report.function = fn.getSymName().str();
  std::string shape, axes;
  for (size_t a = 0; a < topology.rank(); ++a) {
    shape += (a ? "x" : "") + std::to_string(topology.shape[a]);
    axes += (a ? ", " : "") + topology.axisNames[a];
  }
  report.mesh = "@" + mesh.getSymName().str() + " " + shape + " (" + axes + ")";
  report.axisNames = topology.axisNames;
  report.meshShape = topology.shape;
  report.mode = result.mode;
  report.training = options.training;
  report.searchSeconds = result.seconds;
  report.gap = result.gap;
  report.provedOptimal = result.provedOptimal;
  report.nodes = static_cast<int64_t>(nodes.size());
  report.edges = static_cast<int64_t>(uses.size());
  for (const Node &n : nodes)
    report.strategies += static_cast<int64_t>(n.strategies.size());
  report.eliminatedNodes = result.eliminatedNodes;
  report.variables = result.variables;
  report.constraints = result.constraints;
  report.predictedSeconds = result.cost;
  report.peakMemoryBytes = result.peakMemory;
  report.warnings = warnings;

  std::vector<ReportRow> rows(nodes.size());
  auto returnOp = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  for (auto [i, n] : llvm::enumerate(nodes)) {
    const Signature &s = n.strategies[choice[i]];
    ReportRow &row = rows[i];
    if (n.op) {
      row.name = n.op->getName().getStringRef().str();
      row.location = locationOf(n.op->getLoc());
    } else {
      row.name = "arg" + std::to_string(n.argIndex);
      if (auto name = fn.getArgAttrOfType<StringAttr>(n.argIndex, "weft.name"))
        row.name += " (" + name.getValue().str() + ")";
    }
    row.strategy = strategyString(s);
    row.computeSeconds = n.compute[choice[i]];
    row.commSeconds = n.gradComm[choice[i]] + n.exitComm[choice[i]];
    row.memoryBytes = n.memory[choice[i]];
    row.pinned = n.pinned;
    row.replicatedFallback = n.fallback;
    gradientSeconds(n, s, &row.collectives);
    for (OpOperand &ret : returnOp->getOpOperands()) {
      auto [p, r] = producerOf.lookup(ret.get());
      if (p != static_cast<int>(i) || isWriteBack(fn, ret.getOperandNumber()))
        continue;
      NdSbp to = exitLayout(fn, ret.getOperandNumber(), s.results[r]);
      if (auto plan = planner.plan(
              s.results[r], to, shapeOf(ret.get().getType()),
              static_cast<int64_t>(elementBytes(ret.get().getType()))))
        addSteps(*plan, "result " + std::to_string(ret.getOperandNumber()),
                 false, row.collectives);
    }
  }
  for (const Use &u : uses) {
    Value v = u.value;
    const NdSbp &from =
        nodes[u.producer].strategies[choice[u.producer]].results[u.result];
    const NdSbp &to =
        nodes[u.consumer].strategies[choice[u.consumer]].operands[u.operand];
    if (from == to)
      continue;
    auto [fwd, bwd] = reshardSeconds(from, to, v.getType());
    bool grad = options.training && needsGradient.contains(v);
    rows[u.consumer].commSeconds += fwd + (grad ? bwd : 0);
    std::optional<::weft::BoxingPlan> plan =
        planner.plan(from, to, shapeOf(v.getType()),
                     static_cast<int64_t>(elementBytes(v.getType())));
    if (!plan)
      continue;
    std::string what = u.writeBack ? std::string("write-back")
                                   : "operand " + std::to_string(u.operand);
    addSteps(*plan, what, false, rows[u.consumer].collectives);
    if (grad)
      addSteps(*plan, what, true, rows[u.consumer].collectives);
  }
  for (const ReportRow &row : rows) {
    report.computeSeconds += row.computeSeconds;
    report.commSeconds += row.commSeconds;
  }
  report.rows = std::move(rows);
}

LogicalResult AutoSharder::run(func::FuncOp fn, ShardingReport &report) {
  if (!fn.getBody().hasOneBlock())
    return emitError(fn.getLoc(), "dist-auto-shard: @")
           << fn.getSymName() << " must have one block";
  if (failed(buildNodes(fn)))
    return failure();
  markGradients(fn);
  computeNodeCosts(fn);

  int64_t budget = options.memoryBudget > 0 ? options.memoryBudget
                                            : topology.deviceMemoryBytes;
  report.memoryBudgetBytes = budget;
  ::weft::SearchOptions searchOptions;
  searchOptions.mode = options.mode == "exact" ? ::weft::SearchMode::Exact
                                               : ::weft::SearchMode::Fast;
  searchOptions.timeLimitSeconds = options.timeLimit;
  SearchProblem tied = buildProblem(fn, budget, options.shareRepeated);
  SearchResult result = ::weft::solve(tied, searchOptions);
  if (!result.ok())
    return emitError(fn.getLoc(), "dist-auto-shard: @")
           << fn.getSymName() << ": " << result.error;
  std::set<int> groups;
  for (const ::weft::SearchNode &n : tied.nodes)
    if (n.tieGroup >= 0) {
      groups.insert(n.tieGroup);
      ++report.tiedNodes;
    }
  report.tieGroups = static_cast<int64_t>(groups.size());
  // Sharing decisions is a restriction: in fast mode also solve untied and
  // keep the cheaper answer (e.g. alternating Megatron layers whose
  // neighbourhoods look alike).
  if (!groups.empty() && searchOptions.mode == ::weft::SearchMode::Fast) {
    SearchProblem untied = buildProblem(fn, budget, false);
    SearchResult free = ::weft::solve(untied, searchOptions);
    double both = free.seconds + result.seconds;
    result.seconds = both;
    if (free.ok() && free.cost < result.cost * (1 - 1e-9)) {
      free.seconds = both;
      result = std::move(free);
      warnings.push_back("repeated layers: the untied search found a cheaper "
                         "plan than shared decisions; it is used");
    }
  }
  fillReport(fn, result.choice, result, report);
  rewrite(fn, result.choice);
  return success();
}

struct AutoShardPass : ::weft::impl::AutoShardPassBase<AutoShardPass> {
  using AutoShardPassBase::AutoShardPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (mode != "fast" && mode != "exact") {
      emitError(module.getLoc(), "dist-auto-shard: mode must be 'fast' or "
                                 "'exact', got '")
          << mode << "'";
      return signalPassFailure();
    }
    if (reportFormat != "table" && reportFormat != "json") {
      emitError(module.getLoc(), "dist-auto-shard: report-format must be "
                                 "'table' or 'json', got '")
          << reportFormat << "'";
      return signalPassFailure();
    }
    if (memoryBudget < 0 || !(timeLimit > 0)) {
      emitError(module.getLoc(), "dist-auto-shard: memory-budget must be >= "
                                 "0 and time-limit > 0");
      return signalPassFailure();
    }
    SmallVector<MeshOp> meshes(module.getOps<MeshOp>());
    MeshOp mesh;
    if (!meshName.empty()) {
      for (MeshOp m : meshes)
        if (m.getSymName() == meshName)
          mesh = m;
      if (!mesh) {
        emitError(module.getLoc(), "dist-auto-shard: no dist.mesh @")
            << meshName << " in the module";
        return signalPassFailure();
      }
    } else if (meshes.size() == 1) {
      mesh = meshes[0];
    } else {
      emitError(module.getLoc(), "dist-auto-shard: ")
          << (meshes.empty() ? "the module has no dist.mesh (weftc: "
                               "--mesh=2x4)"
                             : "the module has several dist.mesh ops; name "
                               "one with mesh=NAME");
      return signalPassFailure();
    }
    if (std::string bad = mesh.getTopology().validate(); !bad.empty()) {
      mesh.emitOpError("has an unusable topology: ") << bad;
      return signalPassFailure();
    }
    std::vector<ShardingReport> reports;
    SmallVector<func::FuncOp> entries = ::weft::getEntryFunctions(module);
    if (entries.empty()) {
      emitError(module.getLoc(), "dist-auto-shard: no entry function (@main "
                                 "or one marked weft.entry)");
      return signalPassFailure();
    }
    for (func::FuncOp fn : entries) {
      ::weft::AutoShardPassOptions opts;
      opts.meshName = meshName;
      opts.mode = mode;
      opts.training = training;
      opts.memoryBudget = memoryBudget;
      opts.shareRepeated = shareRepeated;
      opts.timeLimit = timeLimit;
      AutoSharder sharder(mesh, opts);
      ShardingReport report;
      if (failed(sharder.run(fn, report)))
        return signalPassFailure();
      reports.push_back(std::move(report));
    }
    if (reportFile.empty())
      return;
    std::string error;
    auto out = mlir::openOutputFile(reportFile, &error);
    if (!out) {
      emitError(module.getLoc(), "dist-auto-shard: cannot write the report: ")
          << error;
      return signalPassFailure();
    }
    if (reportFormat == "json")
      out->os() << llvm::formatv("{0:2}", ::weft::reportToJson(reports))
                << "\n";
    else
      ::weft::printReportTable(reports, out->os());
    out->keep();
  }
};

} // namespace
