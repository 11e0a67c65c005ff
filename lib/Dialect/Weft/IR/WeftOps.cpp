//===- WeftOps.cpp - weft op verifiers and type inference -----------------===//
//
// Shape rules of the weft ops. Each rule is written once, in the op's
// inferReturnTypes (so builders need no result types and the parser checks a
// printed result type against it) or in its verifier, with a message that
// names the offending dims.
//
//===----------------------------------------------------------------------===//
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/Dialect/Common/TensorLimits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::weft;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
mlir::weft::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    out[i] = da == 1 ? db : da;
  }
  return out;
}

LogicalResult mlir::weft::verifyOpTensorLimits(Operation *op) {
  auto check = [&](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || succeeded(verifyTensorLimits(
                          [&] { return op->emitOpError(); }, shaped));
  };
  return success(llvm::all_of(op->getOperandTypes(), check) &&
                 llvm::all_of(op->getResultTypes(), check));
}

namespace {
/// Formats a shape as `[2, 3]` for diagnostics.
std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

/// Type inference reports through an optional location; every message names
/// the op so that it reads like a verifier error.
template <typename... Args>
LogicalResult inferError(std::optional<Location> loc, StringRef opName,
                         Args &&...args) {
  return emitOptionalError(loc, "'", opName, "' op ",
                           std::forward<Args>(args)...);
}

/// Operands of a verified weft op are ranked tensors, but the parser infers
/// result types before the verifier runs, so inference checks this first.
LogicalResult checkTensorOperands(std::optional<Location> loc, StringRef opName,
                                  ValueRange operands) {
  for (auto [i, v] : llvm::enumerate(operands))
    if (!isa<RankedTensorType>(v.getType()))
      return inferError(loc, opName, "operand #", i,
                        " must be a ranked tensor, got ", v.getType());
  return success();
}

RankedTensorType tensorOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}
} // namespace

//===----------------------------------------------------------------------===//
// Custom directive: `: T` when both binary operands share a type, `: T1, T2`
// otherwise.
//===----------------------------------------------------------------------===//

static ParseResult parseBinaryTypes(OpAsmParser &parser, Type &lhs, Type &rhs) {
  if (parser.parseType(lhs))
    return failure();
  rhs = lhs;
  if (succeeded(parser.parseOptionalComma()))
    return parser.parseType(rhs);
  return success();
}

static void printBinaryTypes(OpAsmPrinter &printer, Operation *, Type lhs,
                             Type rhs) {
  printer << lhs;
  if (lhs != rhs)
    printer << ", " << rhs;
}

#define GET_OP_CLASSES
#include "weft/Dialect/Weft/IR/WeftOps.cpp.inc"

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  results.push_back(adaptor.getValue().getType());
  return success();
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferBroadcast(std::optional<Location> loc,
                                    StringRef opName, Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  auto lhs = tensorOf(adaptor.getLhs());
  auto rhs = tensorOf(adaptor.getRhs());
  if (lhs.getElementType() != rhs.getElementType())
    return inferError(loc, opName,
                      "operand element types differ: ", lhs.getElementType(),
                      " vs ", rhs.getElementType());
  auto shape = broadcastShapes(lhs.getShape(), rhs.getShape());
  if (failed(shape))
    return inferError(loc, opName, "shapes ", shapeStr(lhs.getShape()), " and ",
                      shapeStr(rhs.getShape()),
                      " are not broadcast-compatible");
  results.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
  return success();
}

/// Defines OP::inferReturnTypes as "operands are ranked tensors, then
/// HELPER(loc, op name, adaptor, results)" for ops sharing one shape rule.
#define WEFT_INFER_WITH(OP, HELPER)                                            \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<Type> &results) {                                        \
    if (failed(checkTensorOperands(loc, getOperationName(),                    \
                                   adaptor.getOperands())))                    \
      return failure();                                                        \
    return HELPER(loc, getOperationName(), adaptor, results);                  \
  }
WEFT_INFER_WITH(AddOp, inferBroadcast)
WEFT_INFER_WITH(SubOp, inferBroadcast)
WEFT_INFER_WITH(MulOp, inferBroadcast)
WEFT_INFER_WITH(DivOp, inferBroadcast)
WEFT_INFER_WITH(MaxOp, inferBroadcast)
WEFT_INFER_WITH(MinOp, inferBroadcast)
WEFT_INFER_WITH(PowOp, inferBroadcast)
WEFT_INFER_WITH(CompareOp, inferBroadcast)

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// Shared by matmul (rank 2) and batch_matmul (rank >= 3): the last two dims
/// are the matrix, the leading ones (if any) the batch.
template <typename Adaptor>
static LogicalResult inferMatmul(std::optional<Location> loc, StringRef opName,
                                 Adaptor adaptor, bool batched,
                                 SmallVectorImpl<Type> &results) {
  auto lhs = tensorOf(adaptor.getLhs());
  auto rhs = tensorOf(adaptor.getRhs());
  if (lhs.getElementType() != rhs.getElementType())
    return inferError(loc, opName,
                      "operand element types differ: ", lhs.getElementType(),
                      " vs ", rhs.getElementType());
  int64_t rank = lhs.getRank();
  if (!batched && (lhs.getRank() != 2 || rhs.getRank() != 2))
    return inferError(loc, opName, "expects rank-2 operands, got ",
                      lhs.getRank(), " and ", rhs.getRank());
  if (batched && (lhs.getRank() < 3 || lhs.getRank() != rhs.getRank()))
    return inferError(loc, opName, "expects operands of equal rank >= 3, got ",
                      lhs.getRank(), " and ", rhs.getRank());
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  if (a.drop_back(2) != b.drop_back(2))
    return inferError(loc, opName,
                      "batch dims differ: ", shapeStr(a.drop_back(2)), " vs ",
                      shapeStr(b.drop_back(2)));
  bool tl = adaptor.getTransposeLhs(), tr = adaptor.getTransposeRhs();
  int64_t m = tl ? a[rank - 1] : a[rank - 2];
  int64_t kl = tl ? a[rank - 2] : a[rank - 1];
  int64_t kr = tr ? b[rank - 1] : b[rank - 2];
  int64_t n = tr ? b[rank - 2] : b[rank - 1];
  if (kl != kr)
    return inferError(loc, opName, "contracting dims differ: lhs ", shapeStr(a),
                      " has K=", kl, ", rhs ", shapeStr(b), " has K=", kr);
  SmallVector<int64_t> shape(a.drop_back(2));
  shape.append({m, n});
  results.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  return inferMatmul(loc, getOperationName(), adaptor, /*batched=*/false,
                     results);
}

LogicalResult BatchMatmulOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  return inferMatmul(loc, getOperationName(), adaptor, /*batched=*/true,
                     results);
}

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

/// Output size of a sliding window, or failure when it would be < 1.
static FailureOr<int64_t> windowOut(int64_t in, int64_t padLo, int64_t padHi,
                                    int64_t window, int64_t stride,
                                    int64_t dilation) {
  // Attributes may hold any int64: overflow also means "does not fit".
  int64_t span, padded;
  if (llvm::MulOverflow(dilation, window - 1, span) ||
      llvm::AddOverflow(span, int64_t(1), span) ||
      llvm::AddOverflow(in, padLo, padded) ||
      llvm::AddOverflow(padded, padHi, padded) || padded < span)
    return failure();
  return (padded - span) / stride + 1;
}

/// Checks the 2-element stride/dilation, 4-element padding attributes.
static LogicalResult checkWindowAttrs(std::optional<Location> loc,
                                      StringRef opName,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> padding,
                                      ArrayRef<int64_t> dilations) {
  if (strides.size() != 2 ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }))
    return inferError(loc, opName, "strides must be 2 positive values, got ",
                      shapeStr(strides));
  if (padding.size() != 4 ||
      llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return inferError(
        loc, opName,
        "padding must be 4 non-negative values [top, left, bottom, right], "
        "got ",
        shapeStr(padding));
  if (dilations.size() != 2 ||
      llvm::any_of(dilations, [](int64_t d) { return d < 1; }))
    return inferError(loc, opName, "dilations must be 2 positive values, got ",
                      shapeStr(dilations));
  // Window arithmetic (size + padding, dilation x window) stays far from
  // int64 overflow when every value is below 2^31.
  auto huge = [](int64_t v) { return v > INT32_MAX; };
  if (llvm::any_of(strides, huge) || llvm::any_of(padding, huge) ||
      llvm::any_of(dilations, huge))
    return inferError(loc, opName,
                      "strides, padding and dilations must be below 2^31, "
                      "got strides ",
                      shapeStr(strides), ", padding ", shapeStr(padding),
                      ", dilations ", shapeStr(dilations));
  return success();
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  StringRef name = getOperationName();
  auto input = tensorOf(adaptor.getInput());
  auto filter = tensorOf(adaptor.getFilter());
  if (input.getRank() != 4 || filter.getRank() != 4)
    return inferError(loc, name,
                      "expects rank-4 input [N,C,H,W] and filter "
                      "[F,C/groups,KH,KW], got ranks ",
                      input.getRank(), " and ", filter.getRank());
  if (input.getElementType() != filter.getElementType())
    return inferError(loc, name, "input and filter element types differ");
  ArrayRef<int64_t> strides = adaptor.getStrides();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  ArrayRef<int64_t> dilations = adaptor.getDilations();
  if (failed(checkWindowAttrs(loc, name, strides, padding, dilations)))
    return failure();
  int64_t groups = adaptor.getGroups();
  ArrayRef<int64_t> in = input.getShape(), f = filter.getShape();
  if (groups < 1 || in[1] % groups != 0 || f[0] % groups != 0)
    return inferError(loc, name, "groups = ", groups,
                      " must be positive and divide input channels (", in[1],
                      ") and filters (", f[0], ")");
  if (f[1] * groups != in[1])
    return inferError(loc, name, "filter expects ", f[1] * groups,
                      " input channels, input has ", in[1]);
  if (Value bias = adaptor.getBias()) {
    auto b = tensorOf(bias);
    if (b.getRank() != 1 || b.getDimSize(0) != f[0] ||
        b.getElementType() != input.getElementType())
      return inferError(loc, name, "bias must be a rank-1 tensor of ", f[0],
                        " x ", input.getElementType(), ", got ", b);
  }
  auto oh =
      windowOut(in[2], padding[0], padding[2], f[2], strides[0], dilations[0]);
  auto ow =
      windowOut(in[3], padding[1], padding[3], f[3], strides[1], dilations[1]);
  if (failed(oh) || failed(ow))
    return inferError(loc, name, "window ", f[2], "x", f[3],
                      " (dilated) is larger than the padded input ", in[2], "x",
                      in[3]);
  results.push_back(
      RankedTensorType::get({in[0], f[0], *oh, *ow}, input.getElementType()));
  return success();
}

template <typename Adaptor>
static LogicalResult inferPool(std::optional<Location> loc, StringRef name,
                               Adaptor adaptor,
                               SmallVectorImpl<Type> &results) {
  auto input = tensorOf(adaptor.getInput());
  if (input.getRank() != 4)
    return inferError(loc, name, "expects a rank-4 [N,C,H,W] input, got rank ",
                      input.getRank());
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  ArrayRef<int64_t> padding = adaptor.getPadding();
  if (kernel.size() != 2 ||
      llvm::any_of(kernel, [](int64_t k) { return k < 1; }))
    return inferError(loc, name, "kernel must be 2 positive values, got ",
                      shapeStr(kernel));
  int64_t ones[2] = {1, 1};
  if (failed(checkWindowAttrs(loc, name, adaptor.getStrides(), padding, ones)))
    return failure();
  if (padding[0] >= kernel[0] || padding[2] >= kernel[0] ||
      padding[1] >= kernel[1] || padding[3] >= kernel[1])
    return inferError(loc, name, "padding ", shapeStr(padding),
                      " must be smaller than the kernel ", shapeStr(kernel));
  ArrayRef<int64_t> in = input.getShape();
  ArrayRef<int64_t> strides = adaptor.getStrides();
  if (in[2] == 0 || in[3] == 0)
    return inferError(loc, name, "input ", input,
                      " has an empty spatial dim; every window would hold "
                      "only padding");
  auto oh = windowOut(in[2], padding[0], padding[2], kernel[0], strides[0], 1);
  auto ow = windowOut(in[3], padding[1], padding[3], kernel[1], strides[1], 1);
  if (failed(oh) || failed(ow))
    return inferError(loc, name, "kernel ", shapeStr(kernel),
                      " is larger than the padded input ", in[2], "x", in[3]);
  results.push_back(
      RankedTensorType::get({in[0], in[1], *oh, *ow}, input.getElementType()));
  return success();
}

WEFT_INFER_WITH(MaxPool2DOp, inferPool)
WEFT_INFER_WITH(AvgPool2DOp, inferPool)

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> loc, StringRef name,
                                 Adaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  auto input = tensorOf(adaptor.getInput());
  int64_t rank = input.getRank();
  llvm::SmallBitVector reduced(rank);
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (axes.empty())
    return inferError(loc, name, "expects at least one axis");
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= rank)
      return inferError(loc, name, "axis ", axis, " is out of range [0, ", rank,
                        ")");
    if (reduced.test(axis))
      return inferError(loc, name, "axis ", axis, " is repeated");
    reduced.set(axis);
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      shape.push_back(input.getDimSize(i));
    else if (adaptor.getKeepDims())
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

WEFT_INFER_WITH(ReduceSumOp, inferReduce)
WEFT_INFER_WITH(ReduceMeanOp, inferReduce)
#undef WEFT_INFER_WITH

LogicalResult ReduceMaxOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  StringRef name = getOperationName();
  if (failed(checkTensorOperands(loc, name, adaptor.getOperands())) ||
      failed(inferReduce(loc, name, adaptor, results)))
    return failure();
  // A maximum over no elements has no value (numpy raises as well).
  auto input = tensorOf(adaptor.getInput());
  for (int64_t axis : adaptor.getAxes())
    if (input.getDimSize(axis) == 0)
      return inferError(loc, name, "reduces axis ", axis, " of ", input,
                        ", which is empty; a maximum needs at least one "
                        "element");
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getType().getRank();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ")
           << axis << " is out of range [0, " << rank << ")";
  return success();
}

/// `scale` must be the trailing dims of `input`, with the same element type.
static LogicalResult verifyTrailingParam(Operation *op, RankedTensorType input,
                                         RankedTensorType param,
                                         StringRef what) {
  if (param.getElementType() != input.getElementType())
    return op->emitOpError()
           << what << " element type " << param.getElementType()
           << " differs from input element type " << input.getElementType();
  ArrayRef<int64_t> p = param.getShape(), in = input.getShape();
  if (p.empty() || p.size() > in.size() || in.take_back(p.size()) != p)
    return op->emitOpError()
           << what << " shape " << shapeStr(p)
           << " must equal the trailing dims of the input shape "
           << shapeStr(in);
  return success();
}

LogicalResult LayerNormOp::verify() {
  if (getEpsilon().isNegative())
    return emitOpError("epsilon must be non-negative");
  return verifyTrailingParam(*this, getType(), getScale().getType(), "scale");
}

LogicalResult RMSNormOp::verify() {
  if (getEpsilon().isNegative())
    return emitOpError("epsilon must be non-negative");
  return verifyTrailingParam(*this, getType(), getScale().getType(), "scale");
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  auto table = tensorOf(adaptor.getTable());
  auto indices = tensorOf(adaptor.getIndices());
  if (table.getRank() != 2)
    return inferError(loc, getOperationName(),
                      "expects a rank-2 [V, D] table, got rank ",
                      table.getRank());
  if (table.getDimSize(0) == 0)
    return inferError(loc, getOperationName(), "table ", table,
                      " has no rows; indices cannot be clamped into it");
  SmallVector<int64_t> shape(indices.getShape());
  shape.push_back(table.getDimSize(1));
  results.push_back(RankedTensorType::get(shape, table.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  auto input = tensorOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  int64_t rank = input.getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return inferError(loc, getOperationName(), "permutation ", shapeStr(perm),
                      " has ", perm.size(), " entries, input rank is ", rank);
  llvm::SmallBitVector seen(rank);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen.test(p))
      return inferError(loc, getOperationName(), "permutation ", shapeStr(perm),
                        " is not a permutation of [0, ", rank, ")");
    seen.set(p);
    shape.push_back(input.getDimSize(p));
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << out.getElementType()
           << " (use weft.cast)";
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << shapeStr(in.getShape()) << " (" << in.getNumElements()
           << " elements) to " << shapeStr(out.getShape()) << " ("
           << out.getNumElements() << " elements)";
  return success();
}

LogicalResult BroadcastToOp::verify() {
  RankedTensorType in = getInput().getType(), out = getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes from ")
           << in.getElementType() << " to " << out.getElementType();
  auto shape = broadcastShapes(in.getShape(), out.getShape());
  if (in.getRank() > out.getRank() || failed(shape) ||
      ArrayRef<int64_t>(*shape) != out.getShape())
    return emitOpError("cannot broadcast ")
           << shapeStr(in.getShape()) << " to " << shapeStr(out.getShape());
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  StringRef name = getOperationName();
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return inferError(loc, name, "expects at least one input");
  auto first = tensorOf(inputs.front());
  int64_t rank = first.getRank();
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= rank)
    return inferError(loc, name, "axis ", axis, " is out of range [0, ", rank,
                      ")");
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, v] : llvm::enumerate(inputs.drop_front())) {
    auto t = tensorOf(v);
    if (t.getElementType() != first.getElementType())
      return inferError(loc, name, "input ", i + 1, " has element type ",
                        t.getElementType(), ", input 0 has ",
                        first.getElementType());
    if (t.getRank() != rank)
      return inferError(loc, name, "input ", i + 1, " has rank ", t.getRank(),
                        ", input 0 has rank ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      if (d != axis && t.getDimSize(d) != shape[d])
        return inferError(loc, name, "input ", i + 1, " shape ",
                          shapeStr(t.getShape()), " differs from input 0 ",
                          shapeStr(first.getShape()), " in dim ", d);
    }
    if (llvm::AddOverflow(shape[axis], t.getDimSize(axis), shape[axis]))
      return inferError(loc, name, "concatenated dim ", axis,
                        " overflows int64");
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

/// Slice and pad take two per-dim lists and an optional third: each needs
/// one entry per dim of the input.
static LogicalResult checkOnePerDim(std::optional<Location> loc, StringRef name,
                                    int64_t rank, ArrayRef<int64_t> a,
                                    ArrayRef<int64_t> b,
                                    std::optional<ArrayRef<int64_t>> c,
                                    StringRef what) {
  auto one = [&](size_t n) { return static_cast<int64_t>(n) == rank; };
  if (!one(a.size()) || !one(b.size()) || (c && !one(c->size())))
    return inferError(loc, name, what, " need one entry per dim (", rank, ")");
  return success();
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  StringRef name = getOperationName();
  auto input = tensorOf(adaptor.getInput());
  int64_t rank = input.getRank();
  ArrayRef<int64_t> starts = adaptor.getStarts(), limits = adaptor.getLimits();
  std::optional<ArrayRef<int64_t>> strides = adaptor.getStrides();
  if (failed(checkOnePerDim(loc, name, rank, starts, limits, strides,
                            "starts, limits and strides")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t start = starts[d], limit = limits[d];
    int64_t stride = strides ? (*strides)[d] : 1;
    if (stride < 1)
      return inferError(loc, name, "stride ", stride, " of dim ", d,
                        " must be positive");
    if (start < 0 || start >= limit || limit > input.getDimSize(d))
      return inferError(loc, name, "dim ", d, ": need 0 <= start (", start,
                        ") < limit (", limit, ") <= size (",
                        input.getDimSize(d), ")");
    shape.push_back((limit - start + stride - 1) / stride);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  StringRef name = getOperationName();
  auto input = tensorOf(adaptor.getInput());
  int64_t rank = input.getRank();
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  std::optional<ArrayRef<int64_t>> interior = adaptor.getInterior();
  if (failed(checkOnePerDim(loc, name, rank, low, high, interior,
                            "low, high and interior")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t lo = low[d], hi = high[d], in = interior ? (*interior)[d] : 0;
    if (lo < 0 || hi < 0 || in < 0)
      return inferError(loc, name, "dim ", d, ": padding (low ", lo, ", high ",
                        hi, ", interior ", in, ") must be non-negative");
    // low + high + n + (n - 1) * interior, overflow-checked.
    int64_t n = input.getDimSize(d);
    std::optional<int64_t> size = llvm::checkedAdd(lo, hi);
    if (size && n > 0) {
      std::optional<int64_t> gaps = llvm::checkedMul(n - 1, in);
      size = gaps ? llvm::checkedAdd(*size, n) : std::nullopt;
      size = size ? llvm::checkedAdd(*size, *gaps) : std::nullopt;
    }
    if (!size || *size > kMaxTensorBytes)
      return inferError(loc, name, "dim ", d,
                        ": the padded size overflows the tensor limits");
    shape.push_back(*size);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ReverseOp::verify() {
  int64_t rank = getType().getRank();
  llvm::SmallBitVector seen(rank);
  for (int64_t a : getAxes()) {
    if (a < 0 || a >= rank)
      return emitOpError("axis ")
             << a << " is out of range [0, " << rank << ")";
    if (seen.test(a))
      return emitOpError("axis ") << a << " is repeated";
    seen.set(a);
  }
  return success();
}

LogicalResult OneHotOp::verify() {
  ArrayRef<int64_t> in = getLabels().getType().getShape(),
                    out = getType().getShape();
  if (out.size() != in.size() + 1 || out.drop_back() != in)
    return emitOpError("result shape ")
           << shapeStr(out) << " must be the labels' shape " << shapeStr(in)
           << " followed by the number of classes";
  if (out.back() < 1)
    return emitOpError("needs at least one class, got ") << out.back();
  return success();
}

LogicalResult EmbeddingGradOp::verify() {
  ArrayRef<int64_t> g = getGrad().getType().getShape(),
                    idx = getIndices().getType().getShape(),
                    out = getType().getShape();
  if (getType().getElementType() != getGrad().getType().getElementType())
    return emitOpError("result element type ")
           << getType().getElementType() << " differs from the gradient's "
           << getGrad().getType().getElementType();
  if (g.size() != idx.size() + 1 || g.drop_back() != idx)
    return emitOpError("gradient shape ")
           << shapeStr(g) << " must be the indices' shape " << shapeStr(idx)
           << " followed by the row size";
  if (out.size() != 2 || out[1] != g.back())
    return emitOpError("result shape ")
           << shapeStr(out) << " must be [V, " << g.back() << "]";
  if (out[0] < 1)
    return emitOpError("table has no rows; indices cannot be clamped into it");
  return success();
}

//===----------------------------------------------------------------------===//
// Losses and attention
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> loc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  auto logits = tensorOf(adaptor.getLogits());
  auto labels = tensorOf(adaptor.getLabels());
  if (logits.getRank() != 2 || labels.getRank() != 1 ||
      labels.getDimSize(0) != logits.getDimSize(0))
    return inferError(
        loc, getOperationName(), "expects logits [N, C] and labels [N], got ",
        shapeStr(logits.getShape()), " and ", shapeStr(labels.getShape()));
  if (logits.getDimSize(1) == 0)
    return inferError(loc, getOperationName(), "logits ", logits,
                      " have no classes; no label can be valid");
  results.push_back(RankedTensorType::get({}, logits.getElementType()));
  return success();
}

LogicalResult ScaledDotProductAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  if (failed(
          checkTensorOperands(loc, getOperationName(), adaptor.getOperands())))
    return failure();
  StringRef name = getOperationName();
  auto q = tensorOf(adaptor.getQuery());
  auto k = tensorOf(adaptor.getKey());
  auto v = tensorOf(adaptor.getValue());
  int64_t rank = q.getRank();
  if (rank < 2 || k.getRank() != rank || v.getRank() != rank)
    return inferError(loc, name,
                      "expects query, key and value of one rank >= 2, got ",
                      q.getRank(), ", ", k.getRank(), ", ", v.getRank());
  if (k.getElementType() != q.getElementType() ||
      v.getElementType() != q.getElementType())
    return inferError(loc, name, "query, key and value element types differ");
  ArrayRef<int64_t> qs = q.getShape(), ks = k.getShape(), vs = v.getShape();
  if (ks.drop_back(2) != qs.drop_back(2) || vs.drop_back(2) != qs.drop_back(2))
    return inferError(loc, name, "batch dims differ: query ", shapeStr(qs),
                      ", key ", shapeStr(ks), ", value ", shapeStr(vs));
  if (ks.back() != qs.back())
    return inferError(loc, name, "key head dim ", ks.back(),
                      " differs from query head dim ", qs.back());
  if (vs[rank - 2] != ks[rank - 2])
    return inferError(loc, name, "value length ", vs[rank - 2],
                      " differs from key length ", ks[rank - 2]);
  if (Value mask = adaptor.getMask()) {
    auto m = tensorOf(mask);
    SmallVector<int64_t> scores(qs.drop_back(1));
    scores.push_back(ks[rank - 2]);
    auto b = broadcastShapes(m.getShape(), scores);
    if (m.getElementType() != q.getElementType() || m.getRank() > rank ||
        failed(b) || ArrayRef<int64_t>(*b) != ArrayRef<int64_t>(scores))
      return inferError(loc, name, "mask ", m,
                        " must broadcast to the scores shape ",
                        shapeStr(scores));
  }
  if (auto scale = adaptor.getScaleAttr();
      scale && !(scale.getValueAsDouble() > 0))
    return inferError(loc, name, "scale must be positive");
  SmallVector<int64_t> shape(qs.drop_back(1));
  shape.push_back(vs.back());
  results.push_back(RankedTensorType::get(shape, q.getElementType()));
  return success();
}
