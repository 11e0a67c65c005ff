//===- WeftSharding.cpp - sharding rules and costs of weft ops ------------===//
//
// ShardingRuleOpInterface for every weft op: the iteration space (loops and
// the loop each tensor dim walks) the legal SBP signatures are derived
// from, the operand sets the op is linear in, and FLOPs. The derivation
// itself is ShardingRule::signatures (weft/Analysis/ShardingRule.h).
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/WeftOps.h"

using namespace mlir;
using namespace mlir::weft;
using ::weft::LoopKind;
using ::weft::ShardingRule;
using Loops = std::vector<int>;

#include "weft/Dialect/Weft/IR/WeftInterfaces.cpp.inc"

static std::vector<int64_t> shapeOf(Value v) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
  return {s.begin(), s.end()};
}

static double elements(Value v) {
  double n = 1;
  for (int64_t d : cast<RankedTensorType>(v.getType()).getShape())
    n *= static_cast<double>(d);
  return n;
}

ShardingRule
mlir::weft::elementwiseShardingRule(Operation *op,
                                    std::vector<std::vector<int>> linear) {
  if (op->getNumResults() != 1)
    return ShardingRule::replicated(op->getNumOperands(), op->getNumResults());
  std::vector<std::vector<int64_t>> operands;
  for (Value v : op->getOperands())
    operands.push_back(shapeOf(v));
  ShardingRule rule =
      ShardingRule::elementwise(operands, shapeOf(op->getResult(0)));
  rule.linearIn = std::move(linear);
  return rule;
}

double mlir::weft::resultElementCount(Operation *op) {
  double n = 0;
  for (Value r : op->getResults())
    n += elements(r);
  return n;
}

/// A rule with `n` loops of `kind`.
static ShardingRule withLoops(size_t n, LoopKind kind = LoopKind::Parallel) {
  ShardingRule rule;
  rule.loops.assign(n, kind);
  return rule;
}

/// 0, 1, ..., n-1.
static Loops iota(size_t n, int first = 0) {
  Loops l(n);
  for (size_t i = 0; i < n; ++i)
    l[i] = first + static_cast<int>(i);
  return l;
}

//===----------------------------------------------------------------------===//
// Elementwise ops: linear operand sets (the rule is the default one)
//===----------------------------------------------------------------------===//

std::vector<std::vector<int>> NegOp::getLinearOperandSets() { return {{0}}; }
std::vector<std::vector<int>> AddOp::getLinearOperandSets() { return {{0, 1}}; }
std::vector<std::vector<int>> SubOp::getLinearOperandSets() { return {{0, 1}}; }
std::vector<std::vector<int>> MulOp::getLinearOperandSets() {
  return {{0}, {1}};
}
std::vector<std::vector<int>> DivOp::getLinearOperandSets() {
  // Integer division truncates, so only float division is linear.
  if (!isa<FloatType>(getType().getElementType()))
    return {};
  return {{0}};
}

//===----------------------------------------------------------------------===//
// Constants: any split of the literal (it is sliced at compile time)
//===----------------------------------------------------------------------===//

ShardingRule ConstantOp::getShardingRule() {
  ShardingRule rule = withLoops(getType().getRank());
  rule.resultLoops.push_back(iota(getType().getRank()));
  return rule;
}
std::vector<std::vector<int>> ConstantOp::getLinearOperandSets() { return {}; }
double ConstantOp::getFlops() { return 0; }

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

// matmul loops: 0 = m, 1 = n, 2 = k (sum).
ShardingRule MatmulOp::getShardingRule() {
  ShardingRule rule = withLoops(3);
  rule.loops[2] = LoopKind::ReduceSum;
  rule.operandLoops.push_back(getTransposeLhs() ? Loops{2, 0} : Loops{0, 2});
  rule.operandLoops.push_back(getTransposeRhs() ? Loops{1, 2} : Loops{2, 1});
  rule.resultLoops.push_back({0, 1});
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> MatmulOp::getLinearOperandSets() {
  return {{0}, {1}};
}
double MatmulOp::getFlops() {
  int64_t k = getLhs().getType().getDimSize(getTransposeLhs() ? 0 : 1);
  return 2 * elements(getResult()) * static_cast<double>(k);
}

// batch_matmul loops: batch dims 0..b-1, then m, n, k (sum).
ShardingRule BatchMatmulOp::getShardingRule() {
  int b = static_cast<int>(getType().getRank()) - 2;
  ShardingRule rule = withLoops(b + 3);
  rule.loops[b + 2] = LoopKind::ReduceSum;
  int m = b, n = b + 1, k = b + 2;
  auto operand = [&](int rowLoop, int colLoop) {
    Loops l = iota(b);
    l.push_back(rowLoop);
    l.push_back(colLoop);
    return l;
  };
  rule.operandLoops.push_back(getTransposeLhs() ? operand(k, m)
                                                : operand(m, k));
  rule.operandLoops.push_back(getTransposeRhs() ? operand(n, k)
                                                : operand(k, n));
  rule.resultLoops.push_back(operand(m, n));
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> BatchMatmulOp::getLinearOperandSets() {
  return {{0}, {1}};
}
double BatchMatmulOp::getFlops() {
  auto lhs = getLhs().getType();
  int64_t k = lhs.getDimSize(lhs.getRank() - (getTransposeLhs() ? 2 : 1));
  return 2 * elements(getResult()) * static_cast<double>(k);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

// conv2d loops: 0 = N, 1 = F, 2 = C (sum), 3 = OH, 4 = OW (whole: windows
// overlap). With groups > 1 a device's filters need their own group's
// channels, so F and C are whole too.
ShardingRule Conv2DOp::getShardingRule() {
  ShardingRule rule = withLoops(5, LoopKind::Whole);
  rule.loops[0] = LoopKind::Parallel;
  if (getGroups() == 1) {
    rule.loops[1] = LoopKind::Parallel;
    rule.loops[2] = LoopKind::ReduceSum;
  }
  rule.operandLoops.push_back({0, 2, -1, -1});
  rule.operandLoops.push_back({1, 2, -1, -1});
  if (getBias())
    rule.operandLoops.push_back({1});
  rule.resultLoops.push_back({0, 1, 3, 4});
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> Conv2DOp::getLinearOperandSets() {
  // conv(x, w) + b is linear in (x, b) and in (w, b) jointly.
  if (getBias())
    return {{0, 2}, {1, 2}};
  return {{0}, {1}};
}
double Conv2DOp::getFlops() {
  auto filter = getFilter().getType();
  double window = static_cast<double>(filter.getDimSize(1)) *
                  filter.getDimSize(2) * filter.getDimSize(3);
  return 2 * elements(getResult()) * window;
}

namespace {
/// Pooling: N and C parallel, the spatial dims whole (windows overlap).
template <typename PoolOp> ShardingRule poolRule(PoolOp op) {
  ShardingRule rule = withLoops(4, LoopKind::Whole);
  rule.loops[0] = rule.loops[1] = LoopKind::Parallel;
  rule.operandLoops.push_back({0, 1, 2, 3});
  rule.resultLoops.push_back({0, 1, 2, 3});
  return rule;
}
template <typename PoolOp> double poolFlops(PoolOp op) {
  ArrayRef<int64_t> k = op.getKernel();
  return elements(op.getResult()) * static_cast<double>(k[0] * k[1]);
}
} // namespace

ShardingRule MaxPool2DOp::getShardingRule() { return poolRule(*this); }
std::vector<std::vector<int>> MaxPool2DOp::getLinearOperandSets() { return {}; }
double MaxPool2DOp::getFlops() { return poolFlops(*this); }
ShardingRule AvgPool2DOp::getShardingRule() { return poolRule(*this); }
std::vector<std::vector<int>> AvgPool2DOp::getLinearOperandSets() {
  return {{0}};
}
double AvgPool2DOp::getFlops() { return poolFlops(*this); }

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {
/// One loop per input dim: reduced dims are `reduced` loops, the others
/// parallel and walked by the result (dropped or size-1 kept dims walk
/// none).
template <typename ReduceOp>
ShardingRule reduceRule(ReduceOp op, LoopKind reduced) {
  int64_t rank = op.getInput().getType().getRank();
  ShardingRule rule = withLoops(rank);
  Loops result;
  for (int64_t d = 0; d < rank; ++d) {
    bool isReduced = llvm::is_contained(op.getAxes(), d);
    if (isReduced)
      rule.loops[d] = reduced;
    if (!isReduced)
      result.push_back(static_cast<int>(d));
    else if (op.getKeepDims())
      result.push_back(-1);
  }
  rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back(result);
  rule.linearIn = op.getLinearOperandSets();
  return rule;
}
} // namespace

ShardingRule ReduceSumOp::getShardingRule() {
  return reduceRule(*this, LoopKind::ReduceSum);
}
std::vector<std::vector<int>> ReduceSumOp::getLinearOperandSets() {
  return {{0}};
}
double ReduceSumOp::getFlops() { return elements(getInput()); }

ShardingRule ReduceMeanOp::getShardingRule() {
  // Integer means truncate their partial quotients: keep them whole.
  bool isFloat = isa<FloatType>(getType().getElementType());
  return reduceRule(*this, isFloat ? LoopKind::ReduceSum : LoopKind::Whole);
}
std::vector<std::vector<int>> ReduceMeanOp::getLinearOperandSets() {
  if (!isa<FloatType>(getType().getElementType()))
    return {};
  return {{0}};
}
double ReduceMeanOp::getFlops() { return elements(getInput()); }

ShardingRule ReduceMaxOp::getShardingRule() {
  return reduceRule(*this, LoopKind::ReduceMax);
}
std::vector<std::vector<int>> ReduceMaxOp::getLinearOperandSets() { return {}; }
double ReduceMaxOp::getFlops() { return elements(getInput()); }

//===----------------------------------------------------------------------===//
// Normalizations: the normalized dims are whole
//===----------------------------------------------------------------------===//

ShardingRule SoftmaxOp::getShardingRule() {
  int64_t rank = getType().getRank();
  ShardingRule rule = withLoops(rank);
  rule.loops[getAxis()] = LoopKind::Whole;
  rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back(iota(rank));
  return rule;
}
std::vector<std::vector<int>> SoftmaxOp::getLinearOperandSets() { return {}; }
double SoftmaxOp::getFlops() { return 5 * elements(getResult()); }

namespace {
/// Input [lead..., norm...] with parameters over the trailing `norm` dims:
/// the leading dims are parallel, the normalized ones whole.
ShardingRule normRule(Value input, ArrayRef<Value> params) {
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  int64_t normRank = cast<RankedTensorType>(params[0].getType()).getRank();
  ShardingRule rule = withLoops(rank);
  for (int64_t d = rank - normRank; d < rank; ++d)
    rule.loops[d] = LoopKind::Whole;
  rule.operandLoops.push_back(iota(rank));
  for (size_t p = 0; p < params.size(); ++p)
    rule.operandLoops.push_back(iota(normRank, rank - normRank));
  rule.resultLoops.push_back(iota(rank));
  return rule;
}
} // namespace

ShardingRule LayerNormOp::getShardingRule() {
  return normRule(getInput(), {getScale(), getBias()});
}
std::vector<std::vector<int>> LayerNormOp::getLinearOperandSets() { return {}; }
double LayerNormOp::getFlops() { return 8 * elements(getResult()); }

ShardingRule RMSNormOp::getShardingRule() {
  return normRule(getInput(), {getScale()});
}
std::vector<std::vector<int>> RMSNormOp::getLinearOperandSets() { return {}; }
double RMSNormOp::getFlops() { return 6 * elements(getResult()); }

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// embedding loops: the index dims, then D. A table split on its rows (the
// vocabulary) gives each device the rows it owns and zeros elsewhere:
// P(sum) (Megatron's vocabulary-parallel embedding).
ShardingRule EmbeddingOp::getShardingRule() {
  int64_t idxRank = getIndices().getType().getRank();
  ShardingRule rule = withLoops(idxRank + 1);
  int d = static_cast<int>(idxRank);
  rule.operandLoops.push_back({-1, d});
  rule.operandLoops.push_back(iota(idxRank));
  rule.resultLoops.push_back(iota(idxRank + 1));
  rule.linearIn = getLinearOperandSets();
  using ::weft::sbp::Placement;
  rule.extra.push_back({{Placement::split(0), Placement::broadcast()},
                        {Placement::partialSum()}});
  return rule;
}
std::vector<std::vector<int>> EmbeddingOp::getLinearOperandSets() {
  return {{0}};
}
double EmbeddingOp::getFlops() { return 0; }

ShardingRule TransposeOp::getShardingRule() {
  int64_t rank = getType().getRank();
  ShardingRule rule = withLoops(rank);
  // Loop i is result dim i, which reads input dim perm[i].
  Loops in(rank);
  for (int64_t i = 0; i < rank; ++i)
    in[getPermutation()[i]] = static_cast<int>(i);
  rule.operandLoops.push_back(in);
  rule.resultLoops.push_back(iota(rank));
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> TransposeOp::getLinearOperandSets() {
  return {{0}};
}
double TransposeOp::getFlops() { return 0; }

// reshape: the shapes (without size-1 dims) are cut into groups of equal
// element counts ([6, 4] -> [24], [512] -> [16, 32]); each group is one loop
// walked by the outermost dim of the group on each side. Splitting that
// dim n ways hands every device the same contiguous 1/n of the group on
// both sides, so the split carries through the reshape exactly when n
// divides both outermost dims (checked by the signature enumeration).
ShardingRule ReshapeOp::getShardingRule() {
  std::vector<int64_t> in = shapeOf(getInput()), out = shapeOf(getResult());
  Loops inLoops(in.size(), -1), outLoops(out.size(), -1);
  ShardingRule rule;
  size_t i = 0, o = 0;
  auto skipOnes = [](const std::vector<int64_t> &s, size_t &k) {
    while (k < s.size() && s[k] == 1)
      ++k;
  };
  while (true) {
    skipOnes(in, i);
    skipOnes(out, o);
    if (i == in.size() || o == out.size())
      break;
    int loop = static_cast<int>(rule.loops.size());
    rule.loops.push_back(LoopKind::Parallel);
    inLoops[i] = outLoops[o] = loop;
    // Grow both sides until their element counts agree.
    double a = static_cast<double>(in[i++]), b = static_cast<double>(out[o++]);
    while (a != b) {
      if (a < b && i < in.size())
        a *= static_cast<double>(in[i++]);
      else if (b < a && o < out.size())
        b *= static_cast<double>(out[o++]);
      else
        break;
    }
  }
  rule.operandLoops.push_back(inLoops);
  rule.resultLoops.push_back(outLoops);
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> ReshapeOp::getLinearOperandSets() {
  return {{0}};
}
double ReshapeOp::getFlops() { return 0; }
bool ReshapeOp::isMetadataOnly() { return true; }

ShardingRule BroadcastToOp::getShardingRule() {
  ShardingRule rule = elementwiseShardingRule(getOperation(), {});
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> BroadcastToOp::getLinearOperandSets() {
  return {{0}};
}
double BroadcastToOp::getFlops() { return 0; }

ShardingRule ConcatOp::getShardingRule() {
  int64_t rank = getType().getRank();
  ShardingRule rule = withLoops(rank);
  rule.loops[getAxis()] = LoopKind::Whole;
  for (size_t k = 0; k < getInputs().size(); ++k)
    rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back(iota(rank));
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> ConcatOp::getLinearOperandSets() {
  return {iota(getInputs().size())};
}
double ConcatOp::getFlops() { return 0; }

// slice: a dim taken whole (start 0, limit = size, stride 1) is parallel,
// a cut dim is whole.
ShardingRule SliceOp::getShardingRule() {
  std::vector<int64_t> in = shapeOf(getInput());
  ShardingRule rule = withLoops(in.size());
  for (size_t d = 0; d < in.size(); ++d)
    if (getStarts()[d] != 0 || getLimits()[d] != in[d] || getStride(d) != 1)
      rule.loops[d] = LoopKind::Whole;
  rule.operandLoops.push_back(iota(in.size()));
  rule.resultLoops.push_back(iota(in.size()));
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> SliceOp::getLinearOperandSets() { return {{0}}; }
double SliceOp::getFlops() { return 0; }

// pad: an unpadded dim is parallel, a padded one whole; linear when the
// padding value is zero.
ShardingRule PadOp::getShardingRule() {
  int64_t rank = getType().getRank();
  ShardingRule rule = withLoops(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (getLow()[d] != 0 || getHigh()[d] != 0 || getInteriorOf(d) != 0)
      rule.loops[d] = LoopKind::Whole;
  rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back(iota(rank));
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> PadOp::getLinearOperandSets() {
  if (getValue().isZero())
    return {{0}};
  return {};
}
double PadOp::getFlops() { return 0; }

// reverse: reversed dims whole, the others parallel.
ShardingRule ReverseOp::getShardingRule() {
  int64_t rank = getType().getRank();
  ShardingRule rule = withLoops(rank);
  for (int64_t a : getAxes())
    rule.loops[a] = LoopKind::Whole;
  rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back(iota(rank));
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> ReverseOp::getLinearOperandSets() {
  return {{0}};
}
double ReverseOp::getFlops() { return 0; }

// one_hot loops: the label dims (parallel), then the classes (whole).
ShardingRule OneHotOp::getShardingRule() {
  int64_t rank = getLabels().getType().getRank();
  ShardingRule rule = withLoops(rank + 1);
  rule.loops[rank] = LoopKind::Whole;
  rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back(iota(rank + 1));
  return rule;
}
std::vector<std::vector<int>> OneHotOp::getLinearOperandSets() { return {}; }
double OneHotOp::getFlops() { return 0; }

// embedding_grad loops: the index dims (summed: a split gives P(sum)
// tables), the row D (parallel) and the table rows V (whole).
ShardingRule EmbeddingGradOp::getShardingRule() {
  int64_t rank = getIndices().getType().getRank();
  ShardingRule rule = withLoops(rank + 2, LoopKind::ReduceSum);
  int d = static_cast<int>(rank), v = d + 1;
  rule.loops[d] = LoopKind::Parallel;
  rule.loops[v] = LoopKind::Whole;
  Loops grad = iota(rank);
  grad.push_back(d);
  rule.operandLoops.push_back(grad);
  rule.operandLoops.push_back(iota(rank));
  rule.resultLoops.push_back({v, d});
  rule.linearIn = getLinearOperandSets();
  return rule;
}
std::vector<std::vector<int>> EmbeddingGradOp::getLinearOperandSets() {
  return {{0}};
}
double EmbeddingGradOp::getFlops() { return elements(getGrad()); }

//===----------------------------------------------------------------------===//
// Losses and attention
//===----------------------------------------------------------------------===//

// cross_entropy loops: 0 = N (a mean: split gives P(sum) of local sums
// over the global N), 1 = C (whole: logsumexp over the classes).
ShardingRule CrossEntropyOp::getShardingRule() {
  ShardingRule rule = withLoops(2);
  rule.loops[0] = LoopKind::ReduceSum;
  rule.loops[1] = LoopKind::Whole;
  rule.operandLoops.push_back({0, 1});
  rule.operandLoops.push_back({0});
  rule.resultLoops.push_back({});
  return rule;
}
std::vector<std::vector<int>> CrossEntropyOp::getLinearOperandSets() {
  return {};
}
double CrossEntropyOp::getFlops() { return 5 * elements(getLogits()); }

// attention loops: batch dims, S (queries), T (keys; whole: the softmax
// runs over it), D (whole: contracted before the softmax), E (values).
ShardingRule ScaledDotProductAttentionOp::getShardingRule() {
  int64_t rank = getQuery().getType().getRank();
  int b = static_cast<int>(rank) - 2;
  ShardingRule rule = withLoops(b + 4);
  int s = b, t = b + 1, d = b + 2, e = b + 3;
  rule.loops[t] = rule.loops[d] = LoopKind::Whole;
  auto with = [&](int row, int col) {
    Loops l = iota(b);
    l.push_back(row);
    l.push_back(col);
    return l;
  };
  rule.operandLoops.push_back(with(s, d));
  rule.operandLoops.push_back(with(t, d));
  rule.operandLoops.push_back(with(t, e));
  if (Value mask = getMask()) {
    // The mask broadcasts to [B..., S, T]: align it to those loops.
    std::vector<int64_t> full = shapeOf(getQuery());
    full[rank - 1] = getKey().getType().getDimSize(rank - 2);
    Loops loopsOfFull = with(s, t);
    std::vector<int64_t> m = shapeOf(mask);
    Loops l(m.size(), -1);
    size_t offset = full.size() - m.size();
    for (size_t k = 0; k < m.size(); ++k)
      if (m[k] == full[offset + k])
        l[k] = loopsOfFull[offset + k];
    rule.operandLoops.push_back(l);
  }
  rule.resultLoops.push_back(with(s, e));
  return rule;
}
std::vector<std::vector<int>>
ScaledDotProductAttentionOp::getLinearOperandSets() {
  return {};
}
double ScaledDotProductAttentionOp::getFlops() {
  auto q = getQuery().getType(), k = getKey().getType();
  double batch = elements(getQuery()) / q.getDimSize(q.getRank() - 1);
  double t = static_cast<double>(k.getDimSize(k.getRank() - 2));
  double dq = static_cast<double>(q.getDimSize(q.getRank() - 1));
  double e = static_cast<double>(getType().getDimSize(getType().getRank() - 1));
  return batch * t * (2 * dq + 2 * e + 5);
}
