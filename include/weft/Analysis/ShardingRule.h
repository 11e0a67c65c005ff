//===- ShardingRule.h - legal SBP signatures of an op -----------*- C++ -*-===//
//
// How an op may be split, described by its iteration space (as upstream's
// ShardingInterface derives it from indexing maps, and Shardy's factors):
// a list of loops, each parallel, a sum or max reduction, or "whole" (the
// op needs all of it on one device: a softmax axis, a convolution window);
// for every operand and result dim, the loop it walks (or none, for a
// broadcast size-1 dim or a dim the op reads whole).
//
// One mesh axis's signature ("1-D signature") comes from the rule:
//  * all-broadcast: every operand and result B;
//  * split loop l (parallel or reduction): every tensor dim walked by l is
//    S(that dim), tensors not walking l are B; results that do not walk a
//    reduction loop l are P(sum) (sum) or P(max) (max);
//  * linear: for each set L in `linearIn`, operands in L are P(sum), the
//    others B, and every result P(sum) (the op is linear in the operands of
//    L jointly: add(P, P), matmul(P, B), neg(P));
//  * any extra 1-D signatures the op states (embedding: table S(0) with
//    indices B gives P(sum)).
// An N-D signature picks one 1-D signature per mesh axis; it is legal when
// every operand and result placement is valid for its shape (splits divide
// evenly) and no tensor holds both P(sum) and P(max) (as #dist.sharding
// requires). Several axes may split the same loop; every tensor walking it is
// then split in the same axis order, so the pieces line up.
//
// Plain C++: no IR, unit-tested.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_ANALYSIS_SHARDINGRULE_H
#define WEFT_ANALYSIS_SHARDINGRULE_H

#include "weft/Analysis/SBP.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

enum class LoopKind : uint8_t { Parallel, ReduceSum, ReduceMax, Whole };

/// One mesh axis's placements for every operand and result.
struct AxisSignature {
  std::vector<sbp::Placement> operands;
  std::vector<sbp::Placement> results;
  bool operator==(const AxisSignature &o) const {
    return operands == o.operands && results == o.results;
  }
};

/// One N-D SBP per operand and per result.
struct Signature {
  std::vector<sbp::NdSbp> operands;
  std::vector<sbp::NdSbp> results;
  /// The 1-D signature chosen on each mesh axis (index into
  /// axisSignatures()), for reports and training costs.
  std::vector<int> perAxis;
};

struct ShardingRule {
  std::vector<LoopKind> loops;
  /// Per operand, per tensor dim: the loop it walks, or -1.
  std::vector<std::vector<int>> operandLoops;
  /// Per result, per tensor dim: the loop it walks, or -1.
  std::vector<std::vector<int>> resultLoops;
  /// Operand sets the op is jointly linear in (see file comment).
  std::vector<std::vector<int>> linearIn;
  /// Further 1-D signatures (sizes must match the operand/result counts).
  std::vector<AxisSignature> extra;

  /// A rule where every operand and result is only ever B (ops with no
  /// rule fall back to it).
  static ShardingRule replicated(size_t numOperands, size_t numResults);
  /// An elementwise rule over `resultShape` where each operand of
  /// `operandShapes` broadcasts numpy-style (trailing alignment; size-1
  /// dims stretched to a larger result dim walk no loop).
  static ShardingRule
  elementwise(const std::vector<std::vector<int64_t>> &operandShapes,
              const std::vector<int64_t> &resultShape);

  /// Empty when well formed (loop indices in range, sizes agree), else
  /// what is wrong.
  std::string validate(size_t numOperands, size_t numResults) const;

  /// The distinct 1-D signatures, all-broadcast first, in a deterministic
  /// order.
  std::vector<AxisSignature> axisSignatures() const;

  /// Every legal N-D signature over a mesh of `meshShape` for tensors of the
  /// given global shapes, all-broadcast first. Capped at `limit`
  /// signatures (the all-broadcast one always included).
  std::vector<Signature>
  signatures(const std::vector<int64_t> &meshShape,
             const std::vector<std::vector<int64_t>> &operandShapes,
             const std::vector<std::vector<int64_t>> &resultShapes,
             size_t limit = 4096) const;
};

} // namespace weft

#endif // WEFT_ANALYSIS_SHARDINGRULE_H
