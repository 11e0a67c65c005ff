//===- ShardingRule.cpp - legal SBP signatures of an op -------------------===//
#include "weft/Analysis/ShardingRule.h"

#include <algorithm>

namespace weft {

using sbp::Placement;

ShardingRule ShardingRule::replicated(size_t numOperands, size_t numResults) {
  ShardingRule rule;
  rule.operandLoops.resize(numOperands);
  rule.resultLoops.resize(numResults);
  return rule;
}

ShardingRule
ShardingRule::elementwise(const std::vector<std::vector<int64_t>> &operands,
                          const std::vector<int64_t> &result) {
  ShardingRule rule;
  rule.loops.assign(result.size(), LoopKind::Parallel);
  std::vector<int> identity(result.size());
  for (size_t d = 0; d < result.size(); ++d)
    identity[d] = static_cast<int>(d);
  rule.resultLoops.push_back(identity);
  for (const std::vector<int64_t> &shape : operands) {
    std::vector<int> loops(shape.size(), -1);
    size_t offset = result.size() - std::min(result.size(), shape.size());
    for (size_t d = 0; d < shape.size(); ++d) {
      size_t r = offset + d;
      if (r < result.size() && shape[d] == result[r])
        loops[d] = static_cast<int>(r);
    }
    rule.operandLoops.push_back(loops);
  }
  return rule;
}

std::string ShardingRule::validate(size_t numOperands,
                                   size_t numResults) const {
  if (operandLoops.size() != numOperands)
    return "rule has " + std::to_string(operandLoops.size()) +
           " operand entries for " + std::to_string(numOperands) + " operands";
  if (resultLoops.size() != numResults)
    return "rule has " + std::to_string(resultLoops.size()) +
           " result entries for " + std::to_string(numResults) + " results";
  auto checkLoops = [&](const std::vector<std::vector<int>> &all) {
    for (const std::vector<int> &dims : all)
      for (int l : dims)
        if (l < -1 || l >= static_cast<int>(loops.size()))
          return false;
    return true;
  };
  if (!checkLoops(operandLoops) || !checkLoops(resultLoops))
    return "rule names a loop that does not exist";
  for (const std::vector<int> &set : linearIn)
    for (int o : set)
      if (o < 0 || o >= static_cast<int>(numOperands))
        return "linear operand set names a missing operand";
  for (const AxisSignature &s : extra)
    if (s.operands.size() != numOperands || s.results.size() != numResults)
      return "extra signature has the wrong number of placements";
  return "";
}

/// Placement of a tensor walking `dims` (loop per tensor dim) when loop `l`
/// is split: S(d) for the dim walking it, else `otherwise`.
static Placement placementFor(const std::vector<int> &dims, int l,
                              Placement otherwise) {
  for (size_t d = 0; d < dims.size(); ++d)
    if (dims[d] == l)
      return Placement::split(static_cast<int64_t>(d));
  return otherwise;
}

std::vector<AxisSignature> ShardingRule::axisSignatures() const {
  std::vector<AxisSignature> out;
  auto add = [&](AxisSignature s) {
    if (std::find(out.begin(), out.end(), s) == out.end())
      out.push_back(std::move(s));
  };
  AxisSignature all;
  all.operands.assign(operandLoops.size(), Placement::broadcast());
  all.results.assign(resultLoops.size(), Placement::broadcast());
  add(all);
  for (size_t l = 0; l < loops.size(); ++l) {
    if (loops[l] == LoopKind::Whole)
      continue;
    int li = static_cast<int>(l);
    Placement reduced =
        loops[l] == LoopKind::ReduceSum   ? Placement::partialSum()
        : loops[l] == LoopKind::ReduceMax ? Placement::partialMax()
                                          : Placement::broadcast();
    AxisSignature s;
    bool splitsSomething = false;
    for (const std::vector<int> &dims : operandLoops) {
      s.operands.push_back(placementFor(dims, li, Placement::broadcast()));
      splitsSomething |= s.operands.back().isSplit();
    }
    for (const std::vector<int> &dims : resultLoops) {
      s.results.push_back(placementFor(dims, li, reduced));
      splitsSomething |= s.results.back().isSplit();
    }
    if (splitsSomething)
      add(std::move(s));
  }
  for (const std::vector<int> &set : linearIn) {
    AxisSignature s;
    for (size_t o = 0; o < operandLoops.size(); ++o)
      s.operands.push_back(
          std::find(set.begin(), set.end(), static_cast<int>(o)) != set.end()
              ? Placement::partialSum()
              : Placement::broadcast());
    s.results.assign(resultLoops.size(), Placement::partialSum());
    add(std::move(s));
  }
  for (const AxisSignature &s : extra)
    add(s);
  return out;
}

/// True when `s` holds both P(sum) and P(max).
static bool mixesPartials(const sbp::NdSbp &s) {
  bool sum = false, max = false;
  for (const Placement &p : s) {
    sum |= p.kind == sbp::Kind::PartialSum;
    max |= p.kind == sbp::Kind::PartialMax;
  }
  return sum && max;
}

std::vector<Signature>
ShardingRule::signatures(const std::vector<int64_t> &meshShape,
                         const std::vector<std::vector<int64_t>> &operandShapes,
                         const std::vector<std::vector<int64_t>> &resultShapes,
                         size_t limit) const {
  std::vector<AxisSignature> axis = axisSignatures();
  size_t rank = meshShape.size();
  std::vector<Signature> out;
  std::vector<int> pick(rank, 0);
  // Odometer over one 1-D signature per mesh axis, axis 0 slowest, so the
  // all-broadcast signature (index 0 everywhere) comes first.
  while (true) {
    Signature sig;
    sig.perAxis = pick;
    sig.operands.assign(operandShapes.size(), sbp::NdSbp(rank));
    sig.results.assign(resultShapes.size(), sbp::NdSbp(rank));
    for (size_t a = 0; a < rank; ++a) {
      const AxisSignature &s = axis[pick[a]];
      for (size_t o = 0; o < operandShapes.size(); ++o)
        sig.operands[o][a] = s.operands[o];
      for (size_t r = 0; r < resultShapes.size(); ++r)
        sig.results[r][a] = s.results[r];
    }
    bool legal = true;
    for (size_t o = 0; legal && o < operandShapes.size(); ++o)
      legal = sbp::isValidFor(sig.operands[o], meshShape, operandShapes[o]);
    for (size_t r = 0; legal && r < resultShapes.size(); ++r)
      legal = sbp::isValidFor(sig.results[r], meshShape, resultShapes[r]);
    // Pending sums and maxima on one tensor have no defined order (a sum of
    // maxima is not a maximum of sums); #dist.sharding rejects the mix.
    for (size_t o = 0; legal && o < sig.operands.size(); ++o)
      legal = !mixesPartials(sig.operands[o]);
    for (size_t r = 0; legal && r < sig.results.size(); ++r)
      legal = !mixesPartials(sig.results[r]);
    // A size-1 axis gains nothing from a split or partial: keep only the
    // all-broadcast choice there so equivalent signatures are not repeated.
    for (size_t a = 0; legal && a < rank; ++a)
      legal = meshShape[a] > 1 || pick[a] == 0;
    // The all-broadcast signature comes first and is always kept.
    if (legal && out.size() < std::max<size_t>(limit, 1))
      out.push_back(std::move(sig));
    size_t a = rank;
    while (a > 0) {
      --a;
      if (++pick[a] < static_cast<int>(axis.size()))
        break;
      pick[a] = 0;
      if (a == 0)
        return out;
    }
    if (rank == 0)
      return out;
  }
}

} // namespace weft
