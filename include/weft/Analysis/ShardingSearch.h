//===- ShardingSearch.h - choose one strategy per node ----------*- C++ -*-===//
//
// The sharding search on an abstract graph, independent of IR: every node
// (a function argument, an op) has a list of strategies, each with a cost
// (seconds: compute + the communication that strategy implies by itself)
// and a per-device memory; every edge (producer -> consumer) has a matrix
// of resharding costs, one entry per (producer strategy, consumer
// strategy). The search picks one strategy per node minimizing the sum of
// node and edge costs, subject to an optional per-device memory budget:
// for every "live set" (the nodes whose values are alive together at one
// program point) the sum of the chosen strategies' memory must fit.
//
// Nodes with the same tie group (repeated layers) must choose the same
// strategy index; the pass guarantees they have identical strategy lists.
// A pinned node has exactly one strategy.
//
// Two modes, one interface:
//  * fast (default): OneFlow-style graph elimination on the tie-collapsed
//    graph (fold leaves into their neighbour, fold degree-2 nodes into an
//    edge, merge parallel edges; all exact), then on what remains a greedy
//    start and local search (one node at a time, then pairs along edges)
//    until no move improves; eliminated nodes are back-substituted. The
//    memory budget is met by Lagrangian relaxation: memory is priced at
//    lambda seconds per byte and lambda is bisected until the peak fits.
//  * exact: an integer linear program solved with GLPK: one binary per
//    (node, strategy) with sum 1 per node (shared by a tie group), one
//    continuous variable per (edge, producer strategy, consumer strategy)
//    tied to the two one-hot vectors, and one memory row per live set.
//    It reports the optimality gap (0 when proved optimal within the time
//    limit).
//
// Plain C++: no IR, unit-tested (both modes against brute force).
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_ANALYSIS_SHARDINGSEARCH_H
#define WEFT_ANALYSIS_SHARDINGSEARCH_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weft {

struct SearchNode {
  std::string name;                 ///< for messages
  std::vector<double> cost;         ///< seconds per strategy, >= 0, finite
  std::vector<int64_t> memoryBytes; ///< per strategy (same length as cost)
  int tieGroup = -1;                ///< >= 0: shares its choice
};

struct SearchEdge {
  int src = 0, dst = 0; ///< node indices, src != dst
  /// row-major [src strategies x dst strategies]; +infinity = impossible
  std::vector<double> cost;
};

struct SearchProblem {
  std::vector<SearchNode> nodes;
  std::vector<SearchEdge> edges;
  /// Each a set of node indices alive together; used only with a budget.
  std::vector<std::vector<int>> liveSets;
  std::optional<int64_t> memoryBudget; ///< bytes per device
};

enum class SearchMode { Fast, Exact };

struct SearchOptions {
  SearchMode mode = SearchMode::Fast;
  double timeLimitSeconds = 60; ///< exact mode's solver limit
};

struct SearchResult {
  /// Empty on success, else why there is no solution; for an infeasible
  /// budget it names the smallest peak memory the search could reach.
  std::string error;
  std::vector<int> choice; ///< strategy index per node
  double cost = 0;         ///< objective of `choice`
  int64_t peakMemory = 0;  ///< max over live sets (0 without live sets)
  std::string mode;        ///< "fast" or "exact"
  /// exact: (cost - best bound) / cost, 0 when proved optimal, 1 when no
  /// bound is known (time ran out in the LP relaxation; `choice` is then
  /// the fast answer); fast: -1.
  double gap = -1;
  /// exact: proved optimal within the time limit; fast: the elimination
  /// left no core or a core small enough to enumerate, and the budget (if
  /// any) did not bind.
  bool provedOptimal = false;
  /// Statistics for the report.
  int64_t eliminatedNodes = 0;            ///< fast mode
  int64_t variables = 0, constraints = 0; ///< exact mode
  double seconds = 0;                     ///< wall time of the search

  bool ok() const { return error.empty(); }
};

/// Empty when `p` is well formed (sizes agree, edges in range, tie groups
/// have equal strategy counts, costs finite and >= 0 on nodes), else the
/// first problem found. Also refused: a node without strategies, negative
/// memory, edge entries that are NaN or negative, live set indices out of
/// range or repeated, a negative budget.
std::string validateProblem(const SearchProblem &p);

/// Objective of `choice`: node costs + edge costs (+inf if an edge is, or
/// if `choice` has the wrong size or an index out of range).
double evaluate(const SearchProblem &p, const std::vector<int> &choice);
/// Peak memory of `choice`: max over live sets of the summed memory.
/// `choice` must be in range.
int64_t peakMemory(const SearchProblem &p, const std::vector<int> &choice);

SearchResult solve(const SearchProblem &p, const SearchOptions &options);

} // namespace weft

#endif // WEFT_ANALYSIS_SHARDINGSEARCH_H
