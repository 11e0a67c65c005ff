//===- BoxingPlanner.h - cheapest resharding between N-D SBPs ---*- C++ -*-===//
//
// Plans a reshard ("boxing") from one N-D SBP to another as the cheapest
// chain of per-axis steps: a shortest path (Dijkstra) over the N-D SBP
// states valid for the tensor. One step changes the placement of one mesh
// axis and keeps the others:
//
//   P(sum|max) -> B      all_reduce (sum|max)
//   P(sum)     -> S(d)   reduce_scatter
//   S(d)       -> B      all_gather along d
//   S(d)       -> S(e)   all_to_all (split e, concat d)
//   B          -> S(d)   local slice (nothing sent)
//   B          -> P(sum) make partial (nothing sent)
//
// A step that adds or removes a split of dim d over axis a is legal only
// when a is the innermost axis splitting d (sbp::isInnermostSplitter), so
// that every rank's chunk stays contiguous (the layout in SBP.h). Every
// intermediate state must be valid for the tensor's shape (splits divide
// evenly). Step costs come from the CostModel with the group bytes of the
// tensor at that step (so a gather done after another axis is already
// split moves fewer bytes).
//
// Plain C++: no IR, unit-tested.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_ANALYSIS_BOXINGPLANNER_H
#define WEFT_ANALYSIS_BOXINGPLANNER_H

#include "weft/Analysis/CostModel.h"
#include "weft/Analysis/SBP.h"

#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

namespace weft {

struct BoxingStep {
  CollectiveKind kind;
  unsigned axis;       ///< the mesh axis the step runs over
  sbp::NdSbp from, to; ///< states before and after
  /// all_gather: the gathered dim; reduce_scatter / local slice: the split
  /// dim; all_to_all: the dim that is gathered (concat); else -1.
  int64_t dim = -1;
  /// all_to_all: the dim that becomes split; else -1.
  int64_t splitDim = -1;
  bool reduceMax = false; ///< all_reduce of P(max) (else sum)
  double groupBytes = 0;  ///< T of the cost model for this step
  double sentBytesPerRank = 0;
  double seconds = 0;
};

struct BoxingPlan {
  std::vector<BoxingStep> steps; ///< in order; empty when from == to
  double seconds = 0;            ///< sum over steps
  double sentBytesPerRank = 0;   ///< sum over steps
};

class BoxingPlanner {
public:
  explicit BoxingPlanner(const CostModel &model) : model(model) {}

  /// The cheapest chain from `from` to `to` for a tensor of `globalShape`
  /// with `elementBytes` per element, or nullopt when there is none: a
  /// state invalid for the shape, `elementBytes` < 1, or `to` holding P(max)
  /// on an axis where `from` does not (no step creates P(max); a P(max) axis
  /// leaves only through B, so P(max) -> S(d) is all_reduce then a slice).
  /// Ties between equally cheap chains (within a relative 1e-9) break
  /// deterministically: fewer steps, then the lexicographically smallest
  /// sequence of (axis, new placement in Placement::operator< order).
  std::optional<BoxingPlan> plan(const sbp::NdSbp &from, const sbp::NdSbp &to,
                                 const std::vector<int64_t> &globalShape,
                                 int64_t elementBytes) const;

  /// plan(...)->seconds, or +infinity when there is no chain; memoized
  /// (thread-safe), since the search asks for the same pairs many times.
  double cost(const sbp::NdSbp &from, const sbp::NdSbp &to,
              const std::vector<int64_t> &globalShape,
              int64_t elementBytes) const;

private:
  const CostModel &model;
  using Key = std::tuple<sbp::NdSbp, sbp::NdSbp, std::vector<int64_t>, int64_t>;
  mutable std::map<Key, double> memo;
  mutable std::mutex memoMutex;
};

} // namespace weft

#endif // WEFT_ANALYSIS_BOXINGPLANNER_H
