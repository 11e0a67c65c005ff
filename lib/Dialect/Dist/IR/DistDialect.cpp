//===- DistDialect.cpp - dist dialect, sharding attribute -----------------===//
#include "weft/Dialect/Dist/IR/DistDialect.h"
#include "weft/Dialect/Dist/IR/DistOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::dist;

#include "weft/Dialect/Dist/IR/DistDialect.cpp.inc"
#include "weft/Dialect/Dist/IR/DistEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "weft/Dialect/Dist/IR/DistAttrs.cpp.inc"
#define GET_TYPEDEF_CLASSES
#include "weft/Dialect/Dist/IR/DistTypes.cpp.inc"

void DistDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "weft/Dialect/Dist/IR/DistOps.cpp.inc"
      >();
}

void DistDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "weft/Dialect/Dist/IR/DistAttrs.cpp.inc"
      >();
}

void DistDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "weft/Dialect/Dist/IR/DistTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ShardingAttr: #dist.sharding<@mesh, [S(0), B, P(sum)]>
//===----------------------------------------------------------------------===//

using weft::sbp::Placement;

static ParseResult parsePlacement(AsmParser &parser, Placement &placement) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef kind;
  if (parser.parseKeyword(&kind))
    return failure();
  if (kind == "B") {
    placement = Placement::broadcast();
    return success();
  }
  if (kind == "S") {
    int64_t dim;
    if (parser.parseLParen() || parser.parseInteger(dim) ||
        parser.parseRParen())
      return failure();
    if (dim < 0)
      return parser.emitError(loc, "split dim must be non-negative, got ")
             << dim;
    placement = Placement::split(dim);
    return success();
  }
  if (kind == "P") {
    StringRef reduce;
    SMLoc reduceLoc;
    if (parser.parseLParen())
      return failure();
    reduceLoc = parser.getCurrentLocation();
    if (parser.parseKeyword(&reduce) || parser.parseRParen())
      return failure();
    if (reduce == "sum")
      placement = Placement::partialSum();
    else if (reduce == "max")
      placement = Placement::partialMax();
    else
      return parser.emitError(reduceLoc, "partial reduction must be 'sum' or "
                                         "'max', got '")
             << reduce << "'";
    return success();
  }
  return parser.emitError(loc, "expected placement S(dim), B or P(sum|max), "
                               "got '")
         << kind << "'";
}

Attribute ShardingAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  FlatSymbolRefAttr mesh;
  SmallVector<Placement> placements;
  if (parser.parseLess() || parser.parseAttribute(mesh) || parser.parseComma())
    return {};
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     [&]() -> ParseResult {
                                       return parsePlacement(
                                           parser, placements.emplace_back());
                                     }) ||
      parser.parseGreater())
    return {};
  // getChecked runs verify(): `get` skips it in release builds (and asserts
  // in debug ones), which let a mix of P(sum) and P(max) through.
  return parser.getChecked<ShardingAttr>(loc, parser.getContext(), mesh,
                                         placements);
}

void ShardingAttr::print(AsmPrinter &printer) const {
  printer << "<" << getMesh() << ", [";
  llvm::interleaveComma(getPlacements(), printer,
                        [&](const Placement &p) { printer << p.str(); });
  printer << "]>";
}

LogicalResult ShardingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   FlatSymbolRefAttr mesh,
                                   ArrayRef<Placement> placements) {
  if (!mesh)
    return emitError() << "sharding needs a mesh";
  bool sum = false, max = false;
  for (const Placement &p : placements) {
    if (!p.isWellFormed())
      return emitError() << "malformed placement (kind "
                         << static_cast<int>(p.kind) << ", dim " << p.dim
                         << ")";
    sum |= p.kind == weft::sbp::Kind::PartialSum;
    max |= p.kind == weft::sbp::Kind::PartialMax;
  }
  // A sum of maxima is not a maximum of sums: the order of the pending
  // reductions would be undefined.
  if (sum && max)
    return emitError() << "a sharding cannot mix P(sum) and P(max)";
  return success();
}

LogicalResult
ShardingAttr::verifyFor(function_ref<InFlightDiagnostic()> emitError,
                        MeshOp mesh, RankedTensorType type) const {
  ArrayRef<Placement> placements = getPlacements();
  if (static_cast<int64_t>(placements.size()) != mesh.getRank())
    return emitError() << "sharding " << *this << " has " << placements.size()
                       << " placements but mesh @" << mesh.getSymName()
                       << " has " << mesh.getRank() << " axes";
  SmallVector<int64_t> parts(type.getRank(), 1);
  for (auto [axis, placement] : llvm::enumerate(placements)) {
    if (!placement.isSplit())
      continue;
    int64_t p = placement.dim;
    if (p >= type.getRank())
      return emitError() << "sharding " << *this << " splits dim " << p
                         << " but the tensor has rank " << type.getRank();
    std::optional<int64_t> n =
        llvm::checkedMul(parts[p], mesh.getShape()[axis]);
    if (!n || *n < 1)
      return emitError() << "sharding " << *this << " splits dim " << p
                         << " into " << parts[p] << " x "
                         << mesh.getShape()[axis]
                         << " parts, which overflows int64";
    parts[p] = *n;
  }
  for (auto [dim, n] : llvm::enumerate(parts)) {
    if (type.getDimSize(dim) % n != 0)
      return emitError() << "sharding " << *this << " splits dim " << dim
                         << " of size " << type.getDimSize(dim) << " into " << n
                         << " parts, which does not divide evenly";
  }
  return success();
}

SmallVector<int64_t> ShardingAttr::localShape(MeshOp mesh,
                                              ArrayRef<int64_t> global) const {
  SmallVector<int64_t> shape(global);
  for (auto [axis, p] : llvm::enumerate(getPlacements()))
    if (p.isSplit())
      shape[p.dim] /= mesh.getShape()[axis];
  return shape;
}
