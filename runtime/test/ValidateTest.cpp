//===- ValidateTest.cpp - the loader's checks of a decoded artifact -------===//
//
// One valid artifact that uses every kind of buffer and command the CPU
// runtime loads, and one test per validation rule: each mutates exactly one
// thing and expects rt::validateArtifact (and parseArtifact on the encoded
// bytes) to refuse it with a message saying why.
//
//===----------------------------------------------------------------------===//
#include "TestArtifact.h"

#include <gtest/gtest.h>

#include <limits>

using namespace weft;
using namespace weft::format;

namespace {

// Buffers of the base artifact.
enum : uint32_t { X, Y, Tmp, S, W, A, C, NumBuffers };
// Commands of the base artifact.
enum : uint32_t { Launch, CopyCmd, Record, Wait, GemmCmd };

/// A valid artifact: a kernel launch (x -> tmp), a copy tmp -> y on a
/// second stream, an event from that stream to the first, and a GEMM
/// c = a x w with w a weight in the persistent arena beside state s.
ArtifactDesc base() {
  test::ArtifactBuilder b;
  b.artifact.kernels.push_back(
      {"k0", DeviceKind::Cpu, {{64, kRead}, {64, kWrite}}});
  std::vector<char> w(64, 0);
  b.weight("w", w);
  EXPECT_EQ(b.input("x", DType::F32, {16}), X);
  EXPECT_EQ(b.output("y", DType::F32, {16}), Y);
  EXPECT_EQ(b.buffer(64), Tmp);
  EXPECT_EQ(b.state("s", DType::F32, {16}), S);
  EXPECT_EQ(b.buffer(64, /*persistent=*/true, 0, /*weight=*/0), W);
  EXPECT_EQ(b.input("a", DType::F32, {2, 4}), A);
  EXPECT_EQ(b.output("c", DType::F32, {2, 4}), C);
  b.program().streams = {StreamKind::Compute, StreamKind::Copy};
  b.program().numEvents = 1;
  b.command(CommandKind::Launch, {X}, {Tmp}).kernel = 0;
  b.copy(Tmp, Y, /*stream=*/1);
  b.event(CommandKind::EventRecord, 0, /*stream=*/1);
  b.event(CommandKind::EventWait, 0, /*stream=*/0);
  GemmDesc g;
  g.m = 2, g.n = 4, g.k = 4;
  b.gemm(g, {A, W}, C);
  return b.artifact;
}

ProgramDesc &prog(ArtifactDesc &a) { return a.entries[0].programs[0]; }
CommandDesc &cmd(ArtifactDesc &a, uint32_t i) { return prog(a).commands[i]; }
GemmDesc &gemm(ArtifactDesc &a) { return cmd(a, GemmCmd).gemm; }
BufferDesc &buf(ArtifactDesc &a, uint32_t i) { return prog(a).buffers[i]; }

/// Both validateArtifact and decode + validate of the encoded bytes refuse
/// `a` with a message containing `what`.
void expectRefused(const ArtifactDesc &a, const std::string &what) {
  rt::Status s = rt::validateArtifact(a);
  EXPECT_FALSE(s.ok) << "accepted; expected a refusal containing: " << what;
  EXPECT_NE(s.message.find(what), std::string::npos) << s.message;
  std::vector<char> bytes = encodeArtifact(a);
  ArtifactDesc decoded;
  rt::Status p = rt::parseArtifact(bytes.data(), bytes.size(), decoded);
  EXPECT_FALSE(p.ok) << "the encoded artifact was accepted";
  EXPECT_EQ(p.message, s.message);
}

TEST(Validate, BaseIsValid) {
  ArtifactDesc a = base();
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
  std::vector<char> bytes = encodeArtifact(a);
  ArtifactDesc decoded;
  s = rt::parseArtifact(bytes.data(), bytes.size(), decoded);
  EXPECT_TRUE(s.ok) << s.message;
}

//===----------------------------------------------------------------------===//
// Targets, devices, kernels, entries
//===----------------------------------------------------------------------===//

TEST(Validate, NeedsATargetAndAnEntry) {
  ArtifactDesc a = base();
  a.targets.clear();
  expectRefused(a, "no target record");
  a = base();
  a.entries.clear();
  expectRefused(a, "no entry");
  a = base();
  a.entries[0].programs.clear();
  expectRefused(a, "entry 'main' has no program");
}

TEST(Validate, DeviceNamesItsTarget) {
  ArtifactDesc a = base();
  a.devices[0].target = 1;
  expectRefused(a, "missing or mismatched target");
  a = base();
  a.devices[0].kind = DeviceKind::Cuda;
  expectRefused(a, "missing or mismatched target");
}

TEST(Validate, ProgramRunsOnAnExistingDeviceOnce) {
  ArtifactDesc a = base();
  prog(a).device = 3;
  expectRefused(a, "runs on device 3 of 1");
  a = base();
  a.entries[0].programs.push_back(prog(a));
  expectRefused(a, "two programs for device 0");
}

TEST(Validate, TwoEntriesWithTheSameName) {
  ArtifactDesc a = base();
  a.entries.push_back(a.entries[0]);
  expectRefused(a, "two entries named 'main'");
  a.entries[1].name = "other";
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
}

TEST(Validate, KernelHasASymbol) {
  ArtifactDesc a = base();
  a.kernels[0].symbol.clear();
  expectRefused(a, "kernel 0 has no symbol");
}

//===----------------------------------------------------------------------===//
// Arenas and buffers
//===----------------------------------------------------------------------===//

TEST(Validate, BufferOutsideItsArena) {
  ArtifactDesc a = base();
  uint64_t arena = prog(a).arenas[buf(a, C).arena].size;
  buf(a, C).size = arena - buf(a, C).offset + 1;
  expectRefused(a, "lies outside its arena of " + std::to_string(arena));
  a = base();
  buf(a, C).offset = (arena + 63) / 64 * 64;
  expectRefused(a, "lies outside its arena");
}

TEST(Validate, BufferOffsetPlusSizeOverflows) {
  ArtifactDesc a = base();
  // 2^64 - 64: aligned, and offset + 128 wraps around to 64.
  buf(a, C).offset = std::numeric_limits<uint64_t>::max() - 63;
  buf(a, C).size = 128;
  expectRefused(a, "lies outside its arena");
}

TEST(Validate, EmptyBuffer) {
  ArtifactDesc a = base();
  buf(a, Tmp).size = 0;
  expectRefused(a, "buffer 2 [128, +0) lies outside its arena");
}

TEST(Validate, MisalignedBuffer) {
  ArtifactDesc a = base();
  buf(a, A).offset += 8; // [200, 232) still inside the arena
  expectRefused(a, "buffer 5 is misaligned");
}

TEST(Validate, BufferNamesAMissingArena) {
  ArtifactDesc a = base();
  buf(a, Tmp).arena = 7;
  expectRefused(a, "buffer 2 names a missing arena");
}

TEST(Validate, ArenaAlignmentAndFlags) {
  ArtifactDesc a = base();
  prog(a).arenas[0].alignment = 48;
  expectRefused(a, "arena alignment 48");
  prog(a).arenas[0].alignment = 0;
  expectRefused(a, "arena alignment 0");
  prog(a).arenas[0].alignment = 8192;
  expectRefused(a, "arena alignment 8192");
  a = base();
  prog(a).arenas[0].flags = 2;
  expectRefused(a, "unknown arena flags");
  a = base();
  prog(a).arenas[0].size = format::kMaxArenaBytes + 1;
  expectRefused(a, "arena of 72057594037927937 bytes");
}

//===----------------------------------------------------------------------===//
// Commands
//===----------------------------------------------------------------------===//

TEST(Validate, CommandNamesAMissingBuffer) {
  ArtifactDesc a = base();
  cmd(a, CopyCmd).ins = {NumBuffers};
  expectRefused(a, "command 1 names buffer 7 of 7");
  a = base();
  cmd(a, GemmCmd).outs = {99};
  expectRefused(a, "command 4 names buffer 99 of 7");
}

TEST(Validate, StreamIndexOutOfRange) {
  ArtifactDesc a = base();
  cmd(a, CopyCmd).stream = 2;
  expectRefused(a, "command 1 runs on a missing stream");
}

TEST(Validate, EventIndexOutOfRange) {
  ArtifactDesc a = base();
  cmd(a, Wait).event = 1;
  expectRefused(a, "command 3 names a missing event");
  a = base();
  cmd(a, Record).event = kNone;
  expectRefused(a, "command 2 names a missing event");
}

TEST(Validate, LaunchBufferSmallerThanKernelArgument) {
  ArtifactDesc a = base();
  a.kernels[0].args[1].bytes = 65;
  expectRefused(a, "passes buffer 2 of 64 bytes as argument 1 of kernel 'k0', "
                   "which touches 65 bytes");
}

TEST(Validate, LaunchArgumentCountMismatch) {
  ArtifactDesc a = base();
  a.kernels[0].args.push_back({16, kRead});
  expectRefused(a, "passes 2 buffers to kernel 'k0' taking 3");
  a = base();
  cmd(a, Launch).ins.clear();
  expectRefused(a, "passes 1 buffers to kernel 'k0' taking 2");
}

TEST(Validate, LaunchOfAMissingOrForeignKernel) {
  ArtifactDesc a = base();
  cmd(a, Launch).kernel = 1;
  expectRefused(a, "launches a missing kernel");
  a = base();
  a.kernels[0].kind = DeviceKind::Cuda;
  expectRefused(a, "launches a kernel of another device kind");
  a = base();
  cmd(a, Launch).extent = 0;
  expectRefused(a, "has a parallel extent of 0");
}

TEST(Validate, LaunchWritesAWeight) {
  ArtifactDesc a = base();
  cmd(a, Launch).outs = {W};
  expectRefused(a, "writes a weight");
  // Reading it is fine.
  a = base();
  cmd(a, Launch).ins = {W};
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
}

TEST(Validate, CommandsMayWriteState) {
  // A training step updates its parameters in place: state buffers may be
  // written by every kind of command, also when their initial value is a
  // weight.
  for (bool initialized : {false, true}) {
    ArtifactDesc a = base();
    if (initialized)
      buf(a, S).weight = 0; // s starts as 'w' (64 bytes)
    cmd(a, Launch).outs = {S};
    rt::Status s = rt::validateArtifact(a);
    EXPECT_TRUE(s.ok) << "launch: " << s.message;
    a = base();
    if (initialized)
      buf(a, S).weight = 0;
    cmd(a, CopyCmd).outs = {S}; // tmp -> s, 64 bytes each
    s = rt::validateArtifact(a);
    EXPECT_TRUE(s.ok) << "copy: " << s.message;
    a = base();
    if (initialized)
      buf(a, S).weight = 0;
    cmd(a, GemmCmd).outs = {S}; // 2 x 4 f32 into 64 bytes
    s = rt::validateArtifact(a);
    EXPECT_TRUE(s.ok) << "gemm: " << s.message;
  }
}

TEST(Validate, CopyOrGemmWritesAWeight) {
  // Weights stay read-only whatever the command.
  ArtifactDesc a = base();
  cmd(a, CopyCmd).outs = {W}; // tmp -> w, 64 bytes each
  expectRefused(a, "command 1 writes a weight");
  a = base();
  cmd(a, GemmCmd).outs = {W};
  expectRefused(a, "command 4 writes a weight");
  // A weight-bound buffer that is not this entry's state is a weight.
  a = base();
  a.entries[0].state[0].placements[0].buffer = W;
  buf(a, S).weight = 0;
  cmd(a, Launch).outs = {S};
  expectRefused(a, "command 0 writes a weight");
}

TEST(Validate, GemmOperandTooSmall) {
  ArtifactDesc a = base();
  gemm(a).m = 3; // A: 3 x 4 f32 = 48 bytes in 32
  expectRefused(a, "GEMM operand A needs 48 bytes, its buffer has 32");
  a = base();
  gemm(a).transB = 1;
  gemm(a).batch = 2; // B: (1 * 16 + 16) f32 = 128 bytes in 64
  gemm(a).strideB = 16;
  expectRefused(a, "GEMM operand B needs 128 bytes, its buffer has 64");
  a = base();
  gemm(a).batch = 2; // C: (1 * 8 + 8) f32 = 64 bytes in 32
  gemm(a).strideC = 8;
  expectRefused(a, "GEMM operand C needs 64 bytes, its buffer has 32");
  a = base();
  gemm(a).cType = DType::I64; // C: 8 i64 = 64 bytes in 32
  gemm(a).abType = DType::I64;
  gemm(a).accumType = DType::I64;
  expectRefused(a, "GEMM operand A needs 64 bytes");
}

TEST(Validate, GemmBadDimensions) {
  for (auto mutate : std::vector<void (*)(GemmDesc &)>{
           [](GemmDesc &g) { g.k = -1; }, [](GemmDesc &g) { g.m = -4; },
           [](GemmDesc &g) { g.batch = 0; }, [](GemmDesc &g) { g.batch = -2; },
           [](GemmDesc &g) { g.n = int64_t(INT32_MAX) + 1; },
           [](GemmDesc &g) { g.strideA = -16; }}) {
    ArtifactDesc a = base();
    mutate(gemm(a));
    expectRefused(a, "command 4 has bad GEMM dimensions");
  }
}

TEST(Validate, GemmExtentsOverflow) {
  ArtifactDesc a = base();
  gemm(a).batch = 5;
  gemm(a).strideA = std::numeric_limits<int64_t>::max() / 2;
  expectRefused(a, "GEMM extents overflow");
}

TEST(Validate, GemmWrongAccumulator) {
  ArtifactDesc a = base();
  gemm(a).abType = DType::F16;
  gemm(a).accumType = DType::I32;
  expectRefused(a, "accumulates f16 in i32");
  a = base();
  gemm(a).abType = DType::I8;
  gemm(a).cType = DType::I8;
  gemm(a).accumType = DType::F32;
  expectRefused(a, "accumulates i8 in f32");
  a = base();
  gemm(a).abType = DType::BF16;
  gemm(a).accumType = DType::BF16;
  expectRefused(a, "accumulates bf16 in bf16");
}

TEST(Validate, GemmRefusesF64) {
  // f64 products are generated kernels; no library GEMM takes f64.
  ArtifactDesc a = base();
  gemm(a).abType = DType::F64;
  gemm(a).cType = DType::F64;
  expectRefused(a, "command 4 is an f64 GEMM");
  a = base();
  gemm(a).cType = DType::F64;
  expectRefused(a, "command 4 is an f64 GEMM");
}

TEST(Validate, GemmResultOfTheOtherFamily) {
  // The result is a float exactly when the operands are.
  ArtifactDesc a = base();
  gemm(a).cType = DType::I32;
  expectRefused(a, "writes i32 from f32 operands");
  a = base();
  gemm(a).abType = DType::I8;
  gemm(a).accumType = DType::I32;
  gemm(a).cType = DType::F32;
  expectRefused(a, "writes f32 from i8 operands");
}

TEST(Validate, GemmIntegerEpilogues) {
  ArtifactDesc a = base();
  gemm(a).abType = DType::I8;
  gemm(a).cType = DType::I8;
  gemm(a).accumType = DType::I32;
  gemm(a).epilogue = Epilogue::BiasRelu;
  cmd(a, GemmCmd).ins.push_back(cmd(a, GemmCmd).ins[0]);
  expectRefused(a, "applies a float epilogue to an integer GEMM");
}

TEST(Validate, GemmTransposeFlags) {
  ArtifactDesc a = base();
  gemm(a).transA = 2;
  expectRefused(a, "has a transpose flag other than 0 or 1");
}

TEST(Validate, MoreEventsThanCommands) {
  ArtifactDesc a = base();
  a.entries[0].programs[0].numEvents = 0xffffffffu;
  expectRefused(a, "events for");
}

TEST(Validate, GemmOperandCount) {
  ArtifactDesc a = base();
  gemm(a).epilogue = Epilogue::Bias; // needs a third input
  expectRefused(a, "passes the wrong number of GEMM operands");
  a = base();
  cmd(a, GemmCmd).outs = {C, Y};
  expectRefused(a, "passes the wrong number of GEMM operands");
}

TEST(Validate, GemmBiasTooSmall) {
  test::ArtifactBuilder b;
  uint32_t x = b.input("a", DType::F32, {2, 4});
  uint32_t w = b.input("b", DType::F32, {4, 4});
  uint32_t bias = b.input("bias", DType::F32, {3}); // n = 4 needs 16 bytes
  uint32_t c = b.output("c", DType::F32, {2, 4});
  GemmDesc g;
  g.m = 2, g.n = 4, g.k = 4, g.epilogue = Epilogue::BiasRelu;
  b.gemm(g, {x, w, bias}, c);
  expectRefused(b.artifact, "GEMM bias buffer is too small");
}

TEST(Validate, CopyBetweenDifferentSizes) {
  ArtifactDesc a = base();
  cmd(a, CopyCmd).outs = {C}; // 64 bytes into 32
  expectRefused(a, "command 1 copies between buffers of different sizes");
  a = base();
  cmd(a, CopyCmd).outs = {Y, Tmp};
  expectRefused(a, "copies between buffers of different sizes");
}

TEST(Validate, CollectiveGroupsAndCounts) {
  auto withCollective = [](CommandKind kind) {
    ArtifactDesc a = base();
    CommandDesc c;
    c.kind = kind;
    c.ins = {X};
    c.outs = {Tmp};
    c.collective.count = 16;
    c.collective.group = {0};
    c.collective.peer = 0;
    prog(a).commands.push_back(c);
    return a;
  };
  ArtifactDesc a = withCollective(CommandKind::Collective);
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
  prog(a).commands.back().collective.group = {0, 0};
  expectRefused(a, "command 5 lists a device twice in its group");
  prog(a).commands.back().collective.group = {4};
  expectRefused(a, "command 5 names a missing device");
  prog(a).commands.back().collective.group = {0};
  prog(a).commands.back().collective.count = 17;
  expectRefused(a, "command 5 reads past its buffer");
  prog(a).commands.back().collective.count = uint64_t(1) << 62;
  expectRefused(a, "command 5 has a bad element count");
  a = withCollective(CommandKind::Send);
  prog(a).commands.back().collective.peer = kNone;
  expectRefused(a, "command 5 names a missing peer");
}

//===----------------------------------------------------------------------===//
// Tensors, state and weights
//===----------------------------------------------------------------------===//

TEST(Validate, DuplicateTensorNames) {
  ArtifactDesc a = base();
  a.entries[0].outputs[0].name = "x";
  expectRefused(a, "entry 'main' uses the name 'x' twice");
  a = base();
  a.entries[0].state[0].name = "a";
  expectRefused(a, "uses the name 'a' twice");
}

TEST(Validate, UnsafeTensorNames) {
  for (const char *name : {"../x", ".x", "."}) {
    ArtifactDesc a = base();
    a.entries[0].inputs[0].name = name;
    expectRefused(a, "tensor name '" + std::string(name) + "' starts with '.'");
  }
  for (const char *name : {"a/b", "a\\b", "/etc", "a\nb"}) {
    ArtifactDesc a = base();
    a.entries[0].outputs[0].name = name;
    expectRefused(a, "contains '/', a backslash or a control character");
  }
  ArtifactDesc a = base();
  a.entries[0].state[0].name = "";
  expectRefused(a, "tensor name '' is empty");
  a.entries[0].state[0].name = std::string(256, 'n');
  expectRefused(a, "is longer than 255 bytes");
  a.entries[0].state[0].name = std::string(255, 'n') + "";
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
}

TEST(Validate, StateOutsideAPersistentArena) {
  ArtifactDesc a = base();
  a.entries[0].state[0].placements[0].buffer = Tmp;
  expectRefused(a, "tensor 's' is state outside a persistent arena");
}

TEST(Validate, InputInsideAPersistentArena) {
  ArtifactDesc a = base();
  a.entries[0].inputs[0].placements[0].buffer = S;
  expectRefused(a, "tensor 'x' is an input or output inside a persistent "
                   "arena");
}

TEST(Validate, PlacementBufferSizeMismatch) {
  ArtifactDesc a = base();
  TensorDesc &t = a.entries[0].inputs[1]; // a: f32[2, 4] in 32 bytes
  t.shape = {3, 4};
  t.placements[0].shape = {3, 4};
  expectRefused(a, "tensor 'a' needs 48 bytes but its buffer has 32");
  a = base();
  a.entries[0].outputs[1].dtype = DType::F16;
  expectRefused(a, "tensor 'c' needs 16 bytes but its buffer has 32");
}

TEST(Validate, PlacementMustCoverTheTensor) {
  ArtifactDesc a = base();
  a.entries[0].inputs[1].placements[0].start = {1, 0};
  expectRefused(a, "tensor 'a' has a placement outside it");
  a = base();
  a.entries[0].inputs[1].placements[0].shape = {4, 2};
  expectRefused(a, "tensor 'a' has a placement outside it");
  a = base();
  a.entries[0].inputs[1].placements[0].shape = {2};
  expectRefused(a, "tensor 'a' has a placement of another rank");
  a = base();
  a.entries[0].inputs[1].placements.clear();
  expectRefused(a, "tensor 'a' has no placement");
  // Half the tensor (in a buffer of that size) covers only half.
  a = base();
  a.entries[0].state[0].placements[0].shape = {8};
  a.entries[0].programs[0].buffers[S].size = 32;
  expectRefused(a, "tensor 's' has a partial placement");
  // The same slice twice (replicated) is fine.
  a = base();
  a.entries[0].inputs[1].placements.push_back(
      a.entries[0].inputs[1].placements[0]);
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
  a = base();
  a.entries[0].inputs[1].placements[0].buffer = NumBuffers;
  expectRefused(a, "tensor 'a' is placed in a missing buffer");
  a = base();
  a.entries[0].inputs[1].placements[0].program = 1;
  expectRefused(a, "tensor 'a' is placed in a missing program");
}

TEST(Validate, TensorShapes) {
  ArtifactDesc a = base();
  a.entries[0].inputs[0].shape = std::vector<int64_t>(17, 1);
  expectRefused(a, "tensor 'x' has rank 17");
  a = base();
  a.entries[0].inputs[0].shape = {-16};
  expectRefused(a, "tensor 'x' has a bad shape");
  a = base();
  a.entries[0].inputs[0].shape = {int64_t(1) << 62, 16};
  expectRefused(a, "tensor 'x' has a bad shape");
}

TEST(Validate, WeightOutsideTheWeightsSection) {
  ArtifactDesc a = base();
  a.weights[0].offset = 8; // [8, 72) of 64 bytes
  expectRefused(a, "weight 0 lies outside the weights section");
  a = base();
  a.weights[0].offset = std::numeric_limits<uint64_t>::max() - 10;
  expectRefused(a, "weight 0 lies outside the weights section");
  a = base();
  a.weightBytes.resize(63);
  expectRefused(a, "weight 0 lies outside the weights section");
}

TEST(Validate, WeightBoundInANonPersistentArena) {
  ArtifactDesc a = base();
  buf(a, Tmp).weight = 0;
  expectRefused(a, "buffer 2 binds a weight outside a persistent arena");
}

TEST(Validate, WeightBindingSizes) {
  ArtifactDesc a = base();
  buf(a, W).weight = 1;
  expectRefused(a, "buffer 4 binds a missing weight");
  a = base();
  a.weights[0].size = 32;
  expectRefused(a, "buffer 4 does not match the size of weight 'w'");
  a = base();
  a.weights[0].splatBytes = 4; // a splat stores one element
  expectRefused(a, "splat weight 0 stores 64 bytes for a 4-byte element");
  a.weights[0].size = 4;
  rt::Status s = rt::validateArtifact(a);
  EXPECT_TRUE(s.ok) << s.message;
  a.weights[0].splatBytes = 3, a.weights[0].size = 3; // 64 % 3 != 0
  expectRefused(a, "buffer 4 does not match the size of weight 'w'");
}

} // namespace
