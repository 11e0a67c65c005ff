//===- Validate.cpp - what the loader checks before it trusts a plan ------===//
//
// A decoded artifact is still untrusted: every index is checked against
// what it indexes, every size and offset with overflow-safe arithmetic,
// every launch's buffers against the sizes its kernel recorded, every GEMM
// extent against its buffers. After this, replaying the plan's commands
// cannot touch memory outside their buffers (the kernel code itself is
// trusted like a shared library).
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Runtime.h"

#include <algorithm>
#include <climits>
#include <limits>
#include <map>
#include <set>

using namespace weft;
using namespace weft::rt;
using namespace weft::format;

namespace {

constexpr uint32_t kMaxRank = 16;
constexpr size_t kMaxPlacements = 4096;

bool mulChecked(uint64_t a, uint64_t b, uint64_t &out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a)
    return false;
  out = a * b;
  return true;
}

bool addChecked(uint64_t a, uint64_t b, uint64_t &out) {
  if (b > std::numeric_limits<uint64_t>::max() - a)
    return false;
  out = a + b;
  return true;
}

Status fail(const std::string &what) {
  return Status::error("corrupt artifact: " + what);
}

/// Why `name` is not safe as a file name, or "".
const char *unsafeName(const std::string &name) {
  if (name.empty())
    return "is empty";
  if (name.size() > 255)
    return "is longer than 255 bytes";
  if (name[0] == '.')
    return "starts with '.'";
  for (char c : name)
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 32)
      return "contains '/', a backslash or a control character";
  return "";
}

class Validator {
public:
  explicit Validator(const ArtifactDesc &a) : a(a) {}

  Status run() {
    if (a.targets.empty())
      return fail("no target record");
    for (const DeviceDesc &d : a.devices)
      if (d.target >= a.targets.size() || a.targets[d.target].kind != d.kind)
        return fail("a device names a missing or mismatched target");
    for (size_t k = 0; k < a.kernels.size(); ++k)
      if (a.kernels[k].symbol.empty())
        return fail("kernel " + std::to_string(k) + " has no symbol");
    for (size_t w = 0; w < a.weights.size(); ++w) {
      const WeightDesc &wt = a.weights[w];
      uint64_t end;
      if (!addChecked(wt.offset, wt.size, end) || end > a.weightBytes.size())
        return fail("weight " + std::to_string(w) +
                    " lies outside the weights section");
      if (wt.splatBytes && wt.size != wt.splatBytes)
        return fail("splat weight " + std::to_string(w) + " stores " +
                    std::to_string(wt.size) + " bytes for a " +
                    std::to_string(wt.splatBytes) + "-byte element");
    }
    if (a.entries.empty())
      return fail("no entry");
    std::set<std::string> entryNames;
    for (const EntryDesc &e : a.entries) {
      if (!entryNames.insert(e.name).second)
        return fail("two entries named '" + e.name + "'");
      if (Status s = entry(e); !s)
        return s;
    }
    return {};
  }

private:
  Status entry(const EntryDesc &e) {
    if (e.programs.empty())
      return fail("entry '" + e.name + "' has no program");
    std::set<uint32_t> devicesUsed;
    for (const ProgramDesc &p : e.programs) {
      if (p.device >= a.devices.size())
        return fail("a program of '" + e.name + "' runs on device " +
                    std::to_string(p.device) + " of " +
                    std::to_string(a.devices.size()));
      if (!devicesUsed.insert(p.device).second)
        return fail("entry '" + e.name + "' has two programs for device " +
                    std::to_string(p.device));
      if (Status s = program(e, p); !s)
        return s;
    }
    if (Status s = transfers(e, devicesUsed); !s)
      return s;
    std::set<std::string> names;
    for (const auto *list : {&e.inputs, &e.outputs, &e.state})
      for (const TensorDesc &t : *list) {
        if (const char *why = unsafeName(t.name); *why)
          return fail("tensor name '" + t.name + "' " + why);
        if (!names.insert(t.name).second)
          return fail("entry '" + e.name + "' uses the name '" + t.name +
                      "' twice");
        if (Status s = tensor(e, t, list == &e.state); !s)
          return s;
      }
    return {};
  }

  Status tensor(const EntryDesc &e, const TensorDesc &t, bool isState) {
    if (!isValidDType(static_cast<uint32_t>(t.dtype)))
      return fail("tensor '" + t.name + "' has an unknown dtype");
    if (t.shape.size() > kMaxRank)
      return fail("tensor '" + t.name + "' has rank " +
                  std::to_string(t.shape.size()));
    uint64_t bytes = dtypeSize(t.dtype);
    for (int64_t d : t.shape)
      if (d < 0 || !mulChecked(bytes, uint64_t(d), bytes))
        return fail("tensor '" + t.name + "' has a bad shape");
    if (t.placements.empty())
      return fail("tensor '" + t.name + "' has no placement");
    if (t.placements.size() > kMaxPlacements)
      return fail("tensor '" + t.name + "' has " +
                  std::to_string(t.placements.size()) + " placements");
    for (const PlacementDesc &pl : t.placements) {
      if (pl.program >= e.programs.size())
        return fail("tensor '" + t.name + "' is placed in a missing program");
      const ProgramDesc &p = e.programs[pl.program];
      if (pl.buffer >= p.buffers.size())
        return fail("tensor '" + t.name + "' is placed in a missing buffer");
      if (pl.start.size() != t.shape.size() ||
          pl.shape.size() != t.shape.size())
        return fail("tensor '" + t.name + "' has a placement of another rank");
      uint64_t slice = dtypeSize(t.dtype);
      for (size_t d = 0; d < t.shape.size(); ++d) {
        if (pl.start[d] < 0 || pl.shape[d] < 0 || pl.start[d] > t.shape[d] ||
            pl.shape[d] > t.shape[d] - pl.start[d])
          return fail("tensor '" + t.name + "' has a placement outside it");
        slice *= uint64_t(pl.shape[d]); // no overflow: within the tensor
      }
      const BufferDesc &b = p.buffers[pl.buffer];
      if (std::max<uint64_t>(slice, 1) != b.size)
        return fail("tensor '" + t.name + "' needs " + std::to_string(slice) +
                    " bytes but its buffer has " + std::to_string(b.size));
      bool persistent = p.arenas[b.arena].flags & kPersistent;
      if (persistent != isState)
        return fail("tensor '" + t.name + "' is " +
                    (isState ? "state outside" : "an input or output inside") +
                    " a persistent arena");
    }
    if (!covered(t))
      return fail("tensor '" + t.name +
                  "' has a partial placement (its "
                  "placements do not cover it)");
    return {};
  }

  /// Whether the union of the placements of `t` is all of `t`: the
  /// placements' boundaries cut every dimension into intervals, and each
  /// cell of that grid is inside a placement or not at all.
  static bool covered(const TensorDesc &t) {
    for (int64_t d : t.shape)
      if (d == 0)
        return true;
    size_t rank = t.shape.size();
    std::vector<std::vector<int64_t>> cuts(rank);
    uint64_t cells = 1;
    for (size_t d = 0; d < rank; ++d) {
      std::set<int64_t> c = {0, t.shape[d]};
      for (const PlacementDesc &pl : t.placements) {
        c.insert(pl.start[d]);
        c.insert(pl.start[d] + pl.shape[d]);
      }
      cuts[d].assign(c.begin(), c.end());
      cells *= cuts[d].size() - 1; // at most (2 * kMaxPlacements + 1)^rank
      if (cells > (uint64_t(1) << 22))
        return false; // more fragments than any plan makes
    }
    std::vector<size_t> at(rank, 0);
    for (uint64_t cell = 0; cell < cells; ++cell) {
      bool inside = false;
      for (const PlacementDesc &pl : t.placements) {
        bool all = true;
        for (size_t d = 0; d < rank && all; ++d)
          all = pl.start[d] <= cuts[d][at[d]] &&
                cuts[d][at[d] + 1] <= pl.start[d] + pl.shape[d];
        if ((inside = all))
          break;
      }
      if (!inside)
        return false;
      for (size_t d = rank; d-- > 0;) {
        if (++at[d] + 1 < cuts[d].size())
          break;
        at[d] = 0;
      }
    }
    return true;
  }

  /// Collectives and sends / recvs across the programs of `e`: strictly
  /// increasing orders per program, and every program issuing an order
  /// agreeing on what it is.
  Status transfers(const EntryDesc &e, const std::set<uint32_t> &devicesUsed) {
    struct Seen {
      const ProgramDesc *program;
      const CommandDesc *command;
    };
    std::map<uint64_t, std::vector<Seen>> byOrder;
    for (const ProgramDesc &p : e.programs) {
      bool first = true;
      uint64_t last = 0;
      for (const CommandDesc &c : p.commands) {
        if (c.kind != CommandKind::Collective && c.kind != CommandKind::Send &&
            c.kind != CommandKind::Recv)
          continue;
        const CollectiveDesc &k = c.collective;
        if (!first && k.order <= last)
          return fail(
              "entry '" + e.name + "': device " + std::to_string(p.device) +
              " issues " + transferName(c.kind, k.kind) + " order " +
              std::to_string(k.order) + " after order " + std::to_string(last) +
              " (orders must increase strictly)");
        first = false;
        last = k.order;
        byOrder[k.order].push_back({&p, &c});
      }
    }
    for (const auto &[order, list] : byOrder) {
      const CommandDesc &c0 = *list[0].command;
      const CollectiveDesc &k0 = c0.collective;
      uint32_t d0 = list[0].program->device;
      std::string what = "entry '" + e.name +
                         "': " + transferName(c0.kind, k0.kind) + " order " +
                         std::to_string(order) + ": ";
      if (c0.kind == CommandKind::Collective)
        for (uint32_t d : k0.group)
          if (!devicesUsed.count(d))
            return fail(what + "its group names device " + std::to_string(d) +
                        ", which has no program in the entry");
      for (size_t i = 1; i < list.size(); ++i) {
        const CommandDesc &c = *list[i].command;
        const CollectiveDesc &k = c.collective;
        std::string who =
            what + "device " + std::to_string(list[i].program->device) +
            " disagrees with device " + std::to_string(d0) + " on ";
        bool p2p0 = c0.kind != CommandKind::Collective,
             p2p = c.kind != CommandKind::Collective;
        if (p2p0 != p2p || (!p2p && k.kind != k0.kind))
          return fail(who + "the kind (" + transferName(c.kind, k.kind) +
                      " vs " + transferName(c0.kind, k0.kind) + ")");
        if (k.dtype != k0.dtype)
          return fail(who + "the dtype (" + dtypeName(k.dtype) + " vs " +
                      dtypeName(k0.dtype) + ")");
        if (k.count != k0.count)
          return fail(who + "the count (" + std::to_string(k.count) + " vs " +
                      std::to_string(k0.count) + ")");
        if (p2p) {
          // A matched pair: one send, one recv, naming each other.
          uint32_t d = list[i].program->device;
          if (list.size() != 2 || c.kind == c0.kind || k.peer != d0 ||
              k0.peer != d)
            return fail(what + "devices " + std::to_string(d0) + " and " +
                        std::to_string(d) +
                        " do not form one send and its recv");
          continue;
        }
        if (k.reduce != k0.reduce && (k0.kind == CollectiveKind::AllReduce ||
                                      k0.kind == CollectiveKind::ReduceScatter))
          return fail(who + "the reduction");
        if (k.group != k0.group)
          return fail(who + "the group");
        if (k0.kind == CollectiveKind::Broadcast && k.root != k0.root)
          return fail(who + "the root");
      }
    }
    return {};
  }

  /// Whether writing buffer `b` of `p` would change a weight (state
  /// buffers start from a weight but are the program's to write).
  bool writesWeight(const ProgramDesc &p, uint32_t b) const {
    return p.buffers[b].weight != kNone &&
           (b >= stateBuffers.size() || !stateBuffers[b]);
  }

  Status program(const EntryDesc &e, const ProgramDesc &p) {
    std::string where = "program of '" + e.name + "' on device " +
                        std::to_string(p.device) + ": ";
    // Every event is recorded by some command: more events than commands
    // can only be corruption (and would make the loader create them all).
    if (p.numEvents > p.commands.size())
      return fail(where + std::to_string(p.numEvents) + " events for " +
                  std::to_string(p.commands.size()) + " commands");
    DeviceKind kind = a.devices[p.device].kind;
    for (const ArenaDesc &ar : p.arenas) {
      if (ar.size > kMaxArenaBytes)
        return fail(where + "arena of " + std::to_string(ar.size) + " bytes");
      if (ar.alignment == 0 || (ar.alignment & (ar.alignment - 1)) ||
          ar.alignment > 4096)
        return fail(where + "arena alignment " + std::to_string(ar.alignment));
      if (ar.flags & ~uint32_t(kPersistent))
        return fail(where + "unknown arena flags");
    }
    for (size_t i = 0; i < p.buffers.size(); ++i) {
      const BufferDesc &b = p.buffers[i];
      std::string buf = where + "buffer " + std::to_string(i) + " ";
      if (b.arena >= p.arenas.size())
        return fail(buf + "names a missing arena");
      const ArenaDesc &ar = p.arenas[b.arena];
      uint64_t end;
      if (b.size == 0 || !addChecked(b.offset, b.size, end) || end > ar.size)
        return fail(buf + "[" + std::to_string(b.offset) + ", +" +
                    std::to_string(b.size) + ") lies outside its arena of " +
                    std::to_string(ar.size) + " bytes");
      if (b.offset % ar.alignment)
        return fail(buf + "is misaligned");
      if (b.weight != kNone) {
        if (b.weight >= a.weights.size())
          return fail(buf + "binds a missing weight");
        if (!(ar.flags & kPersistent))
          return fail(buf + "binds a weight outside a persistent arena");
        const WeightDesc &w = a.weights[b.weight];
        if (w.splatBytes ? b.size % w.splatBytes != 0 : w.size != b.size)
          return fail(buf + "does not match the size of weight '" + w.name +
                      "'");
      }
    }
    // State buffers hold their initial value as a weight but may be
    // written: a training step updates its parameters in place.
    uint32_t pi = static_cast<uint32_t>(&p - e.programs.data());
    stateBuffers.assign(p.buffers.size(), false);
    for (const TensorDesc &t : e.state)
      for (const PlacementDesc &pl : t.placements)
        if (pl.program == pi && pl.buffer < p.buffers.size())
          stateBuffers[pl.buffer] = true;
    for (size_t c = 0; c < p.commands.size(); ++c)
      if (Status s = command(where + "command " + std::to_string(c) + " ", p,
                             kind, p.commands[c]);
          !s)
        return s;
    return {};
  }

  Status buffers(const std::string &where, const ProgramDesc &p,
                 const std::vector<uint32_t> &list) {
    for (uint32_t b : list)
      if (b >= p.buffers.size())
        return fail(where + "names buffer " + std::to_string(b) + " of " +
                    std::to_string(p.buffers.size()));
    return {};
  }

  /// Bytes of (batch - 1) * stride + rows * cols elements of `t`.
  static bool extent(DType t, int64_t batch, int64_t stride, int64_t rows,
                     int64_t cols, uint64_t &out) {
    uint64_t matrix, skip, count;
    return mulChecked(uint64_t(rows), uint64_t(cols), matrix) &&
           mulChecked(uint64_t(batch - 1), uint64_t(stride), skip) &&
           addChecked(matrix, skip, count) &&
           mulChecked(count, dtypeSize(t), out);
  }

  Status gemm(const std::string &where, const ProgramDesc &p,
              const CommandDesc &c) {
    const GemmDesc &g = c.gemm;
    if (!isValidDType(uint32_t(g.abType)) || !isValidDType(uint32_t(g.cType)) ||
        !isValidDType(uint32_t(g.accumType)))
      return fail(where + "has an unknown dtype");
    if (g.abType == DType::F64 || g.cType == DType::F64)
      return fail(where + "is an f64 GEMM; f64 products are generated "
                          "kernels, not library calls");
    bool floating = dtypeInfo(g.abType).isFloat;
    DType wantAcc = floating                 ? DType::F32
                    : g.abType == DType::I64 ? DType::I64
                                             : DType::I32;
    if (g.accumType != wantAcc)
      return fail(where + "accumulates " + dtypeName(g.abType) + " in " +
                  dtypeName(g.accumType));
    if (dtypeInfo(g.cType).isFloat != floating)
      return fail(where + "writes " + dtypeName(g.cType) + " from " +
                  dtypeName(g.abType) + " operands");
    if (!floating && g.epilogue != Epilogue::None &&
        g.epilogue != Epilogue::Bias)
      return fail(where + "applies a float epilogue to an integer GEMM");
    if (g.transA > 1 || g.transB > 1)
      return fail(where + "has a transpose flag other than 0 or 1");
    if (g.m < 0 || g.n < 0 || g.k < 0 || g.batch < 1 || g.m > INT32_MAX ||
        g.n > INT32_MAX || g.k > INT32_MAX || g.strideA < 0 || g.strideB < 0 ||
        g.strideC < 0)
      return fail(where + "has bad GEMM dimensions");
    size_t wantIns = g.epilogue == Epilogue::None ? 2 : 3;
    if (c.ins.size() != wantIns || c.outs.size() != 1)
      return fail(where + "passes the wrong number of GEMM operands");
    auto [ar, ac] = g.transA ? std::pair(g.k, g.m) : std::pair(g.m, g.k);
    auto [br, bc] = g.transB ? std::pair(g.n, g.k) : std::pair(g.k, g.n);
    uint64_t need[3];
    if (!extent(g.abType, g.batch, g.strideA, ar, ac, need[0]) ||
        !extent(g.abType, g.batch, g.strideB, br, bc, need[1]) ||
        !extent(g.cType, g.batch, g.strideC, g.m, g.n, need[2]))
      return fail(where + "GEMM extents overflow");
    uint32_t bufs[3] = {c.ins[0], c.ins[1], c.outs[0]};
    for (int i = 0; i < 3; ++i)
      if (p.buffers[bufs[i]].size < need[i])
        return fail(where + "GEMM operand " + "ABC"[i] + " needs " +
                    std::to_string(need[i]) + " bytes, its buffer has " +
                    std::to_string(p.buffers[bufs[i]].size));
    if (wantIns == 3 &&
        p.buffers[c.ins[2]].size < uint64_t(g.n) * dtypeSize(g.cType))
      return fail(where + "GEMM bias buffer is too small");
    return {};
  }

  /// One collective, send or recv on its own (the semantics in Format.h);
  /// agreement between programs is checked per entry.
  Status transfer(const std::string &where, const ProgramDesc &p,
                  const CommandDesc &c) {
    const CollectiveDesc &k = c.collective;
    std::set<uint32_t> members(k.group.begin(), k.group.end());
    if (members.size() != k.group.size())
      return fail(where + "lists a device twice in its group");
    for (uint32_t d : k.group)
      if (d >= a.devices.size())
        return fail(where + "names a missing device");
    bool collective = c.kind == CommandKind::Collective;
    if (!collective && k.peer >= a.devices.size())
      return fail(where + "names a missing peer");
    if (!collective && k.peer == p.device)
      return fail(where + "sends to or receives from its own device");
    uint64_t bytes;
    if (!isValidDType(uint32_t(k.dtype)) ||
        !mulChecked(k.count, dtypeSize(k.dtype), bytes) ||
        (collective &&
         !mulChecked(k.count, std::max<size_t>(k.group.size(), 1), bytes)) ||
        !mulChecked(bytes, dtypeSize(k.dtype), bytes))
      return fail(where + "has a bad element count");
    if (collective) {
      if (uint32_t(k.kind) > uint32_t(CollectiveKind::Broadcast) ||
          uint32_t(k.reduce) > uint32_t(ReduceKind::Prod))
        return fail(where + "has an unknown collective or reduction kind");
      if (!members.count(p.device))
        return fail(where + "is a collective of a group without its device");
      size_t n = k.group.size();
      if ((k.kind == CollectiveKind::ReduceScatter ||
           k.kind == CollectiveKind::AllToAll) &&
          k.count % n)
        return fail(where + "splits " + std::to_string(k.count) +
                    " elements into " + std::to_string(n) + " chunks");
      if (k.kind == CollectiveKind::Broadcast && k.root >= n)
        return fail(where + "broadcasts from a root outside its group");
    }
    bool root = k.kind == CollectiveKind::Broadcast && !k.group.empty() &&
                k.root < k.group.size() && k.group[k.root] == p.device;
    size_t wantIns = c.kind == CommandKind::Recv ? 0 : 1;
    size_t wantOuts = c.kind == CommandKind::Send ? 0 : 1;
    bool insOk = c.ins.size() == wantIns;
    if (collective && k.kind == CollectiveKind::Broadcast && !root)
      insOk = c.ins.size() <= 1; // only the root's input is read
    if (!insOk || c.outs.size() != wantOuts)
      return fail(where + "passes " + std::to_string(c.ins.size()) +
                  " inputs and " + std::to_string(c.outs.size()) +
                  " outputs to a " + transferName(c.kind, k.kind));
    uint64_t size = dtypeSize(k.dtype);
    if (!c.ins.empty() &&
        p.buffers[c.ins[0]].size < transferInElements(c.kind, k) * size)
      return fail(where + "reads past its buffer");
    if (!c.outs.empty() &&
        p.buffers[c.outs[0]].size < transferOutElements(c.kind, k) * size)
      return fail(where + "writes past its buffer");
    if (!c.outs.empty() && writesWeight(p, c.outs[0]))
      return fail(where + "writes a weight");
    return {};
  }

  Status command(const std::string &where, const ProgramDesc &p,
                 DeviceKind kind, const CommandDesc &c) {
    if (c.stream >= p.streams.size())
      return fail(where + "runs on a missing stream");
    if (Status s = buffers(where, p, c.ins); !s)
      return s;
    if (Status s = buffers(where, p, c.outs); !s)
      return s;
    switch (c.kind) {
    case CommandKind::Launch: {
      if (c.kernel >= a.kernels.size())
        return fail(where + "launches a missing kernel");
      const KernelDesc &k = a.kernels[c.kernel];
      if (k.kind != kind)
        return fail(where + "launches a kernel of another device kind");
      if (c.ins.size() + c.outs.size() != k.args.size())
        return fail(where + "passes " +
                    std::to_string(c.ins.size() + c.outs.size()) +
                    " buffers to kernel '" + k.symbol + "' taking " +
                    std::to_string(k.args.size()));
      if (c.extent == 0)
        return fail(where + "has a parallel extent of 0");
      for (size_t i = 0; i < k.args.size(); ++i) {
        uint32_t b = i < c.ins.size() ? c.ins[i] : c.outs[i - c.ins.size()];
        if (p.buffers[b].size < k.args[i].bytes)
          return fail(where + "passes buffer " + std::to_string(b) + " of " +
                      std::to_string(p.buffers[b].size) +
                      " bytes as argument " + std::to_string(i) +
                      " of kernel '" + k.symbol + "', which touches " +
                      std::to_string(k.args[i].bytes) + " bytes");
        bool writes = k.args[i].access & kWrite;
        if (writes && writesWeight(p, b))
          return fail(where + "writes a weight");
      }
      return {};
    }
    case CommandKind::Gemm:
      if (!c.outs.empty() && writesWeight(p, c.outs[0]))
        return fail(where + "writes a weight");
      return gemm(where, p, c);
    case CommandKind::Copy:
      if (c.ins.size() != 1 || c.outs.size() != 1 ||
          p.buffers[c.ins[0]].size != p.buffers[c.outs[0]].size)
        return fail(where + "copies between buffers of different sizes");
      if (writesWeight(p, c.outs[0]))
        return fail(where + "writes a weight");
      return {};
    case CommandKind::Collective:
    case CommandKind::Send:
    case CommandKind::Recv:
      return transfer(where, p, c);
    case CommandKind::EventRecord:
    case CommandKind::EventWait:
      if (c.event >= p.numEvents)
        return fail(where + "names a missing event");
      return {};
    }
    return fail(where + "has an unknown kind");
  }

  const ArtifactDesc &a;
  /// Per buffer of the program being checked: whether it holds state.
  std::vector<bool> stateBuffers;
};

} // namespace

Status rt::validateArtifact(const ArtifactDesc &artifact) {
  return Validator(artifact).run();
}

Status rt::parseArtifact(const char *data, size_t size, ArtifactDesc &out) {
  std::string error;
  if (!decodeArtifact(data, size, out, error))
    return Status::error(error);
  return validateArtifact(out);
}
