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

/// How a model with several devices runs.
enum class ExecutionMode {
  /// MPI when this process was started by mpirun (launchedByMpi()),
  /// local otherwise.
  Auto,
  /// Every device in this process, one worker thread per device.
  Local,
  /// One rank per device: world rank r runs device r's programs; the world
  /// size must equal the artifact's device count.
  Mpi,
};

struct LoadOptions {
  ExecutionMode mode = ExecutionMode::Auto;
  /// MPI mode: outputs (gathered to rank 0) are also sent to every other
  /// rank; by default only rank 0's output arrays are filled.
  bool outputsOnEveryRank = false;
  /// Threads per CPU device for parallel kernels, the caller's included;
  /// 0: the CPUs this process may use, shared by the devices this machine
  /// runs (the artifact's devices locally; with MPI, the ranks on this
  /// node).
  unsigned threads = 0;
};

/// Whether this process looks like one rank of an MPI job (Open MPI's
/// OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK or PMI_SIZE in the environment).
bool launchedByMpi();
/// Whether this runtime was built with MPI.
bool haveMpi();
/// Ends MPI in this process if the runtime started it (idempotent; also
/// done at exit).
void finalizeMpi();
/// Ends every rank of the MPI job at once with `code` (after an error that
/// leaves the peers waiting); returns only when MPI is not running.
void abortMpi(int code);

/// One entry function, ready to run on every device it uses.
///
/// Inputs and outputs are global arrays: each input is scattered to the
/// buffers of its placements (each gets its slice), each output gathered
/// from its placements. Programs of several devices run at once: locally
/// on one persistent worker thread per device (created at load), or, in
/// MPI mode, this rank's program only (outputs gathered to rank 0).
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
  /// Replaces persistent state tensor `name` (exactly its byte size; the
  /// global tensor, scattered to its placements).
  Status setState(const std::string &name, const void *data, size_t bytes);
  /// Reads persistent state tensor `name` (exactly its byte size; gathered
  /// from its placements, in MPI mode on every rank).
  Status readState(const std::string &name, void *data, size_t bytes);

  /// When on, each call records per-command start/end times (into storage
  /// reserved at load, so tracing does not allocate either).
  void enableTrace(bool on);
  std::vector<TraceEvent> trace();

private:
  friend class Model;
  struct Impl;
  Executable();
  Status runLocked();
  /// The index of state `name` if `bytes` is its size.
  Status findState(const std::string &name, size_t bytes, size_t &out) const;

  std::string entryName;
  std::vector<TensorInfo> inputInfo, outputInfo, stateInfo;
  std::unique_ptr<Impl> impl;
  std::mutex mutex;
  bool tracing = false;
};

class Model {
public:
  ~Model();
  /// Reads, validates and loads the artifact at `path`.
  static std::unique_ptr<Model> load(const std::string &path, Status &status,
                                     const LoadOptions &options = {});
  /// Same, from memory (the bytes are not kept).
  static std::unique_ptr<Model> loadFromMemory(const char *data, size_t size,
                                               Status &status,
                                               const LoadOptions &options = {});

  const format::ArtifactDesc &info() const { return artifact; }
  size_t numEntries() const { return executables.size(); }
  /// The executable of entry `name` ("" = the first entry), or null.
  Executable *executable(const std::string &name);
  /// Whether this model runs one device per MPI rank, and this rank.
  bool usesMpi() const { return mpi; }
  int rank() const { return worldRank; }

private:
  Model() = default;
  Status init(const LoadOptions &options);
  Status loadEntry(const format::EntryDesc &entry, Executable &exe);

  format::ArtifactDesc artifact;
  std::vector<std::unique_ptr<Device>> devices;   ///< null: on another rank
  std::vector<std::vector<KernelHandle>> kernels; ///< per device
  std::vector<std::unique_ptr<Executable>> executables;
  bool mpi = false, outputsEverywhere = false;
  int worldRank = 0;
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
