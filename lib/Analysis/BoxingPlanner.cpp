//===- BoxingPlanner.cpp - cheapest resharding between N-D SBPs -----------===//
//
// Dijkstra over the N-D SBP states valid for the tensor, then a
// deterministic pick among the cheapest chains: the fewest steps, then the
// lexicographically smallest sequence of (axis, new placement).
//
//===----------------------------------------------------------------------===//
#include "weft/Analysis/BoxingPlanner.h"

#include <functional>
#include <limits>
#include <queue>

using namespace weft;
using sbp::Kind;
using sbp::NdSbp;
using sbp::Placement;

namespace {
/// Relative slack under which two chain costs count as equal, so that sums
/// of the same step costs in another order still tie.
constexpr double kRelativeTieSlack = 1e-9;

/// Bytes of a tensor of `shape` with `elementBytes` per element, as a double
/// so that no product overflows.
double byteSize(const std::vector<int64_t> &shape, int64_t elementBytes) {
  double bytes = static_cast<double>(elementBytes);
  for (int64_t d : shape)
    bytes *= static_cast<double>(d);
  return bytes;
}

/// Every placement one mesh axis may take for a tensor of `rank` dims, in
/// `Placement::operator<` order (the tie-break order of the planner).
std::vector<Placement> candidatePlacements(size_t rank) {
  std::vector<Placement> out;
  for (size_t d = 0; d < rank; ++d)
    out.push_back(Placement::split(static_cast<int64_t>(d)));
  out.push_back(Placement::broadcast());
  out.push_back(Placement::partialSum());
  out.push_back(Placement::partialMax());
  return out;
}

/// The one-collective step that sets axis `axis` of `from` to `q`, or
/// nullopt when no single step does it: the pair is not one of the
/// transitions in BoxingPlanner.h, a split added or removed over `axis` is
/// not the innermost split of its dim, or the new state does not divide the
/// shape. `from` must be valid for `shape`.
std::optional<BoxingStep> makeStep(const CostModel &model, const NdSbp &from,
                                   unsigned axis, Placement q,
                                   const std::vector<int64_t> &shape,
                                   int64_t elementBytes) {
  const std::vector<int64_t> &mesh = model.topology().shape;
  Placement p = from[axis];
  if (p == q)
    return std::nullopt;
  NdSbp to = from;
  to[axis] = q;
  std::optional<std::vector<int64_t>> toLocal =
      sbp::localShape(to, mesh, shape);
  if (!toLocal)
    return std::nullopt;
  double fromBytes =
      byteSize(*sbp::localShape(from, mesh, shape), elementBytes);
  double toBytes = byteSize(*toLocal, elementBytes);

  BoxingStep step{CollectiveKind::AllReduce, axis, {}, {}};
  switch (p.kind) {
  case Kind::PartialSum:
  case Kind::PartialMax:
    if (q.isBroadcast()) {
      step.kind = CollectiveKind::AllReduce;
      step.reduceMax = p.kind == Kind::PartialMax;
      step.groupBytes = fromBytes;
      break;
    }
    if (p.kind != Kind::PartialSum || !q.isSplit() ||
        !sbp::isInnermostSplitter(to, axis, q.dim))
      return std::nullopt;
    step.kind = CollectiveKind::ReduceScatter;
    step.dim = q.dim;
    step.groupBytes = fromBytes;
    break;
  case Kind::Split:
    if (!sbp::isInnermostSplitter(from, axis, p.dim))
      return std::nullopt;
    if (q.isBroadcast()) {
      step.kind = CollectiveKind::AllGather;
      step.dim = p.dim;
      step.groupBytes = toBytes;
      break;
    }
    if (!q.isSplit() || !sbp::isInnermostSplitter(to, axis, q.dim))
      return std::nullopt;
    step.kind = CollectiveKind::AllToAll;
    step.dim = p.dim;
    step.splitDim = q.dim;
    step.groupBytes = fromBytes * static_cast<double>(mesh[axis]);
    break;
  case Kind::Broadcast:
    if (q.isSplit()) {
      if (!sbp::isInnermostSplitter(to, axis, q.dim))
        return std::nullopt;
      step.kind = CollectiveKind::LocalSlice;
      step.dim = q.dim;
      step.groupBytes = fromBytes;
      break;
    }
    if (q.kind != Kind::PartialSum)
      return std::nullopt;
    step.kind = CollectiveKind::MakePartial;
    step.groupBytes = fromBytes;
    break;
  }
  step.sentBytesPerRank =
      CostModel::sentBytesPerRank(step.kind, mesh[axis], step.groupBytes);
  step.seconds = model.collectiveSeconds(step.kind, axis, step.groupBytes);
  step.from = from;
  step.to = std::move(to);
  return step;
}

/// One outgoing step of a settled state, to state number `target`.
struct Edge {
  size_t target;
  BoxingStep step;
};
} // namespace

std::optional<BoxingPlan>
BoxingPlanner::plan(const NdSbp &from, const NdSbp &to,
                    const std::vector<int64_t> &globalShape,
                    int64_t elementBytes) const {
  const std::vector<int64_t> &mesh = model.topology().shape;
  if (elementBytes <= 0)
    return std::nullopt;
  for (int64_t d : globalShape)
    if (d < 0)
      return std::nullopt;
  if (!sbp::isValidFor(from, mesh, globalShape) ||
      !sbp::isValidFor(to, mesh, globalShape))
    return std::nullopt;
  if (from == to)
    return BoxingPlan();

  // Dijkstra from `from`, numbering states as they are discovered.
  std::vector<Placement> candidates = candidatePlacements(globalShape.size());
  std::map<NdSbp, size_t> ids;
  std::vector<NdSbp> states;
  std::vector<double> dist;
  std::vector<bool> settled;
  std::vector<std::vector<Edge>> edges;
  auto idOf = [&](const NdSbp &s) {
    auto [it, inserted] = ids.try_emplace(s, states.size());
    if (inserted) {
      states.push_back(s);
      dist.push_back(std::numeric_limits<double>::infinity());
      settled.push_back(false);
      edges.emplace_back();
    }
    return it->second;
  };
  using Entry = std::pair<double, size_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue;
  size_t source = idOf(from), target = idOf(to);
  dist[source] = 0;
  queue.push({0.0, source});
  // Once `to` is settled, only states no dearer than it (within the slack)
  // can lie on a cheapest chain; the search stops past them.
  double bound = std::numeric_limits<double>::infinity();
  while (!queue.empty()) {
    auto [d, u] = queue.top();
    queue.pop();
    if (d > bound)
      break;
    if (settled[u] || d > dist[u])
      continue;
    settled[u] = true;
    if (u == target)
      bound = d + d * kRelativeTieSlack;
    for (unsigned axis = 0; axis < mesh.size(); ++axis) {
      for (const Placement &q : candidates) {
        std::optional<BoxingStep> step =
            makeStep(model, states[u], axis, q, globalShape, elementBytes);
        if (!step)
          continue;
        size_t v = idOf(step->to);
        double nd = dist[u] + step->seconds;
        edges[u].push_back({v, std::move(*step)});
        if (nd < dist[v]) {
          dist[v] = nd;
          queue.push({nd, v});
        }
      }
    }
  }
  if (!settled[target])
    return std::nullopt;

  // A step is tight when it lies on a cheapest chain (within the slack):
  // every chain of tight steps from `from` to `to` costs dist[to]. Count the
  // fewest tight steps from each state to `to` (BFS backwards), then walk
  // forwards taking the first tight step, in (axis, placement) order, that
  // keeps to a fewest-steps chain.
  double slack = dist[target] * kRelativeTieSlack;
  auto isTight = [&](size_t u, const Edge &e) {
    return settled[e.target] &&
           dist[u] + e.step.seconds <= dist[e.target] + slack;
  };
  std::vector<std::vector<size_t>> predecessors(states.size());
  for (size_t u = 0; u < states.size(); ++u)
    for (const Edge &e : edges[u])
      if (isTight(u, e))
        predecessors[e.target].push_back(u);
  constexpr size_t kUnreached = std::numeric_limits<size_t>::max();
  std::vector<size_t> stepsToTarget(states.size(), kUnreached);
  std::queue<size_t> bfs;
  stepsToTarget[target] = 0;
  bfs.push(target);
  while (!bfs.empty()) {
    size_t v = bfs.front();
    bfs.pop();
    for (size_t u : predecessors[v]) {
      if (stepsToTarget[u] != kUnreached)
        continue;
      stepsToTarget[u] = stepsToTarget[v] + 1;
      bfs.push(u);
    }
  }

  BoxingPlan result;
  for (size_t u = source; u != target;) {
    const Edge *next = nullptr;
    for (const Edge &e : edges[u]) {
      if (isTight(u, e) && stepsToTarget[e.target] != kUnreached &&
          stepsToTarget[e.target] + 1 == stepsToTarget[u]) {
        next = &e;
        break;
      }
    }
    if (!next) // unreachable: the source has a tight chain to the target
      return std::nullopt;
    result.seconds += next->step.seconds;
    result.sentBytesPerRank += next->step.sentBytesPerRank;
    result.steps.push_back(next->step);
    u = next->target;
  }
  return result;
}

double BoxingPlanner::cost(const NdSbp &from, const NdSbp &to,
                           const std::vector<int64_t> &globalShape,
                           int64_t elementBytes) const {
  Key key(from, to, globalShape, elementBytes);
  {
    std::lock_guard<std::mutex> lock(memoMutex);
    auto it = memo.find(key);
    if (it != memo.end())
      return it->second;
  }
  // Planned outside the lock: two threads may plan the same pair, and both
  // store the same value.
  std::optional<BoxingPlan> p = plan(from, to, globalShape, elementBytes);
  double seconds = p ? p->seconds : std::numeric_limits<double>::infinity();
  std::lock_guard<std::mutex> lock(memoMutex);
  memo.emplace(std::move(key), seconds);
  return seconds;
}
