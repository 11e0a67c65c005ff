//===- ShardingSearch.cpp - choose one strategy per node ------------------===//
//
// Validation, evaluation, the tie-collapsed graph and the fast mode: exact
// graph elimination (leaves, degree-2 variables, parallel edges), then
// exhaustive enumeration or greedy + local search on the remaining core,
// back substitution, and Lagrangian pricing of memory for the budget.
//
//===----------------------------------------------------------------------===//
#include "ShardingSearchImpl.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <random>
#include <set>

using namespace weft;
using namespace weft::search_detail;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

/// Cores whose assignments number at most this are enumerated.
constexpr double enumerationLimit = 20000;
/// Rounds of local search from one start.
constexpr int maxLocalRounds = 200;
/// Bisection steps on the memory price.
constexpr int bisectionSteps = 40;

std::string nodeLabel(const SearchProblem &p, int i) {
  return "node " + std::to_string(i) + " ('" + p.nodes[i].name + "')";
}

/// The edge matrix entry for strategy `sFrom` of `from` (an endpoint of
/// `e`) and strategy `sTo` of the other endpoint.
double entry(const VarEdge &e, const std::vector<int> &k, int from, int sFrom,
             int sTo) {
  if (from == e.a)
    return e.m[size_t(sFrom) * k[e.b] + sTo];
  return e.m[size_t(sTo) * k[e.b] + sFrom];
}

/// Adds `mxy` ([k[x] x k[y]]) to the edge x-y in `edges`, creating it when
/// `index` has none; keeps a < b.
void addEdge(std::vector<VarEdge> &edges,
             std::map<std::pair<int, int>, int> &index,
             const std::vector<int> &k, int x, int y,
             const std::vector<double> &mxy) {
  auto key = std::make_pair(std::min(x, y), std::max(x, y));
  auto it = index.find(key);
  if (it == index.end()) {
    it = index.emplace(key, int(edges.size())).first;
    VarEdge e;
    e.a = key.first;
    e.b = key.second;
    e.m.assign(size_t(k[e.a]) * k[e.b], 0.0);
    edges.push_back(std::move(e));
  }
  VarEdge &e = edges[it->second];
  for (int s = 0; s < k[x]; ++s)
    for (int t = 0; t < k[y]; ++t) {
      double v = mxy[size_t(s) * k[y] + t];
      if (x == e.a)
        e.m[size_t(s) * k[e.b] + t] += v;
      else
        e.m[size_t(t) * k[e.b] + s] += v;
    }
}

//===----------------------------------------------------------------------===//
// The core: what elimination leaves, searched with finite (penalized) costs.
//===----------------------------------------------------------------------===//

/// A graph of variables whose costs are all finite: +inf of the original is
/// replaced by a penalty larger than any finite objective, so minimizing the
/// core minimizes (number of impossible choices, cost) lexicographically.
class Core {
public:
  Core(std::vector<int> k, std::vector<std::vector<double>> cost,
       std::vector<VarEdge> edges)
      : k(std::move(k)), cost(std::move(cost)), edges(std::move(edges)),
        incident(this->k.size()) {
    double bound = 0;
    for (const auto &c : this->cost)
      bound += maxFinite(c);
    for (const VarEdge &e : this->edges)
      bound += maxFinite(e.m);
    double penalty = 2 * bound + 1;
    for (auto &c : this->cost)
      for (double &v : c)
        if (std::isinf(v))
          v = penalty;
    for (size_t i = 0; i < this->edges.size(); ++i) {
      for (double &v : this->edges[i].m)
        if (std::isinf(v))
          v = penalty;
      incident[this->edges[i].a].push_back(int(i));
      incident[this->edges[i].b].push_back(int(i));
    }
    eps = 1e-12 * penalty;
  }

  /// The best assignment found; `exact` tells whether it is proved optimal.
  std::vector<int> solve(bool &exact) {
    int n = int(k.size());
    double assignments = 1;
    for (int v = 0; v < n; ++v)
      assignments *= k[v];
    if (assignments <= enumerationLimit) {
      exact = true;
      return enumerate();
    }
    exact = false;
    std::vector<std::vector<int>> starts;
    starts.push_back(greedy());
    int maxK = *std::max_element(k.begin(), k.end());
    for (int i = 0; i < maxK; ++i) {
      std::vector<int> uniform(n);
      for (int v = 0; v < n; ++v)
        uniform[v] = std::min(i, k[v] - 1);
      starts.push_back(std::move(uniform));
    }
    std::mt19937 rng(20240607);
    for (int r = 0; r < 2; ++r) {
      std::vector<int> random(n);
      for (int v = 0; v < n; ++v)
        random[v] = int(rng() % uint32_t(k[v]));
      starts.push_back(std::move(random));
    }
    std::vector<int> best;
    double bestCost = inf;
    for (std::vector<int> &start : starts) {
      localSearch(start);
      double c = total(start);
      if (c < bestCost - eps) {
        bestCost = c;
        best = start;
      }
    }
    return best;
  }

private:
  static double maxFinite(const std::vector<double> &values) {
    double m = 0;
    for (double v : values)
      if (!std::isinf(v))
        m = std::max(m, std::abs(v));
    return m;
  }

  int other(const VarEdge &e, int v) const { return e.a == v ? e.b : e.a; }

  double total(const std::vector<int> &choice) const {
    double sum = 0;
    for (size_t v = 0; v < k.size(); ++v)
      sum += cost[v][choice[v]];
    for (const VarEdge &e : edges)
      sum += e.m[size_t(choice[e.a]) * k[e.b] + choice[e.b]];
    return sum;
  }

  /// Cost of each strategy of `v` with its neighbours fixed, leaving out
  /// edge `skip` (-1 for none) and neighbours not yet `assigned`.
  void localCost(int v, const std::vector<int> &choice, int skip,
                 const std::vector<char> *assigned,
                 std::vector<double> &out) const {
    out = cost[v];
    for (int ei : incident[v]) {
      if (ei == skip)
        continue;
      const VarEdge &e = edges[ei];
      int u = other(e, v);
      if (assigned && !(*assigned)[u])
        continue;
      for (int s = 0; s < k[v]; ++s)
        out[s] += entry(e, k, v, s, choice[u]);
    }
  }

  std::vector<int> enumerate() const {
    int n = int(k.size());
    std::vector<int> choice(n, 0), best(n, 0);
    double bestCost = inf;
    while (true) {
      double c = total(choice);
      if (c < bestCost) {
        bestCost = c;
        best = choice;
      }
      int v = 0;
      while (v < n && ++choice[v] == k[v])
        choice[v++] = 0;
      if (v == n)
        return best;
    }
  }

  /// Each variable in index order takes its best strategy given the
  /// neighbours assigned before it.
  std::vector<int> greedy() const {
    int n = int(k.size());
    std::vector<int> choice(n, 0);
    std::vector<char> assigned(n, 0);
    std::vector<double> local;
    for (int v = 0; v < n; ++v) {
      localCost(v, choice, -1, &assigned, local);
      choice[v] =
          int(std::min_element(local.begin(), local.end()) - local.begin());
      assigned[v] = 1;
    }
    return choice;
  }

  /// Single-variable moves to a fixed point, then pair moves along every
  /// edge; repeated until neither improves.
  void localSearch(std::vector<int> &choice) const {
    std::vector<double> la, lb;
    for (int round = 0; round < maxLocalRounds; ++round) {
      bool improved = true;
      while (improved) {
        improved = false;
        for (int v = 0; v < int(k.size()); ++v) {
          localCost(v, choice, -1, nullptr, la);
          int s = int(std::min_element(la.begin(), la.end()) - la.begin());
          if (la[s] < la[choice[v]] - eps) {
            choice[v] = s;
            improved = true;
          }
        }
      }
      bool pairImproved = false;
      for (int ei = 0; ei < int(edges.size()); ++ei) {
        const VarEdge &e = edges[ei];
        localCost(e.a, choice, ei, nullptr, la);
        localCost(e.b, choice, ei, nullptr, lb);
        auto pairCost = [&](int s, int t) {
          return la[s] + lb[t] + e.m[size_t(s) * k[e.b] + t];
        };
        int bs = choice[e.a], bt = choice[e.b];
        double current = pairCost(bs, bt), best = current;
        for (int s = 0; s < k[e.a]; ++s)
          for (int t = 0; t < k[e.b]; ++t)
            if (pairCost(s, t) < best) {
              best = pairCost(s, t);
              bs = s;
              bt = t;
            }
        if (best < current - eps) {
          choice[e.a] = bs;
          choice[e.b] = bt;
          pairImproved = true;
        }
      }
      if (!pairImproved)
        return;
    }
  }

  std::vector<int> k;
  std::vector<std::vector<double>> cost;
  std::vector<VarEdge> edges;
  std::vector<std::vector<int>> incident;
  double eps = 0;
};

//===----------------------------------------------------------------------===//
// Elimination.
//===----------------------------------------------------------------------===//

/// The outcome of one fast minimization over the variables.
struct Minimum {
  std::vector<int> varChoice;
  int64_t eliminated = 0;
  bool exact = false;
};

/// Minimizes node costs `cost` plus the edges of `g` over the variables.
/// With `feasibilityOnly`, finite edge entries count as 0 (only their
/// +inf matters).
class Eliminator {
public:
  Eliminator(const VarGraph &g, std::vector<std::vector<double>> nodeCost,
             bool feasibilityOnly)
      : k(g.k), cost(std::move(nodeCost)), edges(g.edges), adj(g.k.size()),
        alive(g.k.size(), 1) {
    for (size_t i = 0; i < edges.size(); ++i) {
      if (feasibilityOnly)
        for (double &v : edges[i].m)
          v = std::isinf(v) ? inf : 0.0;
      index[{edges[i].a, edges[i].b}] = int(i);
      adj[edges[i].a][edges[i].b] = int(i);
      adj[edges[i].b][edges[i].a] = int(i);
    }
  }

  Minimum run() {
    int n = int(k.size());
    std::deque<int> work;
    std::vector<char> queued(n, 1);
    for (int v = 0; v < n; ++v)
      work.push_back(v);
    auto enqueue = [&](int v) {
      if (alive[v] && !queued[v]) {
        queued[v] = 1;
        work.push_back(v);
      }
    };
    while (!work.empty()) {
      int v = work.front();
      work.pop_front();
      queued[v] = 0;
      if (!alive[v] || adj[v].size() > 2)
        continue;
      std::vector<int> neighbours;
      for (auto [u, e] : adj[v])
        neighbours.push_back(u);
      if (neighbours.empty())
        eliminateIsolated(v);
      else if (neighbours.size() == 1)
        eliminateLeaf(v);
      else
        eliminateSeries(v);
      for (int u : neighbours)
        enqueue(u);
    }

    Minimum result;
    result.varChoice.assign(n, 0);
    result.eliminated = int64_t(records.size());
    result.exact = true;
    std::vector<int> coreVars, localOf(n, -1);
    for (int v = 0; v < n; ++v)
      if (alive[v]) {
        localOf[v] = int(coreVars.size());
        coreVars.push_back(v);
      }
    if (!coreVars.empty()) {
      std::vector<int> ck;
      std::vector<std::vector<double>> cc;
      for (int v : coreVars) {
        ck.push_back(k[v]);
        cc.push_back(cost[v]);
      }
      std::vector<VarEdge> ce;
      for (const auto &[key, ei] : index) {
        VarEdge e = edges[ei];
        e.a = localOf[e.a];
        e.b = localOf[e.b];
        ce.push_back(std::move(e));
      }
      Core core(std::move(ck), std::move(cc), std::move(ce));
      std::vector<int> local = core.solve(result.exact);
      for (size_t i = 0; i < coreVars.size(); ++i)
        result.varChoice[coreVars[i]] = local[i];
    }
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
      if (it->u < 0)
        result.varChoice[it->v] = it->argmin[0];
      else if (it->w < 0)
        result.varChoice[it->v] = it->argmin[result.varChoice[it->u]];
      else
        result.varChoice[it->v] =
            it->argmin[size_t(result.varChoice[it->u]) * k[it->w] +
                       result.varChoice[it->w]];
    }
    return result;
  }

private:
  /// How to recover an eliminated variable: from nothing (u < 0), from
  /// its one neighbour u (w < 0), or from its two neighbours (u, w).
  struct Record {
    int v, u, w;
    std::vector<int> argmin;
  };

  void removeEdge(int x, int y) {
    int ei = adj[x].at(y);
    adj[x].erase(y);
    adj[y].erase(x);
    index.erase({edges[ei].a, edges[ei].b});
  }

  void eliminateIsolated(int v) {
    int s =
        int(std::min_element(cost[v].begin(), cost[v].end()) - cost[v].begin());
    records.push_back({v, -1, -1, {s}});
    alive[v] = 0;
  }

  /// Folds v into its only neighbour u.
  void eliminateLeaf(int v) {
    auto [u, ei] = *adj[v].begin();
    const VarEdge &e = edges[ei];
    std::vector<int> argmin(k[u], 0);
    for (int t = 0; t < k[u]; ++t) {
      double best = inf;
      for (int s = 0; s < k[v]; ++s) {
        double c = cost[v][s] + entry(e, k, v, s, t);
        if (c < best) {
          best = c;
          argmin[t] = s;
        }
      }
      cost[u][t] += best;
    }
    removeEdge(v, u);
    records.push_back({v, u, -1, std::move(argmin)});
    alive[v] = 0;
  }

  /// Replaces v and its edges to u and w by one edge u-w.
  void eliminateSeries(int v) {
    auto it = adj[v].begin();
    auto [u, eu] = *it++;
    auto [w, ew] = *it;
    int kv = k[v], ku = k[u], kw = k[w];
    // left[a][s]: cost of v at s plus the u-v edge; right[s][b]: v-w edge.
    std::vector<double> left(size_t(ku) * kv), right(size_t(kv) * kw);
    for (int a = 0; a < ku; ++a)
      for (int s = 0; s < kv; ++s)
        left[size_t(a) * kv + s] = cost[v][s] + entry(edges[eu], k, u, a, s);
    for (int s = 0; s < kv; ++s)
      for (int b = 0; b < kw; ++b)
        right[size_t(s) * kw + b] = entry(edges[ew], k, v, s, b);
    std::vector<double> merged(size_t(ku) * kw, inf);
    std::vector<int> argmin(size_t(ku) * kw, 0);
    for (int a = 0; a < ku; ++a)
      for (int b = 0; b < kw; ++b) {
        double best = inf;
        int arg = 0;
        for (int s = 0; s < kv; ++s) {
          double c = left[size_t(a) * kv + s] + right[size_t(s) * kw + b];
          if (c < best) {
            best = c;
            arg = s;
          }
        }
        merged[size_t(a) * kw + b] = best;
        argmin[size_t(a) * kw + b] = arg;
      }
    removeEdge(v, u);
    removeEdge(v, w);
    size_t before = edges.size();
    addEdge(edges, index, k, u, w, merged);
    if (edges.size() != before) {
      adj[u][w] = int(before);
      adj[w][u] = int(before);
    }
    records.push_back({v, u, w, std::move(argmin)});
    alive[v] = 0;
  }

  std::vector<int> k;
  std::vector<std::vector<double>> cost;
  std::vector<VarEdge> edges;
  std::map<std::pair<int, int>, int> index; ///< live edges by endpoints
  std::vector<std::map<int, int>> adj;      ///< neighbour -> edge
  std::vector<char> alive;
  std::vector<Record> records;
};

Minimum minimize(const VarGraph &g, std::vector<std::vector<double>> cost,
                 bool feasibilityOnly = false) {
  return Eliminator(g, std::move(cost), feasibilityOnly).run();
}

/// The largest finite |cost| summed over variables and edges: an upper
/// bound on any finite objective's magnitude.
double costBound(const VarGraph &g) {
  double bound = 0;
  auto add = [&](const std::vector<double> &values) {
    double m = 0;
    for (double v : values)
      if (!std::isinf(v))
        m = std::max(m, std::abs(v));
    bound += m;
  };
  for (const auto &c : g.cost)
    add(c);
  for (const VarEdge &e : g.edges)
    add(e.m);
  return bound;
}

/// Moves single variables to cheaper strategies while every live set stays
/// within `budget`, until no such move is left: the Lagrangian solution is
/// optimal only for its own price, and this recovers some of the slack.
void improveWithinBudget(const SearchProblem &p, const VarGraph &g,
                         int64_t budget, std::vector<int> &varChoice) {
  int vars = int(g.k.size());
  std::vector<std::vector<int>> incident(vars);
  for (size_t e = 0; e < g.edges.size(); ++e) {
    incident[g.edges[e].a].push_back(int(e));
    incident[g.edges[e].b].push_back(int(e));
  }
  // Per variable, the live sets holding its members (with multiplicity).
  std::vector<std::vector<std::pair<int, int>>> sets(vars);
  std::vector<int64_t> sums(p.liveSets.size(), 0);
  for (size_t l = 0; l < p.liveSets.size(); ++l)
    for (int i : p.liveSets[l]) {
      sets[g.varOf[i]].push_back({int(l), i});
      sums[l] += p.nodes[i].memoryBytes[varChoice[g.varOf[i]]];
    }
  auto localCost = [&](int v, int s) {
    double c = g.cost[v][s];
    for (int e : incident[v]) {
      const VarEdge &edge = g.edges[e];
      int u = edge.a == v ? edge.b : edge.a;
      c += entry(edge, g.k, v, s, varChoice[u]);
    }
    return c;
  };
  std::map<int, int64_t> change;
  for (int pass = 0; pass < maxLocalRounds; ++pass) {
    bool improved = false;
    for (int v = 0; v < vars; ++v) {
      int from = varChoice[v];
      double current = localCost(v, from);
      for (int t = 0; t < g.k[v]; ++t) {
        double c = localCost(v, t);
        if (t == from || !(c < current - 1e-12 * (1 + std::abs(current))))
          continue;
        change.clear();
        for (auto [l, i] : sets[v])
          change[l] +=
              p.nodes[i].memoryBytes[t] - p.nodes[i].memoryBytes[varChoice[v]];
        bool fits = true;
        for (auto [l, d] : change)
          fits = fits && sums[l] + d <= budget;
        if (!fits)
          continue;
        for (auto [l, d] : change)
          sums[l] += d;
        varChoice[v] = t;
        current = c;
        improved = true;
      }
    }
    if (!improved)
      return;
  }
}
} // namespace

//===----------------------------------------------------------------------===//
// Shared pieces.
//===----------------------------------------------------------------------===//

const char *const search_detail::noFiniteAssignment =
    "no assignment of strategies has finite cost";

std::string search_detail::formatBytes(int64_t bytes) {
  char mib[64];
  std::snprintf(mib, sizeof(mib), "%.2f", double(bytes) / (1024.0 * 1024.0));
  return std::to_string(bytes) + " bytes (" + mib + " MiB)";
}

std::string search_detail::budgetError(int64_t budget, int64_t smallestPeak) {
  return "memory budget of " + formatBytes(budget) +
         " per device cannot be met: the smallest peak the search reached "
         "is " +
         formatBytes(smallestPeak);
}

VarGraph search_detail::collapse(const SearchProblem &p) {
  VarGraph g;
  int n = int(p.nodes.size());
  g.varOf.assign(n, -1);
  std::map<int, int> varOfGroup;
  for (int i = 0; i < n; ++i) {
    const SearchNode &node = p.nodes[i];
    if (node.tieGroup >= 0) {
      auto [it, inserted] =
          varOfGroup.emplace(node.tieGroup, int(g.members.size()));
      if (!inserted) {
        g.varOf[i] = it->second;
        g.members[it->second].push_back(i);
        continue;
      }
    }
    g.varOf[i] = int(g.members.size());
    g.members.push_back({i});
    g.k.push_back(int(node.cost.size()));
  }
  int vars = int(g.members.size());
  g.cost.resize(vars);
  g.memory.resize(vars);
  std::vector<char> inLiveSet(n, 0);
  for (const auto &set : p.liveSets)
    for (int i : set)
      inLiveSet[i] = 1;
  for (int v = 0; v < vars; ++v) {
    g.cost[v].assign(g.k[v], 0.0);
    g.memory[v].assign(g.k[v], 0.0);
    for (int i : g.members[v])
      for (int s = 0; s < g.k[v]; ++s) {
        g.cost[v][s] += p.nodes[i].cost[s];
        if (inLiveSet[i])
          g.memory[v][s] += double(p.nodes[i].memoryBytes[s]);
      }
  }
  std::map<std::pair<int, int>, int> index;
  for (const SearchEdge &e : p.edges) {
    int x = g.varOf[e.src], y = g.varOf[e.dst];
    if (x == y) {
      for (int s = 0; s < g.k[x]; ++s)
        g.cost[x][s] += e.cost[size_t(s) * g.k[x] + s];
      continue;
    }
    addEdge(g.edges, index, g.k, x, y, e.cost);
  }
  // Keep edges ordered by endpoints, whatever order the problem lists.
  std::sort(g.edges.begin(), g.edges.end(),
            [](const VarEdge &l, const VarEdge &r) {
              return std::make_pair(l.a, l.b) < std::make_pair(r.a, r.b);
            });
  return g;
}

std::vector<int>
search_detail::expandChoice(const VarGraph &g,
                            const std::vector<int> &varChoice) {
  std::vector<int> choice(g.varOf.size());
  for (size_t i = 0; i < choice.size(); ++i)
    choice[i] = varChoice[g.varOf[i]];
  return choice;
}

//===----------------------------------------------------------------------===//
// Fast mode.
//===----------------------------------------------------------------------===//

SearchResult search_detail::solveFast(const SearchProblem &p,
                                      const VarGraph &g) {
  SearchResult result;
  result.gap = -1;
  Minimum plain = minimize(g, g.cost);
  result.eliminatedNodes = plain.eliminated;
  result.choice = expandChoice(g, plain.varChoice);
  result.cost = evaluate(p, result.choice);
  result.peakMemory = peakMemory(p, result.choice);
  if (std::isinf(result.cost)) {
    result.error = noFiniteAssignment;
    return result;
  }
  if (!p.memoryBudget || p.liveSets.empty() ||
      result.peakMemory <= *p.memoryBudget) {
    result.provedOptimal = plain.exact;
    return result;
  }

  int64_t budget = *p.memoryBudget;
  // The least memory reachable with a finite cost: memory is separable per
  // variable, so only the impossible pairs couple the variables.
  std::vector<std::vector<double>> memoryCost = g.memory;
  for (size_t v = 0; v < memoryCost.size(); ++v)
    for (int s = 0; s < g.k[v]; ++s)
      if (std::isinf(g.cost[v][s]))
        memoryCost[v][s] = inf;
  Minimum least = minimize(g, memoryCost, /*feasibilityOnly=*/true);
  std::vector<int> leastChoice = expandChoice(g, least.varChoice);
  int64_t leastPeak = peakMemory(p, leastChoice);
  double leastCost = evaluate(p, leastChoice);
  if (leastPeak > budget || std::isinf(leastCost)) {
    result.error = budgetError(budget, std::min(leastPeak, result.peakMemory));
    return result;
  }

  // Price memory at lambda seconds per byte. At lambdaMax one byte
  // outweighs any cost difference; bisect the exponent of 2 below it.
  // Every assignment that fits is improved by budget-keeping moves; the
  // cheapest wins.
  std::vector<int> best;
  double bestCost = inf;
  auto consider = [&](std::vector<int> vars) {
    improveWithinBudget(p, g, budget, vars);
    std::vector<int> choice = expandChoice(g, vars);
    double c = evaluate(p, choice);
    if (c < bestCost) {
      bestCost = c;
      best = std::move(choice);
    }
  };
  consider(least.varChoice);
  double lambdaMax = 2 * costBound(g) + 1e-300;
  double feasibleExp = 0, infeasibleExp = 100;
  for (int step = 0; step < bisectionSteps; ++step) {
    double mid = 0.5 * (feasibleExp + infeasibleExp);
    double lambda = lambdaMax * std::exp2(-mid);
    std::vector<std::vector<double>> priced = g.cost;
    for (size_t v = 0; v < priced.size(); ++v)
      for (int s = 0; s < g.k[v]; ++s)
        priced[v][s] += lambda * g.memory[v][s];
    std::vector<int> vars = minimize(g, priced).varChoice;
    if (peakMemory(p, expandChoice(g, vars)) > budget) {
      infeasibleExp = mid;
      continue;
    }
    feasibleExp = mid;
    consider(std::move(vars));
  }
  result.choice = std::move(best);
  result.cost = bestCost;
  result.peakMemory = peakMemory(p, result.choice);
  result.provedOptimal = false;
  return result;
}

//===----------------------------------------------------------------------===//
// Public API.
//===----------------------------------------------------------------------===//

std::string weft::validateProblem(const SearchProblem &p) {
  int n = int(p.nodes.size());
  for (int i = 0; i < n; ++i) {
    const SearchNode &node = p.nodes[i];
    if (node.cost.empty())
      return nodeLabel(p, i) + " has no strategies";
    if (node.memoryBytes.size() != node.cost.size())
      return nodeLabel(p, i) + " has " + std::to_string(node.cost.size()) +
             " costs but " + std::to_string(node.memoryBytes.size()) +
             " memory sizes";
    for (size_t s = 0; s < node.cost.size(); ++s) {
      if (!std::isfinite(node.cost[s]) || node.cost[s] < 0)
        return nodeLabel(p, i) + " strategy " + std::to_string(s) +
               ": cost must be finite and >= 0";
      if (node.memoryBytes[s] < 0)
        return nodeLabel(p, i) + " strategy " + std::to_string(s) +
               ": memory must be >= 0";
    }
  }
  std::map<int, int> firstOfGroup;
  for (int i = 0; i < n; ++i) {
    if (p.nodes[i].tieGroup < 0)
      continue;
    auto [it, inserted] = firstOfGroup.emplace(p.nodes[i].tieGroup, i);
    if (!inserted && p.nodes[it->second].cost.size() != p.nodes[i].cost.size())
      return "tie group " + std::to_string(p.nodes[i].tieGroup) + ": " +
             nodeLabel(p, it->second) + " has " +
             std::to_string(p.nodes[it->second].cost.size()) +
             " strategies but " + nodeLabel(p, i) + " has " +
             std::to_string(p.nodes[i].cost.size());
  }
  for (size_t j = 0; j < p.edges.size(); ++j) {
    const SearchEdge &e = p.edges[j];
    std::string label = "edge " + std::to_string(j);
    if (e.src < 0 || e.src >= n || e.dst < 0 || e.dst >= n)
      return label + " (" + std::to_string(e.src) + " -> " +
             std::to_string(e.dst) + ") names a node out of range (" +
             std::to_string(n) + " nodes)";
    if (e.src == e.dst)
      return label + " connects " + nodeLabel(p, e.src) + " to itself";
    size_t expected = p.nodes[e.src].cost.size() * p.nodes[e.dst].cost.size();
    if (e.cost.size() != expected)
      return label + " has " + std::to_string(e.cost.size()) +
             " costs, expected " + std::to_string(expected) + " (" +
             std::to_string(p.nodes[e.src].cost.size()) + " x " +
             std::to_string(p.nodes[e.dst].cost.size()) + ")";
    for (size_t c = 0; c < e.cost.size(); ++c)
      if (std::isnan(e.cost[c]) || e.cost[c] < 0)
        return label + " entry " + std::to_string(c) +
               ": cost must be >= 0 or +infinity";
  }
  for (size_t j = 0; j < p.liveSets.size(); ++j) {
    std::set<int> seen;
    for (int i : p.liveSets[j]) {
      if (i < 0 || i >= n)
        return "live set " + std::to_string(j) + " names node " +
               std::to_string(i) + ", out of range (" + std::to_string(n) +
               " nodes)";
      if (!seen.insert(i).second)
        return "live set " + std::to_string(j) + " names " + nodeLabel(p, i) +
               " twice";
    }
  }
  if (p.memoryBudget && *p.memoryBudget < 0)
    return "memory budget must be >= 0";
  return "";
}

double weft::evaluate(const SearchProblem &p, const std::vector<int> &choice) {
  if (choice.size() != p.nodes.size())
    return inf;
  double sum = 0;
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    if (choice[i] < 0 || size_t(choice[i]) >= p.nodes[i].cost.size())
      return inf;
    sum += p.nodes[i].cost[choice[i]];
  }
  for (const SearchEdge &e : p.edges)
    sum += e.cost[size_t(choice[e.src]) * p.nodes[e.dst].cost.size() +
                  choice[e.dst]];
  return sum;
}

int64_t weft::peakMemory(const SearchProblem &p,
                         const std::vector<int> &choice) {
  int64_t peak = 0;
  for (const auto &set : p.liveSets) {
    int64_t sum = 0;
    for (int i : set)
      sum += p.nodes[i].memoryBytes[choice[i]];
    peak = std::max(peak, sum);
  }
  return peak;
}

SearchResult weft::solve(const SearchProblem &p, const SearchOptions &options) {
  auto start = std::chrono::steady_clock::now();
  auto finish = [&](SearchResult r, const char *mode) {
    r.mode = mode;
    r.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    return r;
  };
  const char *mode = options.mode == SearchMode::Exact ? "exact" : "fast";
  SearchResult invalid;
  invalid.error = validateProblem(p);
  if (!invalid.error.empty())
    return finish(invalid, mode);
  VarGraph g = collapse(p);
  SearchResult fast = solveFast(p, g);
  if (options.mode == SearchMode::Fast)
    return finish(fast, mode);
  return finish(solveExact(p, g, options, fast), mode);
}
