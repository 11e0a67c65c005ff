//===- CostModelTest.cpp - roofline and alpha-beta collective costs -------===//
//
// Every expected number is worked out by hand in the comments from the
// defaults in CostModel.h: 1e13 FLOP/s, 1000 GB/s memory, 2 us launch floor,
// 5 us latency and 100 GB/s (1e11 B/s) per mesh axis.
//
//===----------------------------------------------------------------------===//
#include "weft/Analysis/CostModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace weft;

namespace {
/// Relative comparison for seconds (sums of microseconds and nanoseconds).
void expectSeconds(double actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-12 * std::fabs(expected))
      << "expected " << expected << " s";
}
} // namespace

TEST(CostModel, RooflineIsComputeBound) {
  CostModel model(MeshTopology::uniform({4}));
  // 2e10 / 1e13 = 2e-3 s of compute; 1e9 / 1e12 = 1e-3 s of memory.
  // max(2e-3, 1e-3) + 2e-6 = 2.002e-3.
  expectSeconds(model.computeSeconds(2e10, 1e9), 2.002e-3);
}

TEST(CostModel, RooflineIsMemoryBound) {
  CostModel model(MeshTopology::uniform({4}));
  // 1e9 / 1e13 = 1e-4 s; 5e9 / 1e12 = 5e-3 s. 5e-3 + 2e-6 = 5.002e-3.
  expectSeconds(model.computeSeconds(1e9, 5e9), 5.002e-3);
}

TEST(CostModel, RooflineFloorIsTheLaunch) {
  CostModel model(MeshTopology::uniform({4}));
  expectSeconds(model.computeSeconds(0, 0), 2e-6);
}

TEST(CostModel, RooflineUsesTheTopology) {
  MeshTopology t = MeshTopology::uniform({2});
  t.deviceFlops = 1e12;
  t.memoryBandwidthGBps = 500;
  t.launchUs = 0;
  CostModel model(t);
  // 1e9 / 1e12 = 1e-3 s; 1e9 / 5e11 = 2e-3 s; no floor.
  expectSeconds(model.computeSeconds(1e9, 1e9), 2e-3);
}

TEST(CostModel, SentBytesOnFourRanks) {
  // T = 8192 bytes, n = 4.
  // all_reduce: 2 * 3/4 * 8192 = 12288; all_gather and reduce_scatter:
  // 3/4 * 8192 = 6144; all_to_all: 3/16 * 8192 = 1536.
  EXPECT_DOUBLE_EQ(
      CostModel::sentBytesPerRank(CollectiveKind::AllReduce, 4, 8192), 12288);
  EXPECT_DOUBLE_EQ(
      CostModel::sentBytesPerRank(CollectiveKind::AllGather, 4, 8192), 6144);
  EXPECT_DOUBLE_EQ(
      CostModel::sentBytesPerRank(CollectiveKind::ReduceScatter, 4, 8192),
      6144);
  EXPECT_DOUBLE_EQ(
      CostModel::sentBytesPerRank(CollectiveKind::AllToAll, 4, 8192), 1536);
  EXPECT_DOUBLE_EQ(
      CostModel::sentBytesPerRank(CollectiveKind::LocalSlice, 4, 8192), 0);
  EXPECT_DOUBLE_EQ(
      CostModel::sentBytesPerRank(CollectiveKind::MakePartial, 4, 8192), 0);

  EXPECT_EQ(CostModel::steps(CollectiveKind::AllReduce, 4), 6);
  EXPECT_EQ(CostModel::steps(CollectiveKind::AllGather, 4), 3);
  EXPECT_EQ(CostModel::steps(CollectiveKind::ReduceScatter, 4), 3);
  EXPECT_EQ(CostModel::steps(CollectiveKind::AllToAll, 4), 3);
  EXPECT_EQ(CostModel::steps(CollectiveKind::LocalSlice, 4), 0);
  EXPECT_EQ(CostModel::steps(CollectiveKind::MakePartial, 4), 0);
}

TEST(CostModel, NothingIsSentOnOneRank) {
  for (CollectiveKind k :
       {CollectiveKind::AllReduce, CollectiveKind::AllGather,
        CollectiveKind::ReduceScatter, CollectiveKind::AllToAll,
        CollectiveKind::LocalSlice, CollectiveKind::MakePartial}) {
    EXPECT_EQ(CostModel::sentBytesPerRank(k, 1, 8192), 0) << collectiveName(k);
    EXPECT_EQ(CostModel::steps(k, 1), 0) << collectiveName(k);
  }
}

TEST(CostModel, CollectiveSecondsOnFourRanks) {
  CostModel model(MeshTopology::uniform({4}));
  // all_reduce: 6 steps * 5e-6 + 12288 / 1e11 = 3e-5 + 1.2288e-7.
  expectSeconds(model.collectiveSeconds(CollectiveKind::AllReduce, 0, 8192),
                3.012288e-5);
  // all_gather / reduce_scatter: 3 * 5e-6 + 6144 / 1e11 = 1.5e-5 + 6.144e-8.
  expectSeconds(model.collectiveSeconds(CollectiveKind::AllGather, 0, 8192),
                1.506144e-5);
  expectSeconds(model.collectiveSeconds(CollectiveKind::ReduceScatter, 0, 8192),
                1.506144e-5);
  // all_to_all: 3 * 5e-6 + 1536 / 1e11 = 1.5e-5 + 1.536e-8.
  expectSeconds(model.collectiveSeconds(CollectiveKind::AllToAll, 0, 8192),
                1.501536e-5);
  EXPECT_EQ(model.collectiveSeconds(CollectiveKind::LocalSlice, 0, 8192), 0);
  EXPECT_EQ(model.collectiveSeconds(CollectiveKind::MakePartial, 0, 8192), 0);
  // Nothing sent, nothing paid: no latency either.
  EXPECT_EQ(model.collectiveSeconds(CollectiveKind::AllGather, 0, 0), 0);
}

TEST(CostModel, CollectiveSecondsOnASizeOneAxis) {
  CostModel model(MeshTopology::uniform({1, 4}));
  for (CollectiveKind k :
       {CollectiveKind::AllReduce, CollectiveKind::AllGather,
        CollectiveKind::ReduceScatter, CollectiveKind::AllToAll})
    EXPECT_EQ(model.collectiveSeconds(k, 0, 8192), 0) << collectiveName(k);
  // Axis 1 has 4 ranks: 3 * 5e-6 + 6144 / 1e11.
  expectSeconds(model.collectiveSeconds(CollectiveKind::AllGather, 1, 8192),
                1.506144e-5);
}

TEST(CostModel, CollectiveSecondsUsesTheAxisLink) {
  MeshTopology t = MeshTopology::uniform({2, 4});
  t.latencyUs = {5, 1};
  t.bandwidthGBps = {100, 50};
  CostModel model(t);
  // Axis 1: 3 * 1e-6 + 6144 / 5e10 = 3e-6 + 1.2288e-7.
  expectSeconds(model.collectiveSeconds(CollectiveKind::AllGather, 1, 8192),
                3.12288e-6);
  // Axis 0, n = 2: 2 steps * 5e-6 + 2 * 1/2 * 8192 / 1e11 = 1e-5 + 8.192e-8.
  expectSeconds(model.collectiveSeconds(CollectiveKind::AllReduce, 0, 8192),
                1.008192e-5);
}

TEST(CostModel, Names) {
  EXPECT_STREQ(collectiveName(CollectiveKind::AllReduce), "all_reduce");
  EXPECT_STREQ(collectiveName(CollectiveKind::AllGather), "all_gather");
  EXPECT_STREQ(collectiveName(CollectiveKind::ReduceScatter), "reduce_scatter");
  EXPECT_STREQ(collectiveName(CollectiveKind::AllToAll), "all_to_all");
  EXPECT_STREQ(collectiveName(CollectiveKind::LocalSlice), "local_slice");
  EXPECT_STREQ(collectiveName(CollectiveKind::MakePartial), "make_partial");
}

TEST(MeshTopology, Uniform) {
  MeshTopology t = MeshTopology::uniform({2, 4});
  EXPECT_EQ(t.rank(), 2u);
  EXPECT_EQ(t.axisNames, (std::vector<std::string>{"d0", "d1"}));
  EXPECT_EQ(t.latencyUs, (std::vector<double>{5, 5}));
  EXPECT_EQ(t.bandwidthGBps, (std::vector<double>{100, 100}));
  EXPECT_EQ(t.numDevices(), 8);
  EXPECT_EQ(t.validate(), "");
}

TEST(MeshTopology, NumDevicesSaturates) {
  EXPECT_EQ(MeshTopology::uniform({}).numDevices(), 1);
  EXPECT_EQ(MeshTopology::uniform({3, 5, 7}).numDevices(), 105);
  int64_t big = int64_t(1) << 40;
  EXPECT_EQ(MeshTopology::uniform({big, big}).numDevices(), INT64_MAX);
  EXPECT_EQ(MeshTopology::uniform({big, big, 0}).numDevices(), 0);
}

TEST(MeshTopology, ValidateRefusesBadTopologies) {
  auto refuses = [](MeshTopology t) { return !t.validate().empty(); };
  MeshTopology good = MeshTopology::uniform({2, 4});
  ASSERT_FALSE(refuses(good));

  MeshTopology t = good;
  t.shape = {2, 0};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.shape = {-1, 4};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.axisNames = {"x"};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.latencyUs = {5, 5, 5};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.bandwidthGBps = {100};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.bandwidthGBps = {100, 0};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.bandwidthGBps = {std::nan(""), 100};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.latencyUs = {5, -1};
  EXPECT_TRUE(refuses(t));
  t = good;
  t.deviceFlops = 0;
  EXPECT_TRUE(refuses(t));
  t = good;
  t.memoryBandwidthGBps = -1;
  EXPECT_TRUE(refuses(t));
  t = good;
  t.launchUs = -0.5;
  EXPECT_TRUE(refuses(t));
  t = good;
  t.deviceMemoryBytes = 0;
  EXPECT_TRUE(refuses(t));

  // Zero latency and launch floor are fine.
  t = good;
  t.latencyUs = {0, 0};
  t.launchUs = 0;
  EXPECT_FALSE(refuses(t));
}

TEST(MeshTopology, ValidateNamesTheProblem) {
  MeshTopology t = MeshTopology::uniform({2, 4});
  t.bandwidthGBps = {100, 0};
  EXPECT_NE(t.validate().find("bandwidth"), std::string::npos) << t.validate();
}
