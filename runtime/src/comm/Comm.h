//===- Comm.h - communicators (internal) ------------------------*- C++ -*-===//
//
// The pieces of the communicator layer the executable uses: the
// elementwise reductions (shared by every communicator), the local group
// (devices as threads of one process, exchanging through shared memory)
// and the MPI world (one rank per process).
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_COMM_COMM_H
#define WEFT_RUNTIME_COMM_COMM_H

#include "weft/runtime/Device.h"
#include "weft/runtime/Format.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace weft::rt::comm {

/// out[i] = in[0][offset + i] op in[1][offset + i] op ... for i < count, in
/// rank order; f16 / bf16 accumulate in f32 and round once, integers wrap.
/// `out` may alias one of the inputs only at the same element.
void reduce(format::DType dtype, format::ReduceKind op,
            const void *const *inputs, size_t numInputs, uint64_t offset,
            void *out, uint64_t count);

/// How long a device waits for its peers at one collective:
/// WEFT_COLLECTIVE_TIMEOUT_S seconds (a decimal number), 60 by default.
std::chrono::milliseconds collectiveTimeout();

/// "all_reduce order 3" for messages.
std::string describe(format::CommandKind command,
                     const format::CollectiveDesc &c);

/// The devices of one entry as threads of one process. Built at load from
/// the entry's programs (one rendezvous slot per transfer order, scratch
/// for transfers in place); `communicator(d)` is device d's side.
class LocalGroup {
public:
  LocalGroup(const format::EntryDesc &entry, uint32_t numDevices);
  ~LocalGroup();
  /// Device `device`'s communicator (owned by the group).
  Communicator *communicator(uint32_t device);
  /// Makes every waiting and later transfer fail with `message`; returns
  /// whether this was the first abort since the last reset.
  bool abort(const std::string &message);
  /// Forgets an abort and every half-finished rendezvous; only while no
  /// device is inside a transfer.
  void reset();
  /// The message of the first abort since the last reset.
  std::string message() {
    std::lock_guard<std::mutex> lock(mutex);
    return abortMessage;
  }

private:
  friend class LocalCommunicator;
  struct Slot;
  Status run(uint32_t device, format::CommandKind command,
             const format::CollectiveDesc &c, const void *input, void *output);
  /// Waits until all of `slot`'s participants reach this point.
  Status barrier(Slot &slot, std::unique_lock<std::mutex> &lock,
                 uint32_t device, format::CommandKind command,
                 const format::CollectiveDesc &c);
  Slot *find(uint64_t order);

  std::mutex mutex;
  std::condition_variable cv;
  bool aborted = false;
  std::string abortMessage;
  std::vector<std::unique_ptr<Slot>> slots;         ///< sorted by order
  std::vector<std::unique_ptr<Communicator>> comms; ///< per device
  std::vector<std::vector<char>> scratch;           ///< per device
  std::chrono::milliseconds timeout;
};

/// Whether this runtime was built with MPI.
bool mpiBuilt();

/// The process's MPI side (MPI mode): initialized once per process.
class MpiWorld {
public:
  /// MPI_Init (once per process) and the world's rank and size.
  static Status get(MpiWorld *&out);
  int rank() const { return worldRank; }
  int size() const { return worldSize; }
  /// Device `device`'s communicator for `entry`: one MPI communicator per
  /// distinct group of the entry, split off the world here (at load).
  virtual std::unique_ptr<Communicator>
  communicator(const format::EntryDesc &entry, uint32_t device,
               Status &status) = 0;
  /// Sends `bytes` to world rank `to` / receives them from `from` (tag
  /// `tag`), outside any plan: gathering outputs.
  virtual Status send(const void *data, size_t bytes, int to, int tag) = 0;
  virtual Status recv(void *data, size_t bytes, int from, int tag) = 0;
  /// `bytes` from world rank `root` to every rank.
  virtual Status broadcast(void *data, size_t bytes, int root) = 0;
  /// Ends every rank at once (after an error that leaves peers waiting).
  virtual void abortAll(int code) = 0;
  virtual ~MpiWorld() = default;

protected:
  int worldRank = 0, worldSize = 1;
};

} // namespace weft::rt::comm

#endif // WEFT_RUNTIME_COMM_COMM_H
