//===- MeshSpec.cpp - a device mesh from command-line strings -------------===//
#include "weft/Pipelines/MeshSpec.h"

#include "weft/Dialect/Dist/IR/DistOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using llvm::StringRef;

namespace {
llvm::Error bad(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

llvm::Expected<double> parsePositive(StringRef key, StringRef text,
                                     bool allowZero = false) {
  double v;
  if (text.trim().getAsDouble(v) || !(allowZero ? v >= 0 : v > 0) ||
      !std::isfinite(v))
    return bad("--mesh-topology: " + key + " needs " +
               (allowZero ? "non-negative" : "positive") + " numbers, got '" +
               text + "'");
  return v;
}

llvm::Expected<std::vector<double>> parsePerAxis(StringRef key, StringRef text,
                                                 size_t rank) {
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  if (parts.size() != rank)
    return bad("--mesh-topology: " + key + " has " + llvm::Twine(parts.size()) +
               " values but the mesh has " + llvm::Twine(rank) + " axes");
  std::vector<double> out;
  for (StringRef p : parts) {
    llvm::Expected<double> v = parsePositive(key, p);
    if (!v)
      return v.takeError();
    out.push_back(*v);
  }
  return out;
}
} // namespace

llvm::Expected<::weft::MeshSpec>
weft::parseMeshSpec(StringRef shape, StringRef axes, StringRef topology) {
  MeshSpec spec;
  SmallVector<StringRef> dims;
  shape.split(dims, 'x');
  int64_t devices = 1;
  for (StringRef d : dims) {
    int64_t n;
    if (d.trim().getAsInteger(10, n) || n < 1 || n > (int64_t(1) << 20))
      return bad("--mesh=" + shape +
                 ": expected axis sizes like 2x4 (each 1 .. 1048576)");
    if (devices > (int64_t(1) << 40) / n)
      return bad("--mesh=" + shape + ": too many devices");
    devices *= n;
    spec.shape.push_back(n);
  }
  if (axes.empty()) {
    for (size_t i = 0; i < spec.shape.size(); ++i)
      spec.axes.push_back("d" + std::to_string(i));
  } else {
    SmallVector<StringRef> names;
    axes.split(names, ',');
    if (names.size() != spec.shape.size())
      return bad("--mesh-axes=" + axes + " names " + llvm::Twine(names.size()) +
                 " axes but --mesh=" + shape + " has " +
                 llvm::Twine(spec.shape.size()));
    for (StringRef n : names) {
      n = n.trim();
      if (n.empty() ||
          !llvm::all_of(n, [](char c) { return llvm::isAlnum(c) || c == '_'; }))
        return bad("--mesh-axes: axis names are letters, digits and '_', "
                   "got '" +
                   n + "'");
      if (llvm::is_contained(spec.axes, n.str()))
        return bad("--mesh-axes: axis '" + n + "' is repeated");
      spec.axes.push_back(n.str());
    }
  }
  SmallVector<StringRef> entries;
  topology.split(entries, ';', -1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    auto [key, value] = entry.split('=');
    key = key.trim();
    if (value.empty())
      return bad("--mesh-topology: expected key=value, got '" + entry + "'");
    size_t rank = spec.shape.size();
    if (key == "latency_us" || key == "bandwidth_gbps") {
      auto v = parsePerAxis(key, value, rank);
      if (!v)
        return v.takeError();
      (key == "latency_us" ? spec.latencyUs : spec.bandwidthGBps) = *v;
    } else if (key == "memory_bytes") {
      int64_t n;
      if (value.trim().getAsInteger(10, n) || n < 1)
        return bad("--mesh-topology: memory_bytes needs a positive integer, "
                   "got '" +
                   value + "'");
      spec.memoryBytes = n;
    } else if (key == "flops" || key == "memory_bandwidth_gbps" ||
               key == "launch_us") {
      auto v = parsePositive(key, value, key == "launch_us");
      if (!v)
        return v.takeError();
      (key == "flops"       ? spec.flops
       : key == "launch_us" ? spec.launchUs
                            : spec.memoryBandwidthGBps) = *v;
    } else {
      return bad("--mesh-topology: unknown key '" + key +
                 "' (latency_us, bandwidth_gbps, memory_bytes, flops, "
                 "memory_bandwidth_gbps, launch_us)");
    }
  }
  return spec;
}

LogicalResult weft::addMesh(ModuleOp module, const MeshSpec &spec) {
  for (auto mesh : module.getOps<dist::MeshOp>())
    return emitError(mesh.getLoc(), "the module already declares dist.mesh @")
           << mesh.getSymName() << "; drop --mesh or the op";
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  SmallVector<StringRef> names(spec.axes.begin(), spec.axes.end());
  auto f64 = [&](std::optional<double> v) {
    return v ? b.getF64FloatAttr(*v) : FloatAttr();
  };
  auto perAxis = [&](const std::vector<double> &v) {
    return v.empty() ? DenseF64ArrayAttr() : b.getDenseF64ArrayAttr(v);
  };
  auto mesh = dist::MeshOp::create(
      b, module.getLoc(), spec.name, b.getDenseI64ArrayAttr(spec.shape),
      b.getStrArrayAttr(names), perAxis(spec.latencyUs),
      perAxis(spec.bandwidthGBps),
      spec.memoryBytes ? b.getI64IntegerAttr(*spec.memoryBytes) : IntegerAttr(),
      f64(spec.flops), f64(spec.memoryBandwidthGBps), f64(spec.launchUs));
  return mesh.verify();
}
