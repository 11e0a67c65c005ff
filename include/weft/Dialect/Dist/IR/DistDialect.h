//===- DistDialect.h - dist dialect -----------------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_DIST_IR_DISTDIALECT_H
#define WEFT_DIALECT_DIST_IR_DISTDIALECT_H

#include "mlir/IR/Dialect.h"

#include "weft/Dialect/Dist/IR/DistDialect.h.inc"

#endif // WEFT_DIALECT_DIST_IR_DISTDIALECT_H
