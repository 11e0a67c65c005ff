//===- PlanOps.h - plan ops -------------------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_PLAN_IR_PLANOPS_H
#define WEFT_DIALECT_PLAN_IR_PLANOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/RegionKindInterface.h"
#include "mlir/IR/SymbolTable.h"
#include "weft/Dialect/Plan/IR/PlanDialect.h"

#include "weft/Dialect/Plan/IR/PlanEnums.h.inc"

#include "weft/Dialect/Plan/IR/PlanOpInterfaces.h.inc"

#define GET_OP_CLASSES
#include "weft/Dialect/Plan/IR/PlanOps.h.inc"

#endif // WEFT_DIALECT_PLAN_IR_PLANOPS_H
