//===- OffsetPlannerTest.cpp - properties of the offset planner -----------===//
#include "weft/Analysis/OffsetPlanner.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

using namespace weft;

namespace {
/// No two buffers live at the same step share a byte; offsets are aligned;
/// everything fits the arena; the arena is no smaller than the bound.
void expectSound(const std::vector<BufferRequest> &reqs, const OffsetPlan &p,
                 int64_t align) {
  ASSERT_EQ(p.offsets.size(), reqs.size());
  EXPECT_GE(p.arenaSize, p.lowerBound);
  for (size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(p.offsets[i] % align, 0);
    EXPECT_LE(p.offsets[i] + reqs[i].size, p.arenaSize);
    for (size_t j = i + 1; j < reqs.size(); ++j) {
      bool sameTime = std::max(reqs[i].first, reqs[j].first) <=
                      std::min(reqs[i].last, reqs[j].last);
      bool sameBytes = p.offsets[i] < p.offsets[j] + reqs[j].size &&
                       p.offsets[j] < p.offsets[i] + reqs[i].size;
      EXPECT_FALSE(sameTime && sameBytes) << "buffers " << i << " and " << j;
    }
  }
}
} // namespace

TEST(OffsetPlanner, ReusesDeadSpace) {
  // a dies at step 1; c starts at step 2 and fits a's slot.
  std::vector<BufferRequest> reqs = {{256, 0, 1}, {256, 1, 2}, {256, 2, 3}};
  OffsetPlan p = planOffsets(reqs, 64);
  expectSound(reqs, p, 64);
  EXPECT_EQ(p.arenaSize, 512);
  EXPECT_EQ(p.lowerBound, 512);
  EXPECT_EQ(p.offsets[0], p.offsets[2]);
}

TEST(OffsetPlanner, KeepsLiveBuffersApart) {
  std::vector<BufferRequest> reqs = {{256, 0, 3}, {256, 1, 2}, {256, 2, 3}};
  OffsetPlan p = planOffsets(reqs, 64);
  expectSound(reqs, p, 64);
  EXPECT_EQ(p.arenaSize, 768);
}

TEST(OffsetPlanner, AlignsOddSizes) {
  std::vector<BufferRequest> reqs = {{1, 0, 0}, {3, 0, 0}, {65, 0, 0}};
  OffsetPlan p = planOffsets(reqs, 64);
  expectSound(reqs, p, 64);
  EXPECT_EQ(p.arenaSize, 64 + 64 + 128);
}

TEST(OffsetPlanner, Empty) {
  OffsetPlan p = planOffsets({}, 64);
  EXPECT_EQ(p.arenaSize, 0);
  EXPECT_EQ(p.lowerBound, 0);
}

TEST(OffsetPlanner, RandomProgramsAreSoundAndTight) {
  std::mt19937_64 rng(42);
  double totalRatio = 0;
  const int trials = 200;
  for (int t = 0; t < trials; ++t) {
    int steps = 5 + rng() % 40, n = 1 + rng() % 60;
    std::vector<BufferRequest> reqs;
    for (int i = 0; i < n; ++i) {
      int64_t first = rng() % steps;
      int64_t last = first + rng() % std::max<int64_t>(1, steps / 3);
      reqs.push_back({int64_t(1 + rng() % 100000), first, last});
    }
    OffsetPlan p = planOffsets(reqs, 64);
    expectSound(reqs, p, 64);
    totalRatio += double(p.arenaSize) / double(p.lowerBound);
  }
  // Best fit over several orders stays close to the bound on average.
  EXPECT_LT(totalRatio / trials, 1.25);
}

TEST(OffsetPlanner, LargeProgramsUseTheSweep) {
  // Far above the quadratic limit: the sweep alone must be sound and fast.
  std::mt19937_64 rng(7);
  std::vector<BufferRequest> reqs;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    int64_t first = i / 4;
    reqs.push_back(
        {int64_t(64 + rng() % 4096), first, first + int64_t(rng() % 8)});
  }
  OffsetPlan p = planOffsets(reqs, 64);
  EXPECT_EQ(p.strategy, "sweep");
  EXPECT_GE(p.arenaSize, p.lowerBound);
  EXPECT_LT(double(p.arenaSize) / double(p.lowerBound), 2.0);
  // Soundness by a sweep over time (the pairwise check is quadratic).
  std::map<int64_t, std::vector<size_t>> starts;
  for (size_t i = 0; i < reqs.size(); ++i)
    starts[reqs[i].first].push_back(i);
  std::map<int64_t, size_t> live; // offset -> buffer
  for (auto &[step, ids] : starts) {
    for (auto it = live.begin(); it != live.end();)
      it = reqs[it->second].last < step ? live.erase(it) : std::next(it);
    for (size_t i : ids) {
      auto next = live.lower_bound(p.offsets[i]);
      if (next != live.end())
        EXPECT_LE(p.offsets[i] + reqs[i].size, next->first) << i;
      if (next != live.begin())
        EXPECT_LE(std::prev(next)->first + reqs[std::prev(next)->second].size,
                  p.offsets[i])
            << i;
      live[p.offsets[i]] = i;
    }
  }
}
