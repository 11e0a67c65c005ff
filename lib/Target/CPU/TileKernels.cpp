//===- TileKernels.cpp - one parallel loop of tiles per kernel ------------===//
//
// On tensors, before bufferization: each kernel's results are computed by
// tiling their producing ops along leading parallel loops into one
// `scf.forall`, with every op of the kernel fused into the tile (so a
// fused chain never writes an intermediate to memory, only a tile). The
// forall is the kernel's parallel loop: weft-cpu-parallelize hands its
// iterations to the runtime's thread pool.
//
// Tile sizes aim at `kTargetTiles` tiles of at least `kMinTileWork` points
// of the root's iteration space, and divide the loops they tile (so every
// tile, and every per-tile temporary, has one static shape). A tiling is kept
// only when the whole kernel ends up inside the forall and no fused reduction
// is recomputed by several tiles (each tile needs its own slice of every
// reduced result, and of every value the kernel also returns); otherwise fewer
// loops are tiled, down to none (a serial kernel). Kernels with a
// contraction are left to the GEMM code generator.
//
//===----------------------------------------------------------------------===//
#include "weft/Target/CPU/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"

namespace weft {
#define GEN_PASS_DEF_TILEKERNELSPASS
#include "weft/Target/CPU/Passes.h.inc"
} // namespace weft

using namespace mlir;

namespace {

constexpr int64_t kTargetTiles = 64;
constexpr int64_t kMinTileWork = 2048;

/// The values a kernel writes to its outputs, with the ops computing them.
SmallVector<bufferization::MaterializeInDestinationOp>
materializations(func::FuncOp fn) {
  SmallVector<bufferization::MaterializeInDestinationOp> out;
  fn.walk(
      [&](bufferization::MaterializeInDestinationOp m) { out.push_back(m); });
  return out;
}

/// Whether `v` is computed from `iv` (through index arithmetic).
bool dependsOn(Value v, Value iv, unsigned depth = 0) {
  if (v == iv)
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return false;
  return llvm::any_of(def->getOperands(),
                      [&](Value o) { return dependsOn(o, iv, depth + 1); });
}

/// Whether every tile of the enclosing forall reads a different part of
/// the slice's source: each induction variable of a loop with several
/// iterations moves one of its offsets.
bool disjointAcrossTiles(tensor::ExtractSliceOp slice) {
  auto forall = slice->getParentOfType<scf::ForallOp>();
  if (!forall)
    return true;
  for (auto [iv, lb, ub, step] :
       llvm::zip(forall.getInductionVars(), forall.getMixedLowerBound(),
                 forall.getMixedUpperBound(), forall.getMixedStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (l && u && s && *u - *l <= *s)
      continue;
    if (llvm::none_of(slice.getMixedOffsets(), [&](OpFoldResult ofr) {
          auto v = dyn_cast<Value>(ofr);
          return v && dependsOn(v, iv);
        }))
      return false;
  }
  return true;
}

bool hasReductionLoops(Operation *op) {
  auto t = dyn_cast<TilingInterface>(op);
  return t && llvm::is_contained(t.getLoopIteratorTypes(),
                                 utils::IteratorType::reduction);
}

/// Tile sizes for `root` tiling at most `maxLoops` of its parallel loops,
/// outermost first; empty when the work is too small to split.
SmallVector<int64_t> chooseTileSizes(TilingInterface root, unsigned maxLoops) {
  OpBuilder b(root);
  SmallVector<Range> domain = root.getIterationDomain(b);
  SmallVector<utils::IteratorType> kinds = root.getLoopIteratorTypes();
  SmallVector<int64_t> sizes(domain.size(), 0), extent;
  int64_t work = 1;
  for (Range r : domain) {
    std::optional<int64_t> n = getConstantIntValue(r.size);
    if (!n || !isZeroInteger(r.offset))
      return {};
    extent.push_back(*n);
    work = *n > 0 && work > std::numeric_limits<int64_t>::max() / *n
               ? std::numeric_limits<int64_t>::max()
               : work * *n;
  }
  int64_t target = std::min<int64_t>(kTargetTiles, work / kMinTileWork);
  if (target < 2)
    return {};
  int64_t tiles = 1;
  unsigned used = 0;
  for (auto [i, kind] : llvm::enumerate(kinds)) {
    if (kind != utils::IteratorType::parallel || tiles >= target ||
        used == maxLoops)
      continue;
    ++used;
    // The largest divisor of the loop's size giving at least the tiles
    // still needed: every tile has the same static shape.
    int64_t n = extent[i];
    int64_t need = (target + tiles - 1) / tiles;
    int64_t size = 1;
    for (int64_t d = std::max<int64_t>(n / need, 1); d >= 1; --d)
      if (n % d == 0) {
        size = d;
        break;
      }
    sizes[i] = size;
    tiles *= n / size;
  }
  if (tiles < 2)
    return {};
  return sizes;
}

/// The number of parallel loops of `op`.
unsigned numParallelLoops(TilingInterface op) {
  return llvm::count(op.getLoopIteratorTypes(), utils::IteratorType::parallel);
}

/// Whether only the forall (and what feeds it without computing: empty
/// tensors, constants, views of the arguments) is left in the kernel.
bool onlyTheLoopComputes(func::FuncOp fn, scf::ForallOp loop) {
  for (Operation &op : fn.getBody().front()) {
    if (&op == loop.getOperation() ||
        isa<tensor::EmptyOp, arith::ConstantOp, bufferization::ToTensorOp,
            bufferization::MaterializeInDestinationOp, func::ReturnOp>(op))
      continue;
    return false;
  }
  return true;
}

/// Tiles `fn` (in place) with at most `maxLoops` tiled loops per root;
/// success when the kernel became one forall.
LogicalResult tileWith(func::FuncOp fn, unsigned maxLoops) {
  IRRewriter rewriter(fn.getContext());
  auto outs = materializations(fn);
  // Roots: ops computing returned values that no other returned value is
  // computed from (those are fused into their consumer's tile and
  // yielded).
  llvm::SetVector<Operation *> producers;
  SmallVector<TilingInterface> roots;
  for (auto m : outs) {
    auto root = m.getSource().getDefiningOp<TilingInterface>();
    if (!root || root->getNumResults() != 1)
      return failure();
    roots.push_back(root);
  }
  // The ops each root depends on.
  for (TilingInterface root : roots) {
    SetVector<Operation *> slice;
    BackwardSliceOptions options;
    options.inclusive = false;
    (void)getBackwardSlice(root.getOperation(), &slice, options);
    for (Operation *op : slice)
      producers.insert(op);
  }
  SmallVector<TilingInterface> tiled;
  for (TilingInterface root : roots)
    if (!producers.contains(root))
      tiled.push_back(root);
  if (tiled.empty())
    return failure();

  llvm::SmallPtrSet<Operation *, 8> returned;
  for (auto m : outs)
    returned.insert(m.getSource().getDefiningOp());

  SmallVector<scf::ForallOp> loops;
  SmallVector<int64_t> firstSizes;
  for (TilingInterface root : tiled) {
    SmallVector<int64_t> sizes = chooseTileSizes(root, maxLoops);
    if (sizes.empty())
      return failure();
    if (loops.empty())
      firstSizes = sizes;
    else if (sizes != firstSizes)
      return failure();
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setLoopType(
        scf::SCFTilingOptions::LoopType::ForallOp);
    options.tilingOptions.setTileSizes(
        getAsIndexOpFoldResult(fn.getContext(), sizes));
    bool ok = true;
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp slice, OpResult producer, bool isDestination)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          Operation *op = producer.getOwner();
          bool yield = returned.contains(op);
          bool disjoint = disjointAcrossTiles(slice);
          // A reduction recomputed per tile, or a returned value written
          // by several tiles, spoils the tiling.
          if (!disjoint && (yield || hasReductionLoops(op))) {
            ok = false;
            return std::nullopt;
          }
          scf::SCFTileAndFuseOptions::ControlFnResult r;
          r.yieldProducerReplacement = yield && !isDestination;
          return r;
        });
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
    if (failed(result) || !ok || result->loops.size() != 1)
      return failure();
    for (auto &[original, replacement] : result->replacements)
      rewriter.replaceAllUsesExcept(original, replacement,
                                    result->loops.front().getOperation());
    auto forall = dyn_cast<scf::ForallOp>(result->loops.front().getOperation());
    if (!forall)
      return failure();
    loops.push_back(forall);
  }
  // Dead untiled ops go; sibling loops over the same tiles become one.
  RewritePatternSet patterns(fn.getContext());
  if (failed(applyPatternsGreedily(fn, std::move(patterns))))
    return failure();
  scf::ForallOp loop = loops.front();
  for (scf::ForallOp other : llvm::drop_begin(loops)) {
    if (loop.getStaticLowerBound() != other.getStaticLowerBound() ||
        loop.getStaticUpperBound() != other.getStaticUpperBound() ||
        loop.getStaticStep() != other.getStaticStep())
      return failure();
    // The later loop's operands must be available at the first.
    for (Value v : other->getOperands())
      if (Operation *def = v.getDefiningOp();
          def && !def->isBeforeInBlock(loop))
        def->moveBefore(loop);
    loop = mlir::fuseIndependentSiblingForallLoops(loop, other, rewriter);
  }
  return success(onlyTheLoopComputes(fn, loop));
}

struct TileKernelsPass : ::weft::impl::TileKernelsPassBase<TileKernelsPass> {
  void runOnOperation() override {
    for (auto fn : llvm::to_vector(getOperation().getOps<func::FuncOp>())) {
      if (fn.isDeclaration() || !fn.getBody().hasOneBlock())
        continue;
      bool skip = false;
      unsigned maxLoops = 0;
      fn.walk([&](Operation *op) {
        if (auto l = dyn_cast<linalg::LinalgOp>(op)) {
          if (linalg::isaContractionOpInterface(l))
            skip = true;
          if (l->getParentOp() == fn.getOperation())
            maxLoops =
                std::max(maxLoops, numParallelLoops(cast<TilingInterface>(op)));
        } else if (isa<scf::ForOp, scf::ForallOp, scf::WhileOp>(op)) {
          skip = true;
        }
      });
      if (skip || maxLoops == 0)
        continue;
      // Try on a copy, most loops first; keep the first that works.
      for (unsigned loops = maxLoops; loops >= 1; --loops) {
        IRMapping map;
        auto trial = cast<func::FuncOp>(fn->clone(map));
        fn->getBlock()->getOperations().insert(fn->getIterator(), trial);
        if (succeeded(tileWith(trial, loops))) {
          fn.getBody().takeBody(trial.getBody());
          trial.erase();
          break;
        }
        trial.erase();
      }
    }
  }
};

} // namespace
