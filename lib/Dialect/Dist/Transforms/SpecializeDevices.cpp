//===- SpecializeDevices.cpp - one static function per device -------------===//
//
// dist-specialize: the SPMD program of a partitioned entry, cloned once per
// device with every device-dependent choice made static (which chunk a
// local slice keeps, which device holds a made-partial value, which devices
// form each collective's group, where each argument's slice lies).
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Dist/IR/DistOps.h"
#include "weft/Dialect/Dist/Transforms/Passes.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace weft {
#define GEN_PASS_DEF_SPECIALIZEDEVICESPASS
#include "weft/Dialect/Dist/Transforms/Passes.h.inc"
} // namespace weft

using namespace mlir;
using namespace mlir::dist;
using ::weft::sbp::NdSbp;

namespace {

/// One device of the mesh: its number and its coordinates.
struct Device {
  int64_t id;
  SmallVector<int64_t> coords;
};

class Specializer {
public:
  Specializer(MeshOp mesh) : shape(mesh.getShape()) {}

  LogicalResult run(func::FuncOp fn);

private:
  Device device(int64_t id) const {
    Device d{id, SmallVector<int64_t>(shape.size())};
    for (int64_t a = shape.size() - 1, rest = id; a >= 0; --a) {
      d.coords[a] = rest % shape[a];
      rest /= shape[a];
    }
    return d;
  }
  int64_t idOf(ArrayRef<int64_t> coords) const {
    int64_t id = 0;
    for (size_t a = 0; a < shape.size(); ++a)
      id = id * shape[a] + coords[a];
    return id;
  }
  /// Position of `d` in the group over `axes` (row-major over `axes`).
  int64_t position(const Device &d, ArrayRef<int64_t> axes) const {
    int64_t r = 0;
    for (int64_t a : axes)
      r = r * shape[a] + d.coords[a];
    return r;
  }
  int64_t numDevices() const {
    int64_t n = 1;
    for (int64_t s : shape)
      n *= s;
    return n;
  }
  /// Which of the groups over `axes` `d` is in: row-major over the other
  /// axes.
  int64_t groupIndex(const Device &d, ArrayRef<int64_t> axes) const {
    int64_t g = 0;
    for (size_t a = 0; a < shape.size(); ++a)
      if (!llvm::is_contained(axes, static_cast<int64_t>(a)))
        g = g * shape[a] + d.coords[a];
    return g;
  }
  int64_t groupSize(ArrayRef<int64_t> axes) const {
    int64_t n = 1;
    for (int64_t a : axes)
      n *= shape[a];
    return n;
  }
  /// The devices of `d`'s group over `axes`, in group order.
  SmallVector<int64_t> group(const Device &d, ArrayRef<int64_t> axes) const {
    SmallVector<int64_t> out;
    SmallVector<int64_t> coords(d.coords);
    for (int64_t r = 0, n = groupSize(axes); r < n; ++r) {
      for (int64_t i = axes.size() - 1, rest = r; i >= 0; --i) {
        coords[axes[i]] = rest % shape[axes[i]];
        rest /= shape[axes[i]];
      }
      out.push_back(idOf(coords));
    }
    return out;
  }
  /// Where device `d`'s slice of a value laid out as `s` starts.
  SmallVector<int64_t> sliceStart(const Device &d, const NdSbp &s,
                                  RankedTensorType local) const {
    SmallVector<int64_t> start(local.getRank(), 0);
    for (int64_t dim = 0; dim < local.getRank(); ++dim) {
      int64_t chunk = 0;
      for (size_t a = 0; a < s.size(); ++a)
        if (s[a].isSplit() && s[a].dim == dim)
          chunk = chunk * shape[a] + d.coords[a];
      start[dim] = chunk * local.getDimSize(dim);
    }
    return start;
  }
  LogicalResult specialize(func::FuncOp clone, const Device &d);
  LogicalResult placeValues(func::FuncOp fn, func::FuncOp clone,
                            const Device &d);

  ArrayRef<int64_t> shape;
};

/// The block of `local` shape at `start` out of dense `value`; splats stay
/// splats.
FailureOr<ElementsAttr> sliceElements(ElementsAttr value,
                                      RankedTensorType local,
                                      ArrayRef<int64_t> start) {
  auto dense = dyn_cast<DenseElementsAttr>(value);
  if (!dense)
    return failure();
  if (dense.isSplat())
    return cast<ElementsAttr>(dense.resizeSplat(local));
  Type et = dense.getElementType();
  if (!et.isIntOrFloat() || et.getIntOrFloatBitWidth() % 8 != 0)
    return failure();
  int64_t bytes = et.getIntOrFloatBitWidth() / 8;
  auto global = cast<RankedTensorType>(dense.getType());
  ArrayRef<char> raw = dense.getRawData();
  int64_t rank = local.getRank();
  std::vector<char> out(local.getNumElements() * bytes);
  SmallVector<int64_t> globalStride(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    globalStride[d] = globalStride[d + 1] * global.getDimSize(d + 1);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t e = 0, n = local.getNumElements(); e < n; ++e) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += (start[d] + index[d]) * globalStride[d];
    std::memcpy(out.data() + e * bytes, raw.data() + offset * bytes, bytes);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < local.getDimSize(d))
        break;
      index[d] = 0;
    }
  }
  return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
      local, ArrayRef<char>(out.data(), out.size())));
}

LogicalResult Specializer::placeValues(func::FuncOp fn, func::FuncOp clone,
                                       const Device &d) {
  Builder b(fn.getContext());
  auto place =
      [&](Type localType, ShardingAttr s,
          NamedAttrList &attrs) -> std::optional<SmallVector<int64_t>> {
    auto local = cast<RankedTensorType>(localType);
    NdSbp sbp = s.getNdSbp();
    SmallVector<int64_t> start = sliceStart(d, sbp, local);
    SmallVector<int64_t> global(local.getShape());
    for (size_t a = 0; a < sbp.size(); ++a)
      if (sbp[a].isSplit())
        global[sbp[a].dim] *= shape[a];
    attrs.set(attr::kStart, b.getDenseI64ArrayAttr(start));
    attrs.set(attr::kGlobalType, TypeAttr::get(RankedTensorType::get(
                                     global, local.getElementType())));
    return start;
  };
  for (unsigned i = 0; i < clone.getNumArguments(); ++i) {
    auto s = clone.getArgAttrOfType<ShardingAttr>(i, attr::kSharding);
    if (!s)
      return emitError(fn.getLoc(), "dist-specialize: argument ")
             << i << " has no dist.sharding";
    NamedAttrList attrs(clone.getArgAttrDict(i));
    Type local = clone.getArgument(i).getType();
    std::optional<SmallVector<int64_t>> start = place(local, s, attrs);
    if (auto init = attrs.get(::weft::kStateInitAttr)) {
      FailureOr<ElementsAttr> cut = sliceElements(
          cast<ElementsAttr>(init), cast<RankedTensorType>(local), *start);
      if (failed(cut))
        return emitError(fn.getLoc(), "dist-specialize: cannot slice the "
                                      "initial value of argument ")
               << i;
      attrs.set(::weft::kStateInitAttr, *cut);
    }
    clone.setArgAttrs(i, attrs.getDictionary(fn.getContext()));
  }
  for (unsigned i = 0; i < clone.getNumResults(); ++i) {
    auto s = clone.getResultAttrOfType<ShardingAttr>(i, attr::kSharding);
    if (!s)
      return emitError(fn.getLoc(), "dist-specialize: result ")
             << i << " has no dist.sharding";
    if (::weft::sbp::hasPartial(s.getNdSbp()))
      return emitError(fn.getLoc(), "dist-specialize: result ")
             << i << " leaves the function as a partial sum";
    NamedAttrList attrs(clone.getResultAttrDict(i));
    place(clone.getResultTypes()[i], s, attrs);
    clone.setResultAttrs(i, attrs.getDictionary(fn.getContext()));
  }
  return success();
}

/// Moves dim `d` of `v` to the front (`toFront`) or back from it.
Value moveDim(OpBuilder &b, Location loc, Value v, int64_t d, bool toFront) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> perm;
  if (toFront) {
    perm.push_back(d);
    for (int64_t i = 0; i < type.getRank(); ++i)
      if (i != d)
        perm.push_back(i);
  } else {
    for (int64_t i = 1; i <= d; ++i)
      perm.push_back(i);
    perm.push_back(0);
    for (int64_t i = d + 1; i < type.getRank(); ++i)
      perm.push_back(i);
  }
  return mlir::weft::TransposeOp::create(b, loc, v,
                                         b.getDenseI64ArrayAttr(perm))
      .getResult();
}

/// Whether the chunks of dim `d` are contiguous (every dim before it is 1).
bool contiguous(RankedTensorType type, int64_t d) {
  for (int64_t i = 0; i < d; ++i)
    if (type.getDimSize(i) != 1)
      return false;
  return true;
}

/// The rows [offset, offset + rows) of a vocabulary-split table live on this
/// device: look up `ids - offset` and zero the rows of ids outside the
/// range (so the devices' results sum to the full lookup).
void localizeEmbedding(mlir::weft::EmbeddingOp op, int64_t offset) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto ids = op.getIndices().getType();
  int64_t rows = op.getTable().getType().getDimSize(0);
  auto scalar = [&](int64_t v) {
    auto t = RankedTensorType::get({}, ids.getElementType());
    return mlir::weft::ConstantOp::create(
               b, loc,
               DenseElementsAttr::get(
                   t, b.getIntegerAttr(ids.getElementType(), v)))
        .getResult();
  };
  Value idx = op.getIndices();
  Value local = mlir::weft::SubOp::create(b, loc, idx, scalar(offset));
  // below = relu(offset - id), above = relu(id - last): both 0 exactly when
  // the id is ours; keep = relu(1 - below - above) is 1 or 0.
  Value below = mlir::weft::ReluOp::create(
      b, loc, mlir::weft::SubOp::create(b, loc, scalar(offset), idx));
  Value above = mlir::weft::ReluOp::create(
      b, loc,
      mlir::weft::SubOp::create(b, loc, idx, scalar(offset + rows - 1)));
  Value outside = mlir::weft::AddOp::create(b, loc, below, above);
  Value keep = mlir::weft::ReluOp::create(
      b, loc, mlir::weft::SubOp::create(b, loc, scalar(1), outside));
  auto result = op.getType();
  SmallVector<int64_t> maskShape(ids.getShape());
  maskShape.push_back(1);
  Value keepF = mlir::weft::CastOp::create(
      b, loc, RankedTensorType::get(ids.getShape(), result.getElementType()),
      keep);
  Value mask = mlir::weft::ReshapeOp::create(
      b, loc, RankedTensorType::get(maskShape, result.getElementType()), keepF);
  op.getIndicesMutable().assign(local);
  b.setInsertionPointAfter(op);
  auto masked = mlir::weft::MulOp::create(b, loc, op.getResult(), mask);
  op.getResult().replaceAllUsesExcept(masked.getResult(), masked);
  op->removeAttr(attr::kVocabAxes);
}

LogicalResult Specializer::specialize(func::FuncOp clone, const Device &d) {
  SmallVector<mlir::weft::EmbeddingOp> lookups;
  clone.walk([&](mlir::weft::EmbeddingOp op) {
    if (op->hasAttr(attr::kVocabAxes))
      lookups.push_back(op);
  });
  for (mlir::weft::EmbeddingOp op : lookups) {
    auto axes = op->getAttrOfType<DenseI64ArrayAttr>(attr::kVocabAxes);
    int64_t chunk = 0;
    for (int64_t a : axes.asArrayRef())
      chunk = chunk * shape[a] + d.coords[a];
    localizeEmbedding(op, chunk * op.getTable().getType().getDimSize(0));
  }
  SmallVector<Operation *> ops;
  clone.walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "dist")
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto slice = dyn_cast<LocalSliceOp>(op)) {
      auto in = slice.getInput().getType();
      int64_t dim = slice.getDim();
      int64_t chunk = slice.getType().getDimSize(dim);
      SmallVector<int64_t> starts(in.getRank(), 0), limits(in.getShape());
      starts[dim] = position(d, slice.getMeshAxes()) * chunk;
      limits[dim] = starts[dim] + chunk;
      Value v = mlir::weft::SliceOp::create(
          b, loc, slice.getInput(), b.getDenseI64ArrayAttr(starts),
          b.getDenseI64ArrayAttr(limits), DenseI64ArrayAttr());
      slice.replaceAllUsesWith(v);
      slice.erase();
      continue;
    }
    if (auto partial = dyn_cast<MakePartialOp>(op)) {
      Value v = partial.getInput();
      if (position(d, partial.getMeshAxes()) != 0) {
        auto type = partial.getType();
        v = mlir::weft::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
      }
      partial.replaceAllUsesWith(v);
      partial.erase();
      continue;
    }
    ArrayRef<int64_t> axes;
    if (auto c = dyn_cast<AllReduceOp>(op))
      axes = c.getMeshAxes();
    else if (auto c = dyn_cast<AllGatherOp>(op))
      axes = c.getMeshAxes();
    else if (auto c = dyn_cast<ReduceScatterOp>(op))
      axes = c.getMeshAxes();
    else if (auto c = dyn_cast<AllToAllOp>(op))
      axes = c.getMeshAxes();
    else
      return op->emitOpError("dist-specialize: cannot specialize this op");
    auto groupAttr = b.getDenseI64ArrayAttr(group(d, axes));
    // Disjoint groups run the same logical collective; each instance gets
    // its own global order number (order x devices + the group's index,
    // still increasing along every program).
    auto logical = op->getAttrOfType<IntegerAttr>(attr::kOrder);
    if (!logical)
      return op->emitOpError("dist-specialize: a collective needs dist.order");
    Attribute order = b.getI64IntegerAttr(logical.getInt() * numDevices() +
                                          groupIndex(d, axes));
    auto finish = [&, order](Operation *c) {
      c->setAttr(attr::kGroup, groupAttr);
      if (order)
        c->setAttr(attr::kOrder, order);
    };
    // A gather along a dim that is not outermost: gather the dim moved to
    // the front, move it back.
    auto lowerGather = [&](AllGatherOp gather) {
      int64_t dim = gather.getDim();
      if (contiguous(gather.getInput().getType(), dim)) {
        finish(gather);
        return;
      }
      OpBuilder gb(gather);
      Value front = moveDim(gb, loc, gather.getInput(), dim, true);
      auto ft = cast<RankedTensorType>(front.getType());
      SmallVector<int64_t> gathered(ft.getShape());
      gathered[0] *= groupSize(axes);
      auto g = AllGatherOp::create(
          gb, loc, RankedTensorType::get(gathered, ft.getElementType()), front,
          gather.getMeshAttr(), gather.getMeshAxesAttr(),
          gb.getI64IntegerAttr(0));
      finish(g);
      gather.replaceAllUsesWith(moveDim(gb, loc, g.getResult(), dim, false));
      gather.erase();
    };
    if (auto gather = dyn_cast<AllGatherOp>(op)) {
      lowerGather(gather);
      continue;
    }
    if (auto scatter = dyn_cast<ReduceScatterOp>(op)) {
      int64_t dim = scatter.getDim();
      if (contiguous(scatter.getInput().getType(), dim)) {
        finish(op);
        continue;
      }
      Value front = moveDim(b, loc, scatter.getInput(), dim, true);
      auto ft = cast<RankedTensorType>(front.getType());
      SmallVector<int64_t> kept(ft.getShape());
      kept[0] /= groupSize(axes);
      auto rs = ReduceScatterOp::create(
          b, loc, RankedTensorType::get(kept, ft.getElementType()), front,
          scatter.getMeshAttr(), scatter.getMeshAxesAttr(),
          b.getI64IntegerAttr(0), scatter.getKindAttr());
      finish(rs);
      scatter.replaceAllUsesWith(moveDim(b, loc, rs.getResult(), dim, false));
      scatter.erase();
      continue;
    }
    if (auto a2a = dyn_cast<AllToAllOp>(op)) {
      // All-gather the concat dim, then keep this device's chunk of the
      // split dim (moves n-1 times the bytes of a true all_to_all; see
      // docs/AutoParallel.md).
      auto in = a2a.getInput().getType();
      int64_t cat = a2a.getConcatDim(), split = a2a.getSplitDim();
      int64_t n = groupSize(axes);
      SmallVector<int64_t> gatheredShape(in.getShape());
      gatheredShape[cat] *= n;
      auto gatheredType =
          RankedTensorType::get(gatheredShape, in.getElementType());
      auto g = AllGatherOp::create(b, loc, gatheredType, a2a.getInput(),
                                   a2a.getMeshAttr(), a2a.getMeshAxesAttr(),
                                   b.getI64IntegerAttr(cat));
      int64_t chunk = gatheredShape[split] / n;
      SmallVector<int64_t> starts(in.getRank(), 0),
          limits(gatheredShape.begin(), gatheredShape.end());
      starts[split] = position(d, axes) * chunk;
      limits[split] = starts[split] + chunk;
      Value v = mlir::weft::SliceOp::create(
          b, loc, g.getResult(), b.getDenseI64ArrayAttr(starts),
          b.getDenseI64ArrayAttr(limits), DenseI64ArrayAttr());
      a2a.replaceAllUsesWith(v);
      a2a.erase();
      lowerGather(g);
      continue;
    }
    finish(op); // all_reduce
  }
  return success();
}

/// Per-device programs are cloned: beyond this many devices the artifact
/// and the compile time grow out of proportion (an SPMD artifact would be
/// the answer), so it is an error.
constexpr int64_t kMaxDevices = 4096;

LogicalResult Specializer::run(func::FuncOp fn) {
  OpBuilder b(fn);
  int64_t devices = numDevices();
  if (devices > kMaxDevices)
    return emitError(fn.getLoc(), "dist-specialize: a mesh of ")
           << devices << " devices needs " << devices
           << " per-device programs; weft builds at most " << kMaxDevices;
  for (int64_t id = 0; id < devices; ++id) {
    auto clone = cast<func::FuncOp>(b.clone(*fn));
    clone.setSymName((fn.getSymName() + ".part" + Twine(id)).str());
    clone->removeAttr(attr::kPartitioned);
    clone->setAttr("weft.entry", b.getUnitAttr());
    clone->setAttr(attr::kDevice, b.getI64IntegerAttr(id));
    clone->setAttr(attr::kEntry, fn.getSymNameAttr());
    Device d = device(id);
    if (failed(placeValues(fn, clone, d)) || failed(specialize(clone, d)))
      return failure();
  }
  fn.erase();
  return success();
}

struct SpecializeDevicesPass
    : ::weft::impl::SpecializeDevicesPassBase<SpecializeDevicesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> todo;
    for (func::FuncOp fn : ::weft::getEntryFunctions(module))
      if (fn->hasAttr(attr::kPartitioned))
        todo.push_back(fn);
    for (func::FuncOp fn : todo) {
      auto meshRef = fn->getAttrOfType<FlatSymbolRefAttr>(attr::kPartitioned);
      auto mesh = SymbolTable::lookupNearestSymbolFrom<MeshOp>(fn, meshRef);
      if (!mesh) {
        emitError(fn.getLoc(), "dist-specialize: no dist.mesh ") << meshRef;
        return signalPassFailure();
      }
      if (failed(Specializer(mesh).run(fn)))
        return signalPassFailure();
    }
  }
};

} // namespace
