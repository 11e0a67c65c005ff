//===- CPUBackend.h - kernels as a native shared object ---------*- C++ -*-===//
#ifndef WEFT_TARGET_CPU_CPUBACKEND_H
#define WEFT_TARGET_CPU_CPUBACKEND_H

#include "weft/Target/Backend.h"

#include <memory>
#include <string>

namespace weft {

/// Creates the CPU backend for LLVM CPU `cpu`: "native" (this machine), a
/// portable level ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4") or a
/// CPU name ("skylake-avx512"). An unknown name is an error message, never
/// an LLVM fatal error.
llvm::Expected<std::unique_ptr<Backend>> createCPUBackend(llvm::StringRef cpu);

} // namespace weft

#endif // WEFT_TARGET_CPU_CPUBACKEND_H
