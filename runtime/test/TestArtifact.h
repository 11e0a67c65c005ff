//===- TestArtifact.h - building artifacts in unit tests --------*- C++ -*-===//
//
// Helpers shared by the runtime's unit tests: an ArtifactBuilder that lays
// out CPU programs (buffers packed at 64-byte aligned offsets in one working
// and one persistent arena per program), element encoders written here
// independently of the runtime's own (f16 and bf16 rounding, integer
// wrapping), and a double-precision GEMM reference.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_TEST_TESTARTIFACT_H
#define WEFT_RUNTIME_TEST_TESTARTIFACT_H

#include "weft/runtime/Format.h"
#include "weft/runtime/Runtime.h"

#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace weft::test {

//===----------------------------------------------------------------------===//
// Element encodings (independent of src/cpu/Gemm.cpp)
//===----------------------------------------------------------------------===//

/// IEEE binary16 of `v`, rounded to nearest even (through double math).
inline uint16_t halfFromDouble(double v) {
  uint16_t sign = std::signbit(v) ? 0x8000 : 0;
  v = std::fabs(v);
  if (std::isnan(v))
    return 0x7e00;
  if (v == 0)
    return sign;
  if (v >= 65520.0) // rounds past the largest finite half (65504)
    return uint16_t(sign | 0x7c00);
  int e;
  std::frexp(v, &e); // v = f * 2^e, f in [0.5, 1)
  int exponent = e - 1 + 15;
  if (exponent <= 0) // subnormal: a multiple of 2^-24
    return uint16_t(sign | uint16_t(std::nearbyint(std::ldexp(v, 24))));
  double mant = std::nearbyint((std::ldexp(v, -(e - 1)) - 1.0) * 1024.0);
  if (mant >= 1024) {
    mant = 0;
    ++exponent;
  }
  return uint16_t(sign | (exponent << 10) | int(mant));
}

inline double halfToDouble(uint16_t h) {
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  int exponent = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exponent == 0)
    return sign * std::ldexp(mant, -24);
  if (exponent == 31)
    return mant ? NAN : sign * INFINITY;
  return sign * std::ldexp(1.0 + mant / 1024.0, exponent - 15);
}

/// bfloat16 of `v` (first rounded to float), rounded to nearest even.
inline uint16_t bf16FromDouble(double v) {
  float f = float(v);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint32_t upper = bits >> 16, lower = bits & 0xffff;
  if (lower > 0x8000 || (lower == 0x8000 && (upper & 1)))
    ++upper;
  return uint16_t(upper);
}

inline double bf16ToDouble(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// `v` stored as `t` (integers: two's complement wrap-around).
inline void storeValue(format::DType t, char *p, double v) {
  switch (t) {
  case format::DType::F32: {
    float f = float(v);
    std::memcpy(p, &f, 4);
    return;
  }
  case format::DType::F64:
    std::memcpy(p, &v, 8);
    return;
  case format::DType::F16: {
    uint16_t h = halfFromDouble(v);
    std::memcpy(p, &h, 2);
    return;
  }
  case format::DType::BF16: {
    uint16_t h = bf16FromDouble(v);
    std::memcpy(p, &h, 2);
    return;
  }
  case format::DType::I8:
  case format::DType::I32:
  case format::DType::I64: {
    uint64_t u = uint64_t(int64_t(v));
    std::memcpy(p, &u, format::dtypeSize(t)); // little-endian: low bytes
    return;
  }
  }
}

inline double loadValue(format::DType t, const char *p) {
  switch (t) {
  case format::DType::F32: {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  case format::DType::F64: {
    double d;
    std::memcpy(&d, p, 8);
    return d;
  }
  case format::DType::F16: {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return halfToDouble(h);
  }
  case format::DType::BF16: {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return bf16ToDouble(h);
  }
  case format::DType::I8:
    return double(int8_t(*p));
  case format::DType::I32: {
    int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  case format::DType::I64: {
    int64_t v;
    std::memcpy(&v, p, 8);
    return double(v);
  }
  }
  return 0;
}

inline std::vector<char> encodeValues(format::DType t,
                                      const std::vector<double> &values) {
  size_t size = format::dtypeSize(t);
  std::vector<char> out(values.size() * size);
  for (size_t i = 0; i < values.size(); ++i)
    storeValue(t, out.data() + i * size, values[i]);
  return out;
}

inline std::vector<double> decodeValues(format::DType t,
                                        const std::vector<char> &bytes) {
  size_t size = format::dtypeSize(t);
  std::vector<double> out(bytes.size() / size);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = loadValue(t, bytes.data() + i * size);
  return out;
}

/// `v` wrapped to a `bits`-bit two's complement integer.
inline int64_t wrapTo(int64_t v, int bits) {
  if (bits == 64)
    return v;
  uint64_t mask = (uint64_t(1) << bits) - 1, u = uint64_t(v) & mask;
  return u >> (bits - 1) ? int64_t(u) - int64_t(mask) - 1 : int64_t(u);
}

//===----------------------------------------------------------------------===//
// GEMM reference
//===----------------------------------------------------------------------===//

/// Elements of a batched operand: (batch - 1) * stride + rows * cols.
inline int64_t operandElements(int64_t batch, int64_t stride, int64_t rows,
                               int64_t cols) {
  return (batch - 1) * stride + rows * cols;
}
inline int64_t elementsA(const format::GemmDesc &g) {
  return operandElements(g.batch, g.strideA, g.m, g.k);
}
inline int64_t elementsB(const format::GemmDesc &g) {
  return operandElements(g.batch, g.strideB, g.k, g.n);
}
inline int64_t elementsC(const format::GemmDesc &g) {
  return operandElements(g.batch, g.strideC, g.m, g.n);
}

/// C in double precision (integers: exact, then wrapped like the accumulator
/// and the result type). Elements of C no batch writes stay NaN.
inline std::vector<double> referenceGemm(const format::GemmDesc &g,
                                         const std::vector<double> &a,
                                         const std::vector<double> &b,
                                         const std::vector<double> &bias) {
  std::vector<double> c(size_t(elementsC(g)), NAN);
  bool floating = format::dtypeInfo(g.abType).isFloat;
  for (int64_t bt = 0; bt < g.batch; ++bt)
    for (int64_t i = 0; i < g.m; ++i)
      for (int64_t j = 0; j < g.n; ++j) {
        double acc = 0;
        int64_t iacc = 0;
        for (int64_t p = 0; p < g.k; ++p) {
          // Row-major op(A) is m x k; A itself is k x m when transposed.
          double x = a[bt * g.strideA + (g.transA ? p * g.m + i : i * g.k + p)];
          double y = b[bt * g.strideB + (g.transB ? j * g.k + p : p * g.n + j)];
          acc += x * y;
          iacc += int64_t(x) * int64_t(y);
        }
        double &out = c[bt * g.strideC + i * g.n + j];
        if (!floating) {
          int accBits = 8 * int(format::dtypeSize(g.accumType));
          iacc = wrapTo(iacc, accBits);
          if (!bias.empty())
            iacc += int64_t(bias[j]);
          out = double(wrapTo(iacc, 8 * int(format::dtypeSize(g.cType))));
          continue;
        }
        double x = acc + (bias.empty() ? 0.0 : bias[j]);
        switch (g.epilogue) {
        case format::Epilogue::None:
        case format::Epilogue::Bias:
          break;
        case format::Epilogue::BiasRelu:
          x = x > 0 ? x : 0;
          break;
        case format::Epilogue::BiasGelu:
          x = 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
          break;
        }
        out = x;
      }
  return c;
}

//===----------------------------------------------------------------------===//
// Artifacts
//===----------------------------------------------------------------------===//

inline uint64_t tensorBytes(format::DType t,
                            const std::vector<int64_t> &shape) {
  uint64_t n = format::dtypeSize(t);
  for (int64_t d : shape)
    n *= uint64_t(d);
  return n;
}

/// A CPU artifact with one entry and one program per device (device d runs
/// program d). Each program gets a working arena and, on demand, a
/// persistent one; buffers are packed at 64-byte aligned offsets.
class ArtifactBuilder {
public:
  explicit ArtifactBuilder(uint32_t numDevices = 1,
                           const std::string &entryName = "main") {
    artifact.targets.push_back({format::DeviceKind::Cpu, "x86-64", {}});
    format::EntryDesc e;
    e.name = entryName;
    for (uint32_t d = 0; d < numDevices; ++d) {
      artifact.devices.push_back({format::DeviceKind::Cpu, 0});
      format::ProgramDesc p;
      p.device = d;
      p.streams = {format::StreamKind::Compute};
      e.programs.push_back(p);
      arenaOf.push_back({format::kNone, format::kNone});
    }
    artifact.entries.push_back(std::move(e));
  }

  format::EntryDesc &entry() { return artifact.entries[0]; }
  format::ProgramDesc &program(uint32_t p = 0) { return entry().programs[p]; }

  /// A new buffer of `bytes` (optionally bound to weight `weight`).
  uint32_t buffer(uint64_t bytes, bool persistent = false, uint32_t prog = 0,
                  uint32_t weight = format::kNone) {
    format::ProgramDesc &p = program(prog);
    uint32_t &arena = arenaOf[prog][persistent ? 1 : 0];
    if (arena == format::kNone) {
      arena = uint32_t(p.arenas.size());
      p.arenas.push_back({format::ArenaKind::Device,
                          persistent ? uint32_t(format::kPersistent) : 0u, 0,
                          64});
    }
    format::ArenaDesc &ar = p.arenas[arena];
    uint64_t offset = (ar.size + 63) / 64 * 64;
    ar.size = offset + bytes;
    p.buffers.push_back({arena, offset, bytes, weight});
    return uint32_t(p.buffers.size() - 1);
  }

  /// A tensor `name: dtype[shape]` in a new buffer of its exact size.
  format::TensorDesc tensor(const std::string &name, format::DType dtype,
                            const std::vector<int64_t> &shape, uint32_t &buf,
                            bool persistent = false, uint32_t prog = 0,
                            uint32_t weight = format::kNone) {
    uint64_t bytes = tensorBytes(dtype, shape);
    buf = buffer(bytes ? bytes : 1, persistent, prog, weight);
    format::PlacementDesc pl{prog, buf, std::vector<int64_t>(shape.size(), 0),
                             shape};
    return {name, dtype, shape, {pl}};
  }
  uint32_t input(const std::string &name, format::DType dtype,
                 const std::vector<int64_t> &shape, uint32_t prog = 0) {
    uint32_t buf;
    entry().inputs.push_back(tensor(name, dtype, shape, buf, false, prog));
    return buf;
  }
  uint32_t output(const std::string &name, format::DType dtype,
                  const std::vector<int64_t> &shape, uint32_t prog = 0) {
    uint32_t buf;
    entry().outputs.push_back(tensor(name, dtype, shape, buf, false, prog));
    return buf;
  }
  uint32_t state(const std::string &name, format::DType dtype,
                 const std::vector<int64_t> &shape, uint32_t prog = 0,
                 uint32_t weight = format::kNone) {
    uint32_t buf;
    entry().state.push_back(
        tensor(name, dtype, shape, buf, /*persistent=*/true, prog, weight));
    return buf;
  }

  /// Appends `bytes` to the weights section (64-byte aligned).
  uint32_t weight(const std::string &name, const std::vector<char> &bytes,
                  uint32_t splatBytes = 0) {
    uint64_t offset = (artifact.weightBytes.size() + 63) / 64 * 64;
    artifact.weightBytes.resize(offset + bytes.size());
    std::memcpy(artifact.weightBytes.data() + offset, bytes.data(),
                bytes.size());
    artifact.weights.push_back({name, offset, bytes.size(), splatBytes});
    return uint32_t(artifact.weights.size() - 1);
  }

  format::CommandDesc &command(format::CommandKind kind,
                               std::vector<uint32_t> ins,
                               std::vector<uint32_t> outs, uint32_t stream = 0,
                               uint32_t prog = 0) {
    format::CommandDesc c;
    c.kind = kind;
    c.stream = stream;
    c.label = "test";
    c.ins = std::move(ins);
    c.outs = std::move(outs);
    program(prog).commands.push_back(c);
    return program(prog).commands.back();
  }
  format::CommandDesc &gemm(const format::GemmDesc &g,
                            std::vector<uint32_t> ins, uint32_t out,
                            uint32_t stream = 0, uint32_t prog = 0) {
    format::CommandDesc &c =
        command(format::CommandKind::Gemm, std::move(ins), {out}, stream, prog);
    c.gemm = g;
    return c;
  }
  format::CommandDesc &copy(uint32_t in, uint32_t out, uint32_t stream = 0,
                            uint32_t prog = 0) {
    return command(format::CommandKind::Copy, {in}, {out}, stream, prog);
  }
  format::CommandDesc &event(format::CommandKind kind, uint32_t event,
                             uint32_t stream, uint32_t prog = 0) {
    format::CommandDesc &c = command(kind, {}, {}, stream, prog);
    c.event = event;
    return c;
  }

  /// A collective on program `prog` (device `prog`).
  format::CommandDesc &
  collective(format::CollectiveKind kind, format::DType dtype, uint64_t count,
             uint64_t order, std::vector<uint32_t> group,
             std::vector<uint32_t> ins, std::vector<uint32_t> outs,
             uint32_t prog, format::ReduceKind reduce = format::ReduceKind::Sum,
             uint32_t root = 0) {
    format::CommandDesc &c = command(format::CommandKind::Collective,
                                     std::move(ins), std::move(outs), 0, prog);
    c.collective.kind = kind;
    c.collective.reduce = reduce;
    c.collective.dtype = dtype;
    c.collective.count = count;
    c.collective.order = order;
    c.collective.group = std::move(group);
    c.collective.root = root;
    return c;
  }
  /// A send (of buffer `buf`) or recv (into it) with device `peer`.
  format::CommandDesc &transfer(format::CommandKind kind, format::DType dtype,
                                uint64_t count, uint64_t order, uint32_t peer,
                                uint32_t buf, uint32_t prog) {
    bool send = kind == format::CommandKind::Send;
    format::CommandDesc &c = command(
        kind, send ? std::vector<uint32_t>{buf} : std::vector<uint32_t>{},
        send ? std::vector<uint32_t>{} : std::vector<uint32_t>{buf}, 0, prog);
    c.collective.dtype = dtype;
    c.collective.count = count;
    c.collective.order = order;
    c.collective.peer = peer;
    return c;
  }

  /// One slice of a sharded tensor: program `prog` holds [start, start +
  /// shape).
  struct Shard {
    uint32_t prog;
    std::vector<int64_t> start, shape;
  };
  /// A tensor with one placement (and buffer) per shard; returns the
  /// buffers, one per shard.
  std::vector<uint32_t> sharded(std::vector<format::TensorDesc> &list,
                                const std::string &name, format::DType dtype,
                                const std::vector<int64_t> &shape,
                                const std::vector<Shard> &shards,
                                bool persistent = false) {
    format::TensorDesc t{name, dtype, shape, {}};
    std::vector<uint32_t> bufs;
    for (const Shard &sh : shards) {
      uint64_t bytes = tensorBytes(dtype, sh.shape);
      bufs.push_back(buffer(bytes ? bytes : 1, persistent, sh.prog));
      t.placements.push_back({sh.prog, bufs.back(), sh.start, sh.shape});
    }
    list.push_back(std::move(t));
    return bufs;
  }
  std::vector<uint32_t> shardedInput(const std::string &name,
                                     format::DType dtype,
                                     const std::vector<int64_t> &shape,
                                     const std::vector<Shard> &shards) {
    return sharded(entry().inputs, name, dtype, shape, shards);
  }
  std::vector<uint32_t> shardedOutput(const std::string &name,
                                      format::DType dtype,
                                      const std::vector<int64_t> &shape,
                                      const std::vector<Shard> &shards) {
    return sharded(entry().outputs, name, dtype, shape, shards);
  }
  std::vector<uint32_t> shardedState(const std::string &name,
                                     format::DType dtype,
                                     const std::vector<int64_t> &shape,
                                     const std::vector<Shard> &shards) {
    return sharded(entry().state, name, dtype, shape, shards, true);
  }

  std::vector<char> encode() const { return format::encodeArtifact(artifact); }
  std::unique_ptr<rt::Model> load(rt::Status &status) const {
    std::vector<char> bytes = encode();
    return rt::Model::loadFromMemory(bytes.data(), bytes.size(), status);
  }

  format::ArtifactDesc artifact;

private:
  std::vector<std::array<uint32_t, 2>> arenaOf; ///< per program: work, kept
};

/// A file whose only section is `meta` (with correct checksums), as the
/// fuzzer wraps its inputs.
inline std::vector<char> wrapAsMeta(const std::vector<char> &meta) {
  format::Header h;
  std::memcpy(h.magic, format::kMagic, sizeof(format::kMagic));
  h.version = format::kVersion;
  h.numSections = 1;
  format::SectionEntry e{uint32_t(format::SectionKind::Meta), 0,
                         sizeof(h) + sizeof(e), meta.size(),
                         format::fnv1a(meta.data(), meta.size())};
  h.fileSize = sizeof(h) + sizeof(e) + meta.size();
  h.tableChecksum = format::fnv1a(&e, sizeof(e));
  std::vector<char> out(h.fileSize);
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), &e, sizeof(e));
  if (!meta.empty())
    std::memcpy(out.data() + sizeof(h) + sizeof(e), meta.data(), meta.size());
  return out;
}

/// The section table of an encoded artifact.
inline std::vector<format::SectionEntry>
sectionTable(const std::vector<char> &file) {
  format::Header h;
  std::memcpy(&h, file.data(), sizeof(h));
  std::vector<format::SectionEntry> table(h.numSections);
  std::memcpy(table.data(), file.data() + sizeof(h),
              h.numSections * sizeof(format::SectionEntry));
  return table;
}

/// Replaces the section table of `file` and fixes the table checksum.
inline void writeSectionTable(std::vector<char> &file,
                              const std::vector<format::SectionEntry> &table) {
  format::Header h;
  std::memcpy(&h, file.data(), sizeof(h));
  std::memcpy(file.data() + sizeof(h), table.data(),
              table.size() * sizeof(format::SectionEntry));
  h.tableChecksum =
      format::fnv1a(table.data(), table.size() * sizeof(format::SectionEntry));
  std::memcpy(file.data(), &h, sizeof(h));
}

} // namespace weft::test

#endif // WEFT_RUNTIME_TEST_TESTARTIFACT_H
