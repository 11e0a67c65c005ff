//===- Artifact.cpp - artifact serialization ------------------------------===//
#include "weft/Compiler/Artifact.h"

using namespace weft;
using namespace weft::format;

static void writeTensor(ByteWriter &w, const TensorDesc &t) {
  w.str(t.name);
  w.u32(t.buffer);
  w.u32(static_cast<uint32_t>(t.dtype));
  w.u32(static_cast<uint32_t>(t.shape.size()));
  for (int64_t d : t.shape)
    w.i64(d);
}

std::vector<char> weft::serialize(const CompiledArtifact &a) {
  ByteWriter meta;
  meta.u32(static_cast<uint32_t>(a.kernelSymbols.size()));
  for (size_t i = 0; i < a.kernelSymbols.size(); ++i) {
    meta.str(a.kernelSymbols[i]);
    meta.u32(a.kernelArity[i]);
  }
  meta.u32(static_cast<uint32_t>(a.entries.size()));
  for (const EntryProgram &e : a.entries) {
    meta.str(e.name);
    meta.u64(e.arenaSize);
    meta.u64(e.lowerBound);
    meta.u32(static_cast<uint32_t>(e.buffers.size()));
    for (const BufferDesc &b : e.buffers) {
      meta.u64(b.offset);
      meta.u64(b.size);
    }
    meta.u32(static_cast<uint32_t>(e.inputs.size()));
    for (const TensorDesc &t : e.inputs)
      writeTensor(meta, t);
    meta.u32(static_cast<uint32_t>(e.outputs.size()));
    for (const TensorDesc &t : e.outputs)
      writeTensor(meta, t);
    meta.u32(static_cast<uint32_t>(e.commands.size()));
    for (const Command &c : e.commands) {
      meta.u32(static_cast<uint32_t>(c.kind));
      meta.u32(c.kernel);
      meta.str(c.label);
      meta.u32(static_cast<uint32_t>(c.args.size()));
      for (uint32_t arg : c.args)
        meta.u32(arg);
      meta.u32(static_cast<uint32_t>(c.params.size()));
      for (int64_t p : c.params)
        meta.i64(p);
    }
  }

  struct Section {
    SectionKind kind;
    const std::vector<char> *bytes;
  };
  Section sections[] = {{SectionKind::Meta, &meta.bytes},
                        {SectionKind::CpuKernels, &a.cpuKernels}};
  constexpr uint32_t n = 2;
  std::vector<SectionEntry> table(n);
  uint64_t offset = sizeof(Header) + n * sizeof(SectionEntry);
  for (uint32_t i = 0; i < n; ++i) {
    offset = (offset + 63) / 64 * 64; // sections start 64-byte aligned
    table[i] = {static_cast<uint32_t>(sections[i].kind), 0, offset,
                sections[i].bytes->size(),
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
