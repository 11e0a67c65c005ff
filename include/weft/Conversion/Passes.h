//===- Passes.h - weft conversion passes ------------------------*- C++ -*-===//
#ifndef WEFT_CONVERSION_PASSES_H
#define WEFT_CONVERSION_PASSES_H

#include "weft/Conversion/WeftToLinalg/WeftToLinalg.h"

namespace weft {
#define GEN_PASS_REGISTRATION
#include "weft/Conversion/Passes.h.inc"
} // namespace weft

#endif // WEFT_CONVERSION_PASSES_H
