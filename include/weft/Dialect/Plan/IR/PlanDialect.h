//===- PlanDialect.h - plan dialect -----------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_PLAN_IR_PLANDIALECT_H
#define WEFT_DIALECT_PLAN_IR_PLANDIALECT_H

#include "mlir/IR/Dialect.h"

#include "weft/Dialect/Plan/IR/PlanDialect.h.inc"

#endif // WEFT_DIALECT_PLAN_IR_PLANDIALECT_H
