//===- PlanDialect.cpp - plan dialect -------------------------------------===//
#include "weft/Dialect/Plan/IR/PlanDialect.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"

using namespace mlir;
using namespace mlir::plan;

#include "weft/Dialect/Plan/IR/PlanDialect.cpp.inc"
#include "weft/Dialect/Plan/IR/PlanEnums.cpp.inc"

void PlanDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "weft/Dialect/Plan/IR/PlanOps.cpp.inc"
      >();
}
