//===- ExecuteTest.cpp - loading and running artifacts on the CPU ---------===//
//
// Artifacts built in memory from GEMM, copy and event commands (no kernel
// object needed), loaded with rt::Model and run. Every number is compared
// with a double-precision reference computed here (TestArtifact.h), never
// with an earlier output of the runtime.
//
//===----------------------------------------------------------------------===//
#include "TestArtifact.h"
#include "weft/runtime/weft_runtime.h"

#include <gtest/gtest.h>

#include <map>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

using namespace weft;
using namespace weft::format;
using test::ArtifactBuilder;

namespace {

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

/// Random values exactly representable in `t` (and small enough that f32
/// sums of their products are exact for f16 / bf16).
std::vector<double> randomValues(DType t, int64_t count, std::mt19937 &rng) {
  std::vector<double> v(size_t(std::max<int64_t>(count, 0)));
  for (double &x : v) {
    switch (t) {
    case DType::F32:
      x = float(std::uniform_real_distribution<double>(-1, 1)(rng));
      break;
    case DType::F64:
      x = std::uniform_real_distribution<double>(-1, 1)(rng);
      break;
    case DType::F16:
    case DType::BF16:
      x = std::uniform_int_distribution<int>(-16, 16)(rng) / 8.0;
      break;
    case DType::I8:
      x = std::uniform_int_distribution<int>(-128, 127)(rng);
      break;
    case DType::I32:
      x = std::uniform_int_distribution<int32_t>(INT32_MIN, INT32_MAX)(rng);
      break;
    case DType::I64:
      x = std::uniform_int_distribution<int>(-1000000, 1000000)(rng);
      break;
    }
  }
  return v;
}

/// Runs C = op(A) op(B) (+ bias) through a one-GEMM artifact. C is filled
/// with a poison pattern by a copy first, so an element the GEMM does not
/// write shows up.
std::vector<double> runGemm(const GemmDesc &g, const std::vector<double> &a,
                            const std::vector<double> &b,
                            const std::vector<double> &bias) {
  ArtifactBuilder bld;
  int64_t ec = test::elementsC(g);
  std::vector<uint32_t> ins = {bld.input("a", g.abType, {test::elementsA(g)}),
                               bld.input("b", g.abType, {test::elementsB(g)})};
  if (g.epilogue != Epilogue::None)
    ins.push_back(bld.input("bias", g.cType, {g.n}));
  uint32_t poison = bld.input("poison", g.cType, {ec});
  uint32_t c = bld.output("c", g.cType, {ec});
  bld.copy(poison, c);
  bld.gemm(g, ins, c);
  rt::Status s;
  std::unique_ptr<rt::Model> model = bld.load(s);
  EXPECT_TRUE(model) << s.message;
  if (!model)
    return {};
  std::vector<char> ab = test::encodeValues(g.abType, a),
                    bb = test::encodeValues(g.abType, b),
                    biasb = test::encodeValues(g.cType, bias),
                    poisonb(size_t(ec) * dtypeSize(g.cType), char(0x5a)),
                    cb(poisonb.size());
  static char dummy;
  auto ptr = [](std::vector<char> &v) -> const void * {
    return v.empty() ? &dummy : v.data();
  };
  std::vector<const void *> in = {ptr(ab), ptr(bb)};
  if (g.epilogue != Epilogue::None)
    in.push_back(ptr(biasb));
  in.push_back(ptr(poisonb));
  s = model->executable("")->call(in, {cb.data()});
  EXPECT_TRUE(s.ok) << s.message;
  return test::decodeValues(g.cType, cb);
}

/// Runs `g` on random inputs and compares with the reference: f32 within
/// a tolerance scaled by k, f16 / bf16 exactly against the reference
/// rounded to the output type (their f32 sums are exact by construction),
/// integers exactly.
void checkGemm(const GemmDesc &g, unsigned seed = 1) {
  SCOPED_TRACE(testing::Message()
               << dtypeName(g.abType) << "->" << dtypeName(g.cType)
               << " m=" << g.m << " n=" << g.n << " k=" << g.k
               << " batch=" << g.batch << " strides=" << g.strideA << ","
               << g.strideB << "," << g.strideC << " trans=" << g.transA
               << g.transB << " epilogue=" << uint32_t(g.epilogue));
  std::mt19937 rng(seed);
  std::vector<double> a = randomValues(g.abType, test::elementsA(g), rng);
  std::vector<double> b = randomValues(g.abType, test::elementsB(g), rng);
  std::vector<double> bias;
  if (g.epilogue != Epilogue::None)
    bias = randomValues(g.cType == DType::I32 ? DType::I8 : g.cType, g.n, rng);
  std::vector<double> want = test::referenceGemm(g, a, b, bias);
  std::vector<double> got = runGemm(g, a, b, bias);
  ASSERT_EQ(got.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < want.size() && bad < 5; ++i) {
    double w = want[i];
    if (std::isnan(w)) // not written by any batch
      continue;
    double tolerance = 0;
    if (g.cType == DType::F32 && g.abType == DType::F32)
      tolerance = 1e-6 * double(g.k + 1);
    else if (g.cType == DType::F16)
      w = test::halfToDouble(test::halfFromDouble(w));
    else if (g.cType == DType::BF16)
      w = test::bf16ToDouble(test::bf16FromDouble(w));
    if (g.epilogue == Epilogue::BiasGelu && g.cType == DType::F32)
      tolerance += 1e-6;
    if (!(std::fabs(got[i] - w) <= tolerance)) {
      ADD_FAILURE() << "c[" << i << "] = " << got[i] << ", want " << w;
      ++bad;
    }
  }
}

GemmDesc gemmOf(DType ab, DType c, int64_t m, int64_t n, int64_t k) {
  GemmDesc g;
  g.abType = ab;
  g.cType = c;
  g.accumType = dtypeInfo(ab).isFloat ? DType::F32
                : ab == DType::I64    ? DType::I64
                                      : DType::I32;
  g.m = m, g.n = n, g.k = k;
  return g;
}

/// The same GEMM with and without each transpose.
void checkTransposes(GemmDesc g) {
  for (uint32_t ta : {0u, 1u})
    for (uint32_t tb : {0u, 1u}) {
      g.transA = ta, g.transB = tb;
      checkGemm(g, 10 * ta + tb + 1);
    }
}

/// Batch 3: dense strides, B broadcast (stride 0), and padded strides.
void checkBatches(GemmDesc g) {
  g.batch = 3;
  g.strideA = g.m * g.k, g.strideB = g.k * g.n, g.strideC = g.m * g.n;
  checkGemm(g, 21);
  g.transA = 1, g.transB = 1;
  checkGemm(g, 22);
  g.transA = 0, g.transB = 0;
  g.strideB = 0;
  checkGemm(g, 23);
  g.strideA = g.m * g.k + 5, g.strideB = g.k * g.n + 3;
  checkGemm(g, 24);
}

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

TEST(Gemm, F32) {
  checkTransposes(gemmOf(DType::F32, DType::F32, 5, 7, 9));
  checkTransposes(gemmOf(DType::F32, DType::F32, 33, 17, 65));
  checkGemm(gemmOf(DType::F32, DType::F32, 1, 1, 1));
  checkGemm(gemmOf(DType::F32, DType::F32, 64, 64, 64));
}

TEST(Gemm, F32Batched) {
  checkBatches(gemmOf(DType::F32, DType::F32, 4, 6, 5));
  checkBatches(gemmOf(DType::F32, DType::F32, 17, 9, 33));
}

TEST(Gemm, F32Epilogues) {
  for (Epilogue e : {Epilogue::Bias, Epilogue::BiasRelu, Epilogue::BiasGelu}) {
    GemmDesc g = gemmOf(DType::F32, DType::F32, 6, 10, 7);
    g.epilogue = e;
    checkTransposes(g);
    checkBatches(g);
  }
}

TEST(Gemm, F16) {
  checkTransposes(gemmOf(DType::F16, DType::F16, 5, 7, 9));
  checkBatches(gemmOf(DType::F16, DType::F16, 4, 6, 11));
  GemmDesc g = gemmOf(DType::F16, DType::F16, 3, 8, 40);
  g.epilogue = Epilogue::BiasRelu;
  checkTransposes(g);
  checkTransposes(gemmOf(DType::F16, DType::F32, 5, 3, 12));
}

TEST(Gemm, BF16) {
  checkTransposes(gemmOf(DType::BF16, DType::BF16, 5, 7, 9));
  checkBatches(gemmOf(DType::BF16, DType::BF16, 4, 6, 11));
  GemmDesc g = gemmOf(DType::BF16, DType::BF16, 3, 8, 40);
  g.epilogue = Epilogue::Bias;
  checkTransposes(g);
  checkTransposes(gemmOf(DType::BF16, DType::F32, 5, 3, 12));
}

TEST(Gemm, HalfRoundingIsToNearestEven) {
  // 1 + 2^-11 lies halfway between two halves: it rounds to the even 1.0;
  // 1 + 3 * 2^-11 rounds up to 1 + 2^-9. Products of exact f32 inputs.
  GemmDesc g = gemmOf(DType::F32, DType::F16, 1, 2, 1);
  std::vector<double> got = runGemm(
      g, {1.0}, {1.0 + std::ldexp(1, -11), 1.0 + 3 * std::ldexp(1, -11)}, {});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], 1.0);
  EXPECT_EQ(got[1], 1.0 + std::ldexp(1, -9));
  g.cType = DType::BF16; // halfway for bf16: 1 + 2^-8, 1 + 3 * 2^-8
  got = runGemm(g, {1.0},
                {1.0 + std::ldexp(1, -8), 1.0 + 3 * std::ldexp(1, -8)}, {});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], 1.0);
  EXPECT_EQ(got[1], 1.0 + std::ldexp(1, -6));
}

TEST(Gemm, I8AccumulatesInI32AndWraps) {
  checkTransposes(gemmOf(DType::I8, DType::I8, 5, 7, 37));
  checkBatches(gemmOf(DType::I8, DType::I8, 4, 6, 11));
  checkGemm(gemmOf(DType::I8, DType::I32, 6, 5, 64));
  GemmDesc g = gemmOf(DType::I8, DType::I8, 3, 8, 20);
  g.epilogue = Epilogue::Bias;
  checkTransposes(g);
  // A known value: 127 * 127 * 2 = 32258 = 0x7e02 -> i8 2.
  g = gemmOf(DType::I8, DType::I8, 1, 1, 2);
  EXPECT_EQ(runGemm(g, {127, 127}, {127, 127}, {}), std::vector<double>{2});
  // -128 * -128 * 3 = 49152 = 0xc000 -> i8 0; i32 keeps it.
  g = gemmOf(DType::I8, DType::I32, 1, 1, 3);
  EXPECT_EQ(runGemm(g, {-128, -128, -128}, {-128, -128, -128}, {}),
            std::vector<double>{49152});
}

TEST(Gemm, I32AccumulatorWraps) {
  // Random i32 operands: the products overflow 32 bits and wrap.
  checkTransposes(gemmOf(DType::I32, DType::I32, 4, 3, 9));
  GemmDesc g = gemmOf(DType::I32, DType::I32, 1, 1, 1);
  EXPECT_EQ(runGemm(g, {65536}, {65536}, {}), std::vector<double>{0});
  EXPECT_EQ(runGemm(g, {65536}, {32768}, {}),
            std::vector<double>{double(INT32_MIN)});
}

TEST(Gemm, I64) { checkTransposes(gemmOf(DType::I64, DType::I64, 4, 3, 9)); }

TEST(Gemm, KZeroGivesZerosOrTheBias) {
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::I8}) {
    GemmDesc g = gemmOf(t, t, 3, 5, 0);
    std::vector<double> got = runGemm(g, {}, {}, {});
    EXPECT_EQ(got, std::vector<double>(15, 0.0)) << dtypeName(t);
    g.epilogue = Epilogue::Bias;
    std::vector<double> bias = {1, -2, 0.5, 4, -0.25};
    if (t == DType::I8)
      bias = {1, -2, 7, 4, -100};
    got = runGemm(g, {}, {}, bias);
    ASSERT_EQ(got.size(), 15u);
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i], bias[i % 5]) << dtypeName(t) << " c[" << i << "]";
    g.epilogue = Epilogue::None;
    g.batch = 2, g.strideC = 15;
    EXPECT_EQ(runGemm(g, {}, {}, {}), std::vector<double>(30, 0.0))
        << dtypeName(t);
  }
}

//===----------------------------------------------------------------------===//
// Several devices, weights, state, events
//===----------------------------------------------------------------------===//

std::vector<char> f32Bytes(const std::vector<double> &v) {
  return test::encodeValues(DType::F32, v);
}
std::vector<double> f32Values(const std::vector<char> &b) {
  return test::decodeValues(DType::F32, b);
}

TEST(Execute, TwoDevicesInOneProcess) {
  ArtifactBuilder b(/*numDevices=*/2);
  GemmDesc g0 = gemmOf(DType::F32, DType::F32, 3, 4, 5);
  GemmDesc g1 = gemmOf(DType::I8, DType::I32, 2, 3, 4);
  uint32_t a0 = b.input("a0", DType::F32, {3, 5}, 0);
  uint32_t b0 = b.input("b0", DType::F32, {5, 4}, 0);
  uint32_t x1 = b.input("x1", DType::F32, {7}, 1);
  uint32_t a1 = b.input("a1", DType::I8, {2, 4}, 1);
  uint32_t b1 = b.input("b1", DType::I8, {4, 3}, 1);
  uint32_t c0 = b.output("c0", DType::F32, {3, 4}, 0);
  uint32_t y1 = b.output("y1", DType::F32, {7}, 1);
  uint32_t c1 = b.output("c1", DType::I32, {2, 3}, 1);
  b.gemm(g0, {a0, b0}, c0, 0, /*prog=*/0);
  b.copy(x1, y1, 0, /*prog=*/1);
  b.gemm(g1, {a1, b1}, c1, 0, /*prog=*/1);
  rt::Status s;
  std::unique_ptr<rt::Model> model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  EXPECT_EQ(model->info().devices.size(), 2u);
  rt::Executable *exe = model->executable("main");
  ASSERT_NE(exe, nullptr);
  EXPECT_EQ(exe->numCommands(), 3u);

  std::mt19937 rng(5);
  std::vector<double> va0 = randomValues(DType::F32, 15, rng),
                      vb0 = randomValues(DType::F32, 20, rng),
                      vx1 = randomValues(DType::F32, 7, rng),
                      va1 = randomValues(DType::I8, 8, rng),
                      vb1 = randomValues(DType::I8, 12, rng);
  std::vector<char> ia0 = f32Bytes(va0), ib0 = f32Bytes(vb0),
                    ix1 = f32Bytes(vx1),
                    ia1 = test::encodeValues(DType::I8, va1),
                    ib1 = test::encodeValues(DType::I8, vb1);
  std::vector<char> oc0(48), oy1(28), oc1(24);
  s = exe->call({ia0.data(), ib0.data(), ix1.data(), ia1.data(), ib1.data()},
                {oc0.data(), oy1.data(), oc1.data()});
  ASSERT_TRUE(s.ok) << s.message;
  std::vector<double> want0 = test::referenceGemm(g0, va0, vb0, {});
  std::vector<double> got0 = f32Values(oc0);
  for (size_t i = 0; i < want0.size(); ++i)
    EXPECT_NEAR(got0[i], want0[i], 1e-5) << "c0[" << i << "]";
  EXPECT_EQ(f32Values(oy1), vx1);
  EXPECT_EQ(test::decodeValues(DType::I32, oc1),
            test::referenceGemm(g1, va1, vb1, {}));
}

TEST(Execute, WeightsAreBoundAtLoad) {
  // c = a x w + bias with w a stored weight and bias a splat weight
  // (0.75 repeated), and a splat f16 state (1.5 repeated).
  ArtifactBuilder b;
  const int64_t m = 3, n = 4, k = 5;
  std::mt19937 rng(9);
  std::vector<double> w = randomValues(DType::F32, k * n, rng);
  uint32_t splat = b.weight("bias", f32Bytes({0.75}), /*splatBytes=*/4);
  uint32_t stored = b.weight("w", f32Bytes(w));
  uint32_t half = b.weight("h", test::encodeValues(DType::F16, {1.5}), 2);
  EXPECT_EQ(b.artifact.weights[stored].offset, 64u);
  uint32_t a = b.input("a", DType::F32, {m, k});
  uint32_t c = b.output("c", DType::F32, {m, n});
  uint32_t wb = b.buffer(k * n * 4, /*persistent=*/true, 0, stored);
  uint32_t biasb = b.buffer(n * 4, /*persistent=*/true, 0, splat);
  b.state("h", DType::F16, {10}, 0, half);
  GemmDesc g = gemmOf(DType::F32, DType::F32, m, n, k);
  g.epilogue = Epilogue::Bias;
  b.gemm(g, {a, wb, biasb}, c);
  rt::Status s;
  std::unique_ptr<rt::Model> model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  rt::Executable *exe = model->executable("");
  for (int round = 0; round < 2; ++round) {
    std::vector<double> va = randomValues(DType::F32, m * k, rng);
    std::vector<char> ia = f32Bytes(va), oc(m * n * 4);
    s = exe->call({ia.data()}, {oc.data()});
    ASSERT_TRUE(s.ok) << s.message;
    std::vector<double> want =
        test::referenceGemm(g, va, w, std::vector<double>(n, 0.75));
    std::vector<double> got = f32Values(oc);
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5)
          << "round " << round << " c[" << i << "]";
  }
  std::vector<char> h(20);
  s = exe->readState("h", h.data(), h.size());
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(test::decodeValues(DType::F16, h), std::vector<double>(10, 1.5));
}

/// c = x x w with w a state tensor, and `last` a state the program writes
/// (a copy of x).
struct StateModel {
  static constexpr int64_t m = 2, n = 3, k = 4;
  GemmDesc g = gemmOf(DType::F32, DType::F32, m, n, k);
  std::unique_ptr<rt::Model> model;
  rt::Executable *exe = nullptr;
  StateModel() {
    ArtifactBuilder b;
    uint32_t x = b.input("x", DType::F32, {m, k});
    uint32_t c = b.output("c", DType::F32, {m, n});
    uint32_t w = b.state("w", DType::F32, {k, n});
    uint32_t last = b.state("last", DType::F32, {m, k});
    b.gemm(g, {x, w}, c);
    b.copy(x, last);
    rt::Status s;
    model = b.load(s);
    EXPECT_TRUE(model) << s.message;
    if (model)
      exe = model->executable("");
  }
  std::vector<double> run(const std::vector<double> &x) {
    std::vector<char> in = f32Bytes(x), out(m * n * 4);
    rt::Status s = exe->call({in.data()}, {out.data()});
    EXPECT_TRUE(s.ok) << s.message;
    return f32Values(out);
  }
};

TEST(Execute, StateRoundTripAndUse) {
  StateModel sm;
  ASSERT_NE(sm.exe, nullptr);
  ASSERT_EQ(sm.exe->state().size(), 2u);
  EXPECT_EQ(sm.exe->state()[0].typeString(), "f32[4, 3]");
  std::mt19937 rng(3);
  std::vector<double> x = randomValues(DType::F32, 8, rng);

  // Before any setState the state is zero, and so is c.
  std::vector<char> w0(48, 1);
  rt::Status s = sm.exe->readState("w", w0.data(), w0.size());
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(w0, std::vector<char>(48, 0));
  EXPECT_EQ(sm.run(x), std::vector<double>(6, 0.0));

  for (int round = 0; round < 2; ++round) {
    std::vector<double> w = randomValues(DType::F32, 12, rng);
    std::vector<char> wb = f32Bytes(w), back(48);
    s = sm.exe->setState("w", wb.data(), wb.size());
    ASSERT_TRUE(s.ok) << s.message;
    s = sm.exe->readState("w", back.data(), back.size());
    ASSERT_TRUE(s.ok) << s.message;
    EXPECT_EQ(back, wb);
    std::vector<double> want = test::referenceGemm(sm.g, x, w, {});
    std::vector<double> got = sm.run(x);
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5) << "round " << round;
  }

  // State written by the program is kept after the call.
  std::vector<char> last(32);
  s = sm.exe->readState("last", last.data(), last.size());
  ASSERT_TRUE(s.ok) << s.message;
  EXPECT_EQ(f32Values(last), x);
}

TEST(Execute, StateErrors) {
  StateModel sm;
  ASSERT_NE(sm.exe, nullptr);
  std::vector<char> buf(64);
  rt::Status s = sm.exe->setState("w", buf.data(), 44);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "state 'w' (f32[4, 3]) has 48 bytes, not 44"))
      << s.message;
  s = sm.exe->readState("w", buf.data(), 52);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "has 48 bytes, not 52")) << s.message;
  s = sm.exe->setState("nope", buf.data(), 48);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "no state named 'nope'")) << s.message;
  s = sm.exe->readState("x", buf.data(), 32); // an input, not a state
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "no state named 'x'")) << s.message;
}

TEST(Execute, CallChecksItsArgumentCounts) {
  StateModel sm;
  ASSERT_NE(sm.exe, nullptr);
  std::vector<char> in(32), out(24);
  rt::Status s = sm.exe->call({}, {out.data()});
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "takes 1 inputs, got 0")) << s.message;
  s = sm.exe->call({in.data()}, {out.data(), out.data()});
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "has 1 outputs, got 2")) << s.message;
}

TEST(Execute, EventsOrderTwoStreams) {
  // Stream 1 copies x to t and records event 0; stream 0 waits for it and
  // multiplies t by y.
  ArtifactBuilder b;
  GemmDesc g = gemmOf(DType::F32, DType::F32, 3, 2, 4);
  uint32_t x = b.input("x", DType::F32, {3, 4});
  uint32_t y = b.input("y", DType::F32, {4, 2});
  uint32_t c = b.output("c", DType::F32, {3, 2});
  uint32_t t = b.buffer(48);
  b.program().streams = {StreamKind::Compute, StreamKind::Copy};
  b.program().numEvents = 1;
  b.copy(x, t, /*stream=*/1).label = "copy";
  b.event(CommandKind::EventRecord, 0, /*stream=*/1).label = "record";
  b.event(CommandKind::EventWait, 0, /*stream=*/0).label = "wait";
  b.gemm(g, {t, y}, c, /*stream=*/0).label = "gemm";
  rt::Status s;
  std::unique_ptr<rt::Model> model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  rt::Executable *exe = model->executable("main");
  exe->enableTrace(true);
  std::mt19937 rng(4);
  for (int round = 0; round < 3; ++round) {
    std::vector<double> vx = randomValues(DType::F32, 12, rng),
                        vy = randomValues(DType::F32, 8, rng);
    std::vector<char> ix = f32Bytes(vx), iy = f32Bytes(vy), oc(24);
    s = exe->call({ix.data(), iy.data()}, {oc.data()});
    ASSERT_TRUE(s.ok) << s.message;
    std::vector<double> want = test::referenceGemm(g, vx, vy, {});
    std::vector<double> got = f32Values(oc);
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5) << "round " << round;
  }
  // The streams run as concurrent lanes: the trace is in time order, each
  // command on its stream, and the gemm starts only after the event was
  // recorded (the wait held it).
  std::vector<rt::TraceEvent> trace = exe->trace();
  ASSERT_EQ(trace.size(), 4u);
  std::map<std::string, rt::TraceEvent> byLabel;
  for (size_t i = 0; i < 4; ++i) {
    byLabel[trace[i].label] = trace[i];
    EXPECT_GE(trace[i].durUs, 0);
    if (i)
      EXPECT_LE(trace[i - 1].startUs, trace[i].startUs);
  }
  const char *labels[] = {"copy", "record", "wait", "gemm"};
  uint32_t streams[] = {1, 1, 0, 0};
  for (size_t i = 0; i < 4; ++i) {
    ASSERT_TRUE(byLabel.count(labels[i])) << labels[i];
    EXPECT_EQ(byLabel[labels[i]].stream, streams[i]) << labels[i];
  }
  const rt::TraceEvent &rec = byLabel["record"], &mm = byLabel["gemm"];
  EXPECT_GE(mm.startUs, rec.startUs + rec.durUs);
  EXPECT_GE(byLabel["record"].startUs,
            byLabel["copy"].startUs + byLabel["copy"].durUs);
}

TEST(Execute, EntriesByName) {
  ArtifactBuilder b;
  uint32_t x = b.input("x", DType::F32, {4});
  uint32_t y = b.output("y", DType::F32, {4});
  b.copy(x, y);
  EntryDesc twice = b.entry();
  twice.name = "second";
  twice.programs[0].commands.push_back(twice.programs[0].commands[0]);
  b.artifact.entries.push_back(twice);
  rt::Status s;
  std::unique_ptr<rt::Model> model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  EXPECT_EQ(model->numEntries(), 2u);
  EXPECT_EQ(model->executable("")->name(), "main");
  ASSERT_NE(model->executable("second"), nullptr);
  EXPECT_EQ(model->executable("second")->numCommands(), 2u);
  EXPECT_EQ(model->executable("third"), nullptr);
}

TEST(Execute, ConcurrentCallsFromFourThreads) {
  ArtifactBuilder b;
  // Big enough that unserialized calls would overlap and mix inputs.
  GemmDesc g = gemmOf(DType::F32, DType::F32, 12, 10, 16);
  uint32_t a = b.input("a", DType::F32, {12, 16});
  uint32_t w = b.input("b", DType::F32, {16, 10});
  uint32_t c = b.output("c", DType::F32, {12, 10});
  b.gemm(g, {a, w}, c);
  rt::Status s;
  std::unique_ptr<rt::Model> model = b.load(s);
  ASSERT_TRUE(model) << s.message;
  rt::Executable *exe = model->executable("");
  std::atomic<int> wrong{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int call = 0; call < 200; ++call) {
        // Small integers: the f32 results are exact.
        std::vector<double> va(12 * 16), vb(16 * 10);
        for (size_t i = 0; i < va.size(); ++i)
          va[i] = double((t * 31 + call * 7 + int(i) * 3) % 11 - 5);
        for (size_t i = 0; i < vb.size(); ++i)
          vb[i] = double((t * 13 + call * 5 + int(i)) % 9 - 4);
        std::vector<char> ia = f32Bytes(va), ib = f32Bytes(vb), oc(480);
        rt::Status st = exe->call({ia.data(), ib.data()}, {oc.data()});
        if (!st) {
          ++failed;
          continue;
        }
        if (f32Values(oc) != test::referenceGemm(g, va, vb, {}))
          ++wrong;
      }
    });
  for (std::thread &t : threads)
    t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

//===----------------------------------------------------------------------===//
// Loading: CPU features, files
//===----------------------------------------------------------------------===//

ArtifactBuilder copyArtifact() {
  ArtifactBuilder b;
  uint32_t x = b.input("x", DType::F32, {4});
  uint32_t y = b.output("y", DType::F32, {4});
  b.copy(x, y);
  return b;
}

TEST(CpuFeatures, EveryListedNameIsCheckable) {
  for (const char *name : kCpuFeatures)
    EXPECT_TRUE(rt::cpuHasFeature(name).has_value()) << name;
  EXPECT_FALSE(rt::cpuHasFeature("bogus-feature").has_value());
  EXPECT_FALSE(rt::cpuHasFeature("").has_value());
}

TEST(CpuFeatures, UncheckableFeatureIsRefused) {
  ArtifactBuilder b = copyArtifact();
  b.artifact.targets[0].features = {"bogus-feature"};
  rt::Status s;
  EXPECT_EQ(b.load(s), nullptr);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "cannot check: bogus-feature")) << s.message;
}

TEST(CpuFeatures, FeaturesThisCpuHasAreAccepted) {
  ArtifactBuilder b = copyArtifact();
  for (const char *name : kCpuFeatures)
    if (rt::cpuHasFeature(name).value_or(false))
      b.artifact.targets[0].features.push_back(name);
  rt::Status s;
  EXPECT_NE(b.load(s), nullptr) << s.message;
}

TEST(CpuFeatures, MissingFeatureIsRefused) {
  if (rt::cpuHasFeature("avx512fp16").value_or(false))
    GTEST_SKIP() << "this CPU has avx512fp16, so no target can miss it here";
  ArtifactBuilder b = copyArtifact();
  b.artifact.targets[0].arch = "sapphirerapids";
  b.artifact.targets[0].features = {"avx2", "avx512fp16"};
  if (!rt::cpuHasFeature("avx2").value_or(false))
    b.artifact.targets[0].features = {"avx512fp16"};
  rt::Status s;
  EXPECT_EQ(b.load(s), nullptr);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "need features this CPU lacks: avx512fp16"))
      << s.message;
  EXPECT_TRUE(contains(s.message, "'sapphirerapids'")) << s.message;
}

TEST(Load, RefusesDirectoriesAndDevices) {
  for (std::string path : {::testing::TempDir(), std::string("/dev/zero")}) {
    rt::Status s;
    EXPECT_EQ(rt::Model::load(path, s), nullptr) << path;
    EXPECT_TRUE(contains(s.message, "is not a regular file")) << s.message;
  }
  rt::Status s;
  EXPECT_EQ(rt::Model::load("/nonexistent/weft.art", s), nullptr);
  EXPECT_TRUE(contains(s.message, "cannot open")) << s.message;
}

TEST(Load, ReadFileLimit) {
  std::string path = ::testing::TempDir() + "weft_readfile.bin";
  std::ofstream(path, std::ios::binary) << std::string(100, 'x');
  std::vector<char> out;
  rt::Status s = rt::readFile(path, out, 99);
  EXPECT_FALSE(s.ok);
  EXPECT_TRUE(contains(s.message, "is larger than 99 bytes")) << s.message;
  s = rt::readFile(path, out, 100);
  EXPECT_TRUE(s.ok) << s.message;
  EXPECT_EQ(out.size(), 100u);
  std::remove(path.c_str());
}

//===----------------------------------------------------------------------===//
// The C API
//===----------------------------------------------------------------------===//

class CApi : public ::testing::Test {
protected:
  void SetUp() override {
    ArtifactBuilder b;
    uint32_t a = b.input("a", DType::F32, {2, 3});
    uint32_t w = b.input("b", DType::F32, {3, 4});
    uint32_t c = b.output("c", DType::F32, {2, 4});
    b.gemm(g, {a, w}, c);
    path = ::testing::TempDir() + "weft_capi_test.weft";
    std::vector<char> bytes = b.encode();
    std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
    ASSERT_EQ(weft_model_load(path.c_str(), nullptr, &model), 0)
        << weft_last_error();
  }
  void TearDown() override {
    weft_model_free(model);
    std::remove(path.c_str());
  }
  GemmDesc g = gemmOf(DType::F32, DType::F32, 2, 4, 3);
  std::string path;
  weft_model *model = nullptr;
};

TEST_F(CApi, LoadSetRunGet) {
  ASSERT_EQ(weft_num_inputs(model), 2u);
  ASSERT_EQ(weft_num_outputs(model), 1u);
  weft_tensor_info info;
  ASSERT_EQ(weft_input_info(model, 1, &info), 0);
  EXPECT_STREQ(info.name, "b");
  EXPECT_EQ(info.dtype, 0u);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.shape[0], 3);
  EXPECT_EQ(info.shape[1], 4);
  EXPECT_EQ(info.bytes, 48u);
  ASSERT_EQ(weft_output_info(model, 0, &info), 0);
  EXPECT_STREQ(info.name, "c");
  EXPECT_EQ(info.bytes, 32u);

  std::mt19937 rng(11);
  for (int round = 0; round < 2; ++round) {
    std::vector<double> va = randomValues(DType::F32, 6, rng),
                        vb = randomValues(DType::F32, 12, rng);
    std::vector<char> ia = f32Bytes(va), ib = f32Bytes(vb), oc(32);
    ASSERT_EQ(weft_set_input(model, 0, ia.data(), ia.size()), 0)
        << weft_last_error();
    ASSERT_EQ(weft_set_input(model, 1, ib.data(), ib.size()), 0)
        << weft_last_error();
    ASSERT_EQ(weft_run(model), 0) << weft_last_error();
    ASSERT_EQ(weft_get_output(model, 0, oc.data(), oc.size()), 0)
        << weft_last_error();
    std::vector<double> want = test::referenceGemm(g, va, vb, {});
    std::vector<double> got = f32Values(oc);
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-5) << "round " << round;
  }
}

TEST_F(CApi, ErrorsComeBackWithAMessage) {
  std::vector<char> buf(64);
  EXPECT_NE(weft_set_input(model, 0, buf.data(), 20), 0);
  EXPECT_TRUE(contains(weft_last_error(), "input 'a' takes 24 bytes, got 20"))
      << weft_last_error();
  EXPECT_NE(weft_set_input(model, 2, buf.data(), 24), 0);
  EXPECT_TRUE(contains(weft_last_error(), "bad model, data or index"));
  EXPECT_NE(weft_set_input(model, 0, nullptr, 24), 0);
  EXPECT_NE(weft_get_output(model, 0, buf.data(), 36), 0);
  EXPECT_TRUE(contains(weft_last_error(), "output 'c' has 32 bytes, not 36"))
      << weft_last_error();
  EXPECT_NE(weft_get_output(model, 1, buf.data(), 32), 0);
  EXPECT_TRUE(contains(weft_last_error(), "bad model, data or index"));
  weft_tensor_info info;
  EXPECT_NE(weft_input_info(model, 2, &info), 0);
  EXPECT_TRUE(contains(weft_last_error(), "bad model or index"));
  EXPECT_NE(weft_output_info(model, 1, &info), 0);
  EXPECT_NE(weft_output_info(model, 0, nullptr), 0);
  EXPECT_NE(weft_run(nullptr), 0);
  EXPECT_TRUE(contains(weft_last_error(), "null model"));
  EXPECT_EQ(weft_num_inputs(nullptr), 0u);
  weft_model_free(nullptr);
}

TEST_F(CApi, LoadErrors) {
  weft_model *other = nullptr;
  EXPECT_NE(weft_model_load(path.c_str(), "nope", &other), 0);
  EXPECT_TRUE(contains(weft_last_error(), "no entry function named 'nope'"))
      << weft_last_error();
  EXPECT_EQ(other, nullptr);
  EXPECT_NE(weft_model_load("/nonexistent/x.weft", nullptr, &other), 0);
  EXPECT_TRUE(contains(weft_last_error(), "cannot open")) << weft_last_error();
  EXPECT_NE(weft_model_load(nullptr, nullptr, &other), 0);
  EXPECT_NE(weft_model_load(path.c_str(), nullptr, nullptr), 0);
  // A corrupt file.
  std::string bad = ::testing::TempDir() + "weft_capi_bad.weft";
  std::ofstream(bad, std::ios::binary) << std::string(100, 'x');
  EXPECT_NE(weft_model_load(bad.c_str(), nullptr, &other), 0);
  EXPECT_TRUE(contains(weft_last_error(), "bad magic")) << weft_last_error();
  std::remove(bad.c_str());
  // The entry can be named.
  ASSERT_EQ(weft_model_load(path.c_str(), "main", &other), 0)
      << weft_last_error();
  weft_model_free(other);
}

TEST_F(CApi, LastErrorIsPerThread) {
  std::vector<char> buf(64);
  ASSERT_NE(weft_set_input(model, 0, buf.data(), 1), 0);
  std::string mine = weft_last_error();
  std::thread([&] {
    EXPECT_STREQ(weft_last_error(), "");
    EXPECT_NE(weft_run(nullptr), 0);
  }).join();
  EXPECT_EQ(mine, weft_last_error());
}

} // namespace
