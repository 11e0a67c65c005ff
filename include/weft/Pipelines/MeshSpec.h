//===- MeshSpec.h - a device mesh from command-line strings -----*- C++ -*-===//
//
// `--mesh=2x4 --mesh-axes=dp,tp --mesh-topology='latency_us=10,2;
// bandwidth_gbps=25,450;flops=1e14'` as weftc and the Python module take
// it, checked, and turned into a `dist.mesh` op.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_PIPELINES_MESHSPEC_H
#define WEFT_PIPELINES_MESHSPEC_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace weft {

struct MeshSpec {
  std::string name = "mesh";
  std::vector<int64_t> shape;
  std::vector<std::string> axes;
  std::vector<double> latencyUs, bandwidthGBps; ///< empty: defaults
  std::optional<int64_t> memoryBytes;
  std::optional<double> flops, memoryBandwidthGBps, launchUs;
};

/// Parses "2x4" (axes default to d0, d1, ...), "dp,tp" and the topology
/// string "key=value;..." with keys latency_us, bandwidth_gbps (one value
/// per axis, comma separated), memory_bytes, flops, memory_bandwidth_gbps,
/// launch_us. Every error names the bad part.
llvm::Expected<MeshSpec> parseMeshSpec(llvm::StringRef shape,
                                       llvm::StringRef axes,
                                       llvm::StringRef topology);

/// Adds `dist.mesh @<name>` for `spec` at the start of `module`; an error
/// when the module already declares a mesh.
mlir::LogicalResult addMesh(mlir::ModuleOp module, const MeshSpec &spec);

} // namespace weft

#endif // WEFT_PIPELINES_MESHSPEC_H
