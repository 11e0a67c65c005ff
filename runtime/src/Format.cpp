//===- Format.cpp - artifact bytes <-> format::ArtifactDesc ---------------===//
//
// The one writer and the one reader of the layout in Format.h. The reader
// trusts nothing: every count is bounded by the bytes left before anything
// is allocated for it, every enum value is checked, and it never reads out
// of bounds. Semantic checks (indices, sizes) are the runtime's validation.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Format.h"

#include <limits>

using namespace weft;
using namespace weft::format;

namespace {

/// Appends little-endian fields.
class Writer {
public:
  void u8(uint8_t v) { raw(&v, 1); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void str(const std::string &s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void u32s(const std::vector<uint32_t> &v) {
    u32(static_cast<uint32_t>(v.size()));
    for (uint32_t x : v)
      u32(x);
  }
  void i64s(const std::vector<int64_t> &v) {
    u32(static_cast<uint32_t>(v.size()));
    for (int64_t x : v)
      i64(x);
  }
  void raw(const void *p, size_t n) {
    const auto *c = static_cast<const char *>(p);
    bytes.insert(bytes.end(), c, c + n);
  }
  std::vector<char> bytes;
};

/// Reads fields with bounds checks; after any failure `ok()` is false and
/// every later read returns zero.
class Reader {
public:
  Reader(const char *data, size_t size) : data(data), size(size) {}
  bool ok() const { return good; }
  size_t remaining() const { return size - pos; }
  void fail() { good = false; }
  uint8_t u8() { return read<uint8_t>(); }
  uint32_t u32() { return read<uint32_t>(); }
  uint64_t u64() { return read<uint64_t>(); }
  int64_t i64() { return read<int64_t>(); }
  std::string str(size_t maxLen = 1 << 16) {
    uint32_t n = u32();
    if (!good || n > maxLen || n > remaining()) {
      good = false;
      return {};
    }
    std::string s(data + pos, n);
    pos += n;
    return s;
  }
  /// A count of items of at least `minBytes` each: bounded by the bytes
  /// left, so a corrupt count cannot make the reader allocate.
  uint32_t count(size_t minBytes) {
    uint32_t n = u32();
    if (!good || (minBytes && n > remaining() / minBytes)) {
      good = false;
      return 0;
    }
    return n;
  }
  std::vector<uint32_t> u32s() {
    std::vector<uint32_t> v(count(4));
    for (uint32_t &x : v)
      x = u32();
    return v;
  }
  std::vector<int64_t> i64s() {
    std::vector<int64_t> v(count(8));
    for (int64_t &x : v)
      x = i64();
    return v;
  }
  /// An enum stored as u32, checked against its number of values.
  template <typename E> E enumOf(uint32_t numValues) {
    uint32_t v = u32();
    if (v >= numValues)
      good = false;
    return good ? static_cast<E>(v) : E{};
  }

private:
  template <typename T> T read() {
    T v{};
    if (!good || remaining() < sizeof(T)) {
      good = false;
      return v;
    }
    std::memcpy(&v, data + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  const char *data;
  size_t size;
  size_t pos = 0;
  bool good = true;
};

constexpr uint32_t kNumDeviceKinds = 2, kNumArenaKinds = 2, kNumStreamKinds = 3,
                   kNumCommandKinds = 8, kNumEpilogues = 4,
                   kNumCollectiveKinds = 5, kNumReduceKinds = 4;
constexpr uint32_t kMaxSections = 16;

template <typename E> uint32_t code(E e) { return static_cast<uint32_t>(e); }

void writeTensor(Writer &w, const TensorDesc &t) {
  w.str(t.name);
  w.u32(code(t.dtype));
  w.i64s(t.shape);
  w.u32(static_cast<uint32_t>(t.placements.size()));
  for (const PlacementDesc &p : t.placements) {
    w.u32(p.program);
    w.u32(p.buffer);
    w.i64s(p.start);
    w.i64s(p.shape);
  }
}

void writeCommand(Writer &w, const CommandDesc &c) {
  w.u32(code(c.kind));
  w.u32(c.stream);
  w.str(c.label);
  w.u32s(c.ins);
  w.u32s(c.outs);
  switch (c.kind) {
  case CommandKind::Launch:
    w.u32(c.kernel);
    w.u64(c.extent);
    for (int i = 0; i < 3; ++i)
      w.u32(c.grid[i]);
    for (int i = 0; i < 3; ++i)
      w.u32(c.block[i]);
    w.u32(c.sharedBytes);
    break;
  case CommandKind::Gemm: {
    const GemmDesc &g = c.gemm;
    w.u32(code(g.abType));
    w.u32(code(g.cType));
    w.u32(code(g.accumType));
    for (int64_t v : {g.m, g.n, g.k, g.batch, g.strideA, g.strideB, g.strideC})
      w.i64(v);
    w.u32(g.transA);
    w.u32(g.transB);
    w.u32(code(g.epilogue));
    break;
  }
  case CommandKind::Collective:
  case CommandKind::Send:
  case CommandKind::Recv: {
    const CollectiveDesc &k = c.collective;
    w.u32(code(k.kind));
    w.u32(code(k.reduce));
    w.u32(code(k.dtype));
    w.u64(k.count);
    w.u64(k.order);
    w.u32s(k.group);
    w.u32(k.peer);
    w.u32(k.root);
    break;
  }
  case CommandKind::EventRecord:
  case CommandKind::EventWait:
    w.u32(c.event);
    break;
  case CommandKind::Copy:
    break;
  }
}

std::vector<char> encodeMeta(const ArtifactDesc &a) {
  Writer w;
  w.u32(static_cast<uint32_t>(a.targets.size()));
  for (const TargetDesc &t : a.targets) {
    w.u32(code(t.kind));
    w.str(t.arch);
    w.u32(static_cast<uint32_t>(t.features.size()));
    for (const std::string &f : t.features)
      w.str(f);
  }
  w.u32(static_cast<uint32_t>(a.devices.size()));
  for (const DeviceDesc &d : a.devices) {
    w.u32(code(d.kind));
    w.u32(d.target);
  }
  w.u32(static_cast<uint32_t>(a.kernels.size()));
  for (const KernelDesc &k : a.kernels) {
    w.str(k.symbol);
    w.u32(code(k.kind));
    w.u32(static_cast<uint32_t>(k.args.size()));
    for (const KernelArgDesc &arg : k.args) {
      w.u64(arg.bytes);
      w.u32(arg.access);
    }
  }
  w.u32(static_cast<uint32_t>(a.weights.size()));
  for (const WeightDesc &wt : a.weights) {
    w.str(wt.name);
    w.u64(wt.offset);
    w.u64(wt.size);
    w.u32(wt.splatBytes);
  }
  w.u32(static_cast<uint32_t>(a.entries.size()));
  for (const EntryDesc &e : a.entries) {
    w.str(e.name);
    w.u32(static_cast<uint32_t>(e.programs.size()));
    for (const ProgramDesc &p : e.programs) {
      w.u32(p.device);
      w.u64(p.lowerBound);
      w.u32(static_cast<uint32_t>(p.arenas.size()));
      for (const ArenaDesc &ar : p.arenas) {
        w.u32(code(ar.kind));
        w.u32(ar.flags);
        w.u64(ar.size);
        w.u64(ar.alignment);
      }
      w.u32(static_cast<uint32_t>(p.buffers.size()));
      for (const BufferDesc &b : p.buffers) {
        w.u32(b.arena);
        w.u64(b.offset);
        w.u64(b.size);
        w.u32(b.weight);
      }
      w.u32(static_cast<uint32_t>(p.streams.size()));
      for (StreamKind s : p.streams)
        w.u32(code(s));
      w.u32(p.numEvents);
      w.u32(static_cast<uint32_t>(p.commands.size()));
      for (const CommandDesc &c : p.commands)
        writeCommand(w, c);
    }
    for (const auto *list : {&e.inputs, &e.outputs, &e.state}) {
      w.u32(static_cast<uint32_t>(list->size()));
      for (const TensorDesc &t : *list)
        writeTensor(w, t);
    }
  }
  return std::move(w.bytes);
}

void readTensor(Reader &r, TensorDesc &t) {
  t.name = r.str();
  t.dtype = r.enumOf<DType>(kNumDTypes);
  t.shape = r.i64s();
  t.placements.resize(r.count(4 * 4));
  for (PlacementDesc &p : t.placements) {
    p.program = r.u32();
    p.buffer = r.u32();
    p.start = r.i64s();
    p.shape = r.i64s();
  }
}

void readCommand(Reader &r, CommandDesc &c) {
  c.kind = r.enumOf<CommandKind>(kNumCommandKinds);
  c.stream = r.u32();
  c.label = r.str();
  c.ins = r.u32s();
  c.outs = r.u32s();
  if (!r.ok())
    return;
  switch (c.kind) {
  case CommandKind::Launch:
    c.kernel = r.u32();
    c.extent = r.u64();
    for (int i = 0; i < 3; ++i)
      c.grid[i] = r.u32();
    for (int i = 0; i < 3; ++i)
      c.block[i] = r.u32();
    c.sharedBytes = r.u32();
    break;
  case CommandKind::Gemm: {
    GemmDesc &g = c.gemm;
    g.abType = r.enumOf<DType>(kNumDTypes);
    g.cType = r.enumOf<DType>(kNumDTypes);
    g.accumType = r.enumOf<DType>(kNumDTypes);
    for (int64_t *v :
         {&g.m, &g.n, &g.k, &g.batch, &g.strideA, &g.strideB, &g.strideC})
      *v = r.i64();
    g.transA = r.u32();
    g.transB = r.u32();
    g.epilogue = r.enumOf<Epilogue>(kNumEpilogues);
    break;
  }
  case CommandKind::Collective:
  case CommandKind::Send:
  case CommandKind::Recv: {
    CollectiveDesc &k = c.collective;
    k.kind = r.enumOf<CollectiveKind>(kNumCollectiveKinds);
    k.reduce = r.enumOf<ReduceKind>(kNumReduceKinds);
    k.dtype = r.enumOf<DType>(kNumDTypes);
    k.count = r.u64();
    k.order = r.u64();
    k.group = r.u32s();
    k.peer = r.u32();
    k.root = r.u32();
    break;
  }
  case CommandKind::EventRecord:
  case CommandKind::EventWait:
    c.event = r.u32();
    break;
  case CommandKind::Copy:
    break;
  }
}

bool decodeMeta(const char *data, size_t size, ArtifactDesc &a,
                std::string &error) {
  Reader r(data, size);
  a.targets.resize(r.count(12));
  for (TargetDesc &t : a.targets) {
    t.kind = r.enumOf<DeviceKind>(kNumDeviceKinds);
    t.arch = r.str();
    t.features.resize(r.count(4));
    for (std::string &f : t.features)
      f = r.str();
  }
  a.devices.resize(r.count(8));
  for (DeviceDesc &d : a.devices) {
    d.kind = r.enumOf<DeviceKind>(kNumDeviceKinds);
    d.target = r.u32();
  }
  a.kernels.resize(r.count(12));
  for (KernelDesc &k : a.kernels) {
    k.symbol = r.str();
    k.kind = r.enumOf<DeviceKind>(kNumDeviceKinds);
    k.args.resize(r.count(12));
    for (KernelArgDesc &arg : k.args) {
      arg.bytes = r.u64();
      arg.access = r.u32();
    }
  }
  a.weights.resize(r.count(24));
  for (WeightDesc &w : a.weights) {
    w.name = r.str();
    w.offset = r.u64();
    w.size = r.u64();
    w.splatBytes = r.u32();
  }
  a.entries.resize(r.count(8));
  for (EntryDesc &e : a.entries) {
    e.name = r.str();
    e.programs.resize(r.count(28));
    for (ProgramDesc &p : e.programs) {
      p.device = r.u32();
      p.lowerBound = r.u64();
      p.arenas.resize(r.count(24));
      for (ArenaDesc &ar : p.arenas) {
        ar.kind = r.enumOf<ArenaKind>(kNumArenaKinds);
        ar.flags = r.u32();
        ar.size = r.u64();
        ar.alignment = r.u64();
      }
      p.buffers.resize(r.count(24));
      for (BufferDesc &b : p.buffers) {
        b.arena = r.u32();
        b.offset = r.u64();
        b.size = r.u64();
        b.weight = r.u32();
      }
      p.streams.resize(r.count(4));
      for (StreamKind &s : p.streams)
        s = r.enumOf<StreamKind>(kNumStreamKinds);
      p.numEvents = r.u32();
      p.commands.resize(r.count(20));
      for (CommandDesc &c : p.commands) {
        readCommand(r, c);
        if (!r.ok())
          break;
      }
      if (!r.ok())
        break;
    }
    for (auto *list : {&e.inputs, &e.outputs, &e.state}) {
      list->resize(r.count(16));
      for (TensorDesc &t : *list)
        readTensor(r, t);
    }
    if (!r.ok())
      break;
  }
  if (!r.ok()) {
    error = "corrupt artifact: the meta section is truncated or holds an "
            "out-of-range count or enum value";
    return false;
  }
  if (r.remaining() != 0) {
    error = "corrupt artifact: trailing bytes in the meta section";
    return false;
  }
  return true;
}

} // namespace

std::vector<char> weft::format::encodeArtifact(const ArtifactDesc &artifact) {
  std::vector<char> meta = encodeMeta(artifact);
  struct Section {
    SectionKind kind;
    const std::vector<char> *bytes;
  };
  const Section sections[] = {{SectionKind::Meta, &meta},
                              {SectionKind::CpuKernels, &artifact.cpuKernels},
                              {SectionKind::Weights, &artifact.weightBytes}};
  constexpr uint32_t n = sizeof(sections) / sizeof(sections[0]);
  std::vector<SectionEntry> table(n);
  uint64_t offset = sizeof(Header) + n * sizeof(SectionEntry);
  for (uint32_t i = 0; i < n; ++i) {
    offset = (offset + 63) / 64 * 64; // sections start 64-byte aligned
    table[i] = {code(sections[i].kind), 0, offset, sections[i].bytes->size(),
                fnv1a(sections[i].bytes->data(), sections[i].bytes->size())};
    offset += sections[i].bytes->size();
  }
  Header h;
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kVersion;
  h.numSections = n;
  h.fileSize = offset;
  h.tableChecksum = fnv1a(table.data(), n * sizeof(SectionEntry));

  std::vector<char> out(offset, 0);
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), table.data(), n * sizeof(SectionEntry));
  for (uint32_t i = 0; i < n; ++i)
    if (!sections[i].bytes->empty())
      std::memcpy(out.data() + table[i].offset, sections[i].bytes->data(),
                  sections[i].bytes->size());
  return out;
}

bool weft::format::decodeArtifact(const char *data, size_t size,
                                  ArtifactDesc &out, std::string &error) {
  out = ArtifactDesc();
  auto fail = [&](const std::string &msg) {
    error = "corrupt artifact: " + msg;
    return false;
  };
  if (size < sizeof(Header)) {
    error =
        "not a weft artifact: file is only " + std::to_string(size) + " bytes";
    return false;
  }
  Header h;
  std::memcpy(&h, data, sizeof(h));
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) {
    error = "not a weft artifact (bad magic)";
    return false;
  }
  if (h.version != kVersion) {
    error = "artifact format version " + std::to_string(h.version) +
            " is not supported: this runtime reads version " +
            std::to_string(kVersion) + "; recompile the model with this weftc";
    return false;
  }
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
  const SectionEntry *meta = nullptr, *kernels = nullptr, *weights = nullptr;
  for (const SectionEntry &s : table) {
    if (s.offset > size || s.size > size - s.offset)
      return fail("section outside the file");
    if (fnv1a(data + s.offset, s.size) != s.checksum)
      return fail("section checksum mismatch (kind " + std::to_string(s.kind) +
                  ")");
    const SectionEntry **slot = nullptr;
    if (s.kind == code(SectionKind::Meta))
      slot = &meta;
    else if (s.kind == code(SectionKind::CpuKernels))
      slot = &kernels;
    else if (s.kind == code(SectionKind::Weights))
      slot = &weights;
    else
      return fail("unknown section kind " + std::to_string(s.kind));
    if (*slot)
      return fail("two sections of kind " + std::to_string(s.kind));
    *slot = &s;
  }
  if (!meta)
    return fail("no meta section");
  if (!decodeMeta(data + meta->offset, meta->size, out, error))
    return false;
  if (kernels)
    out.cpuKernels.assign(data + kernels->offset,
                          data + kernels->offset + kernels->size);
  if (weights)
    out.weightBytes.assign(data + weights->offset,
                           data + weights->offset + weights->size);
  return true;
}
