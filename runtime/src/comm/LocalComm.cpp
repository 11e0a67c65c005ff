//===- LocalComm.cpp - devices as threads of one process ------------------===//
//
// Each transfer order has a rendezvous slot, created at load. A device
// posts its input and output addresses and waits for the rest of the
// group (barrier 1); then every device computes its own output straight
// from its peers' inputs in shared memory (reductions in rank order, so
// all get the same bits); a second barrier keeps every input intact until
// all have read it. A transfer in place computes into scratch (allocated
// at load) and copies after the second barrier. A wait longer than the
// timeout aborts the group with a message naming the transfer; an abort
// (or an error on any device) wakes every waiting device at once.
//
//===----------------------------------------------------------------------===//
#include "Comm.h"

#include <algorithm>
#include <cstring>

using namespace weft;
using namespace weft::format;
using namespace weft::rt;
using namespace weft::rt::comm;

struct LocalGroup::Slot {
  uint64_t order;
  std::vector<uint32_t> members; ///< devices in rank order (send, recv)
  std::vector<const void *> in;
  std::vector<void *> out;
  uint32_t arrived = 0;
  uint64_t generation = 0;
};

namespace weft::rt::comm {
class LocalCommunicator : public Communicator {
public:
  LocalCommunicator(LocalGroup &group, uint32_t device)
      : group(group), device(device) {}
  Status run(CommandKind command, const CollectiveDesc &c, const void *input,
             void *output, Stream &) override {
    return group.run(device, command, c, input, output);
  }

private:
  LocalGroup &group;
  uint32_t device;
};
} // namespace weft::rt::comm

namespace {
bool overlaps(const ProgramDesc &p, uint32_t a, uint32_t b) {
  const BufferDesc &x = p.buffers[a], &y = p.buffers[b];
  return x.arena == y.arena && x.offset < y.offset + y.size &&
         y.offset < x.offset + x.size;
}
} // namespace

LocalGroup::LocalGroup(const EntryDesc &entry, uint32_t numDevices)
    : scratch(numDevices), timeout(collectiveTimeout()) {
  for (uint32_t d = 0; d < numDevices; ++d)
    comms.push_back(std::make_unique<LocalCommunicator>(*this, d));
  for (const ProgramDesc &p : entry.programs)
    for (const CommandDesc &c : p.commands) {
      if (c.kind != CommandKind::Collective && c.kind != CommandKind::Send &&
          c.kind != CommandKind::Recv)
        continue;
      if (find(c.collective.order))
        continue;
      auto slot = std::make_unique<Slot>();
      slot->order = c.collective.order;
      if (c.kind == CommandKind::Collective)
        slot->members = c.collective.group;
      else if (c.kind == CommandKind::Send)
        slot->members = {p.device, c.collective.peer};
      else
        slot->members = {c.collective.peer, p.device};
      slot->in.assign(slot->members.size(), nullptr);
      slot->out.assign(slot->members.size(), nullptr);
      auto at = std::lower_bound(slots.begin(), slots.end(), slot->order,
                                 [](const std::unique_ptr<Slot> &s,
                                    uint64_t o) { return s->order < o; });
      slots.insert(at, std::move(slot));
    }
  // Scratch for collectives whose output overlaps their input.
  for (const ProgramDesc &p : entry.programs)
    for (const CommandDesc &c : p.commands)
      if (c.kind == CommandKind::Collective && c.ins.size() == 1 &&
          c.outs.size() == 1 && overlaps(p, c.ins[0], c.outs[0])) {
        size_t bytes = transferOutElements(c.kind, c.collective) *
                       dtypeSize(c.collective.dtype);
        if (scratch[p.device].size() < bytes)
          scratch[p.device].resize(bytes);
      }
}

LocalGroup::~LocalGroup() = default;

Communicator *LocalGroup::communicator(uint32_t device) {
  return comms[device].get();
}

LocalGroup::Slot *LocalGroup::find(uint64_t order) {
  auto at = std::lower_bound(
      slots.begin(), slots.end(), order,
      [](const std::unique_ptr<Slot> &s, uint64_t o) { return s->order < o; });
  return at != slots.end() && (*at)->order == order ? at->get() : nullptr;
}

bool LocalGroup::abort(const std::string &message) {
  std::lock_guard<std::mutex> lock(mutex);
  if (aborted)
    return false;
  aborted = true;
  abortMessage = message;
  cv.notify_all();
  return true;
}

void LocalGroup::reset() {
  std::lock_guard<std::mutex> lock(mutex);
  aborted = false;
  abortMessage.clear();
  for (auto &s : slots) {
    s->arrived = 0;
    ++s->generation;
  }
}

Status LocalGroup::barrier(Slot &slot, std::unique_lock<std::mutex> &lock,
                           uint32_t device, CommandKind command,
                           const CollectiveDesc &c) {
  if (aborted)
    return Status::error(describe(command, c) + " on device " +
                         std::to_string(device) +
                         " abandoned: " + abortMessage);
  uint64_t generation = slot.generation;
  if (++slot.arrived == slot.members.size()) {
    slot.arrived = 0;
    ++slot.generation;
    cv.notify_all();
    return {};
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (slot.generation == generation) {
    if (aborted)
      return Status::error(describe(command, c) + " on device " +
                           std::to_string(device) +
                           " abandoned: " + abortMessage);
    if (cv.wait_until(lock, deadline) == std::cv_status::timeout &&
        slot.generation == generation && !aborted) {
      std::string m =
          describe(command, c) + " timed out on device " +
          std::to_string(device) + " after " +
          std::to_string(double(timeout.count()) / 1000).substr(0, 5) +
          " s: " + std::to_string(slot.arrived) + " of " +
          std::to_string(slot.members.size()) +
          " devices of its group arrived (a device's plan lacks it, or a "
          "peer failed; WEFT_COLLECTIVE_TIMEOUT_S sets the limit)";
      aborted = true;
      abortMessage = m;
      cv.notify_all();
      return Status::error(m);
    }
  }
  return {};
}

Status LocalGroup::run(uint32_t device, CommandKind command,
                       const CollectiveDesc &c, const void *input,
                       void *output) {
  Slot *slot = find(c.order);
  if (!slot)
    return Status::error("internal: no rendezvous for " + describe(command, c));
  uint32_t r = 0;
  if (command == CommandKind::Recv)
    r = 1;
  else if (command == CommandKind::Collective)
    r = uint32_t(std::find(slot->members.begin(), slot->members.end(), device) -
                 slot->members.begin());
  std::unique_lock<std::mutex> lock(mutex);
  slot->in[r] = input;
  slot->out[r] = output;
  if (Status s = barrier(*slot, lock, device, command, c); !s)
    return s;
  lock.unlock();

  size_t esz = dtypeSize(c.dtype), n = slot->members.size();
  size_t inBytes = transferInElements(command, c) * esz;
  size_t outBytes = transferOutElements(command, c) * esz;
  const char *inp = static_cast<const char *>(input);
  char *outp = static_cast<char *>(output);
  bool inPlace = input && output && inp < outp + outBytes &&
                 outp < inp + inBytes && c.kind != CollectiveKind::Broadcast;
  char *dst = inPlace ? scratch[device].data() : outp;
  if (command == CommandKind::Recv) {
    std::memcpy(output, slot->in[0], outBytes);
  } else if (command == CommandKind::Collective) {
    uint64_t chunk = c.count / n;
    switch (c.kind) {
    case CollectiveKind::AllReduce:
      reduce(c.dtype, c.reduce, slot->in.data(), n, 0, dst, c.count);
      break;
    case CollectiveKind::AllGather:
      for (size_t q = 0; q < n; ++q)
        std::memcpy(dst + q * inBytes, slot->in[q], inBytes);
      break;
    case CollectiveKind::ReduceScatter:
      reduce(c.dtype, c.reduce, slot->in.data(), n, r * chunk, dst, chunk);
      break;
    case CollectiveKind::AllToAll:
      for (size_t q = 0; q < n; ++q)
        std::memcpy(dst + q * chunk * esz,
                    static_cast<const char *>(slot->in[q]) + r * chunk * esz,
                    chunk * esz);
      break;
    case CollectiveKind::Broadcast:
      if (slot->in[c.root] != output)
        std::memmove(output, slot->in[c.root], outBytes);
      break;
    }
  }

  lock.lock();
  if (Status s = barrier(*slot, lock, device, command, c); !s)
    return s;
  lock.unlock();
  if (dst != outp && outBytes)
    std::memcpy(outp, dst, outBytes);
  return {};
}
