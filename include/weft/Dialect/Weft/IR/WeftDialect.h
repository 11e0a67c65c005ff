//===- WeftDialect.h - weft graph dialect -----------------------*- C++ -*-===//
#ifndef WEFT_DIALECT_WEFT_IR_WEFTDIALECT_H
#define WEFT_DIALECT_WEFT_IR_WEFTDIALECT_H

#include "mlir/IR/Dialect.h"

#include "weft/Dialect/Weft/IR/WeftDialect.h.inc"

#endif // WEFT_DIALECT_WEFT_IR_WEFTDIALECT_H
