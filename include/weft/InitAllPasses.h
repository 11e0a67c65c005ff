//===- InitAllPasses.h - every pass a weft tool exposes ---------*- C++ -*-===//
#ifndef WEFT_INITALLPASSES_H
#define WEFT_INITALLPASSES_H

#include "mlir/InitAllPasses.h"
#include "weft/Conversion/Passes.h"
#include "weft/Dialect/Dist/Transforms/Passes.h"
#include "weft/Dialect/Plan/Transforms/Passes.h"
#include "weft/Dialect/Weft/Transforms/Passes.h"
#include "weft/Pipelines/Pipelines.h"
#include "weft/Target/CPU/Passes.h"
#include "weft/Target/Passes.h"

namespace weft {

/// Registers the upstream passes weft pipelines use, our own passes and
/// the named pipelines with the global pass registry.
inline void registerAllPasses() {
  mlir::registerAllPasses();
  registerWeftConversionPasses();
  registerWeftTransformsPasses();
  registerDistTransformsPasses();
  registerPlanTransformsPasses();
  registerWeftCPUPasses();
  registerWeftTargetPasses();
  registerPipelines();
}

} // namespace weft

#endif // WEFT_INITALLPASSES_H
