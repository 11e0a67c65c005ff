//===- ShardingRuleTest.cpp - legal SBP signatures from loops -------------===//
//
// Every expected signature list is derived by hand in the comments from the
// rules of ShardingRule.h: the all-B signature first, then one signature per
// splittable loop (in loop order), then one per linear operand set, then the
// extra ones; an N-D signature picks one of those per mesh axis, axis 0
// slowest, and is kept when every split divides its dim.
//
// Notation: "ops -> results" lists the placements of the operands, then of
// the results; perAxis {i, j} is the 1-D signature index on axes 0 and 1.
//
//===----------------------------------------------------------------------===//
#include "weft/Analysis/ShardingRule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

using namespace weft;
using sbp::NdSbp;
using sbp::Placement;

namespace {
const Placement kB = Placement::broadcast();
const Placement kPSum = Placement::partialSum();
const Placement kPMax = Placement::partialMax();
Placement s(int64_t d) { return Placement::split(d); }

AxisSignature sig(std::vector<Placement> operands,
                  std::vector<Placement> results) {
  return AxisSignature{std::move(operands), std::move(results)};
}

/// "B,S(0)->P(sum); ..." for failure messages.
std::string describe(const std::vector<AxisSignature> &all) {
  std::string out;
  for (const AxisSignature &a : all) {
    if (!out.empty())
      out += "; ";
    for (size_t i = 0; i < a.operands.size(); ++i)
      out += (i ? "," : "") + a.operands[i].str();
    out += "->";
    for (size_t i = 0; i < a.results.size(); ++i)
      out += (i ? "," : "") + a.results[i].str();
  }
  return out;
}

std::string describe(const Signature &sg) {
  std::string out;
  for (size_t i = 0; i < sg.operands.size(); ++i)
    out += (i ? "," : "") + sbp::str(sg.operands[i]);
  out += "->";
  for (size_t i = 0; i < sg.results.size(); ++i)
    out += (i ? "," : "") + sbp::str(sg.results[i]);
  return out;
}

/// The signature picking `perAxis`, or null.
const Signature *find(const std::vector<Signature> &all,
                      const std::vector<int> &perAxis) {
  for (const Signature &sg : all)
    if (sg.perAxis == perAxis)
      return &sg;
  return nullptr;
}

std::set<std::vector<int>> picks(const std::vector<Signature> &all) {
  std::set<std::vector<int>> out;
  for (const Signature &sg : all)
    out.insert(sg.perAxis);
  return out;
}

/// matmul C[m, n] = sum_k A[m, k] * B[k, n]: loops 0 = m, 1 = n (parallel),
/// 2 = k (sum). A walks (m, k), B walks (k, n), C walks (m, n). It is linear
/// in A alone and in B alone (not jointly: (A1 + A2)(B1 + B2) has cross
/// terms).
ShardingRule matmulRule() {
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel, LoopKind::Parallel, LoopKind::ReduceSum};
  rule.operandLoops = {{0, 2}, {2, 1}};
  rule.resultLoops = {{0, 1}};
  rule.linearIn = {{0}, {1}};
  return rule;
}

// The six 1-D matmul signatures, in the order of the file comment:
//  0: all-B;  1: split m;  2: split n;  3: split k (C pending a sum);
//  4: A partial (linear in A);  5: B partial (linear in B).
const std::vector<AxisSignature> kMatmulAxis = {
    sig({kB, kB}, {kB}),       sig({s(0), kB}, {s(0)}),
    sig({kB, s(1)}, {s(1)}),   sig({s(1), s(0)}, {kPSum}),
    sig({kPSum, kB}, {kPSum}), sig({kB, kPSum}, {kPSum})};
} // namespace

//===----------------------------------------------------------------------===//
// elementwise
//===----------------------------------------------------------------------===//

TEST(ShardingRule, ElementwiseBiasWalksTheTrailingLoopOnly) {
  // [4, 8] + [8] -> [4, 8]: numpy aligns the trailing dims, so the bias's
  // only dim is result dim 1 and walks loop 1; it walks no loop 0.
  ShardingRule rule = ShardingRule::elementwise({{4, 8}, {8}}, {4, 8});
  EXPECT_EQ(rule.loops,
            (std::vector<LoopKind>{LoopKind::Parallel, LoopKind::Parallel}));
  EXPECT_EQ(rule.operandLoops, (std::vector<std::vector<int>>{{0, 1}, {1}}));
  EXPECT_EQ(rule.resultLoops, (std::vector<std::vector<int>>{{0, 1}}));
  EXPECT_TRUE(rule.linearIn.empty());
  EXPECT_TRUE(rule.extra.empty());
  EXPECT_EQ(rule.validate(2, 1), "");

  // Split loop 0: lhs S(0), the bias (not walking it) B, result S(0).
  // Split loop 1: lhs S(1), the bias S(0) (its dim 0 walks loop 1), S(1).
  std::vector<AxisSignature> axis = rule.axisSignatures();
  std::vector<AxisSignature> want = {
      sig({kB, kB}, {kB}), sig({s(0), kB}, {s(0)}), sig({s(1), s(0)}, {s(1)})};
  EXPECT_EQ(axis, want) << describe(axis);
}

TEST(ShardingRule, ElementwiseSquareBiasAlignsTrailing) {
  // [4, 4] + [4]: the bias is a row vector (numpy: trailing alignment), so it
  // walks loop 1 even though its size also matches result dim 0.
  ShardingRule rule = ShardingRule::elementwise({{4, 4}, {4}}, {4, 4});
  EXPECT_EQ(rule.operandLoops, (std::vector<std::vector<int>>{{0, 1}, {1}}));
}

TEST(ShardingRule, ElementwiseStretchedSizeOneDimWalksNoLoop) {
  // [4, 1] + [1, 8] -> [4, 8]: each operand's size-1 dim is stretched, so it
  // walks no loop; a scalar-like [1] walks none either.
  ShardingRule rule = ShardingRule::elementwise({{4, 1}, {1, 8}, {1}}, {4, 8});
  EXPECT_EQ(rule.operandLoops,
            (std::vector<std::vector<int>>{{0, -1}, {-1, 1}, {-1}}));
  // Split loop 0: [4,1] S(0), [1,8] B, [1] B -> S(0).
  // Split loop 1: [4,1] B, [1,8] S(1), [1] B -> S(1).
  std::vector<AxisSignature> want = {sig({kB, kB, kB}, {kB}),
                                     sig({s(0), kB, kB}, {s(0)}),
                                     sig({kB, s(1), kB}, {s(1)})};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, want) << describe(axis);
}

TEST(ShardingRule, ElementwiseUnstretchedSizeOneDimWalksItsLoop) {
  // [4, 1] + [4, 1] -> [4, 1]: nothing is stretched, so dim 1 walks loop 1;
  // a split of it never divides a size-1 dim, so signatures() drops it.
  ShardingRule rule = ShardingRule::elementwise({{4, 1}, {4, 1}}, {4, 1});
  EXPECT_EQ(rule.operandLoops, (std::vector<std::vector<int>>{{0, 1}, {0, 1}}));
  std::vector<Signature> all = rule.signatures({2}, {{4, 1}, {4, 1}}, {{4, 1}});
  // B, and S(0) (4 / 2); S(1) is 1 / 2.
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].perAxis, (std::vector<int>{0}));
  EXPECT_EQ(all[1].perAxis, (std::vector<int>{1}));
}

TEST(ShardingRule, ElementwiseAddSignatures) {
  // add is linear in both operands jointly: P(sum) + P(sum) -> P(sum).
  ShardingRule rule = ShardingRule::elementwise({{4, 8}, {8}}, {4, 8});
  rule.linearIn = {{0, 1}};
  std::vector<AxisSignature> want = {
      sig({kB, kB}, {kB}), sig({s(0), kB}, {s(0)}), sig({s(1), s(0)}, {s(1)}),
      sig({kPSum, kPSum}, {kPSum})};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, want) << describe(axis);

  // Mesh [4]: 4 / 4 and 8 / 4 divide, all four are legal.
  EXPECT_EQ(rule.signatures({4}, {{4, 8}, {8}}, {{4, 8}}).size(), 4u);
  // Mesh [8]: the split of loop 0 (4 / 8) is dropped; loop 1 (8 / 8) stays.
  std::vector<Signature> on8 = rule.signatures({8}, {{4, 8}, {8}}, {{4, 8}});
  EXPECT_EQ(picks(on8), (std::set<std::vector<int>>{{0}, {2}, {3}}));
  const Signature *split1 = find(on8, {2});
  ASSERT_TRUE(split1);
  EXPECT_EQ(split1->operands, (std::vector<NdSbp>{{s(1)}, {s(0)}}));
  EXPECT_EQ(split1->results, (std::vector<NdSbp>{{s(1)}}));
}

//===----------------------------------------------------------------------===//
// axisSignatures
//===----------------------------------------------------------------------===//

TEST(ShardingRule, MatmulAxisSignaturesInOrder) {
  ShardingRule rule = matmulRule();
  EXPECT_EQ(rule.validate(2, 1), "");
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, kMatmulAxis) << describe(axis);
}

TEST(ShardingRule, AxisSignaturesHaveNoDuplicates) {
  // Linear in A twice, and an extra equal to "split m": each is kept once.
  ShardingRule rule = matmulRule();
  rule.linearIn = {{0}, {1}, {0}};
  rule.extra = {sig({s(0), kB}, {s(0)}), sig({kB, kB}, {kB})};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, kMatmulAxis) << describe(axis);
}

TEST(ShardingRule, ReplicatedRuleIsOnlyBroadcast) {
  ShardingRule rule = ShardingRule::replicated(2, 1);
  EXPECT_EQ(rule.validate(2, 1), "");
  EXPECT_EQ(rule.operandLoops.size(), 2u);
  EXPECT_EQ(rule.resultLoops.size(), 1u);
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, (std::vector<AxisSignature>{sig({kB, kB}, {kB})}))
      << describe(axis);
  std::vector<Signature> all = rule.signatures({2, 4}, {{8}, {8}}, {{8}});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].operands, (std::vector<NdSbp>{{kB, kB}, {kB, kB}}));
}

TEST(ShardingRule, WholeLoopsAreNeverSplit) {
  // softmax over dim 1 of [8, 16]: loop 0 parallel, loop 1 whole.
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel, LoopKind::Whole};
  rule.operandLoops = {{0, 1}};
  rule.resultLoops = {{0, 1}};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis,
            (std::vector<AxisSignature>{sig({kB}, {kB}), sig({s(0)}, {s(0)})}))
      << describe(axis);
  // Mesh [2, 4]: {0,0}, {0,1}, {1,0}, {1,1} ([S(0), S(0)]: 8 / 8); nothing
  // ever holds S(1).
  std::vector<Signature> all = rule.signatures({2, 4}, {{8, 16}}, {{8, 16}});
  EXPECT_EQ(all.size(), 4u);
  for (const Signature &sg : all)
    for (const NdSbp &t : sg.operands)
      EXPECT_EQ(std::count(t.begin(), t.end(), s(1)), 0) << describe(sg);

  // Pooling: N, C parallel, H, W whole: only N and C ever split.
  ShardingRule pool;
  pool.loops = {LoopKind::Parallel, LoopKind::Parallel, LoopKind::Whole,
                LoopKind::Whole};
  pool.operandLoops = {{0, 1, 2, 3}};
  pool.resultLoops = {{0, 1, 2, 3}};
  axis = pool.axisSignatures();
  EXPECT_EQ(axis,
            (std::vector<AxisSignature>{sig({kB}, {kB}), sig({s(0)}, {s(0)}),
                                        sig({s(1)}, {s(1)})}))
      << describe(axis);
}

TEST(ShardingRule, ReduceMaxLoopGivesPartialMax) {
  // reduce_max over dim 1 of [8, 16] -> [8]: loop 0 parallel, loop 1 max.
  // Split loop 1: the input S(1), the result (not walking it) P(max).
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel, LoopKind::ReduceMax};
  rule.operandLoops = {{0, 1}};
  rule.resultLoops = {{0}};
  std::vector<AxisSignature> want = {sig({kB}, {kB}), sig({s(0)}, {s(0)}),
                                     sig({s(1)}, {kPMax})};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, want) << describe(axis);

  // keep_dims: the kept size-1 dim walks no loop; same signatures.
  rule.resultLoops = {{0, -1}};
  axis = rule.axisSignatures();
  EXPECT_EQ(axis, want) << describe(axis);

  // reduce_sum: the same with P(sum).
  rule.loops[1] = LoopKind::ReduceSum;
  axis = rule.axisSignatures();
  EXPECT_EQ(axis[2], sig({s(1)}, {kPSum})) << describe(axis);
}

TEST(ShardingRule, LoopWalkedByNothingGivesNoSignature) {
  // Loop 1 is walked by no tensor: splitting it would split nothing.
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel, LoopKind::Parallel};
  rule.operandLoops = {{0}};
  rule.resultLoops = {{0}};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis,
            (std::vector<AxisSignature>{sig({kB}, {kB}), sig({s(0)}, {s(0)})}))
      << describe(axis);
}

TEST(ShardingRule, ExtraSignaturesComeLast) {
  // embedding out[i, d] = table[idx[i], d] with idx [8], table [16, 32]:
  // loop 0 = i, loop 1 = d. The table's row dim walks no loop (it is
  // gathered), its dim 1 walks d. Linear in the table; a table split on
  // rows (the vocabulary) gives P(sum) (each device holds only its rows).
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel, LoopKind::Parallel};
  rule.operandLoops = {{-1, 1}, {0}};
  rule.resultLoops = {{0, 1}};
  rule.linearIn = {{0}};
  rule.extra = {sig({s(0), kB}, {kPSum})};
  EXPECT_EQ(rule.validate(2, 1), "");
  // 0: B; 1: split i (table B, idx S(0)); 2: split d (table S(1), idx B);
  // 3: table P(sum); 4: the extra.
  std::vector<AxisSignature> want = {
      sig({kB, kB}, {kB}), sig({kB, s(0)}, {s(0)}), sig({s(1), kB}, {s(1)}),
      sig({kPSum, kB}, {kPSum}), sig({s(0), kB}, {kPSum})};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, want) << describe(axis);

  // Mesh [4]: 8, 32 and 16 all divide by 4: all five.
  std::vector<Signature> all = rule.signatures({4}, {{16, 32}, {8}}, {{8, 32}});
  EXPECT_EQ(all.size(), 5u);
  // A vocabulary of 6 does not split 4 ways: the extra is dropped.
  all = rule.signatures({4}, {{6, 32}, {8}}, {{8, 32}});
  EXPECT_EQ(picks(all), (std::set<std::vector<int>>{{0}, {1}, {2}, {3}}));
}

//===----------------------------------------------------------------------===//
// signatures
//===----------------------------------------------------------------------===//

TEST(ShardingRule, MatmulOnOneDMesh) {
  // A [8, 16], B [16, 12], C [8, 12] on 4 devices: m = 8, n = 12, k = 16
  // all divide by 4, so all six 1-D signatures are legal, in order.
  ShardingRule rule = matmulRule();
  std::vector<Signature> all =
      rule.signatures({4}, {{8, 16}, {16, 12}}, {{8, 12}});
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].perAxis, (std::vector<int>{static_cast<int>(i)}));
    ASSERT_EQ(all[i].operands.size(), 2u);
    ASSERT_EQ(all[i].results.size(), 1u);
    EXPECT_EQ(all[i].operands[0], NdSbp{kMatmulAxis[i].operands[0]});
    EXPECT_EQ(all[i].operands[1], NdSbp{kMatmulAxis[i].operands[1]});
    EXPECT_EQ(all[i].results[0], NdSbp{kMatmulAxis[i].results[0]});
  }
}

TEST(ShardingRule, MatmulDropsUndividedSplits) {
  // m = 6 on 4 devices: "split m" (A S(0), C S(0)) is dropped, 6 % 4 != 0;
  // the other five stay.
  ShardingRule rule = matmulRule();
  std::vector<Signature> all =
      rule.signatures({4}, {{6, 16}, {16, 12}}, {{6, 12}});
  EXPECT_EQ(picks(all), (std::set<std::vector<int>>{{0}, {2}, {3}, {4}, {5}}));
  EXPECT_EQ(all[0].perAxis, (std::vector<int>{0}));

  // k = 6 as well: "split k" (A S(1), B S(0)) goes too.
  all = rule.signatures({4}, {{6, 6}, {6, 12}}, {{6, 12}});
  EXPECT_EQ(picks(all), (std::set<std::vector<int>>{{0}, {2}, {4}, {5}}));
}

TEST(ShardingRule, MatmulOnTwoDMesh) {
  // Mesh [2, 4], A [8, 16], B [16, 12], C [8, 12]: 6 x 6 = 36 picks. A pick
  // of two different loops or partials always divides (each dim is split by
  // at most one axis: 8, 16, 12 by 2 or 4). The same loop on both axes
  // divides its dims by 8: m = 8 and k = 16 do, n = 12 does not. So only
  // {2, 2} is dropped: 35 signatures.
  ShardingRule rule = matmulRule();
  std::vector<Signature> all =
      rule.signatures({2, 4}, {{8, 16}, {16, 12}}, {{8, 12}});
  EXPECT_EQ(all.size(), 35u);
  EXPECT_FALSE(find(all, {2, 2}));
  std::set<std::vector<int>> seen = picks(all);
  EXPECT_EQ(seen.size(), all.size()) << "a pick appears twice";

  // All-B first.
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all[0].perAxis, (std::vector<int>{0, 0}));
  EXPECT_EQ(all[0].operands, (std::vector<NdSbp>{{kB, kB}, {kB, kB}}));
  EXPECT_EQ(all[0].results, (std::vector<NdSbp>{{kB, kB}}));

  // Axis 0 slowest: {0, 0}, {0, 1}, ..., {0, 5}, {1, 0}, ...
  EXPECT_EQ(all[1].perAxis, (std::vector<int>{0, 1}));
  EXPECT_EQ(all[6].perAxis, (std::vector<int>{1, 0}));

  // m on both axes: every tensor walking m (A and C) is split on both axes
  // along its m dim, B (not walking m) is B on both.
  const Signature *mm = find(all, {1, 1});
  ASSERT_TRUE(mm);
  EXPECT_EQ(mm->operands, (std::vector<NdSbp>{{s(0), s(0)}, {kB, kB}}))
      << describe(*mm);
  EXPECT_EQ(mm->results, (std::vector<NdSbp>{{s(0), s(0)}})) << describe(*mm);

  // k on both axes: A [S(1), S(1)], B [S(0), S(0)], C pending sums on both.
  const Signature *kk = find(all, {3, 3});
  ASSERT_TRUE(kk);
  EXPECT_EQ(kk->operands, (std::vector<NdSbp>{{s(1), s(1)}, {s(0), s(0)}}))
      << describe(*kk);
  EXPECT_EQ(kk->results, (std::vector<NdSbp>{{kPSum, kPSum}}));

  // m on axis 0, n on axis 1 (2-D tensor parallel): A [S(0), B],
  // B [B, S(1)], C [S(0), S(1)].
  const Signature *mn = find(all, {1, 2});
  ASSERT_TRUE(mn);
  EXPECT_EQ(mn->operands, (std::vector<NdSbp>{{s(0), kB}, {kB, s(1)}}));
  EXPECT_EQ(mn->results, (std::vector<NdSbp>{{s(0), s(1)}}));

  // A partial on axis 0, B partial on axis 1: C = sum_ij A_i B_j, P on both.
  const Signature *pp = find(all, {4, 5});
  ASSERT_TRUE(pp);
  EXPECT_EQ(pp->operands, (std::vector<NdSbp>{{kPSum, kB}, {kB, kPSum}}));
  EXPECT_EQ(pp->results, (std::vector<NdSbp>{{kPSum, kPSum}}));
}

TEST(ShardingRule, MatmulOnTwoDMeshUndividedAxes) {
  // Mesh [2, 4], m = 6: axis 0 may split m (6 / 2), axis 1 may not (6 / 4),
  // and both together (6 / 8) may not. n = 12: both alone, not both
  // (12 / 8). k = 16: everything. Dropped: {x, 1} for every x (axis 1
  // splitting m, alone or with axis 0) and {2, 2}: 6 + 1 = 7, so 29 stay.
  ShardingRule rule = matmulRule();
  std::vector<Signature> all =
      rule.signatures({2, 4}, {{6, 16}, {16, 12}}, {{6, 12}});
  EXPECT_EQ(all.size(), 29u);
  for (int x = 0; x < 6; ++x)
    EXPECT_FALSE(find(all, {x, 1})) << "axis 1 splits m = 6, pick " << x;
  EXPECT_FALSE(find(all, {2, 2}));
  EXPECT_TRUE(find(all, {1, 0}));
  EXPECT_TRUE(find(all, {1, 2}));
}

TEST(ShardingRule, SizeOneAxesOnlyBroadcast) {
  // Mesh [1, 4]: axis 0 has one device, so only pick 0 (B) there; axis 1
  // takes all six: 6 signatures, each B on axis 0.
  ShardingRule rule = matmulRule();
  std::vector<std::vector<int64_t>> ops = {{8, 16}, {16, 12}};
  std::vector<std::vector<int64_t>> res = {{8, 12}};
  std::vector<Signature> all = rule.signatures({1, 4}, ops, res);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].perAxis, (std::vector<int>{0, static_cast<int>(i)}));
    for (const NdSbp &t : all[i].operands)
      EXPECT_EQ(t[0], kB) << describe(all[i]);
    for (const NdSbp &t : all[i].results)
      EXPECT_EQ(t[0], kB) << describe(all[i]);
  }
  // Mesh [4, 1]: the same on the other axis.
  all = rule.signatures({4, 1}, ops, res);
  ASSERT_EQ(all.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i].perAxis, (std::vector<int>{static_cast<int>(i), 0}));
  // Mesh [1]: only all-B.
  all = rule.signatures({1}, ops, res);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].results, (std::vector<NdSbp>{{kB}}));
}

TEST(ShardingRule, LimitKeepsAllBroadcast) {
  // Mesh [2, 4] has 35 legal matmul signatures; a cap keeps the first ones
  // in enumeration order, all-B first.
  ShardingRule rule = matmulRule();
  std::vector<std::vector<int64_t>> ops = {{8, 16}, {16, 12}};
  std::vector<std::vector<int64_t>> res = {{8, 12}};
  std::vector<Signature> all = rule.signatures({2, 4}, ops, res, 3);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].perAxis, (std::vector<int>{0, 0}));
  EXPECT_EQ(all[1].perAxis, (std::vector<int>{0, 1}));
  EXPECT_EQ(all[2].perAxis, (std::vector<int>{0, 2}));
  all = rule.signatures({2, 4}, ops, res, 1);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].perAxis, (std::vector<int>{0, 0}));
  // Even a cap of 0 keeps the all-B signature (ShardingRule.h: "the
  // all-broadcast one always included").
  all = rule.signatures({2, 4}, ops, res, 0);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].perAxis, (std::vector<int>{0, 0}));
  // A cap above the count changes nothing.
  EXPECT_EQ(rule.signatures({2, 4}, ops, res, 1000).size(), 35u);
}

TEST(ShardingRule, SignaturesNeverMixPartialSumAndMax) {
  // A max reduction over dim 1 of [8, 16] -> [8] with a (made-up) linear
  // operand set: 1-D signatures 0: B, 1: S(0) -> S(0), 2: S(1) -> P(max),
  // 3: P(sum) -> P(sum). On mesh [2, 2] the picks {2, 3} and {3, 2} would
  // leave the result [P(max), P(sum)] / [P(sum), P(max)], which no
  // #dist.sharding may hold (a sum of maxima is not a maximum of sums):
  // 16 - 2 = 14 signatures.
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel, LoopKind::ReduceMax};
  rule.operandLoops = {{0, 1}};
  rule.resultLoops = {{0}};
  rule.linearIn = {{0}};
  std::vector<Signature> all = rule.signatures({2, 2}, {{8, 16}}, {{8}});
  EXPECT_EQ(all.size(), 14u);
  EXPECT_FALSE(find(all, {2, 3}));
  EXPECT_FALSE(find(all, {3, 2}));
  // P(max) on both axes is fine.
  const Signature *maxMax = find(all, {2, 2});
  ASSERT_TRUE(maxMax);
  EXPECT_EQ(maxMax->results, (std::vector<NdSbp>{{kPMax, kPMax}}));
}

TEST(ShardingRule, ReshapeLikeRule) {
  // reshape [6, 4] -> [24]: one group of 24 elements, one loop walked by the
  // outermost dim on each side (input dim 0, result dim 0); input dim 1 walks
  // none. Splitting that loop n ways is legal when n divides 6 and 24.
  // Linear in its input.
  ShardingRule rule;
  rule.loops = {LoopKind::Parallel};
  rule.operandLoops = {{0, -1}};
  rule.resultLoops = {{0}};
  rule.linearIn = {{0}};
  EXPECT_EQ(rule.validate(1, 1), "");
  std::vector<AxisSignature> want = {sig({kB}, {kB}), sig({s(0)}, {s(0)}),
                                     sig({kPSum}, {kPSum})};
  std::vector<AxisSignature> axis = rule.axisSignatures();
  EXPECT_EQ(axis, want) << describe(axis);

  // 2 and 3 divide 6 and 24: all three.
  EXPECT_EQ(rule.signatures({2}, {{6, 4}}, {{24}}).size(), 3u);
  EXPECT_EQ(rule.signatures({3}, {{6, 4}}, {{24}}).size(), 3u);
  // 4 divides 24 but not 6: the split is dropped.
  std::vector<Signature> on4 = rule.signatures({4}, {{6, 4}}, {{24}});
  EXPECT_EQ(picks(on4), (std::set<std::vector<int>>{{0}, {2}}));
  // Mesh [2, 3]: the loop on both axes divides by 6: 6 and 24 both divide,
  // input [S(0), S(0)], result [S(0), S(0)]; 9 picks, all legal.
  std::vector<Signature> on23 = rule.signatures({2, 3}, {{6, 4}}, {{24}});
  EXPECT_EQ(on23.size(), 9u);
  const Signature *both = find(on23, {1, 1});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->operands, (std::vector<NdSbp>{{s(0), s(0)}}));
  EXPECT_EQ(both->results, (std::vector<NdSbp>{{s(0), s(0)}}));

  // reshape [4, 6] -> [6, 4]: the group is the whole 24 elements, walked by
  // input dim 0 (4) and result dim 0 (6). Mesh [2]: legal; mesh [4]: 6 % 4;
  // mesh [3]: 4 % 3.
  ShardingRule swap;
  swap.loops = {LoopKind::Parallel};
  swap.operandLoops = {{0, -1}};
  swap.resultLoops = {{0, -1}};
  EXPECT_EQ(swap.signatures({2}, {{4, 6}}, {{6, 4}}).size(), 2u);
  EXPECT_EQ(swap.signatures({4}, {{4, 6}}, {{6, 4}}).size(), 1u);
  EXPECT_EQ(swap.signatures({3}, {{4, 6}}, {{6, 4}}).size(), 1u);
}

//===----------------------------------------------------------------------===//
// validate
//===----------------------------------------------------------------------===//

TEST(ShardingRule, ValidateErrors) {
  ShardingRule rule = matmulRule();
  EXPECT_EQ(rule.validate(2, 1), "");
  EXPECT_EQ(rule.validate(3, 1), "rule has 2 operand entries for 3 operands");
  EXPECT_EQ(rule.validate(2, 2), "rule has 1 result entries for 2 results");

  ShardingRule bad = matmulRule();
  bad.operandLoops[1][0] = 3; // loops are 0, 1, 2
  EXPECT_EQ(bad.validate(2, 1), "rule names a loop that does not exist");
  bad = matmulRule();
  bad.resultLoops[0][1] = -2; // -1 is "no loop", -2 is nothing
  EXPECT_EQ(bad.validate(2, 1), "rule names a loop that does not exist");

  bad = matmulRule();
  bad.linearIn = {{2}};
  EXPECT_EQ(bad.validate(2, 1), "linear operand set names a missing operand");
  bad.linearIn = {{-1}};
  EXPECT_EQ(bad.validate(2, 1), "linear operand set names a missing operand");

  bad = matmulRule();
  bad.extra = {sig({kB}, {kB})}; // one operand placement for two operands
  EXPECT_EQ(bad.validate(2, 1),
            "extra signature has the wrong number of placements");
  bad.extra = {sig({kB, kB}, {})}; // no result placement
  EXPECT_EQ(bad.validate(2, 1),
            "extra signature has the wrong number of placements");
}
