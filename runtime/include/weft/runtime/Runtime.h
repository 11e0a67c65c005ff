//===- Runtime.h - the weft runtime (C++ API) -------------------*- C++ -*-===//
//
// Loads an artifact (decoded and fully validated first), creates one
// Device per artifact device, allocates every arena once, binds weights and
// state, resolves every command, and replays each entry's programs. No
// LLVM/MLIR anywhere in the runtime. Every failure comes back as a Status
// with a message; nothing aborts on bad input.
//
// An artifact carries native code (the kernels): load only artifacts you
// would trust as a shared library. Validation guarantees that the plan's
// own bookkeeping keeps every command inside its buffers and arenas; it
// cannot check what the kernel code itself does.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_RUNTIME_H
#define WEFT_RUNTIME_RUNTIME_H

#include "weft/runtime/Device.h"
#include "weft/runtime/Format.h"
#include "weft/runtime/Status.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace weft::rt {

/// A named tensor of an entry: input, output or persistent state.
struct TensorInfo {
  std::string name;
  format::DType dtype;
  std::vector<int64_t> shape;
  size_t bytes() const;
  std::string typeString() const; ///< "f32[2, 16]"
};

/// Checks everything the loader relies on: indices, sizes (overflow-safe),
/// arenas, alignments, kernel argument sizes against every launch's
/// buffers, GEMM extents, events, names.
Status validateArtifact(const format::ArtifactDesc &artifact);

/// decodeArtifact + validateArtifact.
Status parseArtifact(const char *data, size_t size, format::ArtifactDesc &out);

/// One command's timing in the last traced run.
struct TraceEvent {
  const char *label;
  uint32_t device, stream;
  double startUs, durUs;
};

class Model;

/// One entry function, ready to run on every device it uses.
///
/// Thread safety: call(), setState() and readState() may be used from any
/// number of threads at once. Calls of one Executable are serialized by a
/// mutex (its arenas are the entry's only working memory; concurrent
/// callers of one entry wait for each other, callers of different entries
/// or models do not). A call allocates nothing.
class Executable {
public:
  ~Executable();
  const std::string &name() const { return entryName; }
  const std::vector<TensorInfo> &inputs() const { return inputInfo; }
  const std::vector<TensorInfo> &outputs() const { return outputInfo; }
  const std::vector<TensorInfo> &state() const { return stateInfo; }
  size_t numCommands() const;

  /// Copies inputs (exactly their byte sizes, in order) in, runs every
  /// device's program, copies the outputs out.
  Status call(const std::vector<const void *> &inputs,
              const std::vector<void *> &outputs);
  /// call() for benchmarks: copies the inputs in once, runs the programs
  /// `repeat` times (appending each run's milliseconds to `runMs`), copies
  /// the outputs out once. The copies are not part of the timed runs.
  Status callRepeated(const std::vector<const void *> &inputs,
                      const std::vector<void *> &outputs, unsigned repeat,
                      std::vector<double> *runMs);
  /// Replaces persistent state tensor `name` (exactly its byte size).
  Status setState(const std::string &name, const void *data, size_t bytes);
  /// Reads persistent state tensor `name` (exactly its byte size).
  Status readState(const std::string &name, void *data, size_t bytes);

  /// When on, each call records per-command start/end times (into storage
  /// reserved at load, so tracing does not allocate either).
  void enableTrace(bool on);
  std::vector<TraceEvent> trace();

private:
  friend class Model;
  struct Step;
  struct Binding {
    Device *device;
    char *address;
    size_t bytes;
  };
  Status runLocked();
  /// The binding of state `name` if `bytes` is its size.
  Status findState(const std::string &name, size_t bytes,
                   const Binding *&out) const;

  std::string entryName;
  std::vector<TensorInfo> inputInfo, outputInfo, stateInfo;
  std::vector<Binding> inputAt, outputAt, stateAt;
  std::vector<Step> steps;
  std::vector<Device *> devices; ///< every device the entry uses
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<std::unique_ptr<Event>> events;
  std::mutex mutex;
  bool tracing = false;
  std::vector<TraceEvent> traceEvents;
};

class Model {
public:
  ~Model();
  /// Reads, validates and loads the artifact at `path`.
  static std::unique_ptr<Model> load(const std::string &path, Status &status);
  /// Same, from memory (the bytes are not kept).
  static std::unique_ptr<Model> loadFromMemory(const char *data, size_t size,
                                               Status &status);

  const format::ArtifactDesc &info() const { return artifact; }
  size_t numEntries() const { return executables.size(); }
  /// The executable of entry `name` ("" = the first entry), or null.
  Executable *executable(const std::string &name);

private:
  Model() = default;
  Status init();
  Status loadEntry(const format::EntryDesc &entry, Executable &exe);

  format::ArtifactDesc artifact;
  std::vector<std::unique_ptr<Device>> devices;
  std::vector<std::vector<KernelHandle>> kernels; ///< per device
  std::vector<std::unique_ptr<Executable>> executables;
};

/// Largest file `Model::load` and `.npy` reading accept (bytes).
inline constexpr uint64_t kMaxFileBytes = uint64_t(1) << 40;

/// Reads a regular file of at most `maxBytes`; directories, devices such
/// as /dev/zero and oversized files are errors, never a crash.
Status readFile(const std::string &path, std::vector<char> &out,
                uint64_t maxBytes = kMaxFileBytes);

/// Writes `pieces` (pointer, byte count) one after another to `path`,
/// checking that every byte reached the file (a full disk is an error).
Status writeFile(const std::string &path,
                 const std::vector<std::pair<const void *, size_t>> &pieces);

} // namespace weft::rt

#endif // WEFT_RUNTIME_RUNTIME_H
