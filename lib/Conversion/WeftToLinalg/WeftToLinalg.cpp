//===- WeftToLinalg.cpp - lower weft ops to linalg ------------------------===//
//
// Every weft op lowers through a handful of builders: `map` (an all-parallel
// linalg.generic whose inputs are read through explicit affine maps, which is
// how numpy broadcasting and "reduced" operands are expressed), `reduce` (a
// generic with reduction iterators over chosen axes and a custom combiner),
// and `contract` (batched matrix products with optional transposes).
// Composite ops (softmax, normalizations, attention, losses) are written in
// terms of those builders only. The one exception is embedding_grad, a
// scatter-add: an scf.for over the index positions that adds one row of
// the table per step (O(I * D), not a one-hot product).
//
// Everything that sums accumulates in `accumulatorType(elementType)` (f32 for
// 16-bit floats, i32 for i8) and converts back to the element type at the
// end; reductions over more than 4096 elements of f32 accumulate in f64
// (then round to f32 once), so that long sums stay accurate. Integer division never traps: x / 0 == 0 and INT_MIN / -1 == INT_MIN,
// chosen with selects before the divide. Ops with zero-element results lower
// to an empty tensor; ops whose result is not empty but that read an empty
// operand get their defined value (zeros for sums and products, NaN for
// means over nothing) without building zero-element temporaries.
//
//===----------------------------------------------------------------------===//
#include "weft/Conversion/WeftToLinalg/WeftToLinalg.h"
#include "weft/Dialect/Common/Accumulator.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "llvm/ADT/SmallBitVector.h"

namespace weft {
#define GEN_PASS_DEF_CONVERTWEFTTOLINALGPASS
#include "weft/Conversion/Passes.h.inc"
} // namespace weft

using namespace mlir;
namespace wf = mlir::weft;

namespace {

using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;
using CombineFn = function_ref<Value(OpBuilder &, Location, Value, Value)>;

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

bool isFloat(Type t) { return isa<FloatType>(t); }

Value constant(OpBuilder &b, Location loc, Type et, double v) {
  if (auto ft = dyn_cast<FloatType>(et))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, v));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(et, static_cast<int64_t>(v)));
}

/// The identity of a max reduction: -inf, or the smallest integer.
Value lowest(OpBuilder &b, Location loc, Type et) {
  if (auto ft = dyn_cast<FloatType>(et))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), true)));
  unsigned width = et.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(et, APInt::getSignedMinValue(width)));
}

/// A quiet NaN of float type `et`.
Value nan(OpBuilder &b, Location loc, Type et) {
  auto ft = cast<FloatType>(et);
  return arith::ConstantOp::create(
      b, loc, b.getFloatAttr(ft, APFloat::getNaN(ft.getFloatSemantics())));
}

Value add(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}
Value sub(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::SubFOp::create(b, loc, x, y);
  return arith::SubIOp::create(b, loc, x, y);
}
Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}
/// Division as weft.div defines it. Integers round toward zero and never
/// trap: x / 0 == 0, and INT_MIN / -1 wraps to INT_MIN. Both cases divide by
/// 1 instead, so the divide instruction never sees 0 or the overflow pair.
Value div(OpBuilder &b, Location loc, Value x, Value y) {
  Type t = x.getType();
  if (isFloat(t))
    return arith::DivFOp::create(b, loc, x, y);
  unsigned width = t.getIntOrFloatBitWidth();
  auto intConst = [&](const APInt &v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, v));
  };
  Value zero = intConst(APInt::getZero(width));
  Value one = intConst(APInt(width, 1));
  Value minusOne = intConst(APInt::getAllOnes(width));
  Value intMin = intConst(APInt::getSignedMinValue(width));
  auto eq = [&](Value a, Value c) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a, c);
  };
  Value byZero = eq(y, zero);
  Value overflow =
      arith::AndIOp::create(b, loc, eq(x, intMin), eq(y, minusOne));
  Value unsafe = arith::OrIOp::create(b, loc, byZero, overflow);
  Value safeY = arith::SelectOp::create(b, loc, unsafe, one, y);
  // x / 1 == x is already the wrapped INT_MIN / -1.
  Value q = arith::DivSIOp::create(b, loc, x, safeY);
  return arith::SelectOp::create(b, loc, byZero, zero, q);
}
Value max(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}
Value min(OpBuilder &b, Location loc, Value x, Value y) {
  if (isFloat(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}
Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  Value one = constant(b, loc, t, 1.0);
  return arith::DivFOp::create(b, loc, one, add(b, loc, one, e));
}

/// f64 `x` rounded to f32 to odd: an inexact result is the neighbour of
/// `x` whose last mantissa bit is set. Rounding that to f16 or bf16 (to
/// nearest even) gives the correctly rounded f64 conversion, since f32 keeps
/// more than two bits beyond theirs; a direct f64 -> bf16 truncation would
/// call a libgcc helper (`__truncdfbf2`) that older toolchains lack.
Value truncToOddF32(OpBuilder &b, Location l, Value x) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  Value t = arith::TruncFOp::create(b, l, f32, x); // to nearest even
  Value back = arith::ExtFOp::create(b, l, x.getType(), t);
  Value bits = arith::BitcastOp::create(b, l, i32, t);
  Value one = constant(b, l, i32, 1), minusOne = constant(b, l, i32, -1);
  Value even = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                     arith::AndIOp::create(b, l, bits, one),
                                     constant(b, l, i32, 0));
  // Ordered: NaN is never inexact and stays NaN.
  Value inexact =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::ONE, x, back);
  // The other neighbour is one step toward zero when `t` went away from
  // it (the bits are sign-magnitude), one step away otherwise.
  Value away = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                     math::AbsFOp::create(b, l, back),
                                     math::AbsFOp::create(b, l, x));
  Value step = arith::SelectOp::create(b, l, away, minusOne, one);
  Value fix = arith::AndIOp::create(b, l, inexact, even);
  Value odd = arith::SelectOp::create(
      b, l, fix, arith::AddIOp::create(b, l, bits, step), bits);
  return arith::BitcastOp::create(b, l, f32, odd);
}

/// Converts a scalar to another int/float type: floats round to nearest
/// even, float to integer truncates toward zero, integers are
/// sign-extended or truncated (wrapping).
Value convert(OpBuilder &b, Location l, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
  if (isFloat(from) && isFloat(to)) {
    if (tw > fw)
      return arith::ExtFOp::create(b, l, to, x);
    if (from.isF64() && tw < 32)
      return arith::TruncFOp::create(b, l, to, truncToOddF32(b, l, x));
    if (tw < fw)
      return arith::TruncFOp::create(b, l, to, x);
    // f16 <-> bf16: through f32.
    Value wide = arith::ExtFOp::create(b, l, b.getF32Type(), x);
    return arith::TruncFOp::create(b, l, to, wide);
  }
  if (isFloat(from))
    return arith::FPToSIOp::create(b, l, to, x);
  if (isFloat(to))
    return arith::SIToFPOp::create(b, l, to, x);
  if (tw > fw)
    return arith::ExtSIOp::create(b, l, to, x);
  return arith::TruncIOp::create(b, l, to, x);
}

/// An integer index value clamped to [0, size). `size` is positive (the
/// verifiers reject empty tables and class sets); the upper bound is kept
/// non-negative regardless, so no index can ever be -1.
Value clampedIndex(OpBuilder &b, Location loc, Value id, int64_t size) {
  assert(size > 0 && "clamping into an empty dim");
  Value idx = arith::IndexCastOp::create(b, loc, b.getIndexType(), id);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value last =
      arith::ConstantIndexOp::create(b, loc, std::max<int64_t>(size - 1, 0));
  return arith::MinSIOp::create(
      b, loc, arith::MaxSIOp::create(b, loc, idx, zero), last);
}

/// `v` as a constant of element type `et`: floats round to nearest,
/// integers truncate toward zero and saturate (NaN gives 0), so every
/// double has a defined value.
Value convertedConstant(OpBuilder &b, Location loc, Type et, double v) {
  if (isFloat(et))
    return constant(b, loc, et, v);
  APSInt i(et.getIntOrFloatBitWidth(), /*isUnsigned=*/false);
  bool exact;
  APFloat(v).convertToInteger(i, APFloat::rmTowardZero, &exact);
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(et, i));
}

/// The arith predicate of a float compare: ordered (false on NaN), except
/// `ne`, which is unordered (true on NaN).
arith::CmpFPredicate floatPredicate(wf::ComparePredicate pred) {
  switch (pred) {
  case wf::ComparePredicate::eq:
    return arith::CmpFPredicate::OEQ;
  case wf::ComparePredicate::ne:
    return arith::CmpFPredicate::UNE;
  case wf::ComparePredicate::lt:
    return arith::CmpFPredicate::OLT;
  case wf::ComparePredicate::le:
    return arith::CmpFPredicate::OLE;
  case wf::ComparePredicate::gt:
    return arith::CmpFPredicate::OGT;
  case wf::ComparePredicate::ge:
    return arith::CmpFPredicate::OGE;
  }
  llvm_unreachable("unknown compare predicate");
}

/// The arith predicate of an integer compare (signed).
arith::CmpIPredicate intPredicate(wf::ComparePredicate pred) {
  switch (pred) {
  case wf::ComparePredicate::eq:
    return arith::CmpIPredicate::eq;
  case wf::ComparePredicate::ne:
    return arith::CmpIPredicate::ne;
  case wf::ComparePredicate::lt:
    return arith::CmpIPredicate::slt;
  case wf::ComparePredicate::le:
    return arith::CmpIPredicate::sle;
  case wf::ComparePredicate::gt:
    return arith::CmpIPredicate::sgt;
  case wf::ComparePredicate::ge:
    return arith::CmpIPredicate::sge;
  }
  llvm_unreachable("unknown compare predicate");
}

/// `x pred y` as an i1.
Value compare(OpBuilder &b, Location loc, wf::ComparePredicate pred, Value x,
              Value y) {
  if (isFloat(x.getType()))
    return arith::CmpFOp::create(b, loc, floatPredicate(pred), x, y);
  return arith::CmpIOp::create(b, loc, intPredicate(pred), x, y);
}

/// 1 where `cond` holds and 0 elsewhere, in type `t`.
Value mask(OpBuilder &b, Location loc, Value cond, Type t) {
  return arith::SelectOp::create(b, loc, cond, constant(b, loc, t, 1.0),
                                 constant(b, loc, t, 0.0));
}

//===----------------------------------------------------------------------===//
// Tensor builders
//===----------------------------------------------------------------------===//

struct Builder {
  OpBuilder &b;
  Location loc;
  MLIRContext *ctx() { return b.getContext(); }

  Value empty(RankedTensorType t) {
    return tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
  }

  Value filled(RankedTensorType t, Value scalar) {
    return linalg::FillOp::create(b, loc, scalar, empty(t)).getResult(0);
  }

  AffineMap identity(unsigned rank) {
    return AffineMap::getMultiDimIdentityMap(rank, ctx());
  }

  /// Map of an operand that numpy-broadcasts into a result of `outShape`.
  AffineMap broadcastMap(ArrayRef<int64_t> in, ArrayRef<int64_t> out) {
    SmallVector<AffineExpr> exprs;
    size_t lead = out.size() - in.size();
    for (auto [j, d] : llvm::enumerate(in)) {
      if (d == 1 && out[lead + j] != 1)
        exprs.push_back(getAffineConstantExpr(0, ctx()));
      else
        exprs.push_back(getAffineDimExpr(lead + j, ctx()));
    }
    return AffineMap::get(out.size(), 0, exprs, ctx());
  }

  /// Map of an operand holding the result of reducing a rank-`rank` tensor
  /// over `axes` (the reduced dims are absent).
  AffineMap droppedMap(unsigned rank, const llvm::SmallBitVector &axes) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d = 0; d < rank; ++d)
      if (!axes.test(d))
        exprs.push_back(getAffineDimExpr(d, ctx()));
    return AffineMap::get(rank, 0, exprs, ctx());
  }

  /// Map of an operand that only spans the trailing `count` dims.
  AffineMap trailingMap(unsigned rank, unsigned count) {
    SmallVector<AffineExpr> exprs;
    for (unsigned d = rank - count; d < rank; ++d)
      exprs.push_back(getAffineDimExpr(d, ctx()));
    return AffineMap::get(rank, 0, exprs, ctx());
  }

  /// An all-parallel generic producing `type`; `fn` maps the scalars read
  /// from `inputs` (through `maps`) to the result element.
  Value map(RankedTensorType type, ValueRange inputs, ArrayRef<AffineMap> maps,
            ScalarFn fn) {
    SmallVector<AffineMap> all(maps);
    all.push_back(identity(type.getRank()));
    SmallVector<utils::IteratorType> iters(type.getRank(),
                                           utils::IteratorType::parallel);
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{type}, inputs, ValueRange{empty(type)}, all, iters,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, fn(nb, nloc, args.drop_back()));
        });
    return op.getResult(0);
  }

  /// Elementwise over same-shaped or numpy-broadcast operands.
  Value broadcastMap(RankedTensorType type, ValueRange inputs, ScalarFn fn) {
    SmallVector<AffineMap> maps;
    for (Value v : inputs)
      maps.push_back(broadcastMap(
          cast<RankedTensorType>(v.getType()).getShape(), type.getShape()));
    return map(type, inputs, maps, fn);
  }

  /// `x` with its elements converted to `et` (no-op when they already are).
  Value toElement(Value x, Type et) {
    auto type = cast<RankedTensorType>(x.getType());
    if (type.getElementType() == et)
      return x;
    return map(type.clone(et), {x}, {identity(type.getRank())},
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 return convert(nb, l, a[0], et);
               });
  }

  /// Sum of `input` over `axes`, in the accumulator type of its elements.
  /// An f32 sum of more than kWideSumElements elements accumulates in f64
  /// and is rounded to f32 once: a sequential f32 sum of n elements errs by
  /// up to about n * 2^-24 relative (1.7e-4 measured for a mean over 2^19).
  Value sum(Value input, const llvm::SmallBitVector &axes) {
    auto type = cast<RankedTensorType>(input.getType());
    Type acc = ::weft::accumulatorType(type.getElementType());
    int64_t count = 1;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (axes.test(d))
        count =
            std::min<int64_t>(count * std::max<int64_t>(type.getDimSize(d), 1),
                              kWideSumElements + 1);
    Type wide = acc.isF32() && count > kWideSumElements ? b.getF64Type() : acc;
    Value s = reduce(input, axes, constant(b, loc, wide, 0),
                     [](OpBuilder &nb, Location l, Value x, Value a) {
                       return add(nb, l, x, a);
                     });
    return toElement(s, acc);
  }
  static constexpr int64_t kWideSumElements = 4096;

  /// Reduces `input` over `axes` starting from `init`; `combine(elem, acc)`
  /// sees every element already converted to the type of `init` (which is
  /// how sums accumulate in a wider type).
  Value reduce(Value input, const llvm::SmallBitVector &axes, Value init,
               CombineFn combine) {
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> shape;
    SmallVector<utils::IteratorType> iters;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (axes.test(d)) {
        iters.push_back(utils::IteratorType::reduction);
      } else {
        shape.push_back(type.getDimSize(d));
        iters.push_back(utils::IteratorType::parallel);
      }
    }
    auto outType = RankedTensorType::get(shape, init.getType());
    SmallVector<AffineMap> maps = {identity(type.getRank()),
                                   droppedMap(type.getRank(), axes)};
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{outType}, ValueRange{input},
        ValueRange{filled(outType, init)}, maps, iters,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          Value x = convert(nb, nloc, args[0], args[1].getType());
          linalg::YieldOp::create(nb, nloc, combine(nb, nloc, x, args[1]));
        });
    return op.getResult(0);
  }

  /// Batched contraction. Loops are (batch..., m, n, k); `lhsT`/`rhsT` read
  /// the operand's last two dims swapped. Products and sums are formed in
  /// the accumulator type of `outType`'s elements (operands are converted
  /// to it), then converted to `outType`.
  Value contract(Value lhs, Value rhs, RankedTensorType outType, bool lhsT,
                 bool rhsT) {
    Type et = outType.getElementType();
    Type acc = ::weft::accumulatorType(et);
    auto accType = outType.clone(acc);
    unsigned nb = outType.getRank() - 2;
    unsigned loops = nb + 3;
    auto dim = [&](unsigned d) { return getAffineDimExpr(d, ctx()); };
    SmallVector<AffineExpr> batch, l, r, o;
    for (unsigned i = 0; i < nb; ++i)
      batch.push_back(dim(i));
    AffineExpr m = dim(nb), n = dim(nb + 1), k = dim(nb + 2);
    l = batch, r = batch, o = batch;
    l.append(lhsT ? SmallVector<AffineExpr>{k, m}
                  : SmallVector<AffineExpr>{m, k});
    r.append(rhsT ? SmallVector<AffineExpr>{n, k}
                  : SmallVector<AffineExpr>{k, n});
    o.append({m, n});
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, l, ctx()),
                                   AffineMap::get(loops, 0, r, ctx()),
                                   AffineMap::get(loops, 0, o, ctx())};
    SmallVector<utils::IteratorType> iters(loops,
                                           utils::IteratorType::parallel);
    iters.back() = utils::IteratorType::reduction;
    // K == 0 sums nothing: the zero fill is the whole result.
    Value init = filled(accType, constant(b, loc, acc, 0.0));
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{accType}, ValueRange{lhs, rhs}, ValueRange{init},
        maps, iters, [&](OpBuilder &nb2, Location nloc, ValueRange args) {
          Value p = mul(nb2, nloc, convert(nb2, nloc, args[0], acc),
                        convert(nb2, nloc, args[1], acc));
          linalg::YieldOp::create(nb2, nloc, add(nb2, nloc, args[2], p));
        });
    return toElement(op.getResult(0), et);
  }

  /// Softmax of `x` along `axis`, with elements of type `outElem`. The max
  /// is exact in the element type; exp, sum and divide run in the
  /// accumulator type.
  Value softmax(Value x, int64_t axis, Type outElem) {
    auto type = cast<RankedTensorType>(x.getType());
    Type et = type.getElementType();
    Type acc = ::weft::accumulatorType(et);
    unsigned rank = type.getRank();
    llvm::SmallBitVector axes(rank);
    axes.set(axis);
    Value mx = reduce(x, axes, lowest(b, loc, et),
                      [](OpBuilder &nb, Location l, Value e, Value acc) {
                        return max(nb, l, e, acc);
                      });
    AffineMap id = identity(rank), red = droppedMap(rank, axes);
    Value ex = map(type.clone(acc), {x, mx}, {id, red},
                   [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                     Value d = sub(nb, l, convert(nb, l, a[0], acc),
                                   convert(nb, l, a[1], acc));
                     return math::ExpOp::create(nb, l, d);
                   });
    Value total = sum(ex, axes);
    return map(type.clone(outElem), {ex, total}, {id, red},
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 return convert(nb, l, div(nb, l, a[0], a[1]), outElem);
               });
  }

  /// Zero-copy reinterpretation of `x` as `type` (same element count):
  /// through a 1-D view of the row-major elements.
  Value reshape(Value x, RankedTensorType type) {
    auto in = cast<RankedTensorType>(x.getType());
    if (in == type)
      return x;
    auto flatType =
        RankedTensorType::get({in.getNumElements()}, in.getElementType());
    auto allDims = [](int64_t rank) {
      return SmallVector<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, rank))};
    };
    Value flat = x;
    if (in.getRank() == 0)
      flat = tensor::ExpandShapeOp::create(b, loc, flatType, x,
                                           ArrayRef<ReassociationIndices>{});
    else if (in.getRank() > 1)
      flat = tensor::CollapseShapeOp::create(b, loc, flatType, x,
                                             allDims(in.getRank()));
    if (type.getRank() == 1)
      return flat;
    if (type.getRank() == 0)
      return tensor::CollapseShapeOp::create(b, loc, type, flat,
                                             ArrayRef<ReassociationIndices>{});
    return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                         allDims(type.getRank()));
  }

  /// `x` padded by `low`/`high` per dim with the scalar `value`.
  Value pad(Value x, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
            Value value) {
    if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
        llvm::all_of(high, [](int64_t p) { return p == 0; }))
      return x;
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < type.getRank(); ++d)
      shape.push_back(type.getDimSize(d) + low[d] + high[d]);
    auto padded = RankedTensorType::get(shape, type.getElementType());
    return tensor::PadOp::create(b, loc, padded, x,
                                 getAsIndexOpFoldResult(ctx(), low),
                                 getAsIndexOpFoldResult(ctx(), high), value);
  }
};

//===----------------------------------------------------------------------===//
// Per-op lowerings
//===----------------------------------------------------------------------===//

RankedTensorType resultType(Operation *op) {
  return cast<RankedTensorType>(op->getResult(0).getType());
}

// Elementwise unary.
Value lowerUnary(Builder &e, Operation *op, ScalarFn fn) {
  return e.broadcastMap(resultType(op), op->getOperands(), fn);
}

FailureOr<Value> lower(wf::NegOp op, Builder &e) {
  return lowerUnary(e, op, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    if (isFloat(a[0].getType()))
      return arith::NegFOp::create(b, l, a[0]);
    return sub(b, l, constant(b, l, a[0].getType(), 0), a[0]);
  });
}
FailureOr<Value> lower(wf::AbsOp op, Builder &e) {
  return lowerUnary(e, op, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    if (isFloat(a[0].getType()))
      return math::AbsFOp::create(b, l, a[0]);
    return math::AbsIOp::create(b, l, a[0]);
  });
}
template <typename MathOp>
FailureOr<Value> lowerMath(Operation *op, Builder &e) {
  return lowerUnary(e, op, [](OpBuilder &b, Location l, ValueRange a) -> Value {
    return MathOp::create(b, l, a[0]);
  });
}
FailureOr<Value> lower(wf::ExpOp op, Builder &e) {
  return lowerMath<math::ExpOp>(op, e);
}
FailureOr<Value> lower(wf::LogOp op, Builder &e) {
  return lowerMath<math::LogOp>(op, e);
}
FailureOr<Value> lower(wf::SqrtOp op, Builder &e) {
  return lowerMath<math::SqrtOp>(op, e);
}
FailureOr<Value> lower(wf::RsqrtOp op, Builder &e) {
  return lowerMath<math::RsqrtOp>(op, e);
}
FailureOr<Value> lower(wf::TanhOp op, Builder &e) {
  return lowerMath<math::TanhOp>(op, e);
}
FailureOr<Value> lower(wf::ErfOp op, Builder &e) {
  return lowerMath<math::ErfOp>(op, e);
}
FailureOr<Value> lower(wf::SigmoidOp op, Builder &e) {
  return lowerUnary(e, op, [](OpBuilder &b, Location l, ValueRange a) {
    return sigmoid(b, l, a[0]);
  });
}
FailureOr<Value> lower(wf::ReluOp op, Builder &e) {
  return lowerUnary(e, op, [](OpBuilder &b, Location l, ValueRange a) {
    return max(b, l, a[0], constant(b, l, a[0].getType(), 0));
  });
}
FailureOr<Value> lower(wf::SiluOp op, Builder &e) {
  return lowerUnary(e, op, [](OpBuilder &b, Location l, ValueRange a) {
    return mul(b, l, a[0], sigmoid(b, l, a[0]));
  });
}
FailureOr<Value> lower(wf::GeluOp op, Builder &e) {
  bool approximate = op.getApproximate();
  return lowerUnary(e, op, [&](OpBuilder &b, Location l, ValueRange a) {
    Value x = a[0];
    Type t = x.getType();
    Value half = constant(b, l, t, 0.5), one = constant(b, l, t, 1.0);
    Value inner;
    if (approximate) {
      // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
      Value x3 = mul(b, l, mul(b, l, x, x), x);
      Value s = add(b, l, x, mul(b, l, constant(b, l, t, 0.044715), x3));
      inner = math::TanhOp::create(
          b, l, mul(b, l, constant(b, l, t, 0.7978845608028654), s));
    } else {
      inner = math::ErfOp::create(
          b, l, mul(b, l, x, constant(b, l, t, 0.7071067811865476)));
    }
    return mul(b, l, mul(b, l, half, x), add(b, l, one, inner));
  });
}

// Elementwise binary (numpy broadcasting).
template <typename OpTy>
FailureOr<Value> lowerBinary(OpTy op, Builder &e,
                             Value (*fn)(OpBuilder &, Location, Value, Value)) {
  return e.broadcastMap(resultType(op), op->getOperands(),
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return fn(b, l, a[0], a[1]);
                        });
}
FailureOr<Value> lower(wf::AddOp op, Builder &e) {
  return lowerBinary(op, e, add);
}
FailureOr<Value> lower(wf::SubOp op, Builder &e) {
  return lowerBinary(op, e, sub);
}
FailureOr<Value> lower(wf::MulOp op, Builder &e) {
  return lowerBinary(op, e, mul);
}
FailureOr<Value> lower(wf::DivOp op, Builder &e) {
  return lowerBinary(op, e, div);
}
FailureOr<Value> lower(wf::MaxOp op, Builder &e) {
  return lowerBinary(op, e, max);
}
FailureOr<Value> lower(wf::MinOp op, Builder &e) {
  return lowerBinary(op, e, min);
}
FailureOr<Value> lower(wf::PowOp op, Builder &e) {
  return lowerBinary(op, e, [](OpBuilder &b, Location l, Value x, Value y) {
    return Value(math::PowFOp::create(b, l, x, y));
  });
}
FailureOr<Value> lower(wf::CompareOp op, Builder &e) {
  wf::ComparePredicate pred = op.getPredicate();
  return e.broadcastMap(resultType(op), op->getOperands(),
                        [&](OpBuilder &b, Location l, ValueRange a) {
                          return mask(b, l, compare(b, l, pred, a[0], a[1]),
                                      a[0].getType());
                        });
}

FailureOr<Value> lower(wf::ConstantOp op, Builder &e) {
  auto value = dyn_cast<TypedAttr>(op.getValue());
  if (!value)
    return failure();
  // A splat is a fill: one scalar, never an array of copies in the kernel
  // object (a 1e8-element splat used to become a 400 MB global).
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat())
    return e.filled(cast<RankedTensorType>(op.getType()),
                    arith::ConstantOp::create(
                        e.b, e.loc, dense.getSplatValue<TypedAttr>()));
  return Value(arith::ConstantOp::create(e.b, e.loc, value));
}

FailureOr<Value> lower(wf::CastOp op, Builder &e) {
  Type to = op.getType().getElementType();
  return lowerUnary(e, op, [&](OpBuilder &b, Location l, ValueRange a) {
    return convert(b, l, a[0], to);
  });
}

FailureOr<Value> lower(wf::MatmulOp op, Builder &e) {
  return e.contract(op.getLhs(), op.getRhs(), op.getType(),
                    op.getTransposeLhs(), op.getTransposeRhs());
}
FailureOr<Value> lower(wf::BatchMatmulOp op, Builder &e) {
  return e.contract(op.getLhs(), op.getRhs(), op.getType(),
                    op.getTransposeLhs(), op.getTransposeRhs());
}

FailureOr<Value> lower(wf::Conv2DOp op, Builder &e) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  auto outType = op.getType();
  Type et = outType.getElementType();
  ArrayRef<int64_t> pad = op.getPadding(), s = op.getStrides(),
                    dl = op.getDilations();
  int64_t groups = op.getGroups();
  auto filterType = op.getFilter().getType();
  int64_t fPerGroup = filterType.getDimSize(0) / groups;
  int64_t cPerGroup = filterType.getDimSize(1);
  Type acc = ::weft::accumulatorType(et);
  auto accType = outType.clone(acc);
  auto d = [&](unsigned i) { return getAffineDimExpr(i, b.getContext()); };
  // bias [F] broadcasts along dim 1; added in the accumulator type.
  AffineMap biasMap = AffineMap::get(4, 0, {d(1)}, b.getContext());
  auto finish = [&](Value sum) {
    if (!op.getBias())
      return e.toElement(sum, et);
    return e.map(outType, {sum, op.getBias()}, {e.identity(4), biasMap},
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   Value biased = add(nb, l, a[0], convert(nb, l, a[1], acc));
                   return convert(nb, l, biased, et);
                 });
  };
  // No input channels: every output is the bias (or 0).
  if (cPerGroup == 0 || op.getInput().getType().getNumElements() == 0)
    return finish(e.filled(accType, constant(b, loc, acc, 0.0)));
  Value input = e.pad(op.getInput(), {0, 0, pad[0], pad[1]},
                      {0, 0, pad[2], pad[3]}, constant(b, loc, et, 0.0));
  // Loops (n, f, oh, ow, c, kh, kw).
  AffineExpr channel = d(1).floorDiv(fPerGroup) * cPerGroup + d(4);
  if (groups == 1)
    channel = d(4);
  SmallVector<AffineMap> maps = {
      AffineMap::get(7, 0,
                     {d(0), channel, d(2) * s[0] + d(5) * dl[0],
                      d(3) * s[1] + d(6) * dl[1]},
                     b.getContext()),
      AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, b.getContext()),
      AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, b.getContext())};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters.append(3, utils::IteratorType::reduction);
  Value init = e.filled(accType, constant(b, loc, acc, 0.0));
  Value conv =
      linalg::GenericOp::create(
          b, loc, TypeRange{accType}, ValueRange{input, op.getFilter()},
          ValueRange{init}, maps, iters,
          [&](OpBuilder &nb, Location l, ValueRange a) {
            Value p = mul(nb, l, convert(nb, l, a[0], acc),
                          convert(nb, l, a[1], acc));
            linalg::YieldOp::create(nb, l, add(nb, l, a[2], p));
          })
          .getResult(0);
  return finish(conv);
}

/// Window reduction over NCHW into `outType` (whose element type may be
/// wider than the input's: elements are converted before `combine`);
/// `window` is a dummy [KH, KW] operand that gives the window loops their
/// bounds.
Value pool(Builder &e, Value input, RankedTensorType outType,
           ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides, Value init,
           CombineFn combine) {
  OpBuilder &b = e.b;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, b.getContext()); };
  SmallVector<AffineMap> maps = {
      AffineMap::get(
          6, 0,
          {d(0), d(1), d(2) * strides[0] + d(4), d(3) * strides[1] + d(5)},
          b.getContext()),
      AffineMap::get(6, 0, {d(4), d(5)}, b.getContext()),
      AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, b.getContext())};
  SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
  iters.append(2, utils::IteratorType::reduction);
  Value window =
      tensor::EmptyOp::create(b, e.loc, kernel, outType.getElementType());
  return linalg::GenericOp::create(
             b, e.loc, TypeRange{outType}, ValueRange{input, window},
             ValueRange{e.filled(outType, init)}, maps, iters,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value x = convert(nb, l, a[0], a[2].getType());
               linalg::YieldOp::create(nb, l, combine(nb, l, x, a[2]));
             })
      .getResult(0);
}

FailureOr<Value> lower(wf::MaxPool2DOp op, Builder &e) {
  Type et = op.getType().getElementType();
  ArrayRef<int64_t> p = op.getPadding();
  Value lo = lowest(e.b, e.loc, et);
  Value input =
      e.pad(op.getInput(), {0, 0, p[0], p[1]}, {0, 0, p[2], p[3]}, lo);
  return pool(e, input, op.getType(), op.getKernel(), op.getStrides(), lo,
              [](OpBuilder &b, Location l, Value x, Value acc) {
                return max(b, l, x, acc);
              });
}

FailureOr<Value> lower(wf::AvgPool2DOp op, Builder &e) {
  OpBuilder &b = e.b;
  Type et = op.getType().getElementType();
  Type acc = ::weft::accumulatorType(et);
  ArrayRef<int64_t> p = op.getPadding();
  auto sumPool = [&](Value x) {
    Value padded = e.pad(x, {0, 0, p[0], p[1]}, {0, 0, p[2], p[3]},
                         constant(b, e.loc, et, 0.0));
    return pool(e, padded, op.getType().clone(acc), op.getKernel(),
                op.getStrides(), constant(b, e.loc, acc, 0.0),
                [](OpBuilder &nb, Location l, Value v, Value sum) {
                  return add(nb, l, v, sum);
                });
  };
  Value sum = sumPool(op.getInput());
  // Padded positions are not counted: divide by the number of real inputs
  // under each window.
  Value ones = e.filled(op.getInput().getType(), constant(b, e.loc, et, 1.0));
  Value count = sumPool(ones);
  return e.map(op.getType(), {sum, count}, {e.identity(4), e.identity(4)},
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 return convert(nb, l, div(nb, l, a[0], a[1]), et);
               });
}

template <typename OpTy> llvm::SmallBitVector axesOf(OpTy op) {
  llvm::SmallBitVector axes(op.getInput().getType().getRank());
  for (int64_t a : op.getAxes())
    axes.set(a);
  return axes;
}

/// Reshapes a reduction result to its keep_dims form when asked.
template <typename OpTy> Value keepDims(OpTy op, Builder &e, Value reduced) {
  if (!op.getKeepDims())
    return reduced;
  return e.reshape(reduced, op.getType());
}

FailureOr<Value> lower(wf::ReduceSumOp op, Builder &e) {
  Type et = op.getType().getElementType();
  Value r = e.toElement(e.sum(op.getInput(), axesOf(op)), et);
  return keepDims(op, e, r);
}

FailureOr<Value> lower(wf::ReduceMaxOp op, Builder &e) {
  Type et = op.getType().getElementType();
  Value r = e.reduce(op.getInput(), axesOf(op), lowest(e.b, e.loc, et),
                     [](OpBuilder &b, Location l, Value x, Value acc) {
                       return max(b, l, x, acc);
                     });
  return keepDims(op, e, r);
}

FailureOr<Value> lower(wf::ReduceMeanOp op, Builder &e) {
  Type et = op.getType().getElementType();
  llvm::SmallBitVector axes = axesOf(op);
  Type acc = ::weft::accumulatorType(et);
  int64_t count = 1;
  for (int64_t a : op.getAxes())
    count *= op.getInput().getType().getDimSize(a);
  if (count == 0) {
    // The mean of nothing: NaN for floats (0 / 0, as numpy), and 0 for
    // integers (weft's x / 0).
    auto type = op.getType();
    return e.filled(type, isFloat(et) ? nan(e.b, e.loc, et)
                                      : constant(e.b, e.loc, et, 0));
  }
  Value r = e.sum(op.getInput(), axes);
  auto rt = cast<RankedTensorType>(r.getType());
  Value mean = e.map(rt.clone(et), {r}, {e.identity(rt.getRank())},
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       Value m = div(b, l, a[0], constant(b, l, acc, count));
                       return convert(b, l, m, et);
                     });
  return keepDims(op, e, mean);
}

FailureOr<Value> lower(wf::SoftmaxOp op, Builder &e) {
  return e.softmax(op.getInput(), op.getAxis(), op.getType().getElementType());
}

/// Shared by layer_norm and rms_norm: normalizes over the trailing
/// `rank(scale)` dims. Statistics and the normalization itself are computed
/// in the accumulator type; only the result is rounded to the element type.
Value normalize(Builder &e, Value x, Value scale, Value bias, double eps,
                bool centered) {
  auto type = cast<RankedTensorType>(x.getType());
  auto scaleType = cast<RankedTensorType>(scale.getType());
  Type et = type.getElementType();
  Type acc = ::weft::accumulatorType(et);
  unsigned rank = type.getRank(), count = scaleType.getRank();
  llvm::SmallBitVector axes(rank);
  int64_t n = 1;
  for (unsigned d = rank - count; d < rank; ++d) {
    axes.set(d);
    n *= type.getDimSize(d);
  }
  AffineMap id = e.identity(rank), red = e.droppedMap(rank, axes),
            tail = e.trailingMap(rank, count);
  Value centeredX = x;
  if (centered) {
    Value sum = e.sum(x, axes);
    centeredX = e.map(type.clone(acc), {x, sum}, {id, red},
                      [&](OpBuilder &b, Location l, ValueRange a) {
                        Value mean = div(b, l, a[1], constant(b, l, acc, n));
                        return sub(b, l, convert(b, l, a[0], acc), mean);
                      });
  }
  Value sq = e.reduce(centeredX, axes, constant(e.b, e.loc, acc, 0.0),
                      [](OpBuilder &b, Location l, Value v, Value sum) {
                        return add(b, l, mul(b, l, v, v), sum);
                      });
  SmallVector<Value> ins = {centeredX, sq, scale};
  SmallVector<AffineMap> maps = {id, red, tail};
  if (bias) {
    ins.push_back(bias);
    maps.push_back(tail);
  }
  return e.map(type, ins, maps, [&](OpBuilder &b, Location l, ValueRange a) {
    auto wide = [&](Value v) { return convert(b, l, v, acc); };
    Value var = div(b, l, a[1], constant(b, l, acc, n));
    Value inv =
        math::RsqrtOp::create(b, l, add(b, l, var, constant(b, l, acc, eps)));
    Value y = mul(b, l, mul(b, l, wide(a[0]), inv), wide(a[2]));
    if (bias)
      y = add(b, l, y, wide(a[3]));
    return convert(b, l, y, et);
  });
}

FailureOr<Value> lower(wf::LayerNormOp op, Builder &e) {
  return normalize(e, op.getInput(), op.getScale(), op.getBias(),
                   op.getEpsilon().convertToDouble(), /*centered=*/true);
}

FailureOr<Value> lower(wf::RMSNormOp op, Builder &e) {
  return normalize(e, op.getInput(), op.getScale(), Value(),
                   op.getEpsilon().convertToDouble(), /*centered=*/false);
}

FailureOr<Value> lower(wf::EmbeddingOp op, Builder &e) {
  auto out = op.getType();
  unsigned rank = out.getRank();
  Value table = op.getTable();
  int64_t vocab = op.getTable().getType().getDimSize(0);
  SmallVector<AffineExpr> idExprs;
  for (unsigned d = 0; d + 1 < rank; ++d)
    idExprs.push_back(getAffineDimExpr(d, e.ctx()));
  AffineMap idMap = AffineMap::get(rank, 0, idExprs, e.ctx());
  return e.map(
      out, {op.getIndices()}, {idMap},
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value row = clampedIndex(b, l, a[0], vocab);
        Value col = linalg::IndexOp::create(b, l, rank - 1);
        return tensor::ExtractOp::create(b, l, table, ValueRange{row, col});
      });
}

FailureOr<Value> lower(wf::TransposeOp op, Builder &e) {
  return linalg::TransposeOp::create(e.b, e.loc, op.getInput(),
                                     e.empty(op.getType()), op.getPermutation())
      .getResult()[0];
}

FailureOr<Value> lower(wf::ReshapeOp op, Builder &e) {
  return e.reshape(op.getInput(), op.getType());
}

FailureOr<Value> lower(wf::BroadcastToOp op, Builder &e) {
  return e.broadcastMap(
      op.getType(), {op.getInput()},
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

FailureOr<Value> lower(wf::ConcatOp op, Builder &e) {
  auto out = op.getType();
  Value dest = e.empty(out);
  int64_t axis = op.getAxis(), offset = 0;
  for (Value in : op.getInputs()) {
    auto t = cast<RankedTensorType>(in.getType());
    SmallVector<int64_t> offsets(out.getRank(), 0);
    offsets[axis] = offset;
    SmallVector<int64_t> strides(out.getRank(), 1);
    dest = tensor::InsertSliceOp::create(
        e.b, e.loc, in, dest, getAsIndexOpFoldResult(e.ctx(), offsets),
        getAsIndexOpFoldResult(e.ctx(), t.getShape()),
        getAsIndexOpFoldResult(e.ctx(), strides));
    offset += t.getDimSize(axis);
  }
  return dest;
}

FailureOr<Value> lower(wf::SliceOp op, Builder &e) {
  SmallVector<int64_t> strides;
  for (unsigned d = 0; d < op.getType().getRank(); ++d)
    strides.push_back(op.getStride(d));
  return Value(tensor::ExtractSliceOp::create(
      e.b, e.loc, op.getType(), op.getInput(),
      getAsIndexOpFoldResult(e.ctx(), op.getStarts()),
      getAsIndexOpFoldResult(e.ctx(), op.getType().getShape()),
      getAsIndexOpFoldResult(e.ctx(), strides)));
}

/// Padding is a fill of the result with the value and one strided
/// `tensor.insert_slice` of the input: offsets `low`, strides
/// `interior + 1`.
FailureOr<Value> lower(wf::PadOp op, Builder &e) {
  auto in = op.getInput().getType();
  auto out = op.getType();
  // The same type is no padding at all (a dim of size <= 1 has no
  // neighbours to pad between).
  if (in == out)
    return op.getInput();
  Value value = convertedConstant(e.b, e.loc, out.getElementType(),
                                  op.getValue().convertToDouble());
  Value padded = e.filled(out, value);
  if (in.getNumElements() == 0)
    return padded;
  SmallVector<int64_t> strides;
  for (unsigned d = 0; d < in.getRank(); ++d)
    strides.push_back(op.getInteriorOf(d) + 1);
  return Value(tensor::InsertSliceOp::create(
      e.b, e.loc, op.getInput(), padded,
      getAsIndexOpFoldResult(e.ctx(), op.getLow()),
      getAsIndexOpFoldResult(e.ctx(), in.getShape()),
      getAsIndexOpFoldResult(e.ctx(), strides)));
}

/// A copy that reads reversed dims through `d -> n - 1 - d`.
FailureOr<Value> lower(wf::ReverseOp op, Builder &e) {
  auto type = op.getType();
  unsigned rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d < rank; ++d)
    exprs.push_back(getAffineDimExpr(d, e.ctx()));
  bool moves = false;
  for (int64_t a : op.getAxes()) {
    int64_t n = type.getDimSize(a);
    moves |= n > 1;
    exprs[a] = getAffineConstantExpr(n - 1, e.ctx()) - exprs[a];
  }
  if (!moves)
    return op.getInput();
  return e.map(type, {op.getInput()}, {AffineMap::get(rank, 0, exprs, e.ctx())},
               [](OpBuilder &, Location, ValueRange a) { return a[0]; });
}

/// Each result element compares its class index with the clamped label.
FailureOr<Value> lower(wf::OneHotOp op, Builder &e) {
  auto out = op.getType();
  unsigned rank = out.getRank();
  int64_t classes = out.getDimSize(rank - 1);
  Type et = out.getElementType();
  SmallVector<AffineExpr> exprs;
  for (unsigned d = 0; d + 1 < rank; ++d)
    exprs.push_back(getAffineDimExpr(d, e.ctx()));
  return e.map(out, {op.getLabels()}, {AffineMap::get(rank, 0, exprs, e.ctx())},
               [&](OpBuilder &b, Location l, ValueRange a) {
                 Value c = linalg::IndexOp::create(b, l, rank - 1);
                 Value label = clampedIndex(b, l, a[0], classes);
                 Value hit = arith::CmpIOp::create(
                     b, l, arith::CmpIPredicate::eq, c, label);
                 return mask(b, l, hit, et);
               });
}

/// A scatter-add in O(I * D): a zero table, then one `scf.for` over the
/// flattened index positions that adds gradient row `p` into the table row
/// its clamped index names (an extract_slice / linalg.generic /
/// insert_slice triple on the loop-carried table, which bufferizes in
/// place). Sums run in the accumulator type; the table is converted to the
/// element type once, after the loop.
FailureOr<Value> lower(wf::EmbeddingGradOp op, Builder &e) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  auto out = op.getType();
  Type et = out.getElementType();
  Type acc = ::weft::accumulatorType(et);
  int64_t vocab = out.getDimSize(0), width = out.getDimSize(1);
  auto idType = op.getIndices().getType();
  int64_t count = idType.getNumElements();
  Value table = e.filled(out.clone(acc), constant(b, loc, acc, 0.0));
  // No index positions: every row is an empty sum.
  if (count == 0)
    return e.toElement(table, et);
  // [I..., D] -> [P, D] and [I...] -> [P], row-major views.
  Value ids = e.reshape(
      op.getIndices(), RankedTensorType::get({count}, idType.getElementType()));
  Value grad =
      e.reshape(op.getGrad(), RankedTensorType::get({count, width}, et));
  auto gradRowType = RankedTensorType::get({width}, et);
  auto accRowType = RankedTensorType::get({width}, acc);
  AffineMap id1 = e.identity(1);
  Value begin = arith::ConstantIndexOp::create(b, loc, 0);
  Value end = arith::ConstantIndexOp::create(b, loc, count);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, begin, end, step, ValueRange{table},
      [&](OpBuilder &nb, Location l, Value p, ValueRange iter) {
        Value id = tensor::ExtractOp::create(nb, l, ids, ValueRange{p});
        Value v = clampedIndex(nb, l, id, vocab);
        SmallVector<OpFoldResult> sizes = {nb.getIndexAttr(1),
                                           nb.getIndexAttr(width)};
        SmallVector<OpFoldResult> strides(2, nb.getIndexAttr(1));
        SmallVector<OpFoldResult> gradAt = {p, nb.getIndexAttr(0)};
        SmallVector<OpFoldResult> tableAt = {v, nb.getIndexAttr(0)};
        Value gradRow = tensor::ExtractSliceOp::create(nb, l, gradRowType, grad,
                                                       gradAt, sizes, strides);
        Value tableRow = tensor::ExtractSliceOp::create(
            nb, l, accRowType, iter[0], tableAt, sizes, strides);
        Value sum =
            linalg::GenericOp::create(
                nb, l, TypeRange{accRowType}, ValueRange{gradRow},
                ValueRange{tableRow}, ArrayRef<AffineMap>{id1, id1},
                ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
                [&](OpBuilder &bb, Location bl, ValueRange a) {
                  Value g = convert(bb, bl, a[0], acc);
                  linalg::YieldOp::create(bb, bl, add(bb, bl, a[1], g));
                })
                .getResult(0);
        Value updated = tensor::InsertSliceOp::create(nb, l, sum, iter[0],
                                                      tableAt, sizes, strides);
        scf::YieldOp::create(nb, l, updated);
      });
  return e.toElement(loop.getResult(0), et);
}

FailureOr<Value> lower(wf::CrossEntropyOp op, Builder &e) {
  OpBuilder &b = e.b;
  Location loc = e.loc;
  Value logits = op.getLogits();
  auto lt = op.getLogits().getType();
  Type et = lt.getElementType();
  Type acc = ::weft::accumulatorType(et);
  int64_t n = lt.getDimSize(0), classes = lt.getDimSize(1);
  if (n == 0) {
    // The mean over no rows (numpy: NaN).
    return e.filled(op.getType(), nan(b, loc, et));
  }
  llvm::SmallBitVector byClass(2);
  byClass.set(1);
  AffineMap id2 = e.identity(2), row = e.droppedMap(2, byClass),
            id1 = e.identity(1);
  Value mx = e.reduce(logits, byClass, lowest(b, loc, et),
                      [](OpBuilder &nb, Location l, Value v, Value acc) {
                        return max(nb, l, v, acc);
                      });
  Value ex = e.map(lt.clone(acc), {logits, mx}, {id2, row},
                   [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                     Value d = sub(nb, l, convert(nb, l, a[0], acc),
                                   convert(nb, l, a[1], acc));
                     return math::ExpOp::create(nb, l, d);
                   });
  Value sum = e.sum(ex, byClass);
  auto rowType = RankedTensorType::get({n}, acc);
  // loss[i] = log(sum[i]) + max[i] - logits[i, label[i]]
  Value loss = e.map(rowType, {sum, mx, op.getLabels()}, {id1, id1, id1},
                     [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       Value i = linalg::IndexOp::create(nb, l, 0);
                       Value c = clampedIndex(nb, l, a[2], classes);
                       Value picked = tensor::ExtractOp::create(
                           nb, l, logits, ValueRange{i, c});
                       Value lse = add(nb, l, math::LogOp::create(nb, l, a[0]),
                                       convert(nb, l, a[1], acc));
                       return sub(nb, l, lse, convert(nb, l, picked, acc));
                     });
  llvm::SmallBitVector all(1);
  all.set(0);
  Value total = e.sum(loss, all);
  return e.map(op.getType(), {total}, {e.identity(0)},
               [&](OpBuilder &nb, Location l, ValueRange a) {
                 Value mean = div(nb, l, a[0], constant(nb, l, acc, n));
                 return convert(nb, l, mean, et);
               });
}

FailureOr<Value> lower(wf::ScaledDotProductAttentionOp op, Builder &e) {
  auto qt = op.getQuery().getType();
  auto kt = op.getKey().getType();
  Type et = qt.getElementType();
  Type acc = ::weft::accumulatorType(et);
  unsigned rank = qt.getRank();
  // No keys: every output row is an empty sum.
  if (kt.getDimSize(rank - 2) == 0)
    return e.filled(op.getType(), constant(e.b, e.loc, et, 0.0));
  SmallVector<int64_t> scoresShape(qt.getShape().drop_back(1));
  scoresShape.push_back(kt.getDimSize(rank - 2));
  // Scores and probabilities stay in the accumulator type.
  auto scoresType = RankedTensorType::get(scoresShape, acc);
  Value scores = e.contract(op.getQuery(), op.getKey(), scoresType,
                            /*lhsT=*/false, /*rhsT=*/true);
  double scale = op.getScale()
                     ? op.getScale()->convertToDouble()
                     : 1.0 / std::sqrt(double(qt.getDimSize(rank - 1)));
  bool causal = op.getIsCausal();
  SmallVector<Value> ins = {scores};
  SmallVector<AffineMap> maps = {e.identity(rank)};
  if (Value mask = op.getMask()) {
    ins.push_back(mask);
    maps.push_back(e.broadcastMap(
        cast<RankedTensorType>(mask.getType()).getShape(), scoresShape));
  }
  bool hasMask = ins.size() == 2;
  Value masked = e.map(
      scoresType, ins, maps, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value v = mul(nb, l, a[0], constant(nb, l, acc, scale));
        if (hasMask)
          v = add(nb, l, v, convert(nb, l, a[1], acc));
        if (!causal)
          return v;
        Value s = linalg::IndexOp::create(nb, l, rank - 2);
        Value t = linalg::IndexOp::create(nb, l, rank - 1);
        Value future =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ugt, t, s);
        return Value(
            arith::SelectOp::create(nb, l, future, lowest(nb, l, acc), v));
      });
  Value probs = e.softmax(masked, rank - 1, acc);
  return e.contract(probs, op.getValue(), op.getType(), false, false);
}

//===----------------------------------------------------------------------===//
// Patterns and pass
//===----------------------------------------------------------------------===//

template <typename OpTy> struct LowerOp : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Builder e{rewriter, op.getLoc()};
    // Nothing to compute: an empty result is just an empty tensor (and no
    // zero-element temporaries are built).
    if (op->getNumResults() == 1 && !isa<wf::ConstantOp>(op))
      if (auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
          type && type.hasStaticShape() && type.getNumElements() == 0) {
        rewriter.replaceOp(op, e.empty(type));
        return success();
      }
    FailureOr<Value> v = lower(op, e);
    if (failed(v))
      return rewriter.notifyMatchFailure(op, "no lowering");
    rewriter.replaceOp(op, *v);
    return success();
  }
};

struct ConvertWeftToLinalgPass
    : ::weft::impl::ConvertWeftToLinalgPassBase<ConvertWeftToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<wf::WeftDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(ctx);
    ::weft::populateWeftToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void ::weft::populateWeftToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<LowerOp<wf::ConstantOp>, LowerOp<wf::CastOp>, LowerOp<wf::NegOp>,
               LowerOp<wf::AbsOp>, LowerOp<wf::ExpOp>, LowerOp<wf::LogOp>,
               LowerOp<wf::SqrtOp>, LowerOp<wf::RsqrtOp>, LowerOp<wf::TanhOp>,
               LowerOp<wf::SigmoidOp>, LowerOp<wf::ReluOp>, LowerOp<wf::SiluOp>,
               LowerOp<wf::GeluOp>, LowerOp<wf::AddOp>, LowerOp<wf::SubOp>,
               LowerOp<wf::MulOp>, LowerOp<wf::DivOp>, LowerOp<wf::MaxOp>,
               LowerOp<wf::MinOp>, LowerOp<wf::PowOp>, LowerOp<wf::MatmulOp>,
               LowerOp<wf::BatchMatmulOp>, LowerOp<wf::Conv2DOp>,
               LowerOp<wf::MaxPool2DOp>, LowerOp<wf::AvgPool2DOp>,
               LowerOp<wf::ReduceSumOp>, LowerOp<wf::ReduceMeanOp>,
               LowerOp<wf::ReduceMaxOp>, LowerOp<wf::SoftmaxOp>,
               LowerOp<wf::LayerNormOp>, LowerOp<wf::RMSNormOp>,
               LowerOp<wf::EmbeddingOp>, LowerOp<wf::TransposeOp>,
               LowerOp<wf::ReshapeOp>, LowerOp<wf::BroadcastToOp>,
               LowerOp<wf::ConcatOp>, LowerOp<wf::SliceOp>,
               LowerOp<wf::CrossEntropyOp>,
               LowerOp<wf::ScaledDotProductAttentionOp>>(patterns.getContext());
  // The ops gradient rules are written in.
  patterns.add<LowerOp<wf::ErfOp>, LowerOp<wf::CompareOp>, LowerOp<wf::PadOp>,
               LowerOp<wf::ReverseOp>, LowerOp<wf::OneHotOp>,
               LowerOp<wf::EmbeddingGradOp>>(patterns.getContext());
}
