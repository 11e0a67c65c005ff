//===- Reduce.cpp - elementwise reductions for collectives ----------------===//
//
// Every communicator reduces with these loops (or checks against them), so
// a reduction gives the same bits on every backend: inputs combined in rank
// order, f32 / f64 in their own type, f16 / bf16 in f32 rounded once,
// integers in unsigned arithmetic (two's complement wrap-around), max / min
// comparing signed values.
//
//===----------------------------------------------------------------------===//
#include "../cpu/Gemm.h"
#include "Comm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

using namespace weft;
using namespace weft::format;
using namespace weft::rt;

namespace {

template <typename A> A combine(ReduceKind op, A x, A y) {
  switch (op) {
  case ReduceKind::Sum:
    return A(x + y);
  case ReduceKind::Prod:
    return A(x * y);
  case ReduceKind::Max:
    return x < y ? y : x;
  case ReduceKind::Min:
    return y < x ? y : x;
  }
  return x;
}

/// Integers: sum and prod in the unsigned type (wraps), max / min signed.
template <typename T>
void reduceInts(ReduceKind op, const void *const *in, size_t n, uint64_t offset,
                void *out, uint64_t count) {
  using U = std::make_unsigned_t<T>;
  T *o = static_cast<T *>(out);
  for (uint64_t i = 0; i < count; ++i) {
    T acc = static_cast<const T *>(in[0])[offset + i];
    for (size_t r = 1; r < n; ++r) {
      T y = static_cast<const T *>(in[r])[offset + i];
      if (op == ReduceKind::Sum)
        acc = T(U(acc) + U(y));
      else if (op == ReduceKind::Prod)
        acc = T(U(acc) * U(y));
      else
        acc = combine(op, acc, y);
    }
    o[i] = acc;
  }
}

/// f32 and f64: in the element type itself.
template <typename T>
void reduceFloats(ReduceKind op, const void *const *in, size_t n,
                  uint64_t offset, void *out, uint64_t count) {
  T *o = static_cast<T *>(out);
  for (uint64_t i = 0; i < count; ++i) {
    T acc = static_cast<const T *>(in[0])[offset + i];
    for (size_t r = 1; r < n; ++r)
      acc = combine(op, acc, static_cast<const T *>(in[r])[offset + i]);
    o[i] = acc;
  }
}

template <float (*Load)(uint16_t), uint16_t (*Store)(float)>
void reduceHalf(ReduceKind op, const void *const *in, size_t n, uint64_t offset,
                void *out, uint64_t count) {
  uint16_t *o = static_cast<uint16_t *>(out);
  for (uint64_t i = 0; i < count; ++i) {
    float acc = Load(static_cast<const uint16_t *>(in[0])[offset + i]);
    for (size_t r = 1; r < n; ++r)
      acc = combine(op, acc,
                    Load(static_cast<const uint16_t *>(in[r])[offset + i]));
    o[i] = Store(acc);
  }
}

} // namespace

void rt::comm::reduce(DType dtype, ReduceKind op, const void *const *inputs,
                      size_t numInputs, uint64_t offset, void *out,
                      uint64_t count) {
  switch (dtype) {
  case DType::F32:
    return reduceFloats<float>(op, inputs, numInputs, offset, out, count);
  case DType::F64:
    return reduceFloats<double>(op, inputs, numInputs, offset, out, count);
  case DType::F16:
    return reduceHalf<cpu::halfToFloat, cpu::floatToHalf>(op, inputs, numInputs,
                                                          offset, out, count);
  case DType::BF16:
    return reduceHalf<cpu::bf16ToFloat, cpu::floatToBf16>(op, inputs, numInputs,
                                                          offset, out, count);
  case DType::I8:
    return reduceInts<int8_t>(op, inputs, numInputs, offset, out, count);
  case DType::I32:
    return reduceInts<int32_t>(op, inputs, numInputs, offset, out, count);
  case DType::I64:
    return reduceInts<int64_t>(op, inputs, numInputs, offset, out, count);
  }
}

std::chrono::milliseconds rt::comm::collectiveTimeout() {
  double seconds = 60;
  if (const char *v = std::getenv("WEFT_COLLECTIVE_TIMEOUT_S")) {
    char *end = nullptr;
    double s = std::strtod(v, &end);
    if (end && end != v && !*end && s > 0 && s < 1e7)
      seconds = s;
  }
  return std::chrono::milliseconds(int64_t(seconds * 1000));
}

std::string rt::comm::describe(CommandKind command, const CollectiveDesc &c) {
  return std::string(transferName(command, c.kind)) + " order " +
         std::to_string(c.order);
}
