//===- FormatTest.cpp - artifact encoding and decoding --------------------===//
//
// encodeArtifact -> decodeArtifact keeps every field; corrupt files (cut,
// flipped, unknown sections, oversized counts, bad enum values, other
// versions) are refused with a message and never crash the reader.
//
//===----------------------------------------------------------------------===//
#include "TestArtifact.h"

#include <gtest/gtest.h>

using namespace weft;
using namespace weft::format;

namespace {

/// An artifact that uses every field of the format with non-default values.
ArtifactDesc richArtifact() {
  ArtifactDesc a;
  a.targets = {{DeviceKind::Cpu, "skylake-avx512", {"avx2", "fma", "avx512f"}},
               {DeviceKind::Cuda, "sm_90", {}}};
  a.devices = {
      {DeviceKind::Cpu, 0}, {DeviceKind::Cuda, 1}, {DeviceKind::Cpu, 0}};
  a.kernels = {{"fused_softmax_0",
                DeviceKind::Cpu,
                {{256, kRead}, {128, kRead | kWrite}, {64, kWrite}}},
               {"cuda_gemm_1", DeviceKind::Cuda, {}}};
  a.weights = {{"w.embed", 0, 64, 0}, {"ones", 64, 4, 4}};
  for (int i = 0; i < 68; ++i)
    a.weightBytes.push_back(char(i * 7 + 1));
  a.cpuKernels = {'\x7f', 'E', 'L', 'F', '\x02', '\x01', '\0', '\xff'};

  EntryDesc e;
  e.name = "train_step";
  ProgramDesc p;
  p.device = 0;
  p.lowerBound = 123456789012ull;
  p.arenas = {{ArenaKind::Device, 0, 4096, 64},
              {ArenaKind::HostPinned, kPersistent, uint64_t(1) << 33, 256}};
  p.buffers = {{0, 0, 256, kNone}, {1, 256, 64, 0}, {0, 4032, 64, kNone}};
  p.streams = {StreamKind::Compute, StreamKind::Comm, StreamKind::Copy};
  p.numEvents = 3;

  CommandDesc launch;
  launch.kind = CommandKind::Launch;
  launch.stream = 0;
  launch.label = "weft.softmax";
  launch.ins = {0, 1};
  launch.outs = {2};
  launch.kernel = 0;
  launch.extent = 17;
  launch.grid[0] = 2, launch.grid[1] = 3, launch.grid[2] = 4;
  launch.block[0] = 32, launch.block[1] = 1, launch.block[2] = 8;
  launch.sharedBytes = 1024;
  p.commands.push_back(launch);

  CommandDesc gemm;
  gemm.kind = CommandKind::Gemm;
  gemm.stream = 0;
  gemm.label = "weft.matmul";
  gemm.ins = {0, 1, 2};
  gemm.outs = {2};
  gemm.gemm.abType = DType::BF16;
  gemm.gemm.cType = DType::F16;
  gemm.gemm.accumType = DType::F32;
  gemm.gemm.m = 3, gemm.gemm.n = 5, gemm.gemm.k = 7, gemm.gemm.batch = 2;
  gemm.gemm.strideA = 21, gemm.gemm.strideB = -1, gemm.gemm.strideC = 15;
  gemm.gemm.transA = 1, gemm.gemm.transB = 0;
  gemm.gemm.epilogue = Epilogue::BiasGelu;
  p.commands.push_back(gemm);

  CommandDesc copy;
  copy.kind = CommandKind::Copy;
  copy.stream = 2;
  copy.label = "d2h";
  copy.ins = {0};
  copy.outs = {1};
  p.commands.push_back(copy);

  CommandDesc coll;
  coll.kind = CommandKind::Collective;
  coll.stream = 1;
  coll.label = "all_reduce";
  coll.ins = {1};
  coll.outs = {1};
  coll.collective.kind = CollectiveKind::ReduceScatter;
  coll.collective.reduce = ReduceKind::Max;
  coll.collective.dtype = DType::BF16;
  coll.collective.count = 99;
  coll.collective.order = 7;
  coll.collective.group = {0, 2};
  coll.collective.peer = kNone;
  coll.collective.root = 1;
  p.commands.push_back(coll);

  CommandDesc send = coll;
  send.kind = CommandKind::Send;
  send.label = "send";
  send.outs = {};
  send.collective.kind = CollectiveKind::Broadcast;
  send.collective.reduce = ReduceKind::Prod;
  send.collective.dtype = DType::I64;
  send.collective.count = 5;
  send.collective.order = 8;
  send.collective.group = {};
  send.collective.peer = 2;
  send.collective.root = 0;
  p.commands.push_back(send);

  CommandDesc recv = send;
  recv.kind = CommandKind::Recv;
  recv.label = "recv";
  recv.ins = {};
  recv.outs = {0};
  recv.collective.kind = CollectiveKind::AllToAll;
  recv.collective.reduce = ReduceKind::Min;
  recv.collective.dtype = DType::I8;
  recv.collective.order = 9;
  recv.collective.peer = 0;
  p.commands.push_back(recv);

  CommandDesc record;
  record.kind = CommandKind::EventRecord;
  record.stream = 1;
  record.label = "";
  record.event = 2;
  p.commands.push_back(record);
  CommandDesc wait = record;
  wait.kind = CommandKind::EventWait;
  wait.stream = 0;
  p.commands.push_back(wait);
  e.programs.push_back(p);

  ProgramDesc cuda;
  cuda.device = 1;
  cuda.arenas = {{ArenaKind::Device, 0, 128, 128}};
  cuda.buffers = {{0, 0, 128, kNone}};
  cuda.streams = {StreamKind::Compute};
  CommandDesc cudaLaunch = launch;
  cudaLaunch.kernel = 1;
  cudaLaunch.ins = {};
  cudaLaunch.outs = {0};
  cuda.commands.push_back(cudaLaunch);
  e.programs.push_back(cuda);

  e.inputs = {{"x", DType::F32, {2, 32}, {{0, 0, {0, 0}, {2, 32}}}}};
  e.outputs = {
      {"loss", DType::F16, {16}, {{0, 2, {0}, {8}}, {1, 0, {8}, {8}}}}};
  e.state = {{"w.embed", DType::BF16, {4, 8}, {{0, 1, {0, 0}, {4, 8}}}},
             {"scalar", DType::I64, {}, {{0, 1, {}, {}}}}};
  a.entries.push_back(e);

  EntryDesc eval;
  eval.name = "eval";
  ProgramDesc small;
  small.device = 2;
  small.arenas = {{ArenaKind::Device, 0, 64, 64}};
  small.buffers = {{0, 0, 64, kNone}};
  eval.programs.push_back(small);
  eval.inputs = {{"i32", DType::I32, {16}, {{0, 0, {0}, {16}}}},
                 {"f64", DType::F64, {8}, {{0, 0, {0}, {8}}}}};
  a.entries.push_back(eval);
  return a;
}

void expectSame(const TensorDesc &x, const TensorDesc &y) {
  SCOPED_TRACE("tensor " + x.name);
  EXPECT_EQ(x.name, y.name);
  EXPECT_EQ(x.dtype, y.dtype);
  EXPECT_EQ(x.shape, y.shape);
  ASSERT_EQ(x.placements.size(), y.placements.size());
  for (size_t i = 0; i < x.placements.size(); ++i) {
    EXPECT_EQ(x.placements[i].program, y.placements[i].program);
    EXPECT_EQ(x.placements[i].buffer, y.placements[i].buffer);
    EXPECT_EQ(x.placements[i].start, y.placements[i].start);
    EXPECT_EQ(x.placements[i].shape, y.placements[i].shape);
  }
}

void expectSame(const CommandDesc &x, const CommandDesc &y) {
  SCOPED_TRACE("command " + x.label);
  EXPECT_EQ(x.kind, y.kind);
  EXPECT_EQ(x.stream, y.stream);
  EXPECT_EQ(x.label, y.label);
  EXPECT_EQ(x.ins, y.ins);
  EXPECT_EQ(x.outs, y.outs);
  EXPECT_EQ(x.kernel, y.kernel);
  EXPECT_EQ(x.extent, y.extent);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(x.grid[i], y.grid[i]);
    EXPECT_EQ(x.block[i], y.block[i]);
  }
  EXPECT_EQ(x.sharedBytes, y.sharedBytes);
  const GemmDesc &g = x.gemm, &h = y.gemm;
  EXPECT_EQ(g.abType, h.abType);
  EXPECT_EQ(g.cType, h.cType);
  EXPECT_EQ(g.accumType, h.accumType);
  EXPECT_EQ(g.m, h.m);
  EXPECT_EQ(g.n, h.n);
  EXPECT_EQ(g.k, h.k);
  EXPECT_EQ(g.batch, h.batch);
  EXPECT_EQ(g.strideA, h.strideA);
  EXPECT_EQ(g.strideB, h.strideB);
  EXPECT_EQ(g.strideC, h.strideC);
  EXPECT_EQ(g.transA, h.transA);
  EXPECT_EQ(g.transB, h.transB);
  EXPECT_EQ(g.epilogue, h.epilogue);
  const CollectiveDesc &c = x.collective, &d = y.collective;
  EXPECT_EQ(c.kind, d.kind);
  EXPECT_EQ(c.reduce, d.reduce);
  EXPECT_EQ(c.dtype, d.dtype);
  EXPECT_EQ(c.count, d.count);
  EXPECT_EQ(c.order, d.order);
  EXPECT_EQ(c.group, d.group);
  EXPECT_EQ(c.peer, d.peer);
  EXPECT_EQ(c.root, d.root);
  EXPECT_EQ(x.event, y.event);
}

void expectSame(const ArtifactDesc &x, const ArtifactDesc &y) {
  ASSERT_EQ(x.targets.size(), y.targets.size());
  for (size_t i = 0; i < x.targets.size(); ++i) {
    EXPECT_EQ(x.targets[i].kind, y.targets[i].kind);
    EXPECT_EQ(x.targets[i].arch, y.targets[i].arch);
    EXPECT_EQ(x.targets[i].features, y.targets[i].features);
  }
  ASSERT_EQ(x.devices.size(), y.devices.size());
  for (size_t i = 0; i < x.devices.size(); ++i) {
    EXPECT_EQ(x.devices[i].kind, y.devices[i].kind);
    EXPECT_EQ(x.devices[i].target, y.devices[i].target);
  }
  ASSERT_EQ(x.kernels.size(), y.kernels.size());
  for (size_t i = 0; i < x.kernels.size(); ++i) {
    EXPECT_EQ(x.kernels[i].symbol, y.kernels[i].symbol);
    EXPECT_EQ(x.kernels[i].kind, y.kernels[i].kind);
    ASSERT_EQ(x.kernels[i].args.size(), y.kernels[i].args.size());
    for (size_t j = 0; j < x.kernels[i].args.size(); ++j) {
      EXPECT_EQ(x.kernels[i].args[j].bytes, y.kernels[i].args[j].bytes);
      EXPECT_EQ(x.kernels[i].args[j].access, y.kernels[i].args[j].access);
    }
  }
  ASSERT_EQ(x.weights.size(), y.weights.size());
  for (size_t i = 0; i < x.weights.size(); ++i) {
    EXPECT_EQ(x.weights[i].name, y.weights[i].name);
    EXPECT_EQ(x.weights[i].offset, y.weights[i].offset);
    EXPECT_EQ(x.weights[i].size, y.weights[i].size);
    EXPECT_EQ(x.weights[i].splatBytes, y.weights[i].splatBytes);
  }
  EXPECT_EQ(x.cpuKernels, y.cpuKernels);
  EXPECT_EQ(x.weightBytes, y.weightBytes);
  ASSERT_EQ(x.entries.size(), y.entries.size());
  for (size_t i = 0; i < x.entries.size(); ++i) {
    const EntryDesc &e = x.entries[i], &f = y.entries[i];
    SCOPED_TRACE("entry " + e.name);
    EXPECT_EQ(e.name, f.name);
    ASSERT_EQ(e.programs.size(), f.programs.size());
    for (size_t j = 0; j < e.programs.size(); ++j) {
      const ProgramDesc &p = e.programs[j], &q = f.programs[j];
      EXPECT_EQ(p.device, q.device);
      EXPECT_EQ(p.lowerBound, q.lowerBound);
      EXPECT_EQ(p.streams, q.streams);
      EXPECT_EQ(p.numEvents, q.numEvents);
      ASSERT_EQ(p.arenas.size(), q.arenas.size());
      for (size_t k = 0; k < p.arenas.size(); ++k) {
        EXPECT_EQ(p.arenas[k].kind, q.arenas[k].kind);
        EXPECT_EQ(p.arenas[k].flags, q.arenas[k].flags);
        EXPECT_EQ(p.arenas[k].size, q.arenas[k].size);
        EXPECT_EQ(p.arenas[k].alignment, q.arenas[k].alignment);
      }
      ASSERT_EQ(p.buffers.size(), q.buffers.size());
      for (size_t k = 0; k < p.buffers.size(); ++k) {
        EXPECT_EQ(p.buffers[k].arena, q.buffers[k].arena);
        EXPECT_EQ(p.buffers[k].offset, q.buffers[k].offset);
        EXPECT_EQ(p.buffers[k].size, q.buffers[k].size);
        EXPECT_EQ(p.buffers[k].weight, q.buffers[k].weight);
      }
      ASSERT_EQ(p.commands.size(), q.commands.size());
      for (size_t k = 0; k < p.commands.size(); ++k)
        expectSame(p.commands[k], q.commands[k]);
    }
    for (auto list :
         {&EntryDesc::inputs, &EntryDesc::outputs, &EntryDesc::state}) {
      ASSERT_EQ((e.*list).size(), (f.*list).size());
      for (size_t k = 0; k < (e.*list).size(); ++k)
        expectSame((e.*list)[k], (f.*list)[k]);
    }
  }
}

bool decodes(const std::vector<char> &file, std::string &error) {
  ArtifactDesc out;
  error.clear();
  return decodeArtifact(file.data(), file.size(), out, error);
}

void expectRefused(const std::vector<char> &file, const std::string &what) {
  std::string error;
  EXPECT_FALSE(decodes(file, error)) << "expected: " << what;
  EXPECT_NE(error.find(what), std::string::npos) << error;
}

/// The meta section of an encoded artifact.
std::vector<char> metaOf(const std::vector<char> &file) {
  for (const SectionEntry &s : test::sectionTable(file))
    if (s.kind == uint32_t(SectionKind::Meta))
      return {file.begin() + s.offset, file.begin() + s.offset + s.size};
  return {};
}

TEST(Format, RoundTripKeepsEveryField) {
  ArtifactDesc a = richArtifact();
  std::vector<char> bytes = encodeArtifact(a);
  ArtifactDesc b;
  std::string error;
  ASSERT_TRUE(decodeArtifact(bytes.data(), bytes.size(), b, error)) << error;
  expectSame(a, b);
  // Encoding the decoded artifact again gives the same file.
  EXPECT_EQ(encodeArtifact(b), bytes);
}

TEST(Format, RoundTripOfAnEmptyArtifact) {
  ArtifactDesc a, b;
  std::vector<char> bytes = encodeArtifact(a);
  std::string error;
  ASSERT_TRUE(decodeArtifact(bytes.data(), bytes.size(), b, error)) << error;
  expectSame(a, b);
}

TEST(Format, DecodeOverwritesThePreviousContents) {
  std::vector<char> bytes = encodeArtifact(ArtifactDesc());
  ArtifactDesc out = richArtifact();
  std::string error;
  ASSERT_TRUE(decodeArtifact(bytes.data(), bytes.size(), out, error)) << error;
  EXPECT_TRUE(out.targets.empty());
  EXPECT_TRUE(out.entries.empty());
  EXPECT_TRUE(out.weightBytes.empty());
}

TEST(Format, SectionsAreAlignedAndChecksummed) {
  std::vector<char> bytes = encodeArtifact(richArtifact());
  Header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  EXPECT_EQ(std::memcmp(h.magic, kMagic, 8), 0);
  EXPECT_EQ(h.version, kVersion);
  EXPECT_EQ(h.fileSize, bytes.size());
  for (const SectionEntry &s : test::sectionTable(bytes)) {
    EXPECT_EQ(s.offset % 64, 0u);
    EXPECT_EQ(s.checksum, fnv1a(bytes.data() + s.offset, s.size));
  }
}

TEST(Format, RefusesTruncatedFiles) {
  std::vector<char> bytes = encodeArtifact(richArtifact());
  std::vector<char> cut(bytes.begin(), bytes.end() - 1);
  expectRefused(cut, "truncated");
  std::vector<char> tiny(bytes.begin(), bytes.begin() + 10);
  expectRefused(tiny, "only 10 bytes");
  std::vector<char> padded = bytes;
  padded.push_back(0);
  expectRefused(padded, "padded");
  // Every prefix is refused with a message, none crashes the reader.
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::vector<char> prefix(bytes.begin(), bytes.begin() + n);
    std::string error;
    EXPECT_FALSE(decodes(prefix, error)) << "prefix of " << n << " bytes";
    EXPECT_FALSE(error.empty()) << "prefix of " << n << " bytes";
  }
}

TEST(Format, RefusesFlippedBytes) {
  std::vector<char> bytes = encodeArtifact(richArtifact());
  std::vector<SectionEntry> table = test::sectionTable(bytes);
  const SectionEntry &meta = table[0];
  ASSERT_EQ(meta.kind, uint32_t(SectionKind::Meta));
  std::vector<char> flipped = bytes;
  flipped[meta.offset + meta.size / 2] ^= 0x10;
  expectRefused(flipped, "section checksum mismatch (kind 1)");
  flipped = bytes;
  flipped[sizeof(Header) + 9] ^= 0x01; // a section offset
  expectRefused(flipped, "section table checksum mismatch");

  // Every byte covered by the header, the table or a section: flipping it
  // is refused with a message (the alignment padding between sections is
  // not covered by any checksum).
  std::vector<bool> covered(bytes.size(), false);
  for (size_t i = 0; i < sizeof(Header) + table.size() * sizeof(SectionEntry);
       ++i)
    covered[i] = true;
  for (const SectionEntry &s : table)
    for (size_t i = s.offset; i < s.offset + s.size; ++i)
      covered[i] = true;
  for (size_t i = 0; i < bytes.size(); ++i) {
    flipped = bytes;
    flipped[i] ^= 0x5a;
    std::string error;
    bool ok = decodes(flipped, error);
    if (covered[i]) {
      EXPECT_FALSE(ok) << "flipping byte " << i << " was accepted";
      EXPECT_FALSE(error.empty()) << "byte " << i;
    }
  }
}

TEST(Format, RefusesUnknownSectionKind) {
  std::vector<char> bytes = encodeArtifact(richArtifact());
  std::vector<SectionEntry> table = test::sectionTable(bytes);
  table[2].kind = 9;
  test::writeSectionTable(bytes, table);
  expectRefused(bytes, "unknown section kind 9");
}

TEST(Format, RefusesBadSectionTables) {
  std::vector<char> bytes = encodeArtifact(richArtifact());
  std::vector<SectionEntry> table = test::sectionTable(bytes);

  std::vector<char> twice = bytes;
  std::vector<SectionEntry> t = table;
  t[2].kind = uint32_t(SectionKind::CpuKernels);
  test::writeSectionTable(twice, t);
  expectRefused(twice, "two sections of kind 2");

  std::vector<char> outside = bytes;
  t = table;
  t[1].offset = uint64_t(-8); // offset + size wraps around
  t[1].size = 16;
  test::writeSectionTable(outside, t);
  expectRefused(outside, "section outside the file");

  std::vector<char> manySections = bytes;
  Header h;
  std::memcpy(&h, manySections.data(), sizeof(h));
  h.numSections = 1u << 31;
  std::memcpy(manySections.data(), &h, sizeof(h));
  expectRefused(manySections, "bad section count");
}

TEST(Format, RefusesAFileWithoutMeta) {
  // A header and no section at all.
  Header h;
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.version = kVersion;
  h.numSections = 0;
  h.fileSize = sizeof(h);
  h.tableChecksum = fnv1a(nullptr, 0);
  std::vector<char> file(sizeof(h));
  std::memcpy(file.data(), &h, sizeof(h));
  expectRefused(file, "no meta section");
}

TEST(Format, RefusesCountsLargerThanTheBytesLeft) {
  std::vector<char> meta = metaOf(encodeArtifact(richArtifact()));
  ASSERT_GE(meta.size(), 8u);
  // The meta section opens with the number of targets.
  uint32_t huge = 0xfffffff0u;
  std::memcpy(meta.data(), &huge, 4);
  expectRefused(test::wrapAsMeta(meta), "out-of-range count");
  // A count that fits in the bytes but whose items do not.
  uint32_t more = 3;
  std::memcpy(meta.data(), &more, 4);
  expectRefused(test::wrapAsMeta(meta), "corrupt artifact");
  // Just a count and nothing after it.
  std::vector<char> lonely(4);
  uint32_t thousand = 1000;
  std::memcpy(lonely.data(), &thousand, 4);
  expectRefused(test::wrapAsMeta(lonely), "out-of-range count");
}

TEST(Format, RefusesOutOfRangeEnumValues) {
  std::vector<char> meta = metaOf(encodeArtifact(richArtifact()));
  // meta: u32 number of targets, then the first target's DeviceKind.
  uint32_t badKind = 7;
  std::memcpy(meta.data() + 4, &badKind, 4);
  expectRefused(test::wrapAsMeta(meta), "out-of-range count or enum value");

  // A StreamKind past the end, in an otherwise valid one-program artifact.
  test::ArtifactBuilder b;
  b.program().streams = {StreamKind(3)};
  expectRefused(encodeArtifact(b.artifact), "enum value");
  b.program().streams = {StreamKind::Copy};
  std::string error;
  EXPECT_TRUE(decodes(encodeArtifact(b.artifact), error)) << error;
  // A DType past the end.
  b.input("x", DType(kNumDTypes), {4});
  expectRefused(encodeArtifact(b.artifact), "enum value");
}

TEST(Format, RefusesTrailingMetaBytes) {
  std::vector<char> meta = metaOf(encodeArtifact(richArtifact()));
  std::string error;
  EXPECT_TRUE(decodes(test::wrapAsMeta(meta), error)) << error;
  meta.push_back(0);
  expectRefused(test::wrapAsMeta(meta), "trailing bytes");
}

TEST(Format, RefusesVersionOne) {
  std::vector<char> bytes = encodeArtifact(richArtifact());
  Header h;
  std::memcpy(&h, bytes.data(), sizeof(h));
  h.version = 1;
  std::memcpy(bytes.data(), &h, sizeof(h));
  expectRefused(bytes, "version 1 is not supported");
  rt::Status s;
  EXPECT_EQ(rt::Model::loadFromMemory(bytes.data(), bytes.size(), s), nullptr);
  EXPECT_NE(s.message.find("version 1 is not supported"), std::string::npos)
      << s.message;
}

TEST(Format, RefusesRandomMetaWithoutCrashing) {
  // Deterministic pseudo-random meta sections: all refused with a message
  // (random bytes cannot be a valid artifact), or parsed and validated.
  uint64_t state = 88172645463325252ull;
  for (int round = 0; round < 2000; ++round) {
    std::vector<char> meta(size_t(state % 200));
    for (char &c : meta) {
      state ^= state << 13, state ^= state >> 7, state ^= state << 17;
      c = char(state % 4 == 0 ? state >> 8 : state % 3);
    }
    std::vector<char> file = test::wrapAsMeta(meta);
    ArtifactDesc out;
    rt::Status s = rt::parseArtifact(file.data(), file.size(), out);
    if (!s.ok) {
      EXPECT_FALSE(s.message.empty());
    }
  }
}

} // namespace
