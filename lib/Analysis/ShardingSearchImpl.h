//===- ShardingSearchImpl.h - shared pieces of the two search modes -------===//
//
// Private to lib/Analysis: the tie-collapsed graph both modes search, and
// the entry points of the fast and exact modes that solve() dispatches to.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_LIB_ANALYSIS_SHARDINGSEARCHIMPL_H
#define WEFT_LIB_ANALYSIS_SHARDINGSEARCHIMPL_H

#include "weft/Analysis/ShardingSearch.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weft {
namespace search_detail {

/// An edge between two distinct variables, a < b, with its cost matrix
/// row-major [k[a] x k[b]]. Parallel edges of the problem are summed.
struct VarEdge {
  int a = 0, b = 0;
  std::vector<double> m;
};

/// The problem with every tie group collapsed into one variable. A node
/// outside any tie group is a variable of its own. Variables are numbered
/// by their first node. Edges inside a variable add their diagonal to the
/// variable's cost; +inf there makes the strategy impossible.
struct VarGraph {
  std::vector<int> varOf;                ///< node -> variable
  std::vector<std::vector<int>> members; ///< variable -> nodes, ascending
  std::vector<int> k;                    ///< strategies per variable
  std::vector<std::vector<double>> cost; ///< may hold +inf
  std::vector<VarEdge> edges;            ///< one per adjacent pair
  /// Per variable and strategy, the memory of its members that appear in
  /// at least one live set (what the Lagrangian prices).
  std::vector<std::vector<double>> memory;
};

/// Builds the collapsed graph of a validated problem.
VarGraph collapse(const SearchProblem &p);

/// One strategy per node from one per variable.
std::vector<int> expandChoice(const VarGraph &g,
                              const std::vector<int> &varChoice);

/// "N bytes (M MiB)".
std::string formatBytes(int64_t bytes);

/// The error of an infeasible budget, naming the smallest peak reached.
std::string budgetError(int64_t budget, int64_t smallestPeak);

/// The message when every assignment has an infinite cost.
extern const char *const noFiniteAssignment;

/// Fast mode on a validated problem (elimination, local search, Lagrangian
/// budget). Fills everything but `mode` and `seconds`.
SearchResult solveFast(const SearchProblem &p, const VarGraph &g);

/// Exact mode (GLPK). `warm` is the fast result, used as the first
/// incumbent when it is feasible. Fills everything but `mode` and
/// `seconds`.
SearchResult solveExact(const SearchProblem &p, const VarGraph &g,
                        const SearchOptions &options, const SearchResult &warm);

} // namespace search_detail
} // namespace weft

#endif // WEFT_LIB_ANALYSIS_SHARDINGSEARCHIMPL_H
