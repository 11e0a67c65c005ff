//===- Runtime.h - the weft runtime (C++ API) -------------------*- C++ -*-===//
//
// Loads an artifact, allocates each entry's arena once, and replays the
// entry's static command list. No LLVM/MLIR anywhere in the runtime. Every
// failure comes back as a Status with a message; nothing aborts on bad
// input.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_RUNTIME_H
#define WEFT_RUNTIME_RUNTIME_H

#include "weft/runtime/Format.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace weft::rt {

struct Status {
  bool ok = true;
  std::string message;
  static Status error(std::string m) { return {false, std::move(m)}; }
  explicit operator bool() const { return ok; }
};

struct TensorInfo {
  std::string name;
  format::DType dtype;
  std::vector<int64_t> shape;
  uint32_t buffer;
  size_t bytes() const;
  std::string typeString() const; ///< "f32[2, 16]"
};

struct CommandInfo {
  format::CommandKind kind;
  uint32_t kernel;
  std::string label;
  std::vector<uint32_t> args;
  std::vector<int64_t> params;
};

struct EntryInfo {
  std::string name;
  uint64_t arenaSize = 0, lowerBound = 0;
  std::vector<std::pair<uint64_t, uint64_t>> buffers; ///< (offset, size)
  std::vector<TensorInfo> inputs, outputs;
  std::vector<CommandInfo> commands;
};

/// The parsed, fully validated contents of an artifact (no code loaded).
struct ArtifactInfo {
  std::vector<std::string> kernelSymbols;
  std::vector<uint32_t> kernelArity;
  std::vector<EntryInfo> entries;
  const char *kernelBytes = nullptr; ///< points into the parsed buffer
  size_t kernelSize = 0;
};

/// Parses and validates `size` bytes: header, checksums, every count,
/// offset, size and index. Never reads out of bounds.
Status parseArtifact(const char *data, size_t size, ArtifactInfo &out);

/// One kernel-launch or library-call timing of the last traced run.
struct TraceEvent {
  const char *label;
  double startUs, durUs;
};

class Model;

/// One entry function, ready to run: its arena is allocated, argument
/// pointers are resolved; run() allocates nothing.
class Executable {
public:
  const EntryInfo &info() const { return *entry; }
  /// Copies `bytes` into input `index` (sizes must match).
  Status setInput(size_t index, const void *data, size_t bytes);
  Status run();
  /// Output `index`'s bytes inside the arena (valid until the next run).
  const void *output(size_t index) const;
  /// When on, run() records per-command start/end times (into storage
  /// reserved here, so tracing does not allocate either).
  void enableTrace(bool on);
  const std::vector<TraceEvent> &trace() const { return events; }

private:
  friend class Model;
  using KernelFn = void (*)(void **);
  struct Step {
    format::CommandKind kind;
    KernelFn fn = nullptr;
    std::vector<void *> args;
    int64_t m = 0, n = 0, k = 0, batch = 1;
    bool transA = false, transB = false;
  };
  const EntryInfo *entry = nullptr;
  std::unique_ptr<char, void (*)(void *)> arena{nullptr, nullptr};
  std::vector<Step> steps;
  bool tracing = false;
  std::vector<TraceEvent> events;
};

class Model {
public:
  ~Model();
  /// Reads, validates and loads the artifact at `path`.
  static std::unique_ptr<Model> load(const std::string &path, Status &status);
  /// Same, from memory (the bytes are copied).
  static std::unique_ptr<Model> loadFromMemory(const char *data, size_t size,
                                               Status &status);

  const ArtifactInfo &info() const { return artifact; }
  /// The executable of entry `name` ("" = the first entry), or null.
  Executable *executable(const std::string &name);

private:
  Model() = default;
  Status init();
  std::vector<char> bytes;
  ArtifactInfo artifact;
  void *library = nullptr;
  int libraryFd = -1;
  std::vector<std::unique_ptr<Executable>> executables;
};

/// Whether library calls (sgemm) use a vendor BLAS in this build.
bool hasVendorBlas();

} // namespace weft::rt

#endif // WEFT_RUNTIME_RUNTIME_H
