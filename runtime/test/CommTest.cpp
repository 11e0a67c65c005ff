//===- CommTest.cpp - several devices: collectives, placements ------------===//
//
// Multi-device artifacts built by hand (one program per device, a
// collective or send / recv, sharded placements), run locally (one worker
// thread per device). Every expectation is computed here from the
// semantics in Format.h, independently of the runtime.
//
//===----------------------------------------------------------------------===//
#include "TestArtifact.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>

using namespace weft;
using namespace weft::format;
using test::ArtifactBuilder;
using Shard = ArtifactBuilder::Shard;

namespace {

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

/// Values exact in `t` whose sums, and products of up to 4, are exact in
/// f32 (so "reduce in f32, round once" has one right answer).
std::vector<double> values(DType t, size_t n, std::mt19937 &rng) {
  std::vector<double> v(n);
  for (double &x : v) {
    if (t == DType::I32)
      x = std::uniform_int_distribution<int32_t>(INT32_MIN, INT32_MAX)(rng);
    else
      x = std::uniform_int_distribution<int>(-16, 16)(rng) / 8.0;
  }
  return v;
}

/// The reduction of `xs` (one per rank) as `t` would hold it.
double reduceRef(DType t, ReduceKind op, const std::vector<double> &xs) {
  if (t == DType::I32) {
    uint64_t acc = uint64_t(int64_t(xs[0]));
    int64_t best = int64_t(xs[0]);
    for (size_t r = 1; r < xs.size(); ++r) {
      int64_t y = int64_t(xs[r]);
      if (op == ReduceKind::Sum)
        acc += uint64_t(y);
      if (op == ReduceKind::Prod)
        acc *= uint64_t(y);
      best = op == ReduceKind::Max ? std::max(best, y) : std::min(best, y);
    }
    if (op == ReduceKind::Max || op == ReduceKind::Min)
      return double(best);
    return double(test::wrapTo(int64_t(acc), 32));
  }
  double acc = xs[0];
  for (size_t r = 1; r < xs.size(); ++r) {
    double y = xs[r];
    switch (op) {
    case ReduceKind::Sum:
      acc += y;
      break;
    case ReduceKind::Prod:
      acc *= y;
      break;
    case ReduceKind::Max:
      acc = std::max(acc, y);
      break;
    case ReduceKind::Min:
      acc = std::min(acc, y);
      break;
    }
  }
  // Exact in double and f32; rounded once to the element type.
  return test::loadValue(t, test::encodeValues(t, {acc}).data());
}

struct Case {
  CollectiveKind kind;
  ReduceKind reduce;
  DType dtype;
  uint32_t devices;
};

std::string name(const Case &c) {
  return std::string(transferName(CommandKind::Collective, c.kind)) + "/" +
         std::to_string(uint32_t(c.reduce)) + "/" + dtypeName(c.dtype) + "/" +
         std::to_string(c.devices);
}

/// Runs one collective over all `c.devices` devices: device d's input
/// "x<d>" (count elements), output "y<d>". With `inPlace`, the input is
/// first copied to a work buffer that is both the collective's input and
/// output (the output buffer then has the input's size).
void runCollective(const Case &c, bool inPlace = false) {
  SCOPED_TRACE(name(c) + (inPlace ? " in place" : ""));
  uint32_t n = c.devices;
  uint64_t count = 2 * n; // n chunks of 2
  uint64_t outCount = c.kind == CollectiveKind::AllGather       ? count * n
                      : c.kind == CollectiveKind::ReduceScatter ? count / n
                                                                : count;
  uint32_t root = n - 1;
  ArtifactBuilder b(n);
  std::vector<CollectiveDesc> unused;
  std::vector<uint32_t> group(n);
  for (uint32_t d = 0; d < n; ++d)
    group[d] = d;
  for (uint32_t d = 0; d < n; ++d) {
    std::string s = std::to_string(d);
    uint32_t x = b.input("x" + s, c.dtype, {int64_t(count)}, d);
    uint32_t y = b.output("y" + s, c.dtype, {int64_t(outCount)}, d);
    if (inPlace) {
      uint32_t work =
          b.buffer(std::max(count, outCount) * dtypeSize(c.dtype), false, d);
      b.program(d).buffers[work].size = count * dtypeSize(c.dtype);
      b.copy(x, work, 0, d);
      b.collective(c.kind, c.dtype, count, 5, group, {work}, {work}, d,
                   c.reduce, root);
      b.copy(work, y, 0, d);
    } else {
      b.collective(c.kind, c.dtype, count, 5, group, {x}, {y}, d, c.reduce,
                   root);
    }
  }
  rt::Status s;
  std::unique_ptr<rt::Model> model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  rt::Executable *exe = model->executable("");
  std::mt19937 rng(uint32_t(c.kind) * 100 + uint32_t(c.reduce) * 10 + n);
  std::vector<std::vector<double>> in(n);
  std::vector<std::vector<char>> inBytes(n), outBytes(n);
  std::vector<const void *> ins;
  std::vector<void *> outs;
  for (uint32_t d = 0; d < n; ++d) {
    in[d] = values(c.dtype, count, rng);
    inBytes[d] = test::encodeValues(c.dtype, in[d]);
    outBytes[d].assign(outCount * dtypeSize(c.dtype), 0);
    ins.push_back(inBytes[d].data());
    outs.push_back(outBytes[d].data());
  }
  for (int repeat = 0; repeat < 2; ++repeat) { // state is reset per call
    s = exe->call(ins, outs);
    ASSERT_TRUE(s.ok) << s.message;
    uint64_t chunk = count / n;
    for (uint32_t r = 0; r < n; ++r) {
      std::vector<double> want(outCount);
      for (uint64_t i = 0; i < outCount; ++i) {
        std::vector<double> column;
        switch (c.kind) {
        case CollectiveKind::AllReduce:
          for (uint32_t q = 0; q < n; ++q)
            column.push_back(in[q][i]);
          want[i] = reduceRef(c.dtype, c.reduce, column);
          break;
        case CollectiveKind::AllGather:
          want[i] = in[i / count][i % count];
          break;
        case CollectiveKind::ReduceScatter:
          for (uint32_t q = 0; q < n; ++q)
            column.push_back(in[q][r * chunk + i]);
          want[i] = reduceRef(c.dtype, c.reduce, column);
          break;
        case CollectiveKind::AllToAll:
          // Chunk j of rank i's input is chunk i of rank j's output.
          want[i] = in[i / chunk][r * chunk + i % chunk];
          break;
        case CollectiveKind::Broadcast:
          want[i] = in[root][i];
          break;
        }
      }
      EXPECT_EQ(test::decodeValues(c.dtype, outBytes[r]), want) << "rank " << r;
    }
  }
}

TEST(Comm, EveryCollectiveKindAndDType) {
  for (uint32_t n : {2u, 4u})
    for (DType t : {DType::F32, DType::F64, DType::BF16, DType::I32}) {
      for (ReduceKind r : {ReduceKind::Sum, ReduceKind::Max, ReduceKind::Min,
                           ReduceKind::Prod}) {
        runCollective({CollectiveKind::AllReduce, r, t, n});
        runCollective({CollectiveKind::ReduceScatter, r, t, n});
      }
      for (CollectiveKind k :
           {CollectiveKind::AllGather, CollectiveKind::AllToAll,
            CollectiveKind::Broadcast})
        runCollective({k, ReduceKind::Sum, t, n});
    }
}

TEST(Comm, InPlaceCollectives) {
  for (uint32_t n : {2u, 4u})
    for (CollectiveKind k :
         {CollectiveKind::AllReduce, CollectiveKind::AllToAll,
          CollectiveKind::Broadcast})
      runCollective({k, ReduceKind::Sum, DType::F32, n}, /*inPlace=*/true);
}

TEST(Comm, F16ReducesInF32AndRoundsOnce) {
  // 2048 + 1 + 1 in f16: pairwise rounding would lose both ones (2049 is
  // not a half); f32 accumulation gives 2050 exactly.
  ArtifactBuilder b(3);
  for (uint32_t d = 0; d < 3; ++d) {
    uint32_t x = b.input("x" + std::to_string(d), DType::F16, {1}, d);
    uint32_t y = b.output("y" + std::to_string(d), DType::F16, {1}, d);
    b.collective(CollectiveKind::AllReduce, DType::F16, 1, 0, {0, 1, 2}, {x},
                 {y}, d);
  }
  rt::Status s;
  auto model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  std::vector<char> x0 = test::encodeValues(DType::F16, {2048}),
                    x1 = test::encodeValues(DType::F16, {1}), y0(2), y1(2),
                    y2(2);
  s = model->executable("")->call({x0.data(), x1.data(), x1.data()},
                                  {y0.data(), y1.data(), y2.data()});
  ASSERT_TRUE(s.ok) << s.message;
  for (auto *y : {&y0, &y1, &y2})
    EXPECT_EQ(test::decodeValues(DType::F16, *y), std::vector<double>{2050});
}

TEST(Comm, SendAndRecv) {
  ArtifactBuilder b(2);
  uint32_t x = b.input("x", DType::I32, {3}, 0);
  uint32_t got1 = b.buffer(12, false, 1);
  uint32_t back = b.output("back", DType::I32, {3}, 0);
  uint32_t seen = b.output("seen", DType::I32, {3}, 1);
  b.transfer(CommandKind::Send, DType::I32, 3, 1, /*peer=*/1, x, 0);
  b.transfer(CommandKind::Recv, DType::I32, 3, 1, /*peer=*/0, got1, 1);
  b.copy(got1, seen, 0, 1);
  b.transfer(CommandKind::Send, DType::I32, 3, 2, 0, got1, 1);
  b.transfer(CommandKind::Recv, DType::I32, 3, 2, 1, back, 0);
  rt::Status s;
  auto model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  std::vector<char> in = test::encodeValues(DType::I32, {7, -8, 9}), o1(12),
                    o2(12);
  s = model->executable("")->call({in.data()}, {o1.data(), o2.data()});
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(o1, in);
  EXPECT_EQ(o2, in);
}

/// A 2x2 mesh: device 2i + j holds block (i, j) of a [4, 6] tensor.
std::vector<Shard> blocks2x2() {
  std::vector<Shard> s;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      s.push_back({uint32_t(2 * i + j), {2 * i, 3 * j}, {2, 3}});
  return s;
}

TEST(Comm, ScatterAndGatherShardedTensors) {
  // x[4, 6] in 2x2 blocks (split on dims 0 and 1). y = x, same blocks. z:
  // column block j of x gathered over the devices of column j (an
  // all_gather along dim 0), replicated over i: z = x, split on dim 1.
  // r: rows split on dim 0 over devices 0 and 2 only (r = x[:, 0:3] as
  // [4, 3]... the column-0 gather).
  ArtifactBuilder b(4);
  std::vector<uint32_t> xs =
      b.shardedInput("x", DType::F32, {4, 6}, blocks2x2());
  std::vector<uint32_t> ys =
      b.shardedOutput("y", DType::F32, {4, 6}, blocks2x2());
  std::vector<Shard> cols;
  for (uint32_t d = 0; d < 4; ++d)
    cols.push_back({d, {0, 3 * int64_t(d % 2)}, {4, 3}});
  std::vector<uint32_t> zs = b.shardedOutput("z", DType::F32, {4, 6}, cols);
  for (uint32_t d = 0; d < 4; ++d) {
    b.copy(xs[d], ys[d], 0, d);
    std::vector<uint32_t> column = {d % 2, d % 2 + 2};
    b.collective(CollectiveKind::AllGather, DType::F32, 6, d % 2, column,
                 {xs[d]}, {zs[d]}, d);
  }
  rt::Status s;
  auto model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  std::vector<double> x(24);
  for (int i = 0; i < 24; ++i)
    x[i] = i + 0.5;
  std::vector<char> xb = test::encodeValues(DType::F32, x), yb(96, 0),
                    zb(96, 0);
  s = model->executable("")->call({xb.data()}, {yb.data(), zb.data()});
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(test::decodeValues(DType::F32, yb), x);
  EXPECT_EQ(test::decodeValues(DType::F32, zb), x);
}

TEST(Comm, ShardedStateScattersAndGathers) {
  // w[4, 2] split on dim 1 over two devices; out = w through a copy.
  ArtifactBuilder b(2);
  std::vector<Shard> halves = {{0, {0, 0}, {4, 1}}, {1, {0, 1}, {4, 1}}};
  std::vector<uint32_t> ws = b.shardedState("w", DType::I32, {4, 2}, halves);
  std::vector<uint32_t> os = b.shardedOutput("out", DType::I32, {4, 2}, halves);
  for (uint32_t d = 0; d < 2; ++d)
    b.copy(ws[d], os[d], 0, d);
  rt::Status s;
  auto model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  rt::Executable *exe = model->executable("");
  std::vector<char> w =
      test::encodeValues(DType::I32, {1, 2, 3, 4, 5, 6, 7, 8});
  ASSERT_TRUE(exe->setState("w", w.data(), w.size()).ok);
  std::vector<char> back(32, 0), out(32, 0);
  ASSERT_TRUE(exe->readState("w", back.data(), back.size()).ok);
  EXPECT_EQ(back, w);
  s = exe->call({}, {out.data()});
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(out, w);
}

TEST(Comm, KernelFreePlanEndToEnd) {
  // x[2, 4] split on dim 0 over 2 devices; each copies its row to a work
  // buffer, all_reduces it in place and writes s = x[0] + x[1]
  // (replicated on both devices) and the gathered rows g = 2 * x through
  // an all_gather of the doubled... kept simple: g = all_gather(x rows).
  ArtifactBuilder b(2);
  std::vector<Shard> rows = {{0, {0, 0}, {1, 4}}, {1, {1, 0}, {1, 4}}};
  std::vector<uint32_t> xs = b.shardedInput("x", DType::F32, {2, 4}, rows);
  std::vector<Shard> both = {{0, {0}, {4}}, {1, {0}, {4}}};
  std::vector<uint32_t> ss = b.shardedOutput("s", DType::F32, {4}, both);
  std::vector<Shard> whole = {{0, {0, 0}, {2, 4}}, {1, {0, 0}, {2, 4}}};
  std::vector<uint32_t> gs = b.shardedOutput("g", DType::F32, {2, 4}, whole);
  for (uint32_t d = 0; d < 2; ++d) {
    uint32_t work = b.buffer(16, false, d);
    b.copy(xs[d], work, 0, d);
    b.collective(CollectiveKind::AllReduce, DType::F32, 4, 10, {0, 1}, {work},
                 {work}, d);
    b.copy(work, ss[d], 0, d);
    b.collective(CollectiveKind::AllGather, DType::F32, 4, 11, {0, 1}, {xs[d]},
                 {gs[d]}, d);
  }
  rt::Status s;
  auto model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  rt::Executable *exe = model->executable("main");
  EXPECT_EQ(exe->numCommands(), 8u);
  std::vector<double> x = {1, 2, 3, 4, 10, 20, 30, 40};
  std::vector<char> xb = test::encodeValues(DType::F32, x), sb(16), gb(32);
  exe->enableTrace(true);
  s = exe->call({xb.data()}, {sb.data(), gb.data()});
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(test::decodeValues(DType::F32, sb),
            (std::vector<double>{11, 22, 33, 44}));
  EXPECT_EQ(test::decodeValues(DType::F32, gb), x);
  EXPECT_EQ(exe->trace().size(), 8u);
}

//===----------------------------------------------------------------------===//
// Mismatched plans and missing peers
//===----------------------------------------------------------------------===//

/// Two devices, each all_reducing 8 f32 at order 3.
ArtifactBuilder pairPlan() {
  ArtifactBuilder b(2);
  for (uint32_t d = 0; d < 2; ++d) {
    uint32_t x = b.input("x" + std::to_string(d), DType::F32, {8}, d);
    uint32_t y = b.output("y" + std::to_string(d), DType::F32, {8}, d);
    b.collective(CollectiveKind::AllReduce, DType::F32, 8, 3, {0, 1}, {x}, {y},
                 d);
  }
  return b;
}

void expectRefused(const ArtifactBuilder &b, const std::string &what) {
  rt::Status s;
  auto model = b.load(s);
  EXPECT_FALSE(model) << "accepted; expected: " << what;
  EXPECT_TRUE(contains(s.message, what)) << s.message;
}

TEST(Comm, ValidatorRefusesMismatchedCollectives) {
  ArtifactBuilder b = pairPlan();
  rt::Status s;
  EXPECT_TRUE(b.load(s)) << s.message;
  b.program(1).commands[0].collective.count = 4;
  expectRefused(b, "all_reduce order 3: device 1 disagrees with device 0 on "
                   "the count (4 vs 8)");
  b = pairPlan();
  b.program(1).commands[0].collective.kind = CollectiveKind::AllGather;
  b.program(1).buffers[1].size = 64; // room for the gathered output
  b.program(1).arenas[0].size = 256;
  expectRefused(b, "all_reduce order 3: device 1 disagrees with device 0 on "
                   "the kind (all_gather vs all_reduce)");
  b = pairPlan();
  b.program(1).commands[0].collective.group = {1, 0};
  expectRefused(b, "order 3: device 1 disagrees with device 0 on the group");
  b = pairPlan();
  b.program(0).commands[0].collective.group = {1};
  expectRefused(b, "is a collective of a group without its device");
  // Orders strictly increase within a program.
  b = pairPlan();
  for (uint32_t d = 0; d < 2; ++d)
    b.program(d).commands.push_back(b.program(d).commands[0]);
  expectRefused(b, "device 0 issues all_reduce order 3 after order 3");
  // A send must meet its recv.
  b = ArtifactBuilder(2);
  uint32_t x = b.input("x", DType::F32, {2}, 0);
  uint32_t y = b.output("y", DType::F32, {2}, 1);
  b.transfer(CommandKind::Send, DType::F32, 2, 0, 1, x, 0);
  b.transfer(CommandKind::Send, DType::F32, 2, 0, 0, y, 1);
  expectRefused(b, "send order 0: devices 0 and 1 do not form one send and "
                   "its recv");
}

TEST(Comm, MissingPeerTimesOutNamingTheCollective) {
  setenv("WEFT_COLLECTIVE_TIMEOUT_S", "0.3", 1);
  ArtifactBuilder b = pairPlan();
  b.program(1).commands.clear(); // device 1 never joins order 3
  b.copy(1, 1, 0, 1);            // (y1 = y1: a program that does something)
  b.program(1).commands.back().ins = {0};
  rt::Status s;
  auto model = b.load(s);
  unsetenv("WEFT_COLLECTIVE_TIMEOUT_S");
  ASSERT_TRUE(model) << s.message;
  std::vector<char> x(32), y0(32), y1(32);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto t0 = std::chrono::steady_clock::now();
    s = model->executable("")->call({x.data(), x.data()},
                                    {y0.data(), y1.data()});
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    EXPECT_FALSE(s.ok);
    EXPECT_TRUE(contains(s.message, "all_reduce order 3 timed out on device 0"))
        << s.message;
    EXPECT_LT(seconds, 30.0);
  }
}

} // namespace
