//===- TileContractions.cpp - blocked, packed, vectorized GEMMs -----------===//
//
// Rewrites each static linalg contraction C[b.., m, n] += A[b.., m|k, k|m] *
// B[b.., k|n, n|k] on tensors into
//
//   scf.forall over (b.., M-panels, N-panels)          parallel, outermost
//     scf.for over K-blocks of `kc`
//       pack the B block (kc x nc, converted to the accumulator type) into
//       a contiguous tensor<nc/nr x kc x nr>, zero-padded along n
//       scf.for over nr-wide column strips, scf.for over mr-row strips
//         an mr x nr register tile: mr * nr/vl accumulator vectors carried
//         through the k loop; per k one broadcast of A per row and one FMA
//         per accumulator
//
// Rows past the panel's edge are clamped to its last row: they recompute
// (and rewrite) exactly the last row's values, so edges need no masks on
// rows; columns past the edge are masked by the transfer ops. A B stored
// transposed is packed through 16x16 register transposes, an A stored
// transposed is copied into a contiguous block; products of few rows read
// B in place. A zero fill of the accumulator and elementwise consumers
// (bias, activation, the conversion to a 16-bit result) are fused into the
// forall's tiles.
//
//===----------------------------------------------------------------------===//
#include "weft/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace weft {
#define GEN_PASS_DEF_TILECONTRACTIONSPASS
#include "weft/Target/CPU/Passes.h.inc"
} // namespace weft

using namespace mlir;

namespace {

/// How an operand reaches the accumulator type in the body.
enum class Cast { None, ExtF, ExtSI };

/// A contraction this pass knows how to generate.
struct Contraction {
  linalg::LinalgOp op;
  Value lhs, rhs, init;
  unsigned numBatch = 0;
  bool lhsT = false, rhsT = false;
  SmallVector<int64_t> batch;
  int64_t m = 0, n = 0, k = 0;
  Type acc;
  Cast lhsCast = Cast::None, rhsCast = Cast::None;
  bool isFloat() const { return isa<FloatType>(acc); }
};

/// Follows `v` through at most one extension to a block argument of `body`;
/// returns its position and the cast, or nullopt.
std::optional<std::pair<unsigned, Cast>> castOfArg(Value v, Block *body) {
  Cast cast = Cast::None;
  if (auto ext = v.getDefiningOp<arith::ExtFOp>()) {
    cast = Cast::ExtF;
    v = ext.getIn();
  } else if (auto ext = v.getDefiningOp<arith::ExtSIOp>()) {
    cast = Cast::ExtSI;
    v = ext.getIn();
  }
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != body)
    return std::nullopt;
  return std::make_pair(arg.getArgNumber(), cast);
}

/// Whether the body is `yield out + cast(a) * cast(b)` (either operand
/// order) in f32 or i32; fills the casts.
bool matchBody(linalg::LinalgOp op, Contraction &c) {
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  if (yield->getNumOperands() != 1)
    return false;
  Type acc = yield->getOperand(0).getType();
  bool isFloat = acc.isF32();
  if (!isFloat && !acc.isInteger(32))
    return false;
  Operation *add = yield->getOperand(0).getDefiningOp();
  if (!add || add->getBlock() != body ||
      !(isFloat ? isa<arith::AddFOp>(add) : isa<arith::AddIOp>(add)))
    return false;
  Value out = body->getArgument(2), prod;
  if (add->getOperand(0) == out)
    prod = add->getOperand(1);
  else if (add->getOperand(1) == out)
    prod = add->getOperand(0);
  else
    return false;
  Operation *mul = prod.getDefiningOp();
  if (!mul || mul->getBlock() != body ||
      !(isFloat ? isa<arith::MulFOp>(mul) : isa<arith::MulIOp>(mul)))
    return false;
  auto x = castOfArg(mul->getOperand(0), body);
  auto y = castOfArg(mul->getOperand(1), body);
  if (!x || !y || x->first == y->first || x->first > 1 || y->first > 1)
    return false;
  if (x->first == 1)
    std::swap(x, y);
  for (Cast cast : {x->second, y->second})
    if (cast == (isFloat ? Cast::ExtSI : Cast::ExtF))
      return false;
  // Only element types with a vector conversion we emit: f32/f16/bf16 into
  // f32, i8/i16/i32 into i32.
  for (unsigned i = 0; i < 2; ++i) {
    Type t = body->getArgument(i).getType();
    if (isFloat ? !(t.isF32() || t.isF16() || t.isBF16())
                : !(t.isInteger(8) || t.isInteger(16) || t.isInteger(32)))
      return false;
  }
  c.acc = acc;
  c.lhsCast = x->second;
  c.rhsCast = y->second;
  return true;
}

/// Matches a static, non-empty (batched) matrix product on tensors.
std::optional<Contraction> matchContraction(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
      !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  unsigned loops = iters.size();
  if (loops < 3 || llvm::count(iters, utils::IteratorType::reduction) != 1)
    return std::nullopt;
  Contraction c;
  c.op = op;
  c.numBatch = loops - 3;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto dims = [](AffineMap map) -> std::optional<SmallVector<unsigned>> {
    SmallVector<unsigned> out;
    for (AffineExpr e : map.getResults()) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d)
        return std::nullopt;
      out.push_back(d.getPosition());
    }
    return out;
  };
  auto l = dims(maps[0]), r = dims(maps[1]), o = dims(maps[2]);
  unsigned nb = c.numBatch;
  if (!l || !r || !o || l->size() != nb + 2 || r->size() != nb + 2 ||
      o->size() != nb + 2)
    return std::nullopt;
  unsigned kDim = std::distance(
      iters.begin(), llvm::find(iters, utils::IteratorType::reduction));
  unsigned mDim = (*o)[nb], nDim = (*o)[nb + 1];
  for (unsigned i = 0; i < nb; ++i)
    if ((*l)[i] != (*o)[i] || (*r)[i] != (*o)[i])
      return std::nullopt;
  auto pairIs = [&](ArrayRef<unsigned> d, unsigned a, unsigned b) {
    return d[nb] == a && d[nb + 1] == b;
  };
  if (pairIs(*l, mDim, kDim))
    c.lhsT = false;
  else if (pairIs(*l, kDim, mDim))
    c.lhsT = true;
  else
    return std::nullopt;
  if (pairIs(*r, kDim, nDim))
    c.rhsT = false;
  else if (pairIs(*r, nDim, kDim))
    c.rhsT = true;
  else
    return std::nullopt;
  // Every loop appears once in the output or is the reduction.
  if (llvm::is_contained(*o, kDim) || mDim == nDim)
    return std::nullopt;
  if (!matchBody(op, c))
    return std::nullopt;

  c.lhs = op.getDpsInputOperand(0)->get();
  c.rhs = op.getDpsInputOperand(1)->get();
  c.init = op.getDpsInitOperand(0)->get();
  auto lt = cast<RankedTensorType>(c.lhs.getType());
  auto rt = cast<RankedTensorType>(c.rhs.getType());
  auto ot = cast<RankedTensorType>(c.init.getType());
  if (!lt.hasStaticShape() || !rt.hasStaticShape() || !ot.hasStaticShape() ||
      lt.getEncoding() || rt.getEncoding() || ot.getEncoding() ||
      ot.getElementType() != c.acc)
    return std::nullopt;
  c.batch.assign(ot.getShape().begin(), ot.getShape().begin() + nb);
  c.m = ot.getDimSize(nb);
  c.n = ot.getDimSize(nb + 1);
  c.k = lt.getDimSize(c.lhsT ? nb : nb + 1);
  if (c.m <= 0 || c.n <= 0 || c.k <= 0 || llvm::is_contained(c.batch, 0))
    return std::nullopt;
  return c;
}

/// Block sizes, already validated (nr a multiple of vl, mc of mr, nc of nr).
struct Blocking {
  int64_t vl, mr, nr, kc, mc, nc;
};

/// Emits the blocked loop nest for one contraction before its op and
/// returns the result.
class GemmEmitter {
public:
  GemmEmitter(Contraction &c, const Blocking &blk)
      : c(c), b(c.op.getOperation()), loc(c.op->getLoc()) {
    // Shrink the blocks to the problem (rounded up to whole register tiles).
    mr = std::min(blk.mr, c.m);
    // With at most two row tiles per panel, packing B would copy each
    // element to read it once or twice: the tiles read B where it is.
    directB = !c.rhsT && c.m <= 2 * blk.mr;
    nr = blk.nr;
    vl = blk.vl;
    mc = std::min(blk.mc, roundUp(c.m, mr));
    nc = std::min(blk.nc, roundUp(c.n, nr));
    kc = std::min(blk.kc, c.k);
  }

  Value emit();

private:
  static int64_t roundUp(int64_t x, int64_t to) {
    return (x + to - 1) / to * to;
  }
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value mulI(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, idx(y));
  }
  Value addI(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  /// min(block, total - start): the extent of a block starting at `start`.
  Value extent(Value start, int64_t block, int64_t total) {
    if (total % block == 0)
      return idx(block);
    Value rest = arith::SubIOp::create(b, loc, idx(total), start);
    return arith::MinSIOp::create(b, loc, idx(block), rest);
  }
  Value ceilDiv(Value x, int64_t y) {
    return arith::CeilDivSIOp::create(b, loc, x, idx(y));
  }
  /// `v` (scalar or vector) converted to the accumulator type.
  Value toAcc(Value v, Cast cast) {
    Type t = c.acc;
    if (auto vt = dyn_cast<VectorType>(v.getType()))
      t = vt.clone(c.acc);
    if (cast == Cast::ExtF)
      return arith::ExtFOp::create(b, loc, t, v);
    if (cast == Cast::ExtSI)
      return arith::ExtSIOp::create(b, loc, t, v);
    return v;
  }
  Value zero(Type t) {
    return arith::ConstantOp::create(b, loc, b.getZeroAttr(t));
  }

  Value packB(Value k0, Value kcv, Value n0, Value ncv, ValueRange batchIvs);
  Value packTransposedB(Value k0, Value kcv, Value n0, ValueRange batchIvs);
  Value packTransposedA(Value k0, Value kcv, Value m0, ValueRange batchIvs);
  Value microTiles(Value cTile, Value packed, Value packedA, Value k0,
                   Value kcv, Value m0, Value n0, Value mcv, Value ncv,
                   bool colsInBounds, ValueRange batchIvs);

  Contraction &c;
  OpBuilder b;
  Location loc;
  int64_t vl, mr, nr, mc, nc, kc;
  bool directB;
};

Value GemmEmitter::emit() {
  unsigned nb = c.numBatch;
  SmallVector<OpFoldResult> ubs;
  for (int64_t d : c.batch)
    ubs.push_back(b.getIndexAttr(d));
  ubs.push_back(b.getIndexAttr(llvm::divideCeil(c.m, mc)));
  ubs.push_back(b.getIndexAttr(llvm::divideCeil(c.n, nc)));
  // The output's fill, if any, moves into the tiles.
  auto fill = c.init.getDefiningOp<linalg::FillOp>();
  if (fill && !fill.hasPureTensorSemantics())
    fill = nullptr;
  Value dest = fill ? fill.getDpsInitOperand(0)->get() : c.init;
  auto forall = scf::ForallOp::create(b, loc, ubs, ValueRange{dest},
                                      /*mapping=*/std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  SmallVector<Value> ivs(forall.getInductionVars());
  SmallVector<Value> batchIvs(ivs.begin(), ivs.begin() + nb);
  Value m0 = mulI(ivs[nb], mc), n0 = mulI(ivs[nb + 1], nc);
  Value mcv = extent(m0, mc, c.m), ncv = extent(n0, nc, c.n);

  // The output tile, rank-reduced to 2-D.
  SmallVector<OpFoldResult> offsets, sizes, strides(nb + 2, b.getIndexAttr(1));
  for (Value iv : batchIvs) {
    offsets.push_back(iv);
    sizes.push_back(b.getIndexAttr(1));
  }
  offsets.append({m0, n0});
  bool mFull = c.m % mc == 0, nFull = c.n % nc == 0;
  sizes.push_back(mFull ? OpFoldResult(b.getIndexAttr(mc)) : OpFoldResult(mcv));
  sizes.push_back(nFull ? OpFoldResult(b.getIndexAttr(nc)) : OpFoldResult(ncv));
  SmallVector<int64_t> tileShape(nb, 1);
  tileShape.append(
      {mFull ? mc : ShapedType::kDynamic, nFull ? nc : ShapedType::kDynamic});
  auto tileType = RankedTensorType::get(tileShape, c.acc);
  Value shared = forall.getRegionIterArgs()[0];
  Value cTile = tensor::ExtractSliceOp::create(b, loc, tileType, shared,
                                               offsets, sizes, strides);
  // A fill of the output is done tile by tile, while the tile is in cache.
  if (fill)
    cTile = linalg::FillOp::create(b, loc, fill.value(), cTile).getResult(0);
  // Columns of a full tile of a multiple of nr never leave it.
  bool colsInBounds = nFull && nc % nr == 0;

  auto kLoop = scf::ForOp::create(
      b, loc, idx(0), idx(c.k), idx(kc), ValueRange{cTile},
      [&](OpBuilder &nested, Location, Value k0, ValueRange args) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(nested.getInsertionBlock(),
                            nested.getInsertionPoint());
        Value kcv = extent(k0, kc, c.k);
        Value packed = directB ? Value() : packB(k0, kcv, n0, ncv, batchIvs);
        Value packedA =
            c.lhsT ? packTransposedA(k0, kcv, m0, batchIvs) : Value();
        Value next = microTiles(args[0], packed, packedA, k0, kcv, m0, n0, mcv,
                                ncv, colsInBounds, batchIvs);
        scf::YieldOp::create(b, loc, next);
      });

  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, kLoop.getResult(0), shared,
                                        offsets, sizes, strides);
  return forall.getResult(0);
}

/// B[k0 : k0+kcv, n0 : n0+ncv] converted to the accumulator type, as
/// tensor<nc/nr x kc x nr>: strip j holds columns [j*nr, (j+1)*nr) of the
/// block, each k row contiguous; columns past N read as zero.
Value GemmEmitter::packB(Value k0, Value kcv, Value n0, Value ncv,
                         ValueRange batchIvs) {
  if (c.rhsT)
    return packTransposedB(k0, kcv, n0, batchIvs);
  auto rt = cast<RankedTensorType>(c.rhs.getType());
  auto packType = RankedTensorType::get({nc / nr, kc, nr}, c.acc);
  Value empty = tensor::EmptyOp::create(b, loc, packType.getShape(), c.acc);
  Value strips = ceilDiv(ncv, nr);
  Value pad = zero(rt.getElementType());
  auto readType = VectorType::get({vl}, rt.getElementType());
  auto stripLoop = scf::ForOp::create(
      b, loc, idx(0), strips, idx(1), ValueRange{empty},
      [&](OpBuilder &n1, Location, Value j, ValueRange a1) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(n1.getInsertionBlock(), n1.getInsertionPoint());
        Value col0 = addI(n0, mulI(j, nr));
        auto rowLoop = scf::ForOp::create(
            b, loc, idx(0), kcv, idx(1), ValueRange{a1[0]},
            [&](OpBuilder &n2, Location, Value kk, ValueRange a2) {
              OpBuilder::InsertionGuard g2(b);
              b.setInsertionPoint(n2.getInsertionBlock(),
                                  n2.getInsertionPoint());
              Value kAbs = addI(k0, kk), dest = a2[0];
              for (int64_t v = 0; v < nr / vl; ++v) {
                SmallVector<Value> at(batchIvs);
                at.append({kAbs, addI(col0, idx(v * vl))});
                Value vec = vector::TransferReadOp::create(
                    b, loc, readType, c.rhs, at, pad, ArrayRef<bool>{false});
                vec = toAcc(vec, c.rhsCast);
                dest = vector::TransferWriteOp::create(
                           b, loc, vec, dest, ValueRange{j, kk, idx(v * vl)},
                           ArrayRef<bool>{true})
                           .getResult();
              }
              scf::YieldOp::create(b, loc, dest);
            });
        scf::YieldOp::create(b, loc, rowLoop.getResult(0));
      });
  return stripLoop.getResult(0);
}

/// The same packed layout from B stored transposed (`[.., N, K]`): vl x vl
/// blocks are read as vl rows along k (contiguous), transposed in
/// registers and written as vl rows along n. Rows past N are clamped to
/// the last one (their columns are never stored); reads past K are zero.
/// The k extent is rounded up to whole blocks.
Value GemmEmitter::packTransposedB(Value k0, Value kcv, Value n0,
                                   ValueRange batchIvs) {
  auto rt = cast<RankedTensorType>(c.rhs.getType());
  int64_t kcPad = roundUp(kc, vl);
  Value empty = tensor::EmptyOp::create(
      b, loc, ArrayRef<int64_t>{nc / nr, kcPad, nr}, c.acc);
  Value pad = zero(rt.getElementType());
  auto readType = VectorType::get({vl}, rt.getElementType());
  auto blockType = VectorType::get({vl, vl}, c.acc);
  Value lastN = idx(c.n - 1);
  Value strips =
      ceilDiv(arith::MinSIOp::create(
                  b, loc, idx(nc), arith::SubIOp::create(b, loc, idx(c.n), n0)),
              nr);
  auto stripLoop = scf::ForOp::create(
      b, loc, idx(0), strips, idx(1), ValueRange{empty},
      [&](OpBuilder &n1, Location, Value j, ValueRange a1) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(n1.getInsertionBlock(), n1.getInsertionPoint());
        Value col0 = addI(n0, mulI(j, nr));
        auto blockLoop = scf::ForOp::create(
            b, loc, idx(0), kcv, idx(vl), ValueRange{a1[0]},
            [&](OpBuilder &n2, Location, Value kk, ValueRange a2) {
              OpBuilder::InsertionGuard g2(b);
              b.setInsertionPoint(n2.getInsertionBlock(),
                                  n2.getInsertionPoint());
              Value kAbs = addI(k0, kk), dest = a2[0];
              for (int64_t v = 0; v < nr / vl; ++v) {
                Value block = arith::ConstantOp::create(
                    b, loc, blockType, b.getZeroAttr(blockType));
                for (int64_t r = 0; r < vl; ++r) {
                  Value n = arith::MinSIOp::create(
                      b, loc, addI(col0, idx(v * vl + r)), lastN);
                  SmallVector<Value> at(batchIvs);
                  at.append({n, kAbs});
                  Value row = vector::TransferReadOp::create(
                      b, loc, readType, c.rhs, at, pad, ArrayRef<bool>{false});
                  block =
                      vector::InsertOp::create(b, loc, toAcc(row, c.rhsCast),
                                               block, ArrayRef<int64_t>{r});
                }
                block = vector::TransposeOp::create(b, loc, block,
                                                    ArrayRef<int64_t>{1, 0});
                for (int64_t t = 0; t < vl; ++t) {
                  Value row = vector::ExtractOp::create(b, loc, block,
                                                        ArrayRef<int64_t>{t});
                  dest = vector::TransferWriteOp::create(
                             b, loc, row, dest,
                             ValueRange{j, addI(kk, idx(t)), idx(v * vl)},
                             ArrayRef<bool>{true})
                             .getResult();
                }
              }
              scf::YieldOp::create(b, loc, dest);
            });
        scf::YieldOp::create(b, loc, blockLoop.getResult(0));
      });
  return stripLoop.getResult(0);
}

/// A stored transposed (`[.., K, M]`): its kc x mc block copied (and
/// converted) into a contiguous tensor<kc x mc'> (mc rounded up to whole
/// vectors, zero past M), so the register tiles' broadcasts stay within a
/// few pages.
Value GemmEmitter::packTransposedA(Value k0, Value kcv, Value m0,
                                   ValueRange batchIvs) {
  auto lt = cast<RankedTensorType>(c.lhs.getType());
  int64_t mcPad = roundUp(mc, vl);
  Value empty =
      tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{kc, mcPad}, c.acc);
  Value pad = zero(lt.getElementType());
  auto readType = VectorType::get({vl}, lt.getElementType());
  auto rowLoop = scf::ForOp::create(
      b, loc, idx(0), kcv, idx(1), ValueRange{empty},
      [&](OpBuilder &n1, Location, Value kk, ValueRange a1) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(n1.getInsertionBlock(), n1.getInsertionPoint());
        Value kAbs = addI(k0, kk), dest = a1[0];
        for (int64_t v = 0; v < mcPad / vl; ++v) {
          SmallVector<Value> at(batchIvs);
          at.append({kAbs, addI(m0, idx(v * vl))});
          Value vec = vector::TransferReadOp::create(
              b, loc, readType, c.lhs, at, pad, ArrayRef<bool>{false});
          dest = vector::TransferWriteOp::create(
                     b, loc, toAcc(vec, c.lhsCast), dest,
                     ValueRange{kk, idx(v * vl)}, ArrayRef<bool>{true})
                     .getResult();
        }
        scf::YieldOp::create(b, loc, dest);
      });
  return rowLoop.getResult(0);
}

/// The register tiles of one K-block: for every nr-wide strip of the packed
/// B block and every mr rows of the panel, C[rows, strip] += A * B.
Value GemmEmitter::microTiles(Value cTile, Value packed, Value packedA,
                              Value k0, Value kcv, Value m0, Value n0,
                              Value mcv, Value ncv, bool colsInBounds,
                              ValueRange batchIvs) {
  auto accVec = VectorType::get({vl}, c.acc);
  int64_t nv = nr / vl;
  Value strips = ceilDiv(ncv, nr), rowTiles = ceilDiv(mcv, mr);
  // Indices into the tile: leading unit batch dims, then row and column.
  SmallVector<Value> lead(c.numBatch, idx(0));
  auto at = [&](Value row, Value col) {
    SmallVector<Value> i(lead);
    i.append({row, col});
    return i;
  };
  Value lastRow = arith::SubIOp::create(b, loc, mcv, idx(1));
  Value accZero = zero(c.acc);
  Type rhsElem = cast<RankedTensorType>(c.rhs.getType()).getElementType();
  Value rhsZero = zero(rhsElem);
  auto stripLoop = scf::ForOp::create(
      b, loc, idx(0), strips, idx(1), ValueRange{cTile},
      [&](OpBuilder &n1, Location, Value j, ValueRange a1) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPoint(n1.getInsertionBlock(), n1.getInsertionPoint());
        Value col0 = mulI(j, nr);
        auto tileLoop = scf::ForOp::create(
            b, loc, idx(0), rowTiles, idx(1), ValueRange{a1[0]},
            [&](OpBuilder &n2, Location, Value t, ValueRange a2) {
              OpBuilder::InsertionGuard g2(b);
              b.setInsertionPoint(n2.getInsertionBlock(),
                                  n2.getInsertionPoint());
              Value tile = a2[0];
              // Rows of the register tile, clamped to the panel.
              SmallVector<Value> rows, aRows;
              Value row0 = mulI(t, mr);
              for (int64_t i = 0; i < mr; ++i) {
                Value r =
                    arith::MinSIOp::create(b, loc, addI(row0, idx(i)), lastRow);
                rows.push_back(r);
                aRows.push_back(addI(m0, r));
              }
              SmallVector<Value> cols;
              for (int64_t v = 0; v < nv; ++v)
                cols.push_back(addI(col0, idx(v * vl)));
              SmallVector<Value> accs;
              for (int64_t i = 0; i < mr; ++i)
                for (int64_t v = 0; v < nv; ++v)
                  accs.push_back(vector::TransferReadOp::create(
                      b, loc, accVec, tile, at(rows[i], cols[v]), accZero,
                      ArrayRef<bool>{colsInBounds}));
              auto kLoop = scf::ForOp::create(
                  b, loc, idx(0), kcv, idx(1), accs,
                  [&](OpBuilder &n3, Location, Value kk, ValueRange acc) {
                    OpBuilder::InsertionGuard g3(b);
                    b.setInsertionPoint(n3.getInsertionBlock(),
                                        n3.getInsertionPoint());
                    Value kAbs = addI(k0, kk);
                    SmallVector<Value> bv;
                    for (int64_t v = 0; v < nv; ++v) {
                      if (packed) {
                        bv.push_back(vector::TransferReadOp::create(
                            b, loc, accVec, packed,
                            ValueRange{j, kk, idx(v * vl)}, accZero,
                            ArrayRef<bool>{true}));
                        continue;
                      }
                      SmallVector<Value> at(batchIvs);
                      at.append({kAbs, addI(n0, cols[v])});
                      Value row = vector::TransferReadOp::create(
                          b, loc, VectorType::get({vl}, rhsElem), c.rhs, at,
                          rhsZero, ArrayRef<bool>{false});
                      bv.push_back(toAcc(row, c.rhsCast));
                    }
                    SmallVector<Value> next;
                    for (int64_t i = 0; i < mr; ++i) {
                      Value a;
                      if (packedA) {
                        a = tensor::ExtractOp::create(b, loc, packedA,
                                                      ValueRange{kk, rows[i]});
                      } else {
                        SmallVector<Value> at(batchIvs);
                        at.append({aRows[i], kAbs});
                        a = toAcc(tensor::ExtractOp::create(b, loc, c.lhs, at),
                                  c.lhsCast);
                      }
                      Value splat =
                          vector::BroadcastOp::create(b, loc, accVec, a);
                      for (int64_t v = 0; v < nv; ++v) {
                        Value old = acc[i * nv + v];
                        if (c.isFloat()) {
                          next.push_back(vector::FMAOp::create(
                              b, loc, accVec, splat, bv[v], old));
                        } else {
                          Value p = arith::MulIOp::create(b, loc, splat, bv[v]);
                          next.push_back(arith::AddIOp::create(b, loc, old, p));
                        }
                      }
                    }
                    scf::YieldOp::create(b, loc, next);
                  });
              for (int64_t i = 0; i < mr; ++i)
                for (int64_t v = 0; v < nv; ++v)
                  tile = vector::TransferWriteOp::create(
                             b, loc, kLoop.getResult(i * nv + v), tile,
                             at(rows[i], cols[v]), ArrayRef<bool>{colsInBounds})
                             .getResult();
              scf::YieldOp::create(b, loc, tile);
            });
        scf::YieldOp::create(b, loc, tileLoop.getResult(0));
      });
  return stripLoop.getResult(0);
}

/// An elementwise consumer of `v` that can join its producer's tiles: all
/// loops parallel, `v` read with the identity map, the other inputs
/// through projected permutations, and every operand other than `v`
/// available before `v`'s loop (a tensor.empty or constant is moved there).
linalg::GenericOp epilogueOf(Value v, scf::ForallOp forall,
                             DominanceInfo &dom) {
  for (OpOperand &use : v.getUses()) {
    auto g = dyn_cast<linalg::GenericOp>(use.getOwner());
    if (!g || !g.hasPureTensorSemantics() || g.getNumDpsInits() != 1 ||
        !g.isDpsInput(&use) || g->getBlock() != forall->getBlock() ||
        g.getNumParallelLoops() != g.getNumLoops() ||
        !g.getMatchingIndexingMap(&use).isIdentity() ||
        !g.getIndexingMapMatchingResult(g->getResult(0)).isIdentity() ||
        llvm::any_of(g.getIndexingMapsArray(),
                     [](AffineMap m) { return !m.isProjectedPermutation(); }))
      continue;
    bool ok = true;
    for (OpOperand &o : g->getOpOperands()) {
      if (o.get() == v || dom.properlyDominates(o.get(), forall))
        continue;
      Operation *def = o.get().getDefiningOp();
      if (def && def->getBlock() == forall->getBlock() &&
          ((isa<tensor::EmptyOp>(def) && def->getNumOperands() == 0) ||
           def->hasTrait<OpTrait::ConstantLike>()))
        continue;
      ok = false;
    }
    if (!ok)
      continue;
    for (OpOperand &o : g->getOpOperands())
      if (o.get() != v && !dom.properlyDominates(o.get(), forall))
        o.get().getDefiningOp()->moveBefore(forall);
    return g;
  }
  return nullptr;
}

/// Fuses elementwise epilogues (bias, activation, the conversion to a
/// 16-bit result) into `forall`'s tiles, one after the other, as long as
/// each consumes the last one's result.
scf::ForallOp fuseEpilogues(scf::ForallOp forall) {
  IRRewriter rewriter(forall.getContext());
  Value v = forall.getResult(0);
  for (int step = 0; step < 8; ++step) {
    DominanceInfo dom(forall->getParentOp());
    linalg::GenericOp g = epilogueOf(v, forall, dom);
    if (!g)
      return forall;
    SmallVector<LoopLikeOpInterface> loops = {
        cast<LoopLikeOpInterface>(forall.getOperation())};
    rewriter.setInsertionPoint(g);
    FailureOr<scf::SCFFuseConsumerOfSliceResult> fused =
        scf::tileAndFuseConsumer(rewriter, g, loops);
    if (failed(fused))
      return forall;
    forall = cast<scf::ForallOp>(loops.front().getOperation());
    // The consumer's value is the loop's last result now.
    v = forall.getResults().back();
    if (!g->use_empty())
      return forall;
    rewriter.eraseOp(g);
  }
  return forall;
}

/// A tile temporary of dynamic size (an edge tile, `min(block, rest)` rows)
/// becomes a slice of one of the full block size, so that every temporary
/// has a static size that can be planned.
void boundEmpty(tensor::EmptyOp e) {
  if (e.getType().hasStaticShape() || !e->getParentOfType<scf::ForallOp>())
    return;
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> sizes = e.getMixedSizes();
  for (OpFoldResult size : sizes) {
    if (std::optional<int64_t> cst = getConstantIntValue(size)) {
      shape.push_back(*cst);
      continue;
    }
    auto min = cast<Value>(size).getDefiningOp<arith::MinSIOp>();
    std::optional<int64_t> bound;
    if (min)
      for (Value v : {min.getLhs(), min.getRhs()})
        if (std::optional<int64_t> c = getConstantIntValue(v); c && *c >= 0)
          bound = bound ? std::min(*bound, *c) : *c;
    if (!bound)
      return;
    shape.push_back(*bound);
  }
  OpBuilder b(e);
  Value full = tensor::EmptyOp::create(b, e.getLoc(), shape,
                                       e.getType().getElementType());
  SmallVector<OpFoldResult> zeros(shape.size(), b.getIndexAttr(0)),
      ones(shape.size(), b.getIndexAttr(1));
  Value slice = tensor::ExtractSliceOp::create(b, e.getLoc(), e.getType(), full,
                                               zeros, sizes, ones);
  e.replaceAllUsesWith(slice);
  e.erase();
}

struct TileContractionsPass
    : ::weft::impl::TileContractionsPassBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    int64_t vl = vectorBits / 32;
    int64_t mr = this->mr ? this->mr : 6;
    int64_t nr = this->nr ? this->nr : (vl >= 16 ? 4 : 2) * vl;
    if (vl < 1 || vectorBits % 32 != 0 || mr < 1 || nr < vl || nr % vl != 0 ||
        kc < 1 || mc < mr || mc % mr != 0 || nc < nr || nc % nr != 0) {
      getOperation().emitError("weft-cpu-tile-contractions: block sizes need "
                               "nr a multiple of vector-bits/32, mc of mr "
                               "and nc of nr");
      return signalPassFailure();
    }
    Blocking blk{vl, mr, nr, kc, mc, nc};
    // Matched one at a time: a contraction may read an earlier one's
    // result, which its rewrite replaces.
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) { candidates.push_back(op); });
    SetVector<Operation *> changed;
    for (linalg::LinalgOp op : candidates) {
      std::optional<Contraction> c = matchContraction(op);
      if (!c)
        continue;
      Value result = GemmEmitter(*c, blk).emit();
      op->getResult(0).replaceAllUsesWith(result);
      op->erase();
      scf::ForallOp forall =
          fuseEpilogues(result.getDefiningOp<scf::ForallOp>());
      changed.insert(forall->getParentOfType<FunctionOpInterface>());
    }
    // Intermediate results of fused epilogues stay in their tiles: unused
    // forall results go away and slices of a whole-result tensor.empty
    // become per-tile tensor.empty.
    for (Operation *fn : changed) {
      RewritePatternSet patterns(&getContext());
      scf::ForallOp::getCanonicalizationPatterns(patterns, &getContext());
      tensor::populateFoldTensorEmptyPatterns(patterns);
      // Packing transposes: shuffles (16x16 of 32-bit elements with
      // AVX-512) rather than one extract/insert per element.
      if (vectorBits == 512)
        vector::populateVectorTransposeLoweringPatterns(
            patterns, vector::VectorTransposeLowering::Shuffle16x16);
      (void)applyPatternsGreedily(fn, std::move(patterns));
      fn->walk([](tensor::EmptyOp e) { boundEmpty(e); });
    }
  }
};
} // namespace
