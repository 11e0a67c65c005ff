//===- DistOps.cpp - dist op verifiers ------------------------------------===//
#include "weft/Dialect/Dist/IR/DistOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::dist;

#define GET_OP_CLASSES
#include "weft/Dialect/Dist/IR/DistOps.cpp.inc"

Type mlir::dist::hostFormOf(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return HostTensorType::get(type.getContext(), tensor);
  return type;
}

Type mlir::dist::deviceFormOf(Type type) {
  if (auto host = dyn_cast<HostTensorType>(type))
    return host.getTensor();
  return type;
}

//===----------------------------------------------------------------------===//
// MeshOp
//===----------------------------------------------------------------------===//

using weft::TopologyDefaults;

LogicalResult MeshOp::verify() {
  ArrayRef<int64_t> shape = getShape();
  if (shape.empty())
    return emitOpError("needs at least one axis");
  for (auto [i, n] : llvm::enumerate(shape))
    if (n < 1)
      return emitOpError("axis ")
             << i << " has size " << n << "; sizes must be positive";
  if (getAxes().size() != shape.size())
    return emitOpError("has ") << shape.size() << " axes in its shape but "
                               << getAxes().size() << " axis names";
  // Every device count, group size and part count is a product of axis
  // sizes, so checking the whole product once bounds them all.
  if (failed(getCheckedGroupSize())) {
    InFlightDiagnostic diag = emitOpError("device count ");
    llvm::interleave(shape, diag, " x ");
    return diag << " overflows int64";
  }
  llvm::StringSet<> names;
  for (Attribute a : getAxes()) {
    StringRef name = cast<StringAttr>(a).getValue();
    if (name.empty())
      return emitOpError("axis names must be non-empty");
    if (!names.insert(name).second)
      return emitOpError("axis name '") << name << "' is repeated";
  }
  auto checkPerAxis = [&](std::optional<ArrayRef<double>> values,
                          StringRef what) -> LogicalResult {
    if (!values)
      return success();
    if (values->size() != shape.size())
      return emitOpError() << what << " has " << values->size()
                           << " entries, one per axis (" << shape.size()
                           << ") expected";
    for (double v : *values)
      if (!(v > 0))
        return emitOpError() << what << " values must be positive, got " << v;
    return success();
  };
  if (failed(checkPerAxis(getLatencyUs(), "latency_us")) ||
      failed(checkPerAxis(getBandwidthGbps(), "bandwidth_gbps")))
    return failure();
  if (auto mem = getMemoryBytes(); mem && *mem <= 0)
    return emitOpError("memory_bytes must be positive, got ") << *mem;
  if (auto flops = getFlops(); flops && !(flops->convertToDouble() > 0))
    return emitOpError("flops must be positive");
  if (auto bw = getMemoryBandwidthGbps(); bw && !(bw->convertToDouble() > 0))
    return emitOpError("memory_bandwidth_gbps must be positive");
  if (auto launch = getLaunchUs(); launch && !(launch->convertToDouble() >= 0))
    return emitOpError("launch_us must be non-negative");
  return success();
}

FailureOr<int64_t>
MeshOp::getCheckedGroupSize(std::optional<ArrayRef<int64_t>> axes) {
  ArrayRef<int64_t> shape = getShape();
  int64_t n = 1;
  auto times = [&](int64_t size) {
    std::optional<int64_t> p = llvm::checkedMul(n, size);
    if (p)
      n = *p;
    return p.has_value();
  };
  if (!axes) {
    if (!llvm::all_of(shape, times))
      return failure();
    return n;
  }
  for (int64_t a : *axes)
    if (!times(shape[a]))
      return failure();
  return n;
}

int64_t MeshOp::getNumDevices() {
  return succeeded(getCheckedGroupSize()) ? *getCheckedGroupSize() : INT64_MAX;
}

int64_t MeshOp::getGroupSize(ArrayRef<int64_t> axes) {
  FailureOr<int64_t> n = getCheckedGroupSize(axes);
  return succeeded(n) ? *n : INT64_MAX;
}

std::optional<unsigned> MeshOp::getAxisIndex(StringRef name) {
  for (auto [i, a] : llvm::enumerate(getAxes()))
    if (cast<StringAttr>(a).getValue() == name)
      return i;
  return std::nullopt;
}

double MeshOp::getAxisLatencyUs(unsigned axis) {
  if (auto l = getLatencyUs())
    return (*l)[axis];
  return TopologyDefaults::kLatencyUs;
}

double MeshOp::getAxisBandwidthGBps(unsigned axis) {
  if (auto b = getBandwidthGbps())
    return (*b)[axis];
  return TopologyDefaults::kBandwidthGBps;
}

int64_t MeshOp::getDeviceMemoryBytes() {
  return getMemoryBytes().value_or(TopologyDefaults::kMemoryBytes);
}

double MeshOp::getDeviceFlops() {
  if (auto f = getFlops())
    return f->convertToDouble();
  return TopologyDefaults::kFlops;
}

weft::MeshTopology MeshOp::getTopology() {
  weft::MeshTopology topo;
  topo.shape.assign(getShape().begin(), getShape().end());
  for (auto [i, name] : llvm::enumerate(getAxes())) {
    topo.axisNames.push_back(cast<StringAttr>(name).getValue().str());
    topo.latencyUs.push_back(getAxisLatencyUs(i));
    topo.bandwidthGBps.push_back(getAxisBandwidthGBps(i));
  }
  topo.deviceFlops = getDeviceFlops();
  topo.deviceMemoryBytes = getDeviceMemoryBytes();
  if (auto bw = getMemoryBandwidthGbps())
    topo.memoryBandwidthGBps = bw->convertToDouble();
  if (auto launch = getLaunchUs())
    topo.launchUs = launch->convertToDouble();
  return topo;
}

//===----------------------------------------------------------------------===//
// Symbol verification helpers
//===----------------------------------------------------------------------===//

/// Resolves `mesh` from `op`, or reports it missing.
static FailureOr<MeshOp> lookupMesh(Operation *op, FlatSymbolRefAttr mesh,
                                    SymbolTableCollection &symbolTable) {
  auto meshOp = symbolTable.lookupNearestSymbolFrom<MeshOp>(op, mesh);
  if (!meshOp)
    return op->emitOpError("refers to ")
           << mesh << ", which is not a dist.mesh in scope";
  return meshOp;
}

/// Mesh axes of a collective: non-empty, in range, distinct.
static LogicalResult verifyMeshAxes(Operation *op, MeshOp mesh,
                                    ArrayRef<int64_t> axes) {
  if (axes.empty())
    return op->emitOpError("needs at least one mesh axis");
  llvm::SmallBitVector seen(mesh.getRank());
  for (int64_t a : axes) {
    if (a < 0 || a >= mesh.getRank())
      return op->emitOpError("mesh axis ")
             << a << " is out of range for mesh @" << mesh.getSymName()
             << " with " << mesh.getRank() << " axes";
    if (seen.test(a))
      return op->emitOpError("mesh axis ") << a << " is repeated";
    seen.set(a);
  }
  return success();
}

/// Input and result agree on rank, element type and every dim but `dim`.
static LogicalResult verifySameButDim(Operation *op, RankedTensorType in,
                                      RankedTensorType out, int64_t dim,
                                      StringRef dimName) {
  if (in.getElementType() != out.getElementType())
    return op->emitOpError("input and result element types differ");
  if (in.getRank() != out.getRank())
    return op->emitOpError("input and result ranks differ");
  if (dim < 0 || dim >= in.getRank())
    return op->emitOpError() << dimName << " " << dim << " is out of range [0, "
                             << in.getRank() << ")";
  return success();
}

static LogicalResult checkOtherDims(Operation *op, RankedTensorType in,
                                    RankedTensorType out,
                                    ArrayRef<int64_t> skip) {
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!llvm::is_contained(skip, d) && in.getDimSize(d) != out.getDimSize(d))
      return op->emitOpError("dim ")
             << d << " differs between input (" << in.getDimSize(d)
             << ") and result (" << out.getDimSize(d) << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// AnnotateOp / ReshardOp
//===----------------------------------------------------------------------===//

LogicalResult AnnotateOp::verifySymbolUses(SymbolTableCollection &table) {
  auto mesh = lookupMesh(*this, getSharding().getMesh(), table);
  if (failed(mesh))
    return failure();
  return getSharding().verifyFor([&] { return emitOpError(); }, *mesh,
                                 getInput().getType());
}

LogicalResult ReshardOp::verifySymbolUses(SymbolTableCollection &table) {
  if (getSource().getMesh() != getTarget().getMesh())
    return emitOpError("source mesh ")
           << getSource().getMesh() << " and target mesh "
           << getTarget().getMesh() << " differ";
  auto mesh = lookupMesh(*this, getSource().getMesh(), table);
  if (failed(mesh))
    return failure();
  auto emit = [&] { return emitOpError(); };
  if (failed(getSource().verifyFor(emit, *mesh, getInput().getType())))
    return failure();
  return getTarget().verifyFor(emit, *mesh, getInput().getType());
}

OpFoldResult ReshardOp::fold(FoldAdaptor) {
  if (getSource() == getTarget())
    return getInput();
  // reshard(reshard(x, a -> b), b -> a) -> x
  if (auto inner = getInput().getDefiningOp<ReshardOp>();
      inner && inner.getSource() == getTarget())
    return inner.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

#define DIST_MESH_ACCESSOR(OP)                                                 \
  MeshOp OP::getMeshOp() {                                                     \
    return SymbolTable::lookupNearestSymbolFrom<MeshOp>(*this, getMeshAttr()); \
  }
DIST_MESH_ACCESSOR(AllReduceOp)
DIST_MESH_ACCESSOR(AllGatherOp)
DIST_MESH_ACCESSOR(ReduceScatterOp)
DIST_MESH_ACCESSOR(AllToAllOp)
DIST_MESH_ACCESSOR(BroadcastOp)
DIST_MESH_ACCESSOR(LocalSliceOp)
DIST_MESH_ACCESSOR(MakePartialOp)
DIST_MESH_ACCESSOR(SendOp)
DIST_MESH_ACCESSOR(RecvOp)
#undef DIST_MESH_ACCESSOR

/// Resolves the mesh and checks the mesh axes; returns the group size.
template <typename OpTy>
static FailureOr<int64_t> verifyGroup(OpTy op, SymbolTableCollection &table) {
  auto mesh = lookupMesh(op, op.getMeshAttr(), table);
  if (failed(mesh) || failed(verifyMeshAxes(op, *mesh, op.getMeshAxes())))
    return failure();
  FailureOr<int64_t> size = mesh->getCheckedGroupSize(op.getMeshAxes());
  if (failed(size))
    return op.emitOpError("group size over mesh axes [")
           << op.getMeshAxes() << "] of mesh @" << mesh->getSymName()
           << " overflows int64";
  return *size;
}

/// A collective that changes one dim: its group's size, once the group is
/// valid and input and result agree on everything but `dim`.
template <typename OpTy>
static FailureOr<int64_t> verifyDimGroup(OpTy op, SymbolTableCollection &table,
                                         RankedTensorType in,
                                         RankedTensorType out, int64_t dim) {
  auto group = verifyGroup(op, table);
  if (failed(group) || failed(verifySameButDim(op, in, out, dim, "dim")) ||
      failed(checkOtherDims(op, in, out, {dim})))
    return failure();
  return group;
}

LogicalResult AllReduceOp::verifySymbolUses(SymbolTableCollection &table) {
  return success(succeeded(verifyGroup(*this, table)));
}

LogicalResult AllGatherOp::verifySymbolUses(SymbolTableCollection &table) {
  auto in = getInput().getType(), out = getResult().getType();
  int64_t dim = getDim();
  FailureOr<int64_t> group = verifyDimGroup(*this, table, in, out, dim);
  if (failed(group))
    return failure();
  std::optional<int64_t> gathered =
      llvm::checkedMul(in.getDimSize(dim), *group);
  if (!gathered)
    return emitOpError("result dim ")
           << dim << " would be " << in.getDimSize(dim) << " x " << *group
           << " (group size), which overflows int64";
  if (out.getDimSize(dim) != *gathered)
    return emitOpError("result dim ")
           << dim << " must be " << in.getDimSize(dim) << " x " << *group
           << " (group size) = " << *gathered << ", got "
           << out.getDimSize(dim);
  return success();
}

LogicalResult LocalSliceOp::verifySymbolUses(SymbolTableCollection &table) {
  auto in = getInput().getType(), out = getResult().getType();
  int64_t dim = getDim();
  FailureOr<int64_t> group = verifyDimGroup(*this, table, in, out, dim);
  if (failed(group))
    return failure();
  if (in.getDimSize(dim) % *group != 0 ||
      out.getDimSize(dim) != in.getDimSize(dim) / *group)
    return emitOpError("result dim ")
           << dim << " must be " << in.getDimSize(dim) << " / " << *group
           << " (group size), got " << out.getDimSize(dim);
  return success();
}

LogicalResult MakePartialOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyGroup(*this, table);
}

LogicalResult ReduceScatterOp::verifySymbolUses(SymbolTableCollection &table) {
  auto in = getInput().getType(), out = getResult().getType();
  int64_t dim = getDim();
  FailureOr<int64_t> group = verifyDimGroup(*this, table, in, out, dim);
  if (failed(group))
    return failure();
  std::optional<int64_t> scattered =
      llvm::checkedMul(out.getDimSize(dim), *group);
  if (!scattered || in.getDimSize(dim) != *scattered)
    return emitOpError("input dim ")
           << dim << " (" << in.getDimSize(dim)
           << ") must be the result's times the group size ("
           << out.getDimSize(dim) << " x " << *group << ")";
  return success();
}

LogicalResult AllToAllOp::verifySymbolUses(SymbolTableCollection &table) {
  auto group = verifyGroup(*this, table);
  if (failed(group))
    return failure();
  auto in = getInput().getType(), out = getResult().getType();
  int64_t split = getSplitDim(), concat = getConcatDim();
  if (failed(verifySameButDim(*this, in, out, split, "split_dim")) ||
      failed(verifySameButDim(*this, in, out, concat, "concat_dim")) ||
      failed(checkOtherDims(*this, in, out, {split, concat})))
    return failure();
  if (in.getDimSize(split) % *group != 0)
    return emitOpError("split_dim ")
           << split << " of size " << in.getDimSize(split)
           << " does not divide by the group size " << *group;
  SmallVector<int64_t> expected(in.getShape());
  expected[split] /= *group;
  std::optional<int64_t> concatenated =
      llvm::checkedMul(expected[concat], *group);
  if (!concatenated)
    return emitOpError("concat_dim ")
           << concat << " of size " << expected[concat] << " x " << *group
           << " (group size) overflows int64";
  expected[concat] = *concatenated;
  if (ArrayRef<int64_t>(expected) != out.getShape())
    return emitOpError("result type ")
           << out << " does not match the all-to-all of " << in
           << " over a group of " << *group;
  return success();
}

LogicalResult BroadcastOp::verifySymbolUses(SymbolTableCollection &table) {
  auto group = verifyGroup(*this, table);
  if (failed(group))
    return failure();
  if (getRoot() < 0 || getRoot() >= *group)
    return emitOpError("root ") << getRoot() << " is out of range [0, "
                                << *group << ") for the group";
  return success();
}

template <typename OpTy>
static LogicalResult verifyPeer(OpTy op, SymbolTableCollection &table) {
  auto mesh = lookupMesh(op, op.getMeshAttr(), table);
  if (failed(mesh))
    return failure();
  if (op.getPeer() < 0 || op.getPeer() >= mesh->getNumDevices())
    return op.emitOpError("peer ")
           << op.getPeer() << " is out of range [0, " << mesh->getNumDevices()
           << ") for mesh @" << mesh->getSymName();
  return success();
}

LogicalResult SendOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyPeer(*this, table);
}

LogicalResult RecvOp::verifySymbolUses(SymbolTableCollection &table) {
  return verifyPeer(*this, table);
}
