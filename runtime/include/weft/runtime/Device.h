//===- Device.h - the runtime's device layer --------------------*- C++ -*-===//
//
// What a backend implements, after IREE's HAL: a Device owns memory (arenas
// allocated once at load) and loaded kernel code; Streams run commands in
// order (kernel launches, GEMMs, copies, event record/wait); Events order
// streams; a Communicator runs collectives between devices. The executable
// (Executable.cpp) replays each device's static command list through these
// interfaces and never allocates or schedules inside a run.
//
// Backends: CPU (src/cpu/). The CUDA backend and the local / MPI / NCCL
// communicators implement the same interfaces.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_DEVICE_H
#define WEFT_RUNTIME_DEVICE_H

#include "weft/runtime/Format.h"
#include "weft/runtime/Status.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weft::rt {

/// An opaque loaded kernel (CPU: a `void (*)(void **)` entry point).
using KernelHandle = void *;

/// Orders commands across streams of one device.
class Event {
public:
  virtual ~Event() = default;
};

/// An in-order queue of commands.
class Stream {
public:
  virtual ~Stream() = default;
  /// Runs kernel `kernel` on one pointer per argument; `extent` is the
  /// launch's parallel extent (CPU) and `grid`/`block` its shape (GPU).
  virtual Status launch(KernelHandle kernel, void **args,
                        const format::CommandDesc &command) = 0;
  /// C = op(A) op(B) (+ epilogue) as described; `bias` may be null.
  virtual Status gemm(const format::GemmDesc &gemm, const void *a,
                      const void *b, const void *bias, void *c) = 0;
  virtual Status copy(const void *source, void *target, size_t bytes) = 0;
  virtual Status record(Event &event) = 0;
  virtual Status wait(Event &event) = 0;
};

/// Collectives and sends / recvs between devices, issued by every device in
/// the plan's global order with the semantics of format::CollectiveDesc.
/// One Communicator per device of an entry: local (devices as threads of
/// one process, src/comm/LocalComm.cpp) or MPI (one rank per process,
/// src/comm/MpiComm.cpp). A group of one device needs none. A missing peer
/// is an error after a timeout, never a hang.
class Communicator {
public:
  virtual ~Communicator() = default;
  /// Runs the transfer `command` (Collective, Send or Recv); `input` is
  /// null where the transfer reads nothing, `output` where it writes
  /// nothing.
  virtual Status run(format::CommandKind command,
                     const format::CollectiveDesc &collective,
                     const void *input, void *output, Stream &stream) = 0;
};

/// One device: its memory, its code, its streams.
class Device {
public:
  virtual ~Device() = default;
  virtual format::DeviceKind kind() const = 0;
  /// Allocates an arena of `bytes` (aligned to `alignment`), owned by the
  /// device until it is destroyed; zero-filled.
  virtual Status allocate(uint64_t bytes, uint64_t alignment, void **out) = 0;
  /// Loads a kernel object and resolves `symbols` in it.
  virtual Status loadKernels(const std::vector<char> &object,
                             const std::vector<std::string> &symbols,
                             std::vector<KernelHandle> &out) = 0;
  virtual std::unique_ptr<Stream> createStream(format::StreamKind kind) = 0;
  virtual std::unique_ptr<Event> createEvent() = 0;
  /// Host bytes into device memory, and back (CPU: memcpy).
  virtual Status upload(void *target, const void *source, size_t bytes) = 0;
  virtual Status download(void *target, const void *source, size_t bytes) = 0;
  /// Waits until every stream of the device is idle.
  virtual Status synchronize() = 0;
};

/// The CPU device, running parallel kernels on `threads` threads (the
/// caller's included; they are created here). Fails (with a message naming
/// what is missing) when this CPU lacks an ISA feature that `target` needs.
std::unique_ptr<Device> createCpuDevice(const format::TargetDesc &target,
                                        unsigned threads, Status &status);

/// Whether the running CPU has ISA feature `name` (a format::kCpuFeatures
/// spelling); nullopt for a name this runtime cannot check.
std::optional<bool> cpuHasFeature(const std::string &name);

/// Whether GEMMs use a vendor BLAS in this process.
bool hasVendorBlas();

} // namespace weft::rt

#endif // WEFT_RUNTIME_DEVICE_H
