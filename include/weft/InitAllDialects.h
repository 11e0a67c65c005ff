//===- InitAllDialects.h - every dialect a weft tool loads ------*- C++ -*-===//
//
// The single registration point used by weft-opt, weftc and the Python
// module: our dialects plus the upstream ones the pipeline lowers through.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_INITALLDIALECTS_H
#define WEFT_INITALLDIALECTS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "weft/Dialect/Dist/IR/DistDialect.h"
#include "weft/Dialect/Plan/IR/PlanDialect.h"
#include "weft/Dialect/Weft/IR/WeftDialect.h"

namespace weft {

/// Adds the weft dialects and the upstream dialects weft lowers through.
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::weft::WeftDialect, mlir::dist::DistDialect,
                  mlir::plan::PlanDialect>();
  registry.insert<
      mlir::arith::ArithDialect, mlir::bufferization::BufferizationDialect,
      mlir::func::FuncDialect, mlir::gpu::GPUDialect, mlir::LLVM::LLVMDialect,
      mlir::NVVM::NVVMDialect, mlir::linalg::LinalgDialect,
      mlir::math::MathDialect, mlir::memref::MemRefDialect,
      mlir::quant::QuantDialect, mlir::scf::SCFDialect,
      mlir::tensor::TensorDialect, mlir::vector::VectorDialect>();
}

} // namespace weft

#endif // WEFT_INITALLDIALECTS_H
