//===- FuseOps.cpp - the fusion policy for kernel groups ------------------===//
//
// Greedy producer-consumer fusion in program order, then sibling fusion, in
// the manner of XLA's and IREE's rules:
//
//   elementwise -> elementwise      chains (numpy broadcasting, casts,
//                                   transposes and broadcast_to included)
//   elementwise -> reduction        a prologue (softmax, layer_norm,
//                                   rms_norm and reduce_* count as
//                                   reductions)
//   reduction   -> elementwise      an epilogue, when the reduced result
//                                   broadcasts only along trailing dims
//   contraction -> elementwise      a GEMM/conv epilogue (generated GEMMs
//                                   only: library calls stay outside)
//   siblings reading one tensor     one multi-output kernel
//
// A producer joins its consumer only over the same iteration space (equal
// element counts, or the trailing broadcast of a reduced result), so no
// tile of the fused kernel recomputes more than its own slice. A group holds
// at most one reduction and at most one contraction, never a contraction
// fed by a fused prologue (matmul -> matmul stays two kernels), and at most
// `max-group-size` ops. Groups stay convex: no path leaves a group and
// comes back through an op outside it. Nothing is ever duplicated: a value
// used outside its group is yielded.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/EquivalenceClasses.h"

#include <queue>

namespace weft {
#define GEN_PASS_DEF_FUSEOPSPASS
#include "weft/Dialect/Weft/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::weft;

namespace {

/// What an op is to the fusion rules.
enum class Role { Elementwise, Reduction, Contraction, Opaque };

Role roleOf(Operation *op) {
  if (op->hasTrait<mlir::OpTrait::Elementwise>() ||
      isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, CompareOp, CastOp,
          BroadcastToOp, TransposeOp>(op))
    return Role::Elementwise;
  if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, SoftmaxOp, LayerNormOp,
          RMSNormOp>(op))
    return Role::Reduction;
  if (isa<MatmulOp, BatchMatmulOp, Conv2DOp>(op))
    return Role::Contraction;
  return Role::Opaque;
}

RankedTensorType tensorOf(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

int64_t numel(Value v) {
  RankedTensorType t = tensorOf(v);
  return t && t.hasStaticShape() ? t.getNumElements() : -1;
}

/// Elements in the iteration space of `op`: its first operand's for a
/// reduction, its result's otherwise.
int64_t domainSize(Operation *op, Role role) {
  if (op->getNumResults() != 1)
    return -1;
  if (role == Role::Reduction)
    return numel(op->getOperand(0));
  return numel(op->getResult(0));
}

/// Whether the reduced `small` broadcasts into `big` only along trailing
/// dims (equal dims first, then ones): a tile of rows of `big` needs
/// exactly its own rows of `small`.
bool broadcastsAlongTrailingDims(RankedTensorType small, RankedTensorType big) {
  if (!small || !big || small.getRank() != big.getRank())
    return false;
  bool ones = false;
  for (auto [s, b] : llvm::zip(small.getShape(), big.getShape())) {
    if (s == b && !ones)
      continue;
    if (s != 1)
      return false;
    ones = true;
  }
  return true;
}

/// Whether `producer`'s result may be computed in the same kernel as
/// `consumer`, by the op rules alone (group limits are checked apart).
bool fusible(Operation *producer, Operation *consumer) {
  Role p = roleOf(producer), c = roleOf(consumer);
  if (p == Role::Opaque || c == Role::Opaque || c == Role::Contraction)
    return false;
  if (producer->getNumResults() != 1 || consumer->getNumResults() != 1)
    return false;
  int64_t produced = numel(producer->getResult(0));
  if (produced < 0)
    return false;
  if (p == Role::Elementwise)
    return produced == domainSize(consumer, c);
  // Reductions and contractions take elementwise epilogues only; a
  // contraction's keep its layout (the GEMM's tiles are the epilogue's).
  if (c != Role::Elementwise ||
      (p == Role::Contraction && isa<TransposeOp, BroadcastToOp>(consumer)))
    return false;
  if (produced == domainSize(consumer, c))
    return true;
  return p == Role::Reduction &&
         broadcastsAlongTrailingDims(tensorOf(producer->getResult(0)),
                                     tensorOf(consumer->getResult(0)));
}

struct FuseOpsPass : ::weft::impl::FuseOpsPassBase<FuseOpsPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (func::FuncOp fn : ::weft::getEntryFunctions(getOperation())) {
      if (!fn.getBody().hasOneBlock())
        continue;
      fuse(fn.getBody().front(), rewriter);
      ::weft::eraseDeadConstants(fn, rewriter);
    }
  }

private:
  /// The ops of the block (its terminator aside), their positions, and
  /// the groups as classes of ops; ops that stay outside are singletons.
  SmallVector<Operation *> ops;
  llvm::DenseMap<Operation *, unsigned> position;
  llvm::EquivalenceClasses<Operation *> groups;
  llvm::SmallPtrSet<Operation *, 16> groupable;

  bool candidate(Operation *op) const { return groupable.contains(op); }

  /// The members of `op`'s group, in program order.
  SmallVector<Operation *> membersOf(Operation *op) const {
    auto range = groups.members(op);
    SmallVector<Operation *> members(range.begin(), range.end());
    llvm::sort(members, [&](Operation *a, Operation *b) {
      return position.lookup(a) < position.lookup(b);
    });
    return members;
  }

  /// Whether the union of the groups of `a` and `b` obeys the limits and
  /// stays convex.
  bool canMerge(Operation *a, Operation *b) const {
    if (groups.isEquivalent(a, b))
      return false;
    SmallVector<Operation *> members = membersOf(a);
    llvm::append_range(members, membersOf(b));
    if (static_cast<int64_t>(members.size()) > maxGroupSize)
      return false;
    unsigned reductions = 0, contractions = 0;
    llvm::SmallPtrSet<Operation *, 16> in(members.begin(), members.end());
    for (Operation *m : members) {
      Role r = roleOf(m);
      reductions += r == Role::Reduction;
      contractions += r == Role::Contraction;
      // Every edge inside the group obeys the op rules (a sibling merge
      // may join a producer and a consumer that may not fuse).
      for (Value v : m->getOperands())
        if (Operation *def = v.getDefiningOp();
            def && in.contains(def) && !fusible(def, m))
          return false;
    }
    if (reductions + contractions > 1)
      return false;
    // A GEMM's kernel is its tiles: it yields one value (the last of its
    // epilogue), so a value read outside may not be inside it.
    if (contractions && llvm::count_if(members, [&](Operation *m) {
                          return llvm::any_of(m->getUsers(),
                                              [&](Operation *user) {
                                                return !in.contains(user);
                                              });
                        }) > 1)
      return false;
    return convex(in);
  }

  /// No path leaves `in` and comes back through other nodes, where the
  /// groups formed so far count as single nodes (so their union with
  /// `in` keeps the graph of kernels acyclic).
  bool convex(const llvm::SmallPtrSetImpl<Operation *> &in) const {
    unsigned last = 0;
    for (Operation *m : in)
      last = std::max(last, position.lookup(m));
    SmallVector<Operation *> work;
    llvm::SmallPtrSet<Operation *, 32> seen;
    auto reach = [&](Operation *op) {
      for (Operation *user : op->getUsers()) {
        auto it = position.find(user);
        // Ops after the last member cannot lead back into the set.
        if (it == position.end() || it->second >= last || in.contains(user))
          continue;
        for (Operation *member : membersOf(user))
          if (seen.insert(member).second)
            work.push_back(member);
      }
    };
    for (Operation *m : in)
      reach(m);
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      for (Operation *user : op->getUsers())
        if (in.contains(user))
          return false;
      reach(op);
    }
    return true;
  }

  void fuse(Block &block, IRRewriter &rewriter) {
    ops.clear();
    position.clear();
    groupable.clear();
    groups = {};
    for (Operation &op : block.without_terminator()) {
      position[&op] = ops.size();
      ops.push_back(&op);
      groups.insert(&op);
      if (isa<WeftDialect>(op.getDialect()) && !::weft::staysOutsideGroups(&op))
        groupable.insert(&op);
    }

    // Producer-consumer fusion, consumers in program order.
    for (Operation *consumer : ops) {
      if (!candidate(consumer))
        continue;
      for (Value v : consumer->getOperands()) {
        Operation *producer = v.getDefiningOp();
        if (producer && candidate(producer) && fusible(producer, consumer) &&
            canMerge(producer, consumer))
          groups.unionSets(producer, consumer);
      }
    }

    // Sibling fusion: elementwise ops and reductions over the same
    // iteration space reading one tensor.
    llvm::SetVector<Value> read;
    for (Operation *op : ops)
      if (candidate(op))
        read.insert(op->operand_begin(), op->operand_end());
    for (Value v : read) {
      SmallVector<Operation *> readers;
      for (Operation *user : v.getUsers()) {
        if (!candidate(user) || llvm::is_contained(readers, user))
          continue;
        Role r = roleOf(user);
        if (r != Role::Opaque && r != Role::Contraction &&
            domainSize(user, r) == numel(v))
          readers.push_back(user);
      }
      llvm::sort(readers, [&](Operation *a, Operation *b) {
        return position.lookup(a) < position.lookup(b);
      });
      for (size_t i = 1; i < readers.size(); ++i)
        if (canMerge(readers.front(), readers[i]))
          groups.unionSets(readers.front(), readers[i]);
    }

    placeGroupsContiguously(block);
    for (Operation *op : ops)
      if (candidate(op) && groups.getLeaderValue(op) == op)
        ::weft::formGroup(membersOf(op), rewriter);
  }

  /// Reorders the block so that every group's members are adjacent: a
  /// topological order of the graph of groups (acyclic by `convex`),
  /// earliest first member first, so an unfused block keeps its order.
  void placeGroupsContiguously(Block &block) {
    llvm::DenseMap<Operation *, unsigned> pending; // leader -> in-edges
    llvm::DenseMap<Operation *, SmallVector<Operation *>> successors;
    for (Operation *op : ops) {
      Operation *to = groups.getLeaderValue(op);
      pending.try_emplace(to, 0);
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!def || !position.contains(def))
          continue;
        Operation *from = groups.getLeaderValue(def);
        if (from == to)
          continue;
        successors[from].push_back(to);
        ++pending[to];
      }
    }
    // Ready groups by the position of their first member (ops are visited
    // in order, so a group's first visit is its first member).
    llvm::DenseMap<Operation *, unsigned> first;
    for (Operation *op : ops)
      first.try_emplace(groups.getLeaderValue(op), position.lookup(op));
    std::priority_queue<std::pair<unsigned, Operation *>,
                        std::vector<std::pair<unsigned, Operation *>>,
                        std::greater<>>
        ready;
    for (auto &[leader, n] : pending)
      if (n == 0)
        ready.push({first.lookup(leader), leader});
    Operation *end = block.getTerminator();
    while (!ready.empty()) {
      Operation *leader = ready.top().second;
      ready.pop();
      for (Operation *m : membersOf(leader))
        m->moveBefore(end);
      for (Operation *next : successors[leader])
        if (--pending[next] == 0)
          ready.push({first.lookup(next), next});
    }
  }
};

} // namespace
