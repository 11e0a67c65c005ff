//===- InitAllPasses.h - every pass a weft tool exposes ---------*- C++ -*-===//
#ifndef WEFT_INITALLPASSES_H
#define WEFT_INITALLPASSES_H

#include "mlir/InitAllPasses.h"
#include "weft/Conversion/Passes.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"

namespace weft {

/// Registers the upstream passes weft pipelines use (and, as they land, our
/// own pass libraries) with the global pass registry.
inline void registerAllPasses() {
  mlir::registerAllPasses();
  registerWeftConversionPasses();
  registerWeftTransformsPasses();
}

} // namespace weft

#endif // WEFT_INITALLPASSES_H
