//===- Artifact.cpp - artifact parsing and validation ---------------------===//
//
// Everything in an artifact is untrusted: each count is bounded by the bytes
// left before anything is allocated for it, each index and offset is
// checked, and sizes are compared without overflow.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Runtime.h"

#include <climits>
#include <cstdint>
#include <limits>

using namespace weft;
using namespace weft::rt;
using namespace weft::format;

namespace {
constexpr uint32_t kMaxSections = 16;
constexpr uint32_t kMaxRank = 16;
constexpr uint64_t kMaxArena = uint64_t(1) << 40; // 1 TiB: clearly corrupt

/// a * b without overflow, or false.
bool mulChecked(uint64_t a, uint64_t b, uint64_t &out) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a)
    return false;
  out = a * b;
  return true;
}

Status fail(const std::string &what) {
  return Status::error("corrupt artifact: " + what);
}

Status readTensor(ByteReader &r, const EntryInfo &e, const char *kind,
                  TensorInfo &t) {
  t.name = r.str(4096);
  t.buffer = r.u32();
  uint32_t dtype = r.u32();
  uint32_t rank = r.u32();
  if (!r.ok())
    return fail("truncated " + std::string(kind) + " description");
  if (t.buffer >= e.buffers.size())
    return fail(std::string(kind) + " '" + t.name + "' names buffer " +
                std::to_string(t.buffer) + " of " +
                std::to_string(e.buffers.size()));
  if (dtype >= kNumDTypes)
    return fail(std::string(kind) + " '" + t.name + "' has unknown dtype " +
                std::to_string(dtype));
  if (rank > kMaxRank)
    return fail(std::string(kind) + " '" + t.name + "' has rank " +
                std::to_string(rank));
  t.dtype = static_cast<DType>(dtype);
  uint64_t bytes = dtypeSize(t.dtype);
  for (uint32_t i = 0; i < rank; ++i) {
    int64_t d = r.i64();
    if (!r.ok() || d < 0 || !mulChecked(bytes, uint64_t(d), bytes))
      return fail(std::string(kind) + " '" + t.name + "' has a bad shape");
    t.shape.push_back(d);
  }
  uint64_t bufSize = e.buffers[t.buffer].second;
  if (std::max<uint64_t>(bytes, 1) != bufSize)
    return fail(std::string(kind) + " '" + t.name + "' needs " +
                std::to_string(bytes) + " bytes but its buffer has " +
                std::to_string(bufSize));
  return {};
}

Status parseMeta(const char *data, size_t size, ArtifactInfo &out) {
  ByteReader r(data, size);
  uint32_t numKernels = r.u32();
  if (!r.ok() || numKernels > r.remaining() / 8)
    return fail("bad kernel count");
  for (uint32_t i = 0; i < numKernels; ++i) {
    out.kernelSymbols.push_back(r.str(256));
    out.kernelArity.push_back(r.u32());
    if (!r.ok() || out.kernelSymbols.back().empty())
      return fail("bad kernel table");
  }
  uint32_t numEntries = r.u32();
  if (!r.ok() || numEntries == 0 || numEntries > r.remaining() / 32)
    return fail("bad entry count");
  for (uint32_t ei = 0; ei < numEntries; ++ei) {
    EntryInfo &e = out.entries.emplace_back();
    e.name = r.str(4096);
    e.arenaSize = r.u64();
    e.lowerBound = r.u64();
    uint32_t numBuffers = r.u32();
    if (!r.ok() || numBuffers > r.remaining() / 16)
      return fail("bad buffer count");
    if (e.arenaSize > kMaxArena)
      return fail("arena of " + std::to_string(e.arenaSize) + " bytes");
    for (uint32_t i = 0; i < numBuffers; ++i) {
      uint64_t off = r.u64(), sz = r.u64();
      if (!r.ok() || sz == 0 || off > e.arenaSize || sz > e.arenaSize - off)
        return fail("buffer " + std::to_string(i) + " [" + std::to_string(off) +
                    ", +" + std::to_string(sz) + ") outside the arena of " +
                    std::to_string(e.arenaSize) + " bytes");
      e.buffers.push_back({off, sz});
    }
    for (auto *list : {&e.inputs, &e.outputs}) {
      uint32_t n = r.u32();
      if (!r.ok() || n > r.remaining() / 16)
        return fail("bad input/output count");
      for (uint32_t i = 0; i < n; ++i) {
        TensorInfo &t = list->emplace_back();
        if (Status s =
                readTensor(r, e, list == &e.inputs ? "input" : "output", t);
            !s)
          return s;
      }
    }
    uint32_t numCommands = r.u32();
    if (!r.ok() || numCommands > r.remaining() / 20)
      return fail("bad command count");
    for (uint32_t ci = 0; ci < numCommands; ++ci) {
      CommandInfo &c = e.commands.emplace_back();
      uint32_t kind = r.u32();
      c.kernel = r.u32();
      c.label = r.str(256);
      uint32_t numArgs = r.u32();
      if (!r.ok() || numArgs > r.remaining() / 4)
        return fail("bad command " + std::to_string(ci));
      for (uint32_t i = 0; i < numArgs; ++i) {
        c.args.push_back(r.u32());
        if (c.args.back() >= e.buffers.size())
          return fail("command " + std::to_string(ci) + " names buffer " +
                      std::to_string(c.args.back()));
      }
      uint32_t numParams = r.u32();
      if (!r.ok() || numParams > r.remaining() / 8)
        return fail("bad command " + std::to_string(ci));
      for (uint32_t i = 0; i < numParams; ++i)
        c.params.push_back(r.i64());
      if (!r.ok())
        return fail("truncated command " + std::to_string(ci));
      if (kind == uint32_t(CommandKind::Launch)) {
        c.kind = CommandKind::Launch;
        if (c.kernel >= numKernels)
          return fail("command " + std::to_string(ci) + " launches kernel " +
                      std::to_string(c.kernel) + " of " +
                      std::to_string(numKernels));
        if (c.args.size() != out.kernelArity[c.kernel])
          return fail("command " + std::to_string(ci) + " passes " +
                      std::to_string(c.args.size()) +
                      " buffers to a kernel "
                      "taking " +
                      std::to_string(out.kernelArity[c.kernel]));
      } else if (kind == uint32_t(CommandKind::Sgemm)) {
        c.kind = CommandKind::Sgemm;
        if (c.args.size() != 3 || c.params.size() != 6)
          return fail("sgemm command " + std::to_string(ci) +
                      " needs 3 buffers and 6 parameters");
        int64_t m = c.params[0], n = c.params[1], k = c.params[2],
                batch = c.params[5];
        uint64_t a, b, cc;
        if (m <= 0 || n <= 0 || k <= 0 || batch <= 0 || m > INT32_MAX ||
            n > INT32_MAX || k > INT32_MAX ||
            !mulChecked(uint64_t(m) * 4, uint64_t(k), a) ||
            !mulChecked(a, uint64_t(batch), a) ||
            !mulChecked(uint64_t(k) * 4, uint64_t(n), b) ||
            !mulChecked(b, uint64_t(batch), b) ||
            !mulChecked(uint64_t(m) * 4, uint64_t(n), cc) ||
            !mulChecked(cc, uint64_t(batch), cc) ||
            e.buffers[c.args[0]].second < a ||
            e.buffers[c.args[1]].second < b || e.buffers[c.args[2]].second < cc)
          return fail("sgemm command " + std::to_string(ci) +
                      " does not fit its buffers");
      } else {
        return fail("command " + std::to_string(ci) + " has unknown kind " +
                    std::to_string(kind));
      }
    }
  }
  if (r.remaining() != 0)
    return fail("trailing bytes in the meta section");
  return {};
}
} // namespace

Status rt::parseArtifact(const char *data, size_t size, ArtifactInfo &out) {
  out = ArtifactInfo();
  if (size < sizeof(Header))
    return Status::error("not a weft artifact: file is only " +
                         std::to_string(size) + " bytes");
  Header h;
  std::memcpy(&h, data, sizeof(h));
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0)
    return Status::error("not a weft artifact (bad magic)");
  if (h.version != kVersion)
    return Status::error("artifact format version " +
                         std::to_string(h.version) +
                         " is not supported (this runtime reads version " +
                         std::to_string(kVersion) + ")");
  if (h.fileSize != size)
    return fail("header says " + std::to_string(h.fileSize) +
                " bytes, file has " + std::to_string(size) +
                " (truncated or padded)");
  if (h.numSections > kMaxSections ||
      h.numSections * sizeof(SectionEntry) > size - sizeof(Header))
    return fail("bad section count " + std::to_string(h.numSections));
  std::vector<SectionEntry> table(h.numSections);
  std::memcpy(table.data(), data + sizeof(Header),
              h.numSections * sizeof(SectionEntry));
  if (fnv1a(table.data(), h.numSections * sizeof(SectionEntry)) !=
      h.tableChecksum)
    return fail("section table checksum mismatch");
  const SectionEntry *meta = nullptr, *kernels = nullptr;
  for (const SectionEntry &s : table) {
    if (s.offset > size || s.size > size - s.offset)
      return fail("section outside the file");
    if (fnv1a(data + s.offset, s.size) != s.checksum)
      return fail("section checksum mismatch (kind " + std::to_string(s.kind) +
                  ")");
    if (s.kind == uint32_t(SectionKind::Meta))
      meta = &s;
    else if (s.kind == uint32_t(SectionKind::CpuKernels))
      kernels = &s;
  }
  if (!meta)
    return fail("no meta section");
  if (Status s = parseMeta(data + meta->offset, meta->size, out); !s)
    return s;
  if (kernels) {
    out.kernelBytes = data + kernels->offset;
    out.kernelSize = kernels->size;
  }
  if (!out.kernelSymbols.empty() && out.kernelSize == 0)
    return fail("kernels are named but no kernel code is present");
  return {};
}
