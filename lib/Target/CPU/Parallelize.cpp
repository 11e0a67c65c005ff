//===- Parallelize.cpp - a kernel's parallel loop as a range of tiles -----===//
//
// The CPU kernel ABI: every kernel takes, after its buffers, the range
// [begin, end) of iterations of its parallel loop that this call runs; the
// runtime's thread pool splits [0, weft.parallel_extent) over its threads.
// A kernel that is one scf.forall (weft-cpu-tile-kernels) becomes a loop
// over that range, its per-tile temporaries stack memory of the calling
// thread. Any other kernel is serial: extent 1, the range unused, its
// foralls plain loops and their temporaries hoisted scratch.
//
//===----------------------------------------------------------------------===//
#include "weft/Target/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "weft/Dialect/Common/TensorLimits.h"

namespace weft {
#define GEN_PASS_DEF_PARALLELIZEPASS
#include "weft/Target/CPU/Passes.h.inc"
} // namespace weft

using namespace mlir;

namespace {

/// Most bytes of per-tile temporaries a parallel kernel keeps on a
/// thread's stack (the runtime's threads have at least 8 MiB).
constexpr int64_t kMaxTileStackBytes = 1 << 20;

/// Whether `op`, outside the parallel loop, leaves memory alone (so every
/// thread may run it): views, constants, allocations.
bool computesNothing(Operation &op) {
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp, func::ReturnOp>(
          op))
    return true;
  return isMemoryEffectFree(&op);
}

/// A constant upper bound of a tile size: a constant, an operand of a
/// min, or what value-bounds analysis finds.
FailureOr<int64_t> upperBound(OpFoldResult size) {
  if (std::optional<int64_t> c = getConstantIntValue(size))
    return *c;
  Value v = cast<Value>(size);
  if (auto min = v.getDefiningOp<arith::MinSIOp>()) {
    FailureOr<int64_t> l = upperBound(min.getLhs()),
                       r = upperBound(min.getRhs());
    if (succeeded(l) && succeeded(r))
      return std::min(*l, *r);
    return succeeded(l) ? l : r;
  }
  return ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::UB, ValueBoundsConstraintSet::Variable(v), nullptr,
      /*closedUB=*/true);
}

/// Allocations of dynamic size inside `loop` (edge tiles) become views of
/// a static allocation of their largest size, made where they were (so the
/// static ones that follow treat them like every other temporary).
LogicalResult boundDynamicAllocations(scf::ForallOp loop) {
  SmallVector<memref::AllocOp> dynamic;
  loop.walk([&](memref::AllocOp a) {
    if (!a.getType().hasStaticShape())
      dynamic.push_back(a);
  });
  for (memref::AllocOp a : dynamic) {
    MemRefType t = a.getType();
    if (!t.getLayout().isIdentity())
      return a.emitError("a per-tile temporary of dynamic size with a "
                         "layout cannot be planned");
    SmallVector<int64_t> shape(t.getShape());
    for (auto [i, d] : llvm::enumerate(shape)) {
      if (!ShapedType::isDynamic(d))
        continue;
      FailureOr<int64_t> ub = upperBound(a.getMixedSizes()[i]);
      if (failed(ub) || *ub < 0)
        return a.emitError("a per-tile temporary has no bounded size");
      d = *ub;
    }
    OpBuilder b(a);
    Location loc = a.getLoc();
    auto full = memref::AllocOp::create(
        b, loc, MemRefType::get(shape, t.getElementType()),
        a.getAlignmentAttr());
    // Row-major strides of the dynamic shape.
    SmallVector<OpFoldResult> sizes = a.getMixedSizes(), strides(t.getRank());
    OpFoldResult stride = b.getIndexAttr(1);
    for (int64_t i = t.getRank() - 1; i >= 0; --i) {
      strides[i] = stride;
      stride = affine::makeComposedFoldedAffineApply(
          b, loc, b.getAffineSymbolExpr(0) * b.getAffineSymbolExpr(1),
          {stride, sizes[i]});
    }
    Value view = memref::ReinterpretCastOp::create(
        b, loc, t, full.getResult(), b.getIndexAttr(0), sizes, strides);
    for (Operation *user : llvm::make_early_inc_range(a->getUsers()))
      if (auto d = dyn_cast<memref::DeallocOp>(user)) {
        OpBuilder db(d);
        memref::DeallocOp::create(db, d.getLoc(), full.getResult());
        d.erase();
      }
    a.replaceAllUsesWith(view);
    a.erase();
  }
  return success();
}

/// The static allocations inside `loop`, and their total bytes (nullopt
/// when one has no size that fits).
std::optional<int64_t> tileAllocations(scf::ForallOp loop,
                                       SmallVectorImpl<memref::AllocOp> &out) {
  int64_t total = 0;
  bool ok = true;
  loop.walk([&](memref::AllocOp a) {
    if (!a.getType().hasStaticShape())
      return;
    out.push_back(a);
    FailureOr<int64_t> bytes = mlir::weft::checkedByteSize(a.getType());
    if (failed(bytes) || total > std::numeric_limits<int64_t>::max() - *bytes)
      ok = false;
    else
      total += *bytes;
  });
  if (!ok)
    return std::nullopt;
  return total;
}

/// Moves `allocs` to the start of `fn`, as stack allocations when `stack`;
/// their deallocations go.
void hoistToEntry(func::FuncOp fn, ArrayRef<memref::AllocOp> allocs,
                  bool stack) {
  Block &entry = fn.getBody().front();
  for (memref::AllocOp a : allocs) {
    for (Operation *user : llvm::make_early_inc_range(a->getUsers()))
      if (isa<memref::DeallocOp>(user))
        user->erase();
    if (!stack) {
      a->moveBefore(&entry, entry.begin());
      continue;
    }
    OpBuilder b(&entry, entry.begin());
    auto alloca = memref::AllocaOp::create(b, a.getLoc(), a.getType(),
                                           a.getAlignmentAttr());
    a.replaceAllUsesWith(alloca.getResult());
    a.erase();
  }
}

/// The number of iterations of `loop`, when static and positive.
std::optional<int64_t> iterations(scf::ForallOp loop) {
  std::optional<SmallVector<int64_t>> lbs =
      getConstantIntValues(loop.getMixedLowerBound());
  std::optional<SmallVector<int64_t>> ubs =
      getConstantIntValues(loop.getMixedUpperBound());
  std::optional<SmallVector<int64_t>> steps =
      getConstantIntValues(loop.getMixedStep());
  if (!lbs || !ubs || !steps)
    return std::nullopt;
  int64_t total = 1;
  for (auto [l, u, s] : llvm::zip(*lbs, *ubs, *steps)) {
    if (s <= 0 || u <= l)
      return std::nullopt;
    int64_t n = (u - l + s - 1) / s;
    if (total > std::numeric_limits<int64_t>::max() / n)
      return std::nullopt;
    total *= n;
  }
  return total;
}

/// Replaces `loop` by `scf.for %i = begin to end`, its induction variables
/// delinearized from %i.
void toRangeLoop(scf::ForallOp loop, Value begin, Value end) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<int64_t> lbs = *getConstantIntValues(loop.getMixedLowerBound()),
                       ubs = *getConstantIntValues(loop.getMixedUpperBound()),
                       steps = *getConstantIntValues(loop.getMixedStep());
  SmallVector<int64_t> counts;
  for (auto [l, u, s] : llvm::zip(lbs, ubs, steps))
    counts.push_back((u - l + s - 1) / s);
  // The loop's own extent bounds the range: a wrong extent in a damaged
  // artifact runs fewer tiles, never tiles that do not exist.
  int64_t total = 1;
  for (int64_t c : counts)
    total *= c;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = arith::MinSIOp::create(
      b, loc, end, arith::ConstantIndexOp::create(b, loc, total));
  auto range = scf::ForOp::create(b, loc, begin, last, one);
  b.setInsertionPointToStart(range.getBody());
  SmallVector<Value> tileIdx;
  if (counts.size() == 1) {
    tileIdx.push_back(range.getInductionVar());
  } else {
    auto delin = affine::AffineDelinearizeIndexOp::create(
        b, loc, range.getInductionVar(), counts, /*hasOuterBound=*/true);
    llvm::append_range(tileIdx, delin.getResults());
  }
  IRMapping map;
  for (auto [iv, t, l, s] :
       llvm::zip(loop.getInductionVars(), tileIdx, lbs, steps)) {
    AffineExpr d = b.getAffineDimExpr(0);
    Value v = affine::AffineApplyOp::create(
        b, loc, AffineMap::get(1, 0, d * s + l), ValueRange{t});
    map.map(iv, v);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, map);
  loop.erase();
}

struct ParallelizePass : ::weft::impl::ParallelizePassBase<ParallelizePass> {
  void runOnOperation() override {
    for (auto fn : llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      if (fn.isDeclaration())
        continue;
      Block &entry = fn.getBody().front();
      Type index = IndexType::get(&getContext());
      Value begin = entry.addArgument(index, fn.getLoc());
      Value end = entry.addArgument(index, fn.getLoc());
      fn.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                   fn.getResultTypes()));
      int64_t extent = 1;
      if (failed(parallelize(fn, begin, end, extent)))
        return signalPassFailure();
      fn->setAttr(
          ::weft::kParallelExtentAttr,
          IntegerAttr::get(IntegerType::get(&getContext(), 64), extent));
    }
  }

  LogicalResult parallelize(func::FuncOp fn, Value begin, Value end,
                            int64_t &extent) {
    SmallVector<scf::ForallOp> loops;
    bool pure = fn.getBody().hasOneBlock();
    for (Operation &op : fn.getBody().front()) {
      if (auto loop = dyn_cast<scf::ForallOp>(op))
        loops.push_back(loop);
      else if (!computesNothing(op))
        pure = false;
    }
    SmallVector<scf::ForallOp> every;
    fn.walk([&](scf::ForallOp l) { every.push_back(l); });
    for (scf::ForallOp l : every)
      if (failed(boundDynamicAllocations(l)))
        return failure();
    if (pure && loops.size() == 1) {
      scf::ForallOp loop = loops.front();
      SmallVector<memref::AllocOp> allocs;
      std::optional<int64_t> bytes = tileAllocations(loop, allocs);
      std::optional<int64_t> n = iterations(loop);
      if (bytes && *bytes <= kMaxTileStackBytes && n && *n > 1 &&
          loop.getNumResults() == 0) {
        hoistToEntry(fn, allocs, /*stack=*/true);
        toRangeLoop(loop, begin, end);
        extent = *n;
        return success();
      }
    }
    // Serial: plain loops, temporaries hoisted for weft-cpu-hoist-scratch.
    SmallVector<scf::ForallOp> all;
    fn.walk([&](scf::ForallOp l) { all.push_back(l); });
    IRRewriter rewriter(fn.getContext());
    for (scf::ForallOp loop : all) {
      SmallVector<memref::AllocOp> allocs;
      if (!tileAllocations(loop, allocs))
        return loop.emitError("kernel @")
               << fn.getSymName()
               << ": a per-tile temporary is too large to plan";
      hoistToEntry(fn, allocs, /*stack=*/false);
      rewriter.setInsertionPoint(loop);
      if (failed(scf::forallToForLoop(rewriter, loop)))
        return loop.emitError("kernel @")
               << fn.getSymName() << ": cannot lower its scf.forall";
    }
    return success();
  }
};

} // namespace
