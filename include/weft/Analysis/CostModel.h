//===- CostModel.h - compute, collective and memory costs -------*- C++ -*-===//
//
// Prices what the sharding search compares, from a mesh's topology:
//
//  * a kernel: max(FLOPs / device FLOP/s, bytes / memory bandwidth) plus a
//    per-kernel launch floor (roofline with a floor);
//  * a collective over one mesh axis: alpha-beta, alpha = the axis's link
//    latency per step, beta = 1 / the axis's bandwidth, with the bytes each
//    rank sends (ring algorithms):
//      all_reduce      2(n-1)/n * T, 2(n-1) steps
//      all_gather       (n-1)/n * T,  (n-1) steps
//      reduce_scatter   (n-1)/n * T,  (n-1) steps
//      all_to_all     (n-1)/n^2 * T,  (n-1) steps
//      local slice / make-partial: nothing sent, no steps
//    where T ("group bytes") is the size of the tensor as the group over
//    that axis sees it: the all_reduce buffer, the all_gather result, the
//    reduce_scatter input, and for all_to_all the whole tensor exchanged
//    (n times one rank's buffer).
//
// Plain C++: no IR, unit-tested.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_ANALYSIS_COSTMODEL_H
#define WEFT_ANALYSIS_COSTMODEL_H

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

/// Defaults when a mesh leaves a topology value out (documented on
/// `dist.mesh`).
struct TopologyDefaults {
  static constexpr double kLatencyUs = 5.0;
  static constexpr double kBandwidthGBps = 100.0;
  static constexpr int64_t kMemoryBytes = int64_t(16) << 30;
  static constexpr double kFlops = 1e13;
  static constexpr double kMemoryBandwidthGBps = 1000.0;
  static constexpr double kLaunchUs = 2.0;
};

/// What the cost model knows about a device mesh. GB/s are 1e9 bytes/s.
struct MeshTopology {
  std::vector<int64_t> shape;         ///< devices per axis, each >= 1
  std::vector<std::string> axisNames; ///< one per axis
  std::vector<double> latencyUs;      ///< per axis, link latency per step
  std::vector<double> bandwidthGBps;  ///< per axis, per-rank link bandwidth
  double deviceFlops = TopologyDefaults::kFlops; ///< peak FLOP/s per device
  double memoryBandwidthGBps = TopologyDefaults::kMemoryBandwidthGBps;
  int64_t deviceMemoryBytes = TopologyDefaults::kMemoryBytes;
  double launchUs = TopologyDefaults::kLaunchUs; ///< per-kernel floor

  size_t rank() const { return shape.size(); }
  /// Product of all axis sizes (saturates at INT64_MAX; 0 when an axis has
  /// size < 1).
  int64_t numDevices() const;
  /// A 1-D or N-D mesh with default links; names "d0", "d1", ...
  static MeshTopology uniform(std::vector<int64_t> shape);
  /// Empty when the topology is usable, else what is wrong with it (sizes
  /// < 1, per-axis vectors of the wrong length, non-positive bandwidth,
  /// FLOP/s or memory bandwidth, negative latency or launch floor).
  std::string validate() const;
};

enum class CollectiveKind : uint8_t {
  AllReduce,
  AllGather,
  ReduceScatter,
  AllToAll,
  LocalSlice,  ///< B -> S: each rank keeps its piece, nothing is sent
  MakePartial, ///< B -> P(sum): one rank of the group keeps the value, the
               ///< others zero it; nothing is sent
};

/// "all_reduce", "all_gather", "reduce_scatter", "all_to_all",
/// "local_slice", "make_partial".
const char *collectiveName(CollectiveKind kind);

class CostModel {
public:
  explicit CostModel(MeshTopology topology);

  const MeshTopology &topology() const { return topo; }

  /// Seconds for one kernel doing `flops` and moving `bytes` to/from device
  /// memory on one device: max(flops / F, bytes / BW) + launch floor.
  double computeSeconds(double flops, double bytes) const;

  /// Bytes one rank sends in `kind` over a group of `n` ranks for a tensor
  /// of `groupBytes` (see the file comment); 0 for n == 1.
  static double sentBytesPerRank(CollectiveKind kind, int64_t n,
                                 double groupBytes);
  /// Latency steps of `kind` over `n` ranks; 0 for n == 1.
  static int64_t steps(CollectiveKind kind, int64_t n);

  /// Seconds for `kind` over mesh axis `axis` for a tensor of `groupBytes`:
  /// steps * latency + sentBytesPerRank / bandwidth. 0 when the axis has
  /// one device or nothing is sent.
  double collectiveSeconds(CollectiveKind kind, unsigned axis,
                           double groupBytes) const;

private:
  MeshTopology topo;
};

} // namespace weft

#endif // WEFT_ANALYSIS_COSTMODEL_H
