//===- Gemm.h - GEMM on the CPU ---------------------------------*- C++ -*-===//
#ifndef WEFT_RUNTIME_CPU_GEMM_H
#define WEFT_RUNTIME_CPU_GEMM_H

#include "weft/runtime/Format.h"

#include <cstdint>

namespace weft::rt::cpu {

/// C[b] = op(A[b]) op(B[b]) (+ epilogue) for a validated GemmDesc: f32
/// through a CBLAS found at run time when there is one, every type through
/// portable loops otherwise (f16/bf16 accumulate in f32, i8 in i32). k == 0
/// gives zeros (plus the bias).
void gemm(const format::GemmDesc &g, const void *a, const void *b,
          const void *bias, void *c);

/// IEEE binary16 and bfloat16 to and from f32, rounding to nearest even
/// (NaN stays NaN).
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);
float bf16ToFloat(uint16_t h);
uint16_t floatToBf16(float f);

/// Whether a vendor CBLAS was found (loaded on first use).
bool haveBlas();

} // namespace weft::rt::cpu

#endif // WEFT_RUNTIME_CPU_GEMM_H
