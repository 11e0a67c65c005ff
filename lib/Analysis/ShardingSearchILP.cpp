//===- ShardingSearchILP.cpp - the exact mode, an ILP solved by GLPK ------===//
//
// One binary x[v,s] per (tie-collapsed variable, strategy), sum_s x = 1;
// one continuous y[e,s,t] in [0,1] per finite entry of every edge, tied to
// the one-hot vectors by sum_t y[e,s,t] = x[a,s] and sum_s y[e,s,t] =
// x[b,t] (an entry without y can never be chosen); one row per live set
// when there is a budget. The objective is the node and edge costs, scaled
// to at most 1. For an infeasible budget the same rows with a free peak
// column give the smallest reachable peak.
//
// GLPK is silenced for the duration of a solve and its terminal output
// setting is restored afterwards.
//
//===----------------------------------------------------------------------===//
#include "ShardingSearchImpl.h"

#include <glpk.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <limits>
#include <map>

using namespace weft;
using namespace weft::search_detail;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

enum class Objective { Cost, Peak };

/// The ILP of one objective, owning its GLPK problem.
class Model {
public:
  Model(const SearchProblem &p, const VarGraph &g, Objective objective,
        bool memoryRows)
      : g(g), lp(glp_create_prob()) {
    glp_set_obj_dir(lp, GLP_MIN);
    double scale = 0;
    for (const auto &c : g.cost)
      for (double v : c)
        if (!std::isinf(v))
          scale = std::max(scale, v);
    for (const VarEdge &e : g.edges)
      for (double v : e.m)
        if (!std::isinf(v))
          scale = std::max(scale, v);
    costScale = scale > 0 ? scale : 1;
    double maxMemory = 0;
    for (const SearchNode &node : p.nodes)
      for (int64_t m : node.memoryBytes)
        maxMemory = std::max(maxMemory, double(m));
    memoryScale = maxMemory > 0 ? maxMemory : 1;
    bool costObjective = objective == Objective::Cost;

    int vars = int(g.k.size());
    x.resize(vars);
    for (int v = 0; v < vars; ++v)
      for (int s = 0; s < g.k[v]; ++s) {
        int col = glp_add_cols(lp, 1);
        glp_set_col_kind(lp, col, GLP_BV);
        if (std::isinf(g.cost[v][s]))
          glp_set_col_bnds(lp, col, GLP_FX, 0, 0);
        else if (costObjective)
          glp_set_obj_coef(lp, col, g.cost[v][s] / costScale);
        x[v].push_back(col);
      }
    y.resize(g.edges.size());
    for (size_t e = 0; e < g.edges.size(); ++e) {
      const VarEdge &edge = g.edges[e];
      y[e].assign(edge.m.size(), 0);
      for (size_t i = 0; i < edge.m.size(); ++i) {
        if (std::isinf(edge.m[i]))
          continue;
        int col = glp_add_cols(lp, 1);
        glp_set_col_bnds(lp, col, GLP_DB, 0, 1);
        if (costObjective)
          glp_set_obj_coef(lp, col, edge.m[i] / costScale);
        y[e][i] = col;
      }
    }
    if (!costObjective) {
      peakCol = glp_add_cols(lp, 1);
      glp_set_col_bnds(lp, peakCol, GLP_LO, 0, 0);
      glp_set_obj_coef(lp, peakCol, 1);
    }

    std::vector<int> ind(1);
    std::vector<double> val(1);
    auto addRow = [&](int type, double bound) {
      int row = glp_add_rows(lp, 1);
      glp_set_row_bnds(lp, row, type, bound, bound);
      glp_set_mat_row(lp, row, int(ind.size()) - 1, ind.data(), val.data());
      ind.resize(1);
      val.resize(1);
    };
    auto push = [&](int col, double coef) {
      ind.push_back(col);
      val.push_back(coef);
    };
    for (int v = 0; v < vars; ++v) {
      for (int col : x[v])
        push(col, 1);
      addRow(GLP_FX, 1);
    }
    for (size_t e = 0; e < g.edges.size(); ++e) {
      const VarEdge &edge = g.edges[e];
      int ka = g.k[edge.a], kb = g.k[edge.b];
      for (int s = 0; s < ka; ++s) {
        for (int t = 0; t < kb; ++t)
          if (int col = y[e][size_t(s) * kb + t])
            push(col, 1);
        push(x[edge.a][s], -1);
        addRow(GLP_FX, 0);
      }
      for (int t = 0; t < kb; ++t) {
        for (int s = 0; s < ka; ++s)
          if (int col = y[e][size_t(s) * kb + t])
            push(col, 1);
        push(x[edge.b][t], -1);
        addRow(GLP_FX, 0);
      }
    }
    if (!memoryRows)
      return;
    for (const auto &set : p.liveSets) {
      // Tie group members share columns: sum their coefficients.
      std::map<int, std::vector<double>> coefs;
      for (int i : set) {
        int v = g.varOf[i];
        auto &c = coefs[v];
        c.resize(g.k[v], 0.0);
        for (int s = 0; s < g.k[v]; ++s)
          c[s] += double(p.nodes[i].memoryBytes[s]) / memoryScale;
      }
      for (const auto &[v, c] : coefs)
        for (int s = 0; s < g.k[v]; ++s)
          if (c[s] != 0)
            push(x[v][s], c[s]);
      if (costObjective) {
        memoryRowsIds.push_back(glp_get_num_rows(lp) + 1);
        addRow(GLP_UP, double(*p.memoryBudget) / memoryScale);
        continue;
      }
      push(peakCol, -1);
      addRow(GLP_UP, 0);
    }
  }
  ~Model() { glp_delete_prob(lp); }
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  int columns() const { return glp_get_num_cols(lp); }

  /// Moves the upper bound of every memory row to `bytes`.
  void setMemoryBound(double bytes) {
    for (int row : memoryRowsIds)
      glp_set_row_bnds(lp, row, GLP_UP, bytes / memoryScale,
                       bytes / memoryScale);
  }
  int rows() const { return glp_get_num_rows(lp); }

  /// The column values of a variable assignment (1-based, as GLPK wants).
  std::vector<double> columnsOf(const std::vector<int> &varChoice) const {
    std::vector<double> cols(size_t(columns()) + 1, 0.0);
    for (size_t v = 0; v < x.size(); ++v)
      cols[x[v][varChoice[v]]] = 1;
    for (size_t e = 0; e < g.edges.size(); ++e) {
      const VarEdge &edge = g.edges[e];
      int col =
          y[e][size_t(varChoice[edge.a]) * g.k[edge.b] + varChoice[edge.b]];
      cols[col] = 1;
    }
    return cols;
  }

  enum class Status { Optimal, Feasible, Infeasible, NoSolution };

  struct Outcome {
    Status status = Status::NoSolution;
    std::vector<int> varChoice;
    /// Lower bound on the objective, in the units of `evaluate` (cost
    /// objective only); -inf when unknown.
    double bound = -inf;
  };

  /// Solves the LP relaxation, then branch and bound, within `seconds`.
  /// `warm`, when given, is a feasible assignment offered as the first
  /// incumbent.
  Outcome solve(double seconds, const std::vector<int> *warm) {
    Outcome out;
    auto start = std::chrono::steady_clock::now();
    auto msLeft = [&]() {
      double used = std::chrono::duration<double>(
                        std::chrono::steady_clock::now() - start)
                        .count();
      double left = std::max(0.0, seconds - used) * 1000;
      return int(std::min(left, double(INT_MAX)));
    };
    glp_smcp smcp;
    glp_init_smcp(&smcp);
    smcp.msg_lev = GLP_MSG_OFF;
    smcp.tm_lim = msLeft();
    glp_scale_prob(lp, GLP_SF_AUTO);
    glp_adv_basis(lp, 0);
    int ret = glp_simplex(lp, &smcp);
    if (ret != 0 || glp_get_status(lp) != GLP_OPT) {
      if (ret == 0 && (glp_get_status(lp) == GLP_NOFEAS ||
                       glp_get_prim_stat(lp) == GLP_NOFEAS))
        out.status = Status::Infeasible;
      return out;
    }
    Callback data;
    data.bound = glp_get_obj_val(lp);
    std::vector<double> warmCols;
    if (warm) {
      warmCols = columnsOf(*warm);
      data.warm = &warmCols;
    }
    glp_iocp iocp;
    glp_init_iocp(&iocp);
    iocp.msg_lev = GLP_MSG_OFF;
    iocp.presolve = GLP_OFF;
    iocp.mip_gap = 1e-9;
    iocp.tm_lim = std::max(1, msLeft());
    iocp.cb_func = &Callback::run;
    iocp.cb_info = &data;
    glp_intopt(lp, &iocp);
    int status = glp_mip_status(lp);
    if (status == GLP_NOFEAS) {
      out.status = Status::Infeasible;
      return out;
    }
    out.bound = data.bound * costScale;
    if (status != GLP_OPT && status != GLP_FEAS)
      return out;
    out.status = status == GLP_OPT ? Status::Optimal : Status::Feasible;
    out.varChoice.assign(x.size(), 0);
    for (size_t v = 0; v < x.size(); ++v) {
      double best = -1;
      for (size_t s = 0; s < x[v].size(); ++s) {
        double value = glp_mip_col_val(lp, x[v][s]);
        if (value > best) {
          best = value;
          out.varChoice[v] = int(s);
        }
      }
    }
    return out;
  }

private:
  /// What the branch-and-bound callback reads and records.
  struct Callback {
    const std::vector<double> *warm = nullptr;
    bool warmOffered = false;
    double bound = -inf; ///< best proved lower bound, scaled objective

    static void run(glp_tree *tree, void *info) {
      auto *self = static_cast<Callback *>(info);
      if (glp_ios_reason(tree) == GLP_IHEUR && self->warm &&
          !self->warmOffered) {
        self->warmOffered = true;
        glp_ios_heur_sol(tree, self->warm->data());
      }
      if (int node = glp_ios_best_node(tree))
        self->bound = std::max(self->bound, glp_ios_node_bound(tree, node));
    }
  };

  const VarGraph &g;
  glp_prob *lp;
  std::vector<std::vector<int>> x; ///< [variable][strategy] -> column
  std::vector<std::vector<int>> y; ///< [edge][s * kb + t] -> column or 0
  std::vector<int> memoryRowsIds;
  int peakCol = 0;
  double costScale = 1, memoryScale = 1;
};

/// Silences GLPK's terminal output for its lifetime.
class QuietGlpk {
public:
  QuietGlpk() : previous(glp_term_out(GLP_OFF)) {}
  ~QuietGlpk() { glp_term_out(previous); }

private:
  int previous;
};

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}
} // namespace

SearchResult search_detail::solveExact(const SearchProblem &p,
                                       const VarGraph &g,
                                       const SearchOptions &options,
                                       const SearchResult &warm) {
  SearchResult result;
  result.eliminatedNodes = 0;
  if (!(options.timeLimitSeconds > 0)) {
    result.error = "the exact search needs a positive time limit";
    return result;
  }
  auto start = std::chrono::steady_clock::now();
  if (g.k.empty()) {
    result.provedOptimal = true;
    result.gap = 0;
    return result;
  }
  QuietGlpk quiet;
  bool budgeted = p.memoryBudget && !p.liveSets.empty();
  Model model(p, g, Objective::Cost, budgeted);
  result.variables = model.columns();
  result.constraints = model.rows();

  // The fast answer, when feasible, is the first incumbent.
  std::vector<int> warmVars;
  if (warm.ok()) {
    warmVars.assign(g.k.size(), 0);
    for (size_t i = 0; i < warm.choice.size(); ++i)
      warmVars[g.varOf[i]] = warm.choice[i];
  }

  // GLPK's feasibility tolerance is relative, a few bytes of a large
  // budget: when the solution it returns exceeds the budget, tighten the
  // memory rows by the excess and solve again.
  int64_t margin = 0;
  Model::Outcome out;
  for (int attempt = 0; attempt < 4; ++attempt) {
    bool offerWarm = !warmVars.empty() &&
                     (!budgeted || warm.peakMemory <= *p.memoryBudget - margin);
    double left = options.timeLimitSeconds - secondsSince(start);
    out = model.solve(std::max(left, 0.001), offerWarm ? &warmVars : nullptr);
    if (!budgeted || out.varChoice.empty())
      break;
    int64_t peak = peakMemory(p, expandChoice(g, out.varChoice));
    if (peak <= *p.memoryBudget)
      break;
    // Clear the tolerance (relative 1e-7 in GLPK) with room to spare.
    margin = std::max(2 * margin, peak - *p.memoryBudget +
                                      int64_t(1e-6 * double(peak)) + 1);
    model.setMemoryBound(double(*p.memoryBudget - margin));
    out = Model::Outcome();
    out.status = Model::Status::Infeasible;
  }

  std::vector<int> choice;
  if (!out.varChoice.empty())
    choice = expandChoice(g, out.varChoice);
  else if (!warmVars.empty())
    choice = warm.choice; // no incumbent of its own in time
  if (choice.empty() && out.status == Model::Status::Infeasible) {
    if (!budgeted) {
      result.error = noFiniteAssignment;
      return result;
    }
    // The smallest peak; within the tolerance it may still fit the budget
    // that the tightened rows refused, and is then the answer.
    Model peak(p, g, Objective::Peak, /*memoryRows=*/true);
    double left = options.timeLimitSeconds - secondsSince(start);
    Model::Outcome least = peak.solve(std::max(left, 0.001), nullptr);
    if (least.status == Model::Status::Infeasible) {
      result.error = noFiniteAssignment;
      return result;
    }
    if (least.varChoice.empty()) {
      result.error = "the memory budget of " + formatBytes(*p.memoryBudget) +
                     " per device cannot be met, and the exact search " +
                     "found no smallest peak within its time limit";
      return result;
    }
    choice = expandChoice(g, least.varChoice);
    int64_t leastPeak = peakMemory(p, choice);
    if (leastPeak > *p.memoryBudget) {
      result.error = budgetError(*p.memoryBudget, leastPeak);
      return result;
    }
    out = Model::Outcome();
  }
  if (choice.empty()) {
    result.error = "the exact search found no solution within its time "
                   "limit of " +
                   std::to_string(options.timeLimitSeconds) + " seconds";
    return result;
  }
  result.choice = std::move(choice);
  result.cost = evaluate(p, result.choice);
  result.peakMemory = peakMemory(p, result.choice);
  result.provedOptimal = out.status == Model::Status::Optimal;
  if (result.provedOptimal || result.cost <= 0) {
    result.provedOptimal = true;
    result.gap = 0;
    return result;
  }
  result.gap =
      std::isinf(out.bound)
          ? 1
          : std::clamp((result.cost - out.bound) / result.cost, 0.0, 1.0);
  return result;
}
