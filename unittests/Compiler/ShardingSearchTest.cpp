//===- ShardingSearchTest.cpp - both search modes against brute force -----===//
#include "weft/Analysis/ShardingSearch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>

using namespace weft;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

enum class Shape { Chain, Tree, Residual, Dag };

/// Every assignment (tie groups equal), enumerated.
struct BruteForce {
  double best = inf;           ///< least finite cost
  int64_t minPeak = INT64_MAX; ///< least peak with a finite cost
  double bestWithin = inf;     ///< least cost with peak <= budget
};

BruteForce bruteForce(const SearchProblem &p) {
  BruteForce b;
  size_t n = p.nodes.size();
  std::vector<int> choice(n, 0);
  while (true) {
    bool tiesAgree = true;
    std::map<int, int> groupChoice;
    for (size_t i = 0; i < n && tiesAgree; ++i)
      if (p.nodes[i].tieGroup >= 0) {
        auto [it, inserted] =
            groupChoice.emplace(p.nodes[i].tieGroup, choice[i]);
        tiesAgree = inserted || it->second == choice[i];
      }
    if (tiesAgree) {
      double c = 0;
      for (size_t i = 0; i < n; ++i)
        c += p.nodes[i].cost[choice[i]];
      for (const SearchEdge &e : p.edges)
        c += e.cost[choice[e.src] * p.nodes[e.dst].cost.size() + choice[e.dst]];
      if (!std::isinf(c)) {
        int64_t peak = 0;
        for (const auto &set : p.liveSets) {
          int64_t sum = 0;
          for (int i : set)
            sum += p.nodes[i].memoryBytes[choice[i]];
          peak = std::max(peak, sum);
        }
        b.best = std::min(b.best, c);
        b.minPeak = std::min(b.minPeak, peak);
        if (!p.memoryBudget || peak <= *p.memoryBudget)
          b.bestWithin = std::min(b.bestWithin, c);
      }
    }
    size_t i = 0;
    while (i < n && ++choice[i] == int(p.nodes[i].cost.size()))
      choice[i++] = 0;
    if (i == n)
      return b;
  }
}

struct Generator {
  std::mt19937_64 rng;
  explicit Generator(uint64_t seed) : rng(seed) {}

  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
  int below(int n) { return int(rng() % uint64_t(n)); }

  /// A random graph of `n` nodes with up to `maxK` strategies; edge
  /// entries are +inf with probability `infProb`; with `ties`, a few nodes
  /// join tie groups (and then copy the group's strategy list).
  SearchProblem graph(Shape shape, int n, int maxK, double infProb, bool ties) {
    SearchProblem p;
    for (int i = 0; i < n; ++i) {
      SearchNode node;
      node.name = "n" + std::to_string(i);
      int k = 1 + below(maxK);
      for (int s = 0; s < k; ++s) {
        node.cost.push_back(uniform(0, 1));
        node.memoryBytes.push_back(int64_t(1 + below(64)) << 20);
      }
      p.nodes.push_back(node);
    }
    if (ties)
      for (int i = 1; i < n; ++i)
        if (below(3) == 0) {
          int group = below(2);
          int first = -1;
          for (int j = 0; j < i; ++j)
            if (p.nodes[j].tieGroup == group)
              first = j;
          p.nodes[i].tieGroup = group;
          if (first >= 0) {
            p.nodes[i].cost = p.nodes[first].cost;
            p.nodes[i].memoryBytes = p.nodes[first].memoryBytes;
          }
        }
    auto connect = [&](int src, int dst) {
      SearchEdge e;
      e.src = src;
      e.dst = dst;
      for (size_t s = 0; s < p.nodes[src].cost.size(); ++s)
        for (size_t t = 0; t < p.nodes[dst].cost.size(); ++t)
          e.cost.push_back(uniform(0, 1) < infProb ? inf
                           : s == t                ? 0.0
                                                   : uniform(0, 2));
      p.edges.push_back(e);
    };
    int lastShortcutEnd = 0;
    for (int i = 1; i < n; ++i) {
      switch (shape) {
      case Shape::Chain:
        connect(i - 1, i);
        break;
      case Shape::Tree:
        connect(below(i), i);
        break;
      case Shape::Residual: {
        // Shortcuts over one or two nodes that never cross: series-parallel.
        connect(i - 1, i);
        int from = i - 2 - below(2);
        if (i >= 2 && from >= lastShortcutEnd && below(2) == 0) {
          connect(from, i);
          lastShortcutEnd = i;
        }
        break;
      }
      case Shape::Dag:
        connect(below(i), i);
        for (int j = 0; j < i; ++j)
          if (below(3) == 0)
            connect(j, i);
        break;
      }
    }
    // Live sets: windows of three consecutive nodes.
    for (int i = 0; i + 2 < n || (i == 0 && n > 0); ++i) {
      std::vector<int> set;
      for (int j = i; j < std::min(n, i + 3); ++j)
        set.push_back(j);
      p.liveSets.push_back(set);
    }
    return p;
  }
};

double assignments(const SearchProblem &p) {
  double product = 1;
  for (const SearchNode &node : p.nodes)
    product *= double(node.cost.size());
  return product;
}

/// The result is a valid assignment with the reported cost and peak.
void expectConsistent(const SearchProblem &p, const SearchResult &r) {
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.choice.size(), p.nodes.size());
  EXPECT_FALSE(std::isinf(r.cost));
  EXPECT_DOUBLE_EQ(r.cost, evaluate(p, r.choice));
  EXPECT_EQ(r.peakMemory, peakMemory(p, r.choice));
  std::map<int, int> groupChoice;
  for (size_t i = 0; i < p.nodes.size(); ++i)
    if (p.nodes[i].tieGroup >= 0) {
      auto [it, inserted] =
          groupChoice.emplace(p.nodes[i].tieGroup, r.choice[i]);
      EXPECT_TRUE(inserted || it->second == r.choice[i]) << "node " << i;
    }
  if (p.memoryBudget && !p.liveSets.empty()) {
    EXPECT_LE(r.peakMemory, *p.memoryBudget);
  }
}

void expectNear(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-7 * (1 + std::abs(expected)));
}

SearchOptions exactMode() {
  SearchOptions o;
  o.mode = SearchMode::Exact;
  return o;
}

const Shape allShapes[] = {Shape::Chain, Shape::Tree, Shape::Residual,
                           Shape::Dag};
} // namespace

TEST(ShardingSearch, BothModesMatchBruteForceOnSmallGraphs) {
  Generator gen(7);
  int infeasible = 0;
  for (int trial = 0; trial < 240; ++trial) {
    Shape shape = allShapes[trial % 4];
    SearchProblem p = gen.graph(shape, 2 + gen.below(7), 4,
                                trial % 3 == 0 ? 0.3 : 0.0, false);
    if (assignments(p) > 20000)
      continue;
    BruteForce b = bruteForce(p);
    SCOPED_TRACE("trial " + std::to_string(trial));
    SearchResult fast = solve(p, {});
    SearchResult exact = solve(p, exactMode());
    EXPECT_EQ(fast.mode, "fast");
    EXPECT_EQ(exact.mode, "exact");
    if (std::isinf(b.best)) {
      ++infeasible;
      EXPECT_EQ(fast.error, "no assignment of strategies has finite cost");
      EXPECT_EQ(exact.error, "no assignment of strategies has finite cost");
      continue;
    }
    expectConsistent(p, fast);
    expectConsistent(p, exact);
    // Small cores are enumerated, so fast mode is exact here too.
    expectNear(fast.cost, b.best);
    expectNear(exact.cost, b.best);
    EXPECT_TRUE(fast.provedOptimal);
    EXPECT_EQ(fast.gap, -1);
    EXPECT_TRUE(exact.provedOptimal);
    EXPECT_EQ(exact.gap, 0);
    EXPECT_GT(exact.variables, 0);
    EXPECT_GT(exact.constraints, 0);
    if (shape != Shape::Dag) {
      EXPECT_EQ(fast.eliminatedNodes, int64_t(p.nodes.size()));
    }
  }
  EXPECT_GT(infeasible, 0); // the +inf entries do bite sometimes
}

TEST(ShardingSearch, EliminationIsExactOnLargerTreesAndResidualChains) {
  Generator gen(11);
  for (int trial = 0; trial < 30; ++trial) {
    Shape shape = trial % 2 ? Shape::Tree : Shape::Residual;
    SearchProblem p = gen.graph(shape, 40, 5, 0.05, false);
    SCOPED_TRACE("trial " + std::to_string(trial));
    SearchResult fast = solve(p, {});
    SearchResult exact = solve(p, exactMode());
    if (!exact.ok()) {
      EXPECT_EQ(fast.error, exact.error);
      continue;
    }
    expectConsistent(p, fast);
    expectConsistent(p, exact);
    EXPECT_TRUE(exact.provedOptimal);
    EXPECT_EQ(fast.eliminatedNodes, 40);
    EXPECT_TRUE(fast.provedOptimal);
    expectNear(fast.cost, exact.cost);
  }
}

TEST(ShardingSearch, LocalSearchStaysCloseOnDenseCores) {
  // Ten nodes, four strategies, about half of all pairs connected: a core
  // of 4^10 assignments, too many to enumerate inside the search.
  Generator gen(5);
  double worst = 1;
  for (int trial = 0; trial < 6; ++trial) {
    SearchProblem p;
    for (int i = 0; i < 10; ++i) {
      SearchNode node;
      node.name = "d" + std::to_string(i);
      for (int s = 0; s < 4; ++s) {
        node.cost.push_back(gen.uniform(0, 1));
        node.memoryBytes.push_back(1);
      }
      p.nodes.push_back(node);
    }
    for (int i = 0; i < 10; ++i)
      for (int j = i + 1; j < 10; ++j)
        if (gen.below(2) == 0 || j == i + 1) {
          SearchEdge e{i, j, {}};
          for (int s = 0; s < 4; ++s)
            for (int t = 0; t < 4; ++t)
              e.cost.push_back(s == t ? 0 : gen.uniform(0, 1));
          p.edges.push_back(e);
        }
    BruteForce b = bruteForce(p);
    SearchResult fast = solve(p, {});
    SearchResult exact = solve(p, exactMode());
    expectConsistent(p, fast);
    expectConsistent(p, exact);
    expectNear(exact.cost, b.best);
    EXPECT_FALSE(fast.provedOptimal);
    EXPECT_GE(fast.cost, b.best - 1e-9);
    EXPECT_LE(fast.cost, 1.05 * b.best);
    worst = std::max(worst, fast.cost / b.best);
  }
  RecordProperty("worstRatio", std::to_string(worst));
}

TEST(ShardingSearch, TieGroupsChooseTogether) {
  Generator gen(13);
  int tested = 0;
  for (int trial = 0; trial < 160; ++trial) {
    SearchProblem p = gen.graph(allShapes[trial % 4], 3 + gen.below(6), 4,
                                trial % 4 == 0 ? 0.2 : 0.0, true);
    if (assignments(p) > 20000)
      continue;
    BruteForce b = bruteForce(p);
    SCOPED_TRACE("trial " + std::to_string(trial));
    SearchResult fast = solve(p, {});
    SearchResult exact = solve(p, exactMode());
    if (std::isinf(b.best)) {
      EXPECT_FALSE(fast.ok());
      EXPECT_FALSE(exact.ok());
      continue;
    }
    ++tested;
    expectConsistent(p, fast);
    expectConsistent(p, exact);
    expectNear(fast.cost, b.best);
    expectNear(exact.cost, b.best);
  }
  EXPECT_GT(tested, 50);
}

TEST(ShardingSearch, EdgesInsideATieGroupCountTheirDiagonal) {
  // a and b are tied; the a -> b edge only ever pays its diagonal, and a
  // +inf there rules strategy 0 out although it is the cheapest node cost.
  SearchProblem p;
  p.nodes = {{"a", {0, 5}, {1, 1}, 3}, {"b", {0, 5}, {1, 1}, 3}};
  p.edges = {{0, 1, {inf, 0, 0, 1}}};
  for (SearchOptions o : {SearchOptions{}, exactMode()}) {
    SearchResult r = solve(p, o);
    expectConsistent(p, r);
    EXPECT_EQ(r.choice, (std::vector<int>{1, 1}));
    EXPECT_EQ(r.cost, 11);
  }
}

TEST(ShardingSearch, MemoryBudgetIsMetOrNamesTheSmallestPeak) {
  Generator gen(17);
  int constrained = 0, refused = 0, fastMissed = 0;
  double fastRatio = 1, ratioSum = 0;
  int fastFound = 0;
  for (int trial = 0; trial < 200; ++trial) {
    bool withInf = trial % 3 == 0;
    SearchProblem p = gen.graph(allShapes[trial % 4], 2 + gen.below(7), 4,
                                withInf ? 0.2 : 0.0, trial % 5 == 0);
    if (assignments(p) > 20000)
      continue;
    BruteForce free = bruteForce(p);
    if (std::isinf(free.best))
      continue;
    SCOPED_TRACE("trial " + std::to_string(trial));
    SearchResult unconstrained = solve(p, exactMode());
    ASSERT_TRUE(unconstrained.ok());
    if (unconstrained.peakMemory <= free.minPeak)
      continue;
    // Between the smallest peak and that of the unconstrained optimum.
    int64_t span = unconstrained.peakMemory - free.minPeak;
    p.memoryBudget = free.minPeak + int64_t(gen.uniform(0, 1) * span);
    BruteForce b = bruteForce(p);
    ++constrained;
    SearchResult exact = solve(p, exactMode());
    expectConsistent(p, exact);
    expectNear(exact.cost, b.bestWithin);
    SearchResult fast = solve(p, {});
    if (withInf && !fast.ok()) {
      // Impossible pairs couple the memory of neighbours, so the smallest
      // summed memory need not be the smallest peak.
      EXPECT_NE(fast.error.find("cannot be met"), std::string::npos);
      ++fastMissed;
    } else {
      expectConsistent(p, fast);
      EXPECT_GE(fast.cost, b.bestWithin - 1e-9);
      fastRatio = std::max(fastRatio, fast.cost / b.bestWithin);
      ratioSum += fast.cost / b.bestWithin;
      ++fastFound;
    }

    // One byte under the smallest peak cannot be met.
    p.memoryBudget = free.minPeak - 1;
    std::string smallest = std::to_string(free.minPeak) + " bytes";
    SearchResult exactNo = solve(p, exactMode());
    ASSERT_FALSE(exactNo.ok());
    EXPECT_NE(exactNo.error.find("memory budget of " +
                                 std::to_string(free.minPeak - 1) + " bytes"),
              std::string::npos)
        << exactNo.error;
    EXPECT_NE(
        exactNo.error.find("smallest peak the search reached is " + smallest),
        std::string::npos)
        << exactNo.error;
    SearchResult fastNo = solve(p, {});
    ASSERT_FALSE(fastNo.ok());
    EXPECT_NE(fastNo.error.find("cannot be met"), std::string::npos);
    // Without impossible pairs memory is separable and fast mode finds the
    // smallest peak as well.
    if (!withInf) {
      EXPECT_NE(fastNo.error.find("is " + smallest), std::string::npos)
          << fastNo.error;
    }
    ++refused;
  }
  EXPECT_GT(constrained, 30);
  EXPECT_GT(refused, 30);
  EXPECT_LT(fastMissed, constrained / 4);
  RecordProperty("fastMissed", fastMissed);
  RecordProperty("fastWorstRatio", std::to_string(fastRatio));
  RecordProperty("fastMeanRatio", std::to_string(ratioSum / fastFound));
  // The Lagrangian is a heuristic; on average it stays close.
  EXPECT_LT(ratioSum / fastFound, 1.1);
}

TEST(ShardingSearch, BudgetWithoutLiveSetsIsIgnored) {
  SearchProblem p;
  p.nodes = {{"a", {1, 2}, {100, 1}, -1}};
  p.memoryBudget = 10;
  SearchResult r = solve(p, {});
  expectConsistent(p, r);
  EXPECT_EQ(r.choice, std::vector<int>{0});
  EXPECT_EQ(r.peakMemory, 0);
}

TEST(ShardingSearch, BudgetErrorFormatsBytesAndMiB) {
  SearchProblem p;
  p.nodes = {{"a", {1, 2}, {3 << 20, 2 << 20}, -1},
             {"b", {1, 2}, {4 << 20, 3 << 20}, -1}};
  p.edges = {{0, 1, {0, 1, 1, 0}}};
  p.liveSets = {{0, 1}};
  p.memoryBudget = 4 << 20;
  for (SearchOptions o : {SearchOptions{}, exactMode()}) {
    SearchResult r = solve(p, o);
    EXPECT_EQ(r.error, "memory budget of 4194304 bytes (4.00 MiB) per device "
                       "cannot be met: the smallest peak the search reached "
                       "is 5242880 bytes (5.00 MiB)");
  }
}

TEST(ShardingSearch, NothingFiniteIsAnError) {
  SearchProblem p;
  p.nodes = {{"a", {0, 0}, {0, 0}, -1}, {"b", {0}, {0}, -1}};
  p.edges = {{0, 1, {inf, inf}}};
  for (SearchOptions o : {SearchOptions{}, exactMode()})
    EXPECT_EQ(solve(p, o).error, "no assignment of strategies has finite cost");
}

TEST(ShardingSearch, EmptyProblem) {
  for (SearchOptions o : {SearchOptions{}, exactMode()}) {
    SearchResult r = solve(SearchProblem{}, o);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_TRUE(r.choice.empty());
    EXPECT_EQ(r.cost, 0);
  }
}

TEST(ShardingSearch, ValidateRefusesMalformedProblems) {
  auto base = [] {
    SearchProblem p;
    p.nodes = {{"a", {1, 2}, {1, 1}, -1}, {"b", {1, 2}, {1, 1}, -1}};
    p.edges = {{0, 1, {0, 1, 1, 0}}};
    p.liveSets = {{0, 1}};
    return p;
  };
  EXPECT_EQ(validateProblem(base()), "");
  auto refuses = [](SearchProblem p, const std::string &what) {
    std::string error = validateProblem(p);
    EXPECT_NE(error.find(what), std::string::npos)
        << "got '" << error << "', expected '" << what << "'";
    EXPECT_EQ(solve(p, {}).error, error);
  };
  SearchProblem p = base();
  p.nodes[0].cost.clear();
  p.nodes[0].memoryBytes.clear();
  refuses(p, "node 0 ('a') has no strategies");
  p = base();
  p.nodes[1].memoryBytes.pop_back();
  refuses(p, "node 1 ('b') has 2 costs but 1 memory sizes");
  p = base();
  p.nodes[0].cost[1] = -1;
  refuses(p, "strategy 1: cost must be finite and >= 0");
  p = base();
  p.nodes[0].cost[0] = inf;
  refuses(p, "strategy 0: cost must be finite and >= 0");
  p = base();
  p.nodes[0].memoryBytes[0] = -4;
  refuses(p, "memory must be >= 0");
  p = base();
  p.edges[0].dst = 2;
  refuses(p, "edge 0 (0 -> 2) names a node out of range (2 nodes)");
  p = base();
  p.edges[0].dst = 0;
  p.edges[0].cost = {0, 1, 1, 0};
  refuses(p, "connects node 0 ('a') to itself");
  p = base();
  p.edges[0].cost.pop_back();
  refuses(p, "edge 0 has 3 costs, expected 4 (2 x 2)");
  p = base();
  p.edges[0].cost[2] = std::nan("");
  refuses(p, "edge 0 entry 2: cost must be >= 0 or +infinity");
  p = base();
  p.nodes[0].tieGroup = p.nodes[1].tieGroup = 1;
  p.nodes[1].cost.push_back(3);
  p.nodes[1].memoryBytes.push_back(3);
  p.edges[0].cost.assign(6, 0);
  refuses(p, "tie group 1: node 0 ('a') has 2 strategies but node 1 ('b') "
             "has 3");
  p = base();
  p.liveSets = {{0, 5}};
  refuses(p, "live set 0 names node 5, out of range");
  p = base();
  p.liveSets = {{1, 1}};
  refuses(p, "live set 0 names node 1 ('b') twice");
  p = base();
  p.memoryBudget = -1;
  refuses(p, "memory budget must be >= 0");
}

TEST(ShardingSearch, EvaluateAndPeakMemory) {
  SearchProblem p;
  p.nodes = {{"a", {1, 2}, {10, 20}, -1}, {"b", {3, 4}, {30, 40}, -1}};
  p.edges = {{0, 1, {0, inf, 5, 0}}};
  p.liveSets = {{0}, {0, 1}};
  EXPECT_EQ(evaluate(p, {1, 0}), 2 + 3 + 5);
  EXPECT_TRUE(std::isinf(evaluate(p, {0, 1})));
  EXPECT_TRUE(std::isinf(evaluate(p, {0})));
  EXPECT_EQ(peakMemory(p, {1, 0}), 50);
  p.liveSets.clear();
  EXPECT_EQ(peakMemory(p, {1, 0}), 0);
}

namespace {
/// A long chain with dense random resharding matrices.
SearchProblem longChain(Generator &gen, int n, int k) {
  SearchProblem p;
  for (int i = 0; i < n; ++i) {
    SearchNode node;
    node.name = "c" + std::to_string(i);
    for (int s = 0; s < k; ++s) {
      node.cost.push_back(gen.uniform(0, 1));
      node.memoryBytes.push_back(1);
    }
    p.nodes.push_back(node);
    if (i == 0)
      continue;
    SearchEdge e{i - 1, i, {}};
    for (int s = 0; s < k; ++s)
      for (int t = 0; t < k; ++t)
        e.cost.push_back(gen.uniform(0, 1) < 0.05 ? inf : gen.uniform(0, 2));
    p.edges.push_back(e);
  }
  return p;
}

/// The chain's optimum by dynamic programming.
double chainOptimum(const SearchProblem &p) {
  size_t k = p.nodes[0].cost.size();
  std::vector<double> best = p.nodes[0].cost;
  for (size_t i = 1; i < p.nodes.size(); ++i) {
    std::vector<double> next(k, inf);
    for (size_t t = 0; t < k; ++t)
      for (size_t s = 0; s < k; ++s)
        next[t] = std::min(next[t], best[s] + p.edges[i - 1].cost[s * k + t] +
                                        p.nodes[i].cost[t]);
    best = next;
  }
  return *std::min_element(best.begin(), best.end());
}
} // namespace

TEST(ShardingSearch, LongChainMatchesDynamicProgramming) {
  Generator gen(23);
  SearchProblem p = longChain(gen, 200, 16);
  SearchResult r = solve(p, {});
  expectConsistent(p, r);
  expectNear(r.cost, chainOptimum(p));
  EXPECT_EQ(r.eliminatedNodes, 200);
  RecordProperty("seconds", std::to_string(r.seconds));
}

TEST(ShardingSearch, ResidualStackMatchesDynamicProgramming) {
  // x0 -> a -> b -> x1 with a shortcut x0 -> x1, repeated: 700 nodes of a
  // series-parallel graph with 16 strategies each.
  Generator gen(29);
  const int k = 16, blocks = 233;
  SearchProblem p;
  auto addNode = [&] {
    SearchNode node;
    node.name = "r" + std::to_string(p.nodes.size());
    for (int s = 0; s < k; ++s) {
      node.cost.push_back(gen.uniform(0, 1));
      node.memoryBytes.push_back(1);
    }
    p.nodes.push_back(node);
    return int(p.nodes.size()) - 1;
  };
  auto addEdge = [&](int src, int dst) {
    SearchEdge e{src, dst, {}};
    for (int s = 0; s < k; ++s)
      for (int t = 0; t < k; ++t)
        e.cost.push_back(s == t ? 0 : gen.uniform(0, 2));
    p.edges.push_back(e);
    return e.cost;
  };
  int x = addNode();
  std::vector<double> best = p.nodes[x].cost;
  for (int blk = 0; blk < blocks; ++blk) {
    int a = addNode(), b = addNode(), y = addNode();
    std::vector<double> xa = addEdge(x, a), ab = addEdge(a, b),
                        by = addEdge(b, y), xy = addEdge(x, y);
    const auto &ca = p.nodes[a].cost, &cb = p.nodes[b].cost,
               &cy = p.nodes[y].cost;
    // through[s][u]: the cheapest a, b between x at s and b's exit u.
    std::vector<double> next(k, inf);
    for (int s = 0; s < k; ++s) {
      std::vector<double> atB(k, inf);
      for (int i = 0; i < k; ++i)
        for (int j = 0; j < k; ++j)
          atB[j] = std::min(atB[j], xa[s * k + i] + ca[i] + ab[i * k + j]);
      for (int t = 0; t < k; ++t) {
        double inner = inf;
        for (int j = 0; j < k; ++j)
          inner = std::min(inner, atB[j] + cb[j] + by[j * k + t]);
        next[t] = std::min(next[t], best[s] + inner + xy[s * k + t] + cy[t]);
      }
    }
    best = next;
    x = y;
  }
  ASSERT_EQ(p.nodes.size(), 700u);
  SearchResult r = solve(p, {});
  expectConsistent(p, r);
  expectNear(r.cost, *std::min_element(best.begin(), best.end()));
  EXPECT_EQ(r.eliminatedNodes, 700);
  EXPECT_TRUE(r.provedOptimal);
  RecordProperty("seconds", std::to_string(r.seconds));
}

TEST(ShardingSearch, DeterministicOutput) {
  Generator gen(31);
  SearchProblem p = gen.graph(Shape::Dag, 14, 4, 0.05, true);
  SearchResult first = solve(p, {});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(solve(p, {}).choice, first.choice);
}

TEST(ShardingSearch, BudgetedChainInBothModes) {
  // A 60-node chain whose live sets are windows of four: fast mode meets a
  // budget between the smallest and the unconstrained peak, and exact mode
  // (seeded with it) is no worse.
  Generator gen(37);
  SearchProblem p = longChain(gen, 60, 8);
  for (SearchNode &node : p.nodes)
    for (int64_t &m : node.memoryBytes)
      m = int64_t(1 + gen.below(256)) << 20;
  for (int i = 0; i + 4 <= 60; ++i)
    p.liveSets.push_back({i, i + 1, i + 2, i + 3});
  SearchResult free = solve(p, {});
  ASSERT_TRUE(free.ok()) << free.error;
  p.memoryBudget = free.peakMemory * 3 / 4;
  SearchResult fast = solve(p, {});
  expectConsistent(p, fast);
  EXPECT_GE(fast.cost, free.cost);
  SearchOptions o = exactMode();
  o.timeLimitSeconds = 20;
  SearchResult exact = solve(p, o);
  expectConsistent(p, exact);
  EXPECT_LE(exact.cost, fast.cost + 1e-9);
  EXPECT_GE(exact.gap, 0);
  RecordProperty("fastSeconds", std::to_string(fast.seconds));
  RecordProperty("exactSeconds", std::to_string(exact.seconds));
  RecordProperty("fastCost", std::to_string(fast.cost));
  RecordProperty("exactCost", std::to_string(exact.cost));
  RecordProperty("exactGap", std::to_string(exact.gap));
}
