//===- Passes.h - artifact serialization ------------------------*- C++ -*-===//
#ifndef WEFT_TARGET_PASSES_H
#define WEFT_TARGET_PASSES_H

#include "mlir/Pass/Pass.h"

namespace weft {
#define GEN_PASS_DECL
#include "weft/Target/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "weft/Target/Passes.h.inc"
} // namespace weft

#endif // WEFT_TARGET_PASSES_H
