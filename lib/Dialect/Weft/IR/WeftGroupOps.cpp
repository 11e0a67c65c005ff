//===- WeftGroupOps.cpp - kernel groups and dispatches --------------------===//
#include "weft/Dialect/Weft/IR/WeftOps.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace mlir::weft;

LogicalResult GroupOp::verify() {
  auto yield = cast<YieldOp>(getBody().front().getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().size()
           << " values whose types differ from the group's results";
  return success();
}

LogicalResult DispatchOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  Operation *kernel = symbolTable.lookupNearestSymbolFrom(*this, getKernel());
  if (!kernel)
    return emitOpError("kernel ") << getKernel() << " does not exist";
  return success();
}
