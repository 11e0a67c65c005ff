//===- BoxingPlannerTest.cpp - cheapest resharding between N-D SBPs -------===//
//
// Expected numbers are worked out by hand in the comments, with the default
// links of MeshTopology::uniform: 5 us latency per step and 100 GB/s
// (1e11 B/s) per axis. T is the group bytes of a step (CostModel.h).
//
//===----------------------------------------------------------------------===//
#include "weft/Analysis/BoxingPlanner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <thread>

using namespace weft;
using sbp::NdSbp;
using sbp::Placement;

namespace {
const Placement kB = Placement::broadcast();
const Placement kPSum = Placement::partialSum();
const Placement kPMax = Placement::partialMax();
Placement s(int64_t d) { return Placement::split(d); }

void expectSeconds(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-12 * std::fabs(expected))
      << "expected " << expected << " s";
}

/// A fixture owning the model the planner refers to.
struct Planner {
  explicit Planner(MeshTopology t) : model(std::move(t)), planner(model) {}
  explicit Planner(std::vector<int64_t> mesh)
      : Planner(MeshTopology::uniform(std::move(mesh))) {}
  CostModel model;
  BoxingPlanner planner;
};

/// The one step of a single-step plan.
BoxingStep onlyStep(const std::optional<BoxingPlan> &p) {
  EXPECT_TRUE(p.has_value());
  if (!p || p->steps.size() != 1) {
    ADD_FAILURE() << "expected exactly one step";
    return BoxingStep{CollectiveKind::AllReduce, 0, {}, {}};
  }
  return p->steps[0];
}

// 1-D mesh of 4, tensor 64x32 f32: 8192 bytes, S(d) holds 2048 bytes.
const std::vector<int64_t> k64x32 = {64, 32};
} // namespace

TEST(BoxingPlanner, SameStateIsEmpty) {
  Planner p({4});
  std::optional<BoxingPlan> plan = p.planner.plan({s(0)}, {s(0)}, k64x32, 4);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->steps.empty());
  EXPECT_EQ(plan->seconds, 0);
  EXPECT_EQ(plan->sentBytesPerRank, 0);
}

TEST(BoxingPlanner, PartialSumToBroadcastIsOneAllReduce) {
  Planner p({4});
  BoxingStep st = onlyStep(p.planner.plan({kPSum}, {kB}, k64x32, 4));
  EXPECT_EQ(st.kind, CollectiveKind::AllReduce);
  EXPECT_EQ(st.axis, 0u);
  EXPECT_FALSE(st.reduceMax);
  EXPECT_EQ(st.dim, -1);
  EXPECT_DOUBLE_EQ(st.groupBytes, 8192);
  // 2 * 3/4 * 8192 = 12288 bytes; 6 * 5e-6 + 12288 / 1e11 s.
  EXPECT_DOUBLE_EQ(st.sentBytesPerRank, 12288);
  expectSeconds(st.seconds, 3.012288e-5);
}

TEST(BoxingPlanner, PartialSumToSplitIsOneReduceScatter) {
  Planner p({4});
  std::optional<BoxingPlan> plan = p.planner.plan({kPSum}, {s(0)}, k64x32, 4);
  BoxingStep st = onlyStep(plan);
  EXPECT_EQ(st.kind, CollectiveKind::ReduceScatter);
  EXPECT_EQ(st.dim, 0);
  EXPECT_DOUBLE_EQ(st.groupBytes, 8192); // the input
  // 3/4 * 8192 = 6144 bytes; 3 * 5e-6 + 6144 / 1e11 s.
  EXPECT_DOUBLE_EQ(st.sentBytesPerRank, 6144);
  expectSeconds(st.seconds, 1.506144e-5);
  expectSeconds(plan->seconds, 1.506144e-5);
  EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, 6144);
}

TEST(BoxingPlanner, SplitToBroadcastIsOneAllGather) {
  Planner p({4});
  BoxingStep st = onlyStep(p.planner.plan({s(0)}, {kB}, k64x32, 4));
  EXPECT_EQ(st.kind, CollectiveKind::AllGather);
  EXPECT_EQ(st.dim, 0);
  EXPECT_DOUBLE_EQ(st.groupBytes, 8192); // the result
  EXPECT_DOUBLE_EQ(st.sentBytesPerRank, 6144);
  expectSeconds(st.seconds, 1.506144e-5);
}

TEST(BoxingPlanner, SplitToOtherSplitIsOneAllToAll) {
  Planner p({4});
  BoxingStep st = onlyStep(p.planner.plan({s(0)}, {s(1)}, k64x32, 4));
  EXPECT_EQ(st.kind, CollectiveKind::AllToAll);
  EXPECT_EQ(st.dim, 0);
  EXPECT_EQ(st.splitDim, 1);
  // 4 ranks * 2048 bytes = 8192; (4-1)/16 * 8192 = 1536 bytes, cheaper than
  // all_gather (6144) + local slice.
  EXPECT_DOUBLE_EQ(st.groupBytes, 8192);
  EXPECT_DOUBLE_EQ(st.sentBytesPerRank, 1536);
  expectSeconds(st.seconds, 1.501536e-5);
}

TEST(BoxingPlanner, BroadcastToSplitIsALocalSlice) {
  Planner p({4});
  BoxingStep st = onlyStep(p.planner.plan({kB}, {s(1)}, k64x32, 4));
  EXPECT_EQ(st.kind, CollectiveKind::LocalSlice);
  EXPECT_EQ(st.dim, 1);
  EXPECT_EQ(st.sentBytesPerRank, 0);
  EXPECT_EQ(st.seconds, 0);
}

TEST(BoxingPlanner, BroadcastToPartialSumIsMakePartial) {
  Planner p({4});
  BoxingStep st = onlyStep(p.planner.plan({kB}, {kPSum}, k64x32, 4));
  EXPECT_EQ(st.kind, CollectiveKind::MakePartial);
  EXPECT_EQ(st.sentBytesPerRank, 0);
  EXPECT_EQ(st.seconds, 0);
}

TEST(BoxingPlanner, PartialMaxToBroadcastIsAMaxAllReduce) {
  Planner p({4});
  BoxingStep st = onlyStep(p.planner.plan({kPMax}, {kB}, k64x32, 4));
  EXPECT_EQ(st.kind, CollectiveKind::AllReduce);
  EXPECT_TRUE(st.reduceMax);
  expectSeconds(st.seconds, 3.012288e-5);
}

TEST(BoxingPlanner, PartialMaxToSplitReducesThenSlices) {
  Planner p({4});
  std::optional<BoxingPlan> plan = p.planner.plan({kPMax}, {s(0)}, k64x32, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].kind, CollectiveKind::AllReduce);
  EXPECT_TRUE(plan->steps[0].reduceMax);
  EXPECT_EQ(plan->steps[0].to, NdSbp{kB});
  EXPECT_EQ(plan->steps[1].kind, CollectiveKind::LocalSlice);
  EXPECT_EQ(plan->steps[1].dim, 0);
  // Only the all_reduce costs: 6 * 5e-6 + 12288 / 1e11.
  expectSeconds(plan->seconds, 3.012288e-5);
  EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, 12288);
}

TEST(BoxingPlanner, PartialMaxToPartialSumGoesThroughBroadcast) {
  Planner p({4});
  std::optional<BoxingPlan> plan = p.planner.plan({kPMax}, {kPSum}, k64x32, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].kind, CollectiveKind::AllReduce);
  EXPECT_TRUE(plan->steps[0].reduceMax);
  EXPECT_EQ(plan->steps[1].kind, CollectiveKind::MakePartial);
  expectSeconds(plan->seconds, 3.012288e-5);
}

TEST(BoxingPlanner, NoWayToPartialMax) {
  Planner p({4});
  EXPECT_FALSE(p.planner.plan({kPSum}, {kPMax}, k64x32, 4));
  EXPECT_FALSE(p.planner.plan({kB}, {kPMax}, k64x32, 4));
  EXPECT_FALSE(p.planner.plan({s(0)}, {kPMax}, k64x32, 4));
}

TEST(BoxingPlanner, GatherTwoAxesOnTwoByFour) {
  Planner p({2, 4});
  // 8x32 f32 = 1024 bytes. Either order sends 7/8 * 1024 = 896 bytes over 4
  // latency steps:
  //   axis 0 first: T = 256 ([B, S(1)] is 8x8), 1/2 * 256 = 128; then axis 1:
  //                 T = 1024, 3/4 * 1024 = 768.
  //   axis 1 first: T = 512 ([S(0), B] is 4x32), 3/4 * 512 = 384; then axis 0:
  //                 T = 1024, 1/2 * 1024 = 512.
  // A tie on uniform links: the lower axis goes first.
  std::optional<BoxingPlan> plan =
      p.planner.plan({s(0), s(1)}, {kB, kB}, {8, 32}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  const BoxingStep &a = plan->steps[0], &b = plan->steps[1];
  EXPECT_EQ(a.kind, CollectiveKind::AllGather);
  EXPECT_EQ(b.kind, CollectiveKind::AllGather);
  EXPECT_EQ(a.axis, 0u);
  EXPECT_EQ(a.dim, 0);
  EXPECT_DOUBLE_EQ(a.groupBytes, 256);
  EXPECT_EQ(a.to, (NdSbp{kB, s(1)}));
  EXPECT_EQ(b.axis, 1u);
  EXPECT_EQ(b.dim, 1);
  EXPECT_DOUBLE_EQ(b.groupBytes, 1024);
  EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, 896);
  // 4 * 5e-6 + 896 / 1e11 = 2e-5 + 8.96e-9.
  expectSeconds(plan->seconds, 2.000896e-5);
}

TEST(BoxingPlanner, GatherTheSlowAxisWhileTheDataIsSmall) {
  MeshTopology t = MeshTopology::uniform({2, 4});
  t.bandwidthGBps = {100, 1};
  Planner p(t);
  // Axis 1 at 1e9 B/s:
  //   axis 1 first: 2e-5 + 384 / 1e9 + 512 / 1e11 = 2e-5 + 3.84e-7 + 5.12e-9
  //   axis 0 first: 2e-5 + 128 / 1e11 + 768 / 1e9 = 2e-5 + 1.28e-9 + 7.68e-7
  std::optional<BoxingPlan> plan =
      p.planner.plan({s(0), s(1)}, {kB, kB}, {8, 32}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].axis, 1u);
  EXPECT_EQ(plan->steps[0].to, (NdSbp{s(0), kB}));
  EXPECT_EQ(plan->steps[1].axis, 0u);
  expectSeconds(plan->seconds, 2.038912e-5);
}

TEST(BoxingPlanner, SliceTwoAxesIsFree) {
  Planner p({2, 4});
  std::optional<BoxingPlan> plan =
      p.planner.plan({kB, kB}, {s(0), s(1)}, {8, 32}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  for (const BoxingStep &st : plan->steps) {
    EXPECT_EQ(st.kind, CollectiveKind::LocalSlice);
    EXPECT_EQ(st.sentBytesPerRank, 0);
  }
  // Equal cost and length: the lower axis first.
  EXPECT_EQ(plan->steps[0].axis, 0u);
  EXPECT_EQ(plan->steps[0].dim, 0);
  EXPECT_EQ(plan->steps[1].axis, 1u);
  EXPECT_EQ(plan->steps[1].dim, 1);
  EXPECT_EQ(plan->seconds, 0);
  EXPECT_EQ(plan->sentBytesPerRank, 0);
}

TEST(BoxingPlanner, OneDimOverTwoAxesGathersInnermostFirst) {
  Planner p({2, 4});
  // 16x32 f32 = 2048 bytes; [S(0), S(0)] holds rows in 8 chunks of 2.
  // Axis 1 is the innermost splitter of dim 0, so it is gathered first:
  //   axis 1: T = 1024 ([S(0), B] is 8x32), 3/4 * 1024 = 768, 3 steps;
  //   axis 0: T = 2048, 1/2 * 2048 = 1024, 1 step.
  // 4 * 5e-6 + 1792 / 1e11 = 2e-5 + 1.792e-8.
  std::optional<BoxingPlan> plan =
      p.planner.plan({s(0), s(0)}, {kB, kB}, {16, 32}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  const BoxingStep &a = plan->steps[0], &b = plan->steps[1];
  EXPECT_EQ(a.kind, CollectiveKind::AllGather);
  EXPECT_EQ(a.axis, 1u);
  EXPECT_EQ(a.dim, 0);
  EXPECT_DOUBLE_EQ(a.groupBytes, 1024);
  EXPECT_EQ(a.to, (NdSbp{s(0), kB}));
  EXPECT_EQ(b.kind, CollectiveKind::AllGather);
  EXPECT_EQ(b.axis, 0u);
  EXPECT_EQ(b.dim, 0);
  EXPECT_DOUBLE_EQ(b.groupBytes, 2048);
  EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, 1792);
  expectSeconds(plan->seconds, 2.001792e-5);
}

TEST(BoxingPlanner, OneDimOverTwoAxesSlicesOutermostFirst) {
  Planner p({2, 4});
  std::optional<BoxingPlan> plan =
      p.planner.plan({kB, kB}, {s(0), s(0)}, {16, 32}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].kind, CollectiveKind::LocalSlice);
  EXPECT_EQ(plan->steps[0].axis, 0u);
  EXPECT_EQ(plan->steps[0].to, (NdSbp{s(0), kB}));
  EXPECT_EQ(plan->steps[1].kind, CollectiveKind::LocalSlice);
  EXPECT_EQ(plan->steps[1].axis, 1u);
  EXPECT_EQ(plan->seconds, 0);
}

TEST(BoxingPlanner, TwoPartialAxesReduceHierarchically) {
  Planner p({2, 4});
  // 8x32 f32 = 1024 bytes. Two all_reduces: 2 + 6 = 8 latency steps and
  // 1/2 * 2 * 1024 + 3/4 * 2 * 1024 = 1024 + 1536 = 2560 bytes.
  // Cheaper at the same 8 latency steps: reduce_scatter over axis 0
  // (T = 1024, 512 bytes, 1 step), all_reduce over axis 1 of the half
  // (T = 512, 768 bytes, 6 steps), all_gather over axis 0 (T = 1024, 512
  // bytes, 1 step): 1792 bytes, 4e-5 + 1.792e-8 s. (Starting on axis 1
  // instead costs the same: 768 + 256 + 768; the lower axis goes first.)
  std::optional<BoxingPlan> plan =
      p.planner.plan({kPSum, kPSum}, {kB, kB}, {8, 32}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 3u);
  EXPECT_EQ(plan->steps[0].kind, CollectiveKind::ReduceScatter);
  EXPECT_EQ(plan->steps[0].axis, 0u);
  EXPECT_EQ(plan->steps[0].to, (NdSbp{s(0), kPSum}));
  EXPECT_EQ(plan->steps[1].kind, CollectiveKind::AllReduce);
  EXPECT_EQ(plan->steps[1].axis, 1u);
  EXPECT_DOUBLE_EQ(plan->steps[1].groupBytes, 512);
  EXPECT_EQ(plan->steps[2].kind, CollectiveKind::AllGather);
  EXPECT_EQ(plan->steps[2].axis, 0u);
  EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, 1792);
  expectSeconds(plan->seconds, 4.001792e-5);
}

TEST(BoxingPlanner, TwoPartialAxesOfAnIndivisibleTensorAreTwoAllReduces) {
  Planner p({2, 4});
  // 3x5 f32 = 60 bytes: no split divides, so only all_reduces are left.
  // Axis 0: 2 * 1/2 * 60 = 60 bytes, 2 steps; axis 1: 2 * 3/4 * 60 = 90
  // bytes, 6 steps. 8 * 5e-6 + 150 / 1e11 = 4e-5 + 1.5e-9 = 4.00015e-5.
  std::optional<BoxingPlan> plan =
      p.planner.plan({kPSum, kPSum}, {kB, kB}, {3, 5}, 4);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->steps.size(), 2u);
  EXPECT_EQ(plan->steps[0].kind, CollectiveKind::AllReduce);
  EXPECT_EQ(plan->steps[0].axis, 0u);
  EXPECT_EQ(plan->steps[0].to, (NdSbp{kB, kPSum}));
  EXPECT_EQ(plan->steps[1].kind, CollectiveKind::AllReduce);
  EXPECT_EQ(plan->steps[1].axis, 1u);
  EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, 150);
  expectSeconds(plan->seconds, 4.00015e-5);
}

TEST(BoxingPlanner, InvalidEndsHaveNoPlan) {
  Planner p({4});
  // Dim 0 = 3 does not divide over 4 ranks.
  EXPECT_FALSE(p.planner.plan({kB}, {s(0)}, {3, 8}, 4));
  EXPECT_FALSE(p.planner.plan({s(0)}, {kB}, {3, 8}, 4));
  EXPECT_FALSE(p.planner.plan({s(1)}, {s(0)}, {3, 8}, 4));
  // A split dim out of range, a wrong number of placements, bad bytes.
  EXPECT_FALSE(p.planner.plan({kB}, {s(2)}, {3, 8}, 4));
  EXPECT_FALSE(p.planner.plan({kB, kB}, {kB}, {3, 8}, 4));
  EXPECT_FALSE(p.planner.plan({kB}, {s(1)}, {3, 8}, 0));
  // The valid one is still fine: 8 / 4 = 2.
  EXPECT_TRUE(p.planner.plan({kB}, {s(1)}, {3, 8}, 4));
}

TEST(BoxingPlanner, IndivisibleIntermediatesAreAvoided) {
  Planner p({2, 2});
  // 4x2: [S(1), S(1)] would split dim 1 (2) into 4 and is never visited.
  std::optional<BoxingPlan> plan =
      p.planner.plan({s(0), s(1)}, {s(1), s(0)}, {4, 2}, 4);
  ASSERT_TRUE(plan);
  ASSERT_FALSE(plan->steps.empty());
  for (const BoxingStep &st : plan->steps) {
    EXPECT_NE(st.to, (NdSbp{s(1), s(1)}));
    EXPECT_TRUE(sbp::isValidFor(st.to, {2, 2}, {4, 2})) << sbp::str(st.to);
  }
  EXPECT_EQ(plan->steps.back().to, (NdSbp{s(1), s(0)}));
}

TEST(BoxingPlanner, SizeOneAxisStepsAreFree) {
  Planner p({1, 4});
  // A gather over one rank moves nothing but is still the step taken.
  std::optional<BoxingPlan> plan =
      p.planner.plan({s(0), kB}, {kB, kB}, {8, 32}, 4);
  BoxingStep st = onlyStep(plan);
  EXPECT_EQ(st.kind, CollectiveKind::AllGather);
  EXPECT_EQ(st.axis, 0u);
  EXPECT_EQ(st.sentBytesPerRank, 0);
  EXPECT_EQ(st.seconds, 0);
  // And no useless steps on it elsewhere: axis 1 alone, 3 * 5e-6 + 3/4 * 1024
  // / 1e11.
  plan = p.planner.plan({kB, s(0)}, {kB, kB}, {8, 32}, 4);
  st = onlyStep(plan);
  EXPECT_EQ(st.axis, 1u);
  expectSeconds(plan->seconds, 1.500768e-5);
}

TEST(BoxingPlanner, CostIsMemoizedPlanSeconds) {
  Planner p({2, 4});
  std::vector<std::pair<NdSbp, NdSbp>> pairs = {
      {{s(0), s(1)}, {kB, kB}},
      {{kPSum, kPSum}, {kB, kB}},
      {{kB, kB}, {s(0), s(0)}},
      {{kPMax, kB}, {s(1), s(0)}},
  };
  for (auto &[from, to] : pairs) {
    std::optional<BoxingPlan> plan = p.planner.plan(from, to, {16, 32}, 4);
    ASSERT_TRUE(plan);
    EXPECT_EQ(p.planner.cost(from, to, {16, 32}, 4), plan->seconds);
    EXPECT_EQ(p.planner.cost(from, to, {16, 32}, 4), plan->seconds);
  }
  // Hand number for one: [S(0), S(0)] <- [B, B] is two slices, 0 s.
  EXPECT_EQ(p.planner.cost({kB, kB}, {s(0), s(0)}, {16, 32}, 4), 0);
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(p.planner.cost({kPSum, kB}, {kPMax, kB}, {16, 32}, 4), inf);
  EXPECT_EQ(p.planner.cost({kB, kB}, {s(0), s(0)}, {3, 32}, 4), inf);
  // Another element size is another entry: 16x32 f16 is 1024 bytes, the
  // 8x32 f32 of GatherTwoAxesOnTwoByFour, 2e-5 + 8.96e-9 s.
  expectSeconds(p.planner.cost({s(0), s(1)}, {kB, kB}, {8, 32}, 4),
                2.000896e-5);
  expectSeconds(p.planner.cost({s(0), s(1)}, {kB, kB}, {16, 32}, 2),
                2.000896e-5);
}

TEST(BoxingPlanner, CostIsThreadSafe) {
  Planner p({2, 4});
  std::vector<NdSbp> states = {{kB, kB},     {s(0), kB},    {kB, s(1)},
                               {s(0), s(1)}, {s(1), s(0)},  {kPSum, kB},
                               {kB, kPSum},  {kPSum, kPSum}};
  std::vector<std::vector<double>> seen(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t)
    threads.emplace_back([&, t] {
      for (const NdSbp &a : states)
        for (const NdSbp &b : states)
          seen[t].push_back(p.planner.cost(a, b, {16, 32}, 4));
    });
  for (std::thread &t : threads)
    t.join();
  for (size_t t = 1; t < seen.size(); ++t)
    EXPECT_EQ(seen[t], seen[0]);
}

namespace {
/// Every N-D SBP over `meshRank` axes valid for `shape` on `mesh`.
std::vector<NdSbp> validStates(const std::vector<int64_t> &mesh,
                               const std::vector<int64_t> &shape) {
  std::vector<Placement> one = {kB, kPSum, kPMax};
  for (size_t d = 0; d < shape.size(); ++d)
    one.push_back(s(static_cast<int64_t>(d)));
  std::vector<NdSbp> out = {{}};
  for (size_t a = 0; a < mesh.size(); ++a) {
    std::vector<NdSbp> next;
    for (const NdSbp &prefix : out)
      for (const Placement &p : one) {
        NdSbp st = prefix;
        st.push_back(p);
        next.push_back(st);
      }
    out = std::move(next);
  }
  std::vector<NdSbp> valid;
  for (const NdSbp &st : out)
    if (sbp::isValidFor(st, mesh, shape))
      valid.push_back(st);
  return valid;
}

double localBytes(const NdSbp &st, const std::vector<int64_t> &mesh,
                  const std::vector<int64_t> &shape, int64_t elementBytes) {
  std::vector<int64_t> local = *sbp::localShape(st, mesh, shape);
  double bytes = static_cast<double>(elementBytes);
  for (int64_t d : local)
    bytes *= static_cast<double>(d);
  return bytes;
}

/// The kind a one-axis change from `p` to `q` must use, from the table in
/// BoxingPlanner.h; nullopt when no single step does it.
std::optional<CollectiveKind> expectedKind(Placement p, Placement q) {
  if (p.isPartial() && q.isBroadcast())
    return CollectiveKind::AllReduce;
  if (p == kPSum && q.isSplit())
    return CollectiveKind::ReduceScatter;
  if (p.isSplit() && q.isBroadcast())
    return CollectiveKind::AllGather;
  if (p.isSplit() && q.isSplit())
    return CollectiveKind::AllToAll;
  if (p.isBroadcast() && q.isSplit())
    return CollectiveKind::LocalSlice;
  if (p.isBroadcast() && q == kPSum)
    return CollectiveKind::MakePartial;
  return std::nullopt;
}

/// The cost of a plain chain that always works when a plan exists: reduce
/// every partial axis that must change, gather every split innermost axis
/// first, slice the target's splits outermost axis first, then make the
/// target's partial sums. The planner can only do as well or better.
double naiveChainSeconds(const CostModel &model, const NdSbp &from,
                         const NdSbp &to, const std::vector<int64_t> &shape,
                         int64_t eb) {
  const std::vector<int64_t> &mesh = model.topology().shape;
  NdSbp cur = from;
  double total = 0;
  for (unsigned a = 0; a < cur.size(); ++a) {
    if (!cur[a].isPartial() || cur[a] == to[a])
      continue;
    total += model.collectiveSeconds(CollectiveKind::AllReduce, a,
                                     localBytes(cur, mesh, shape, eb));
    cur[a] = kB;
  }
  for (unsigned a = cur.size(); a-- > 0;) {
    if (!cur[a].isSplit())
      continue;
    cur[a] = kB;
    total += model.collectiveSeconds(CollectiveKind::AllGather, a,
                                     localBytes(cur, mesh, shape, eb));
  }
  // Slices and make-partials are free.
  return total;
}
} // namespace

TEST(BoxingPlanner, RandomPlansAreSoundChains) {
  std::mt19937_64 rng(7);
  const std::vector<int64_t> dims = {1, 2, 3, 4, 6, 8, 12, 16};
  int planned = 0, refused = 0;
  for (std::vector<int64_t> mesh :
       {std::vector<int64_t>{2, 2}, std::vector<int64_t>{2, 4}}) {
    Planner p(mesh);
    for (int trial = 0; trial < 60; ++trial) {
      std::vector<int64_t> shape(1 + rng() % 3);
      for (int64_t &d : shape)
        d = dims[rng() % dims.size()];
      int64_t eb = (rng() % 2) ? 4 : 2;
      std::vector<NdSbp> states = validStates(mesh, shape);
      for (int pair = 0; pair < 10; ++pair) {
        const NdSbp &from = states[rng() % states.size()];
        const NdSbp &to = states[rng() % states.size()];
        std::string what = sbp::str(from) + " -> " + sbp::str(to);
        std::optional<BoxingPlan> plan = p.planner.plan(from, to, shape, eb);

        // P(max) is never created; everything else is reachable.
        bool reachable = true;
        for (size_t a = 0; a < mesh.size(); ++a)
          if (to[a] == kPMax && from[a] != kPMax)
            reachable = false;
        ASSERT_EQ(plan.has_value(), reachable) << what;
        if (!plan) {
          ++refused;
          EXPECT_EQ(p.planner.cost(from, to, shape, eb),
                    std::numeric_limits<double>::infinity());
          continue;
        }
        ++planned;

        NdSbp cur = from;
        double seconds = 0, sent = 0;
        for (const BoxingStep &st : plan->steps) {
          ASSERT_EQ(st.from, cur) << what;
          ASSERT_LT(st.axis, mesh.size()) << what;
          ASSERT_TRUE(sbp::isValidFor(st.to, mesh, shape))
              << what << " via " << sbp::str(st.to);
          size_t changed = 0;
          for (size_t a = 0; a < mesh.size(); ++a)
            if (st.from[a] != st.to[a])
              ++changed;
          EXPECT_EQ(changed, 1u) << what;
          EXPECT_NE(st.from[st.axis], st.to[st.axis]) << what;
          std::optional<CollectiveKind> kind =
              expectedKind(st.from[st.axis], st.to[st.axis]);
          ASSERT_TRUE(kind) << what;
          EXPECT_EQ(st.kind, *kind) << what;
          EXPECT_DOUBLE_EQ(st.sentBytesPerRank,
                           CostModel::sentBytesPerRank(st.kind, mesh[st.axis],
                                                       st.groupBytes));
          EXPECT_EQ(st.seconds,
                    p.model.collectiveSeconds(st.kind, st.axis, st.groupBytes));
          seconds += st.seconds;
          sent += st.sentBytesPerRank;
          cur = st.to;
        }
        EXPECT_EQ(cur, to) << what;
        EXPECT_DOUBLE_EQ(plan->seconds, seconds) << what;
        EXPECT_DOUBLE_EQ(plan->sentBytesPerRank, sent) << what;
        EXPECT_EQ(p.planner.cost(from, to, shape, eb), plan->seconds) << what;
        EXPECT_LE(plan->seconds,
                  naiveChainSeconds(p.model, from, to, shape, eb) * (1 + 1e-9))
            << what;
      }
    }
  }
  // The random pairs exercise both outcomes.
  EXPECT_GT(planned, 100);
  EXPECT_GT(refused, 10);
}
