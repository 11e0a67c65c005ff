//===- Backend.h - what a code generation backend provides ------*- C++ -*-===//
//
// A backend (CPU, CUDA) turns the lowered kernel module into the object
// bytes of one device kind and says what machine those bytes need. The
// pipelines add the backend's lowering passes; serialization asks the
// backend for the object and the target record.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_TARGET_BACKEND_H
#define WEFT_TARGET_BACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "weft/runtime/Format.h"

#include <vector>

namespace weft {

class Backend {
public:
  virtual ~Backend() = default;
  /// The device kind whose kernels this backend produces.
  virtual format::DeviceKind deviceKind() const = 0;
  /// What the produced code needs from the machine (checked at load).
  virtual format::TargetDesc targetDesc() const = 0;
  /// Object bytes for the kernel module (already in the backend's final
  /// dialect); failure after a diagnostic.
  virtual mlir::FailureOr<std::vector<char>>
  emitObject(mlir::ModuleOp kernels) = 0;
};

} // namespace weft

#endif // WEFT_TARGET_BACKEND_H
