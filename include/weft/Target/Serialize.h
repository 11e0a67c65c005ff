//===- Serialize.h - plan IR to artifact bytes ------------------*- C++ -*-===//
//
// The last step of every pipeline: the final plan IR (plan.program ops and
// the lowered kernel module) becomes a format::ArtifactDesc, the backend
// contributes the kernel object and the target record, and the one writer
// of weft/runtime/Format.h produces the bytes.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_TARGET_SERIALIZE_H
#define WEFT_TARGET_SERIALIZE_H

#include "weft/Target/Backend.h"

namespace weft {

/// Describes the artifact of `module` (after the full pipeline); failure
/// after a diagnostic.
mlir::FailureOr<format::ArtifactDesc> describeArtifact(mlir::ModuleOp module,
                                                       Backend &backend);

/// describeArtifact, then the bytes.
mlir::FailureOr<std::vector<char>> serializeArtifact(mlir::ModuleOp module,
                                                     Backend &backend);

} // namespace weft

#endif // WEFT_TARGET_SERIALIZE_H
