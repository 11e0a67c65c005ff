//===- Gemm.cpp - GEMM on the CPU: CBLAS or portable loops ----------------===//
#include "Gemm.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace weft;
using namespace weft::format;

// The f16 / bf16 conversions (declared in Gemm.h).
float rt::cpu::halfToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f,
           man = h & 0x3ff, bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else { // subnormal: normalize
      exp = 127 - 15 + 1;
      while (!(man & 0x400)) {
        man <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((man & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000 | (man << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t rt::cpu::floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t man = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) // inf / nan
    return uint16_t(sign | 0x7c00 | (man ? 0x200 : 0));
  if (exp >= 31)
    return uint16_t(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10)
      return uint16_t(sign);
    man |= 0x800000;
    uint32_t shift = uint32_t(14 - exp);
    uint32_t half = man >> shift, rest = man & ((1u << shift) - 1),
             mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1)))
      ++half;
    return uint16_t(sign | half);
  }
  uint32_t half = sign | (uint32_t(exp) << 10) | (man >> 13);
  uint32_t rest = man & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1)))
    ++half; // may carry into the exponent: still correct rounding
  return uint16_t(half);
}

float rt::cpu::bf16ToFloat(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t rt::cpu::floatToBf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) // nan stays nan
    return uint16_t((x >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((x >> 16) & 1);
  return uint16_t((x + rounding) >> 16);
}

namespace {
using rt::cpu::bf16ToFloat;
using rt::cpu::floatToBf16;
using rt::cpu::floatToHalf;
using rt::cpu::halfToFloat;

/// A CBLAS found at run time (OpenBLAS by default; WEFT_BLAS_LIBRARY names
/// another library, or disables BLAS when set to the empty string). Loading
/// it lazily keeps the runtime free of link-time dependencies.
class Blas {
public:
  using SgemmFn = void (*)(int, int, int, int, int, int, float, const float *,
                           int, const float *, int, float, float *, int);
  static Blas &get() {
    static Blas blas;
    return blas;
  }
  SgemmFn sgemm = nullptr;

private:
  Blas() {
    const char *lib = std::getenv("WEFT_BLAS_LIBRARY");
    if (lib && !*lib)
      return;
    // OpenBLAS releases that do not recognize a CPU model (common on
    // virtual machines) fall back to SSE3 kernels. Unless the user chose,
    // name the best kernel family the CPU's features allow.
    if (!std::getenv("OPENBLAS_CORETYPE")) {
      __builtin_cpu_init();
      if (__builtin_cpu_supports("avx512f") &&
          __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512vl"))
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
      else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        setenv("OPENBLAS_CORETYPE", "Haswell", 0);
    }
    for (const char *name : {lib, "libopenblas.so.0", "libopenblas.so"}) {
      if (!name)
        continue;
      if (void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
        sgemm = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
        if (sgemm)
          return;
        dlclose(h);
      }
    }
  }
};

/// Element `i` of a typed buffer, widened to the accumulator.
double load(DType t, const void *p, int64_t i) {
  switch (t) {
  case DType::F32:
    return static_cast<const float *>(p)[i];
  case DType::F16:
    return halfToFloat(static_cast<const uint16_t *>(p)[i]);
  case DType::BF16:
    return bf16ToFloat(static_cast<const uint16_t *>(p)[i]);
  case DType::I8:
    return static_cast<const int8_t *>(p)[i];
  case DType::I32:
    return static_cast<const int32_t *>(p)[i];
  case DType::I64:
    return double(static_cast<const int64_t *>(p)[i]);
  case DType::F64: // refused by validation (no f64 library GEMM)
    return static_cast<const double *>(p)[i];
  }
  return 0;
}

int64_t loadInt(DType t, const void *p, int64_t i) {
  switch (t) {
  case DType::I8:
    return static_cast<const int8_t *>(p)[i];
  case DType::I32:
    return static_cast<const int32_t *>(p)[i];
  case DType::I64:
    return static_cast<const int64_t *>(p)[i];
  default:
    return int64_t(load(t, p, i));
  }
}

void storeFloat(DType t, void *p, int64_t i, float v) {
  switch (t) {
  case DType::F32:
    static_cast<float *>(p)[i] = v;
    return;
  case DType::F16:
    static_cast<uint16_t *>(p)[i] = floatToHalf(v);
    return;
  case DType::BF16:
    static_cast<uint16_t *>(p)[i] = floatToBf16(v);
    return;
  default:
    return;
  }
}

/// Integers wrap to the result type, as the generated kernels do.
void storeInt(DType t, void *p, int64_t i, int64_t v) {
  switch (t) {
  case DType::I8:
    static_cast<int8_t *>(p)[i] = int8_t(uint8_t(uint64_t(v)));
    return;
  case DType::I32:
    static_cast<int32_t *>(p)[i] = int32_t(uint32_t(uint64_t(v)));
    return;
  case DType::I64:
    static_cast<int64_t *>(p)[i] = v;
    return;
  default:
    return;
  }
}

float epilogue(Epilogue e, float v, float bias) {
  switch (e) {
  case Epilogue::None:
    return v;
  case Epilogue::Bias:
    return v + bias;
  case Epilogue::BiasRelu:
    return std::max(v + bias, 0.0f);
  case Epilogue::BiasGelu: {
    float x = v + bias;
    return 0.5f * x * (1.0f + std::erf(x * 0.70710678f));
  }
  }
  return v;
}

} // namespace

bool rt::cpu::haveBlas() { return Blas::get().sgemm != nullptr; }

void rt::cpu::gemm(const GemmDesc &g, const void *a, const void *b,
                   const void *bias, void *c) {
  const int64_t m = g.m, n = g.n, k = g.k;
  auto aAt = [&](int64_t i, int64_t p) {
    return g.transA ? p * m + i : i * k + p;
  };
  auto bAt = [&](int64_t p, int64_t j) {
    return g.transB ? j * k + p : p * n + j;
  };
  size_t ab = dtypeSize(g.abType), cb = dtypeSize(g.cType);
  for (int64_t bt = 0; bt < g.batch; ++bt) {
    const char *A = static_cast<const char *>(a) + bt * g.strideA * ab;
    const char *B = static_cast<const char *>(b) + bt * g.strideB * ab;
    char *C = static_cast<char *>(c) + bt * g.strideC * cb;
    bool f32 = g.abType == DType::F32 && g.cType == DType::F32;
    if (f32 && k > 0 && m > 0 && n > 0) {
      if (Blas::SgemmFn fn = Blas::get().sgemm) {
        enum { RowMajor = 101, NoTrans = 111, Trans = 112 }; // CBLAS values
        fn(RowMajor, g.transA ? Trans : NoTrans, g.transB ? Trans : NoTrans,
           int(m), int(n), int(k), 1.0f, reinterpret_cast<const float *>(A),
           int(g.transA ? m : k), reinterpret_cast<const float *>(B),
           int(g.transB ? k : n), 0.0f, reinterpret_cast<float *>(C), int(n));
        if (g.epilogue != Epilogue::None)
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
              float &v = reinterpret_cast<float *>(C)[i * n + j];
              v = epilogue(g.epilogue, v, static_cast<const float *>(bias)[j]);
            }
        continue;
      }
    }
    if (g.accumType == DType::F32) {
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float acc = 0.0f; // f32 accumulation for f32, f16 and bf16
          for (int64_t p = 0; p < k; ++p)
            acc += float(load(g.abType, A, aAt(i, p))) *
                   float(load(g.abType, B, bAt(p, j)));
          float bv = bias ? float(load(g.cType, bias, j)) : 0.0f;
          storeFloat(g.cType, C, i * n + j, epilogue(g.epilogue, acc, bv));
        }
      continue;
    }
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        // i32 accumulation for i8 / i32 (wrapping), i64 for i64.
        int64_t acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc = int64_t(uint64_t(acc) +
                        uint64_t(loadInt(g.abType, A, aAt(i, p))) *
                            uint64_t(loadInt(g.abType, B, bAt(p, j))));
        if (g.accumType == DType::I32)
          acc = int32_t(uint32_t(uint64_t(acc)));
        if (bias)
          acc = int64_t(uint64_t(acc) + uint64_t(loadInt(g.cType, bias, j)));
        storeInt(g.cType, C, i * n + j, acc);
      }
  }
}
