//===- CostModel.cpp - compute, collective and memory costs ---------------===//
#include "weft/Analysis/CostModel.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>

using namespace weft;

namespace {
constexpr double kBytesPerGB = 1e9;
constexpr double kSecondsPerUs = 1e-6;
} // namespace

int64_t MeshTopology::numDevices() const {
  // An axis without devices (invalid, see validate()) leaves no devices.
  for (int64_t n : shape)
    if (n <= 0)
      return 0;
  int64_t total = 1;
  for (int64_t n : shape) {
    if (total > INT64_MAX / n)
      return INT64_MAX;
    total *= n;
  }
  return total;
}

MeshTopology MeshTopology::uniform(std::vector<int64_t> shape) {
  MeshTopology t;
  size_t rank = shape.size();
  t.shape = std::move(shape);
  for (size_t a = 0; a < rank; ++a)
    t.axisNames.push_back("d" + std::to_string(a));
  t.latencyUs.assign(rank, TopologyDefaults::kLatencyUs);
  t.bandwidthGBps.assign(rank, TopologyDefaults::kBandwidthGBps);
  return t;
}

std::string MeshTopology::validate() const {
  for (size_t a = 0; a < shape.size(); ++a)
    if (shape[a] < 1)
      return "mesh axis " + std::to_string(a) + " has size " +
             std::to_string(shape[a]) + " (must be >= 1)";
  auto lengthError = [&](const char *what, size_t got) -> std::string {
    if (got == shape.size())
      return "";
    return std::string(what) + " has " + std::to_string(got) +
           " entries for a mesh of " + std::to_string(shape.size()) + " axes";
  };
  for (std::string err : {lengthError("axisNames", axisNames.size()),
                          lengthError("latencyUs", latencyUs.size()),
                          lengthError("bandwidthGBps", bandwidthGBps.size())})
    if (!err.empty())
      return err;
  // `!(x > 0)` and `!(x >= 0)` also refuse NaN.
  for (size_t a = 0; a < shape.size(); ++a) {
    if (!(bandwidthGBps[a] > 0))
      return "mesh axis " + std::to_string(a) + " has a non-positive bandwidth";
    if (!(latencyUs[a] >= 0))
      return "mesh axis " + std::to_string(a) + " has a negative latency";
  }
  if (!(deviceFlops > 0))
    return "device FLOP/s must be positive";
  if (!(memoryBandwidthGBps > 0))
    return "memory bandwidth must be positive";
  if (deviceMemoryBytes <= 0)
    return "device memory must be positive";
  if (!(launchUs >= 0))
    return "kernel launch floor must not be negative";
  return "";
}

const char *weft::collectiveName(CollectiveKind kind) {
  switch (kind) {
  case CollectiveKind::AllReduce:
    return "all_reduce";
  case CollectiveKind::AllGather:
    return "all_gather";
  case CollectiveKind::ReduceScatter:
    return "reduce_scatter";
  case CollectiveKind::AllToAll:
    return "all_to_all";
  case CollectiveKind::LocalSlice:
    return "local_slice";
  case CollectiveKind::MakePartial:
    return "make_partial";
  }
  return "?";
}

CostModel::CostModel(MeshTopology topology) : topo(std::move(topology)) {}

double CostModel::computeSeconds(double flops, double bytes) const {
  double computeTime = flops / topo.deviceFlops;
  double memoryTime = bytes / (topo.memoryBandwidthGBps * kBytesPerGB);
  return std::max(computeTime, memoryTime) + topo.launchUs * kSecondsPerUs;
}

double CostModel::sentBytesPerRank(CollectiveKind kind, int64_t n,
                                   double groupBytes) {
  if (n <= 1)
    return 0;
  double dn = static_cast<double>(n);
  switch (kind) {
  case CollectiveKind::AllReduce:
    return 2 * (dn - 1) / dn * groupBytes;
  case CollectiveKind::AllGather:
  case CollectiveKind::ReduceScatter:
    return (dn - 1) / dn * groupBytes;
  case CollectiveKind::AllToAll:
    return (dn - 1) / (dn * dn) * groupBytes;
  case CollectiveKind::LocalSlice:
  case CollectiveKind::MakePartial:
    return 0;
  }
  return 0;
}

int64_t CostModel::steps(CollectiveKind kind, int64_t n) {
  if (n <= 1)
    return 0;
  switch (kind) {
  case CollectiveKind::AllReduce:
    return 2 * (n - 1);
  case CollectiveKind::AllGather:
  case CollectiveKind::ReduceScatter:
  case CollectiveKind::AllToAll:
    return n - 1;
  case CollectiveKind::LocalSlice:
  case CollectiveKind::MakePartial:
    return 0;
  }
  return 0;
}

double CostModel::collectiveSeconds(CollectiveKind kind, unsigned axis,
                                    double groupBytes) const {
  assert(axis < topo.rank() && "mesh axis out of range");
  if (axis >= topo.rank() || axis >= topo.latencyUs.size() ||
      axis >= topo.bandwidthGBps.size())
    return std::numeric_limits<double>::infinity();
  int64_t n = topo.shape[axis];
  double sent = sentBytesPerRank(kind, n, groupBytes);
  if (n <= 1 || sent <= 0)
    return 0;
  return static_cast<double>(steps(kind, n)) * topo.latencyUs[axis] *
             kSecondsPerUs +
         sent / (topo.bandwidthGBps[axis] * kBytesPerGB);
}
