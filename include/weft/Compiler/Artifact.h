//===- Artifact.h - what weftc produces -------------------------*- C++ -*-===//
//
// The compiled form of a module: per entry function a static plan (buffers
// at fixed offsets in one arena, ordered commands, I/O descriptions) and
// the kernels as a native shared object. `serialize` writes the versioned
// format of weft/runtime/Format.h.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_COMPILER_ARTIFACT_H
#define WEFT_COMPILER_ARTIFACT_H

#include "weft/runtime/Format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

struct TensorDesc {
  std::string name;
  uint32_t buffer;
  format::DType dtype;
  std::vector<int64_t> shape;
};

struct BufferDesc {
  int64_t size;
  int64_t first = -1, last = -1; ///< live steps
  int64_t offset = -1;
};

struct Command {
  format::CommandKind kind;
  uint32_t kernel = 0;
  std::string label; ///< what it computes, for traces ("weft.matmul")
  std::vector<uint32_t> args;
  std::vector<int64_t> params;
};

struct EntryProgram {
  std::string name;
  std::vector<BufferDesc> buffers;
  std::vector<TensorDesc> inputs, outputs;
  std::vector<Command> commands;
  int64_t arenaSize = 0, lowerBound = 0;
  std::string planStrategy;
};

struct CompiledArtifact {
  std::vector<std::string> kernelSymbols;
  std::vector<uint32_t> kernelArity; ///< buffer arguments per kernel
  std::vector<EntryProgram> entries;
  std::vector<char> cpuKernels; ///< shared object bytes
};

std::vector<char> serialize(const CompiledArtifact &artifact);

} // namespace weft

#endif // WEFT_COMPILER_ARTIFACT_H
