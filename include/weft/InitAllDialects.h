//===- InitAllDialects.h - every dialect a weft tool loads ------*- C++ -*-===//
//
// The single registration point used by weft-opt, weftc and the Python
// module: our dialects plus every upstream dialect with its external
// interface models (bufferization, tiling, ...), which the lowering
// pipelines rely on.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_INITALLDIALECTS_H
#define WEFT_INITALLDIALECTS_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "weft/Dialect/Dist/IR/DistDialect.h"
#include "weft/Dialect/Plan/IR/PlanDialect.h"
#include "weft/Dialect/Weft/IR/WeftDialect.h"

namespace weft {

/// Adds the weft dialects, the upstream dialects and their interface models.
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::weft::WeftDialect, mlir::dist::DistDialect,
                  mlir::plan::PlanDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
}

} // namespace weft

#endif // WEFT_INITALLDIALECTS_H
