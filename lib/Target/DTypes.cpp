//===- DTypes.cpp - artifact dtypes <-> MLIR element types ----------------===//
#include "weft/Target/DTypes.h"

using namespace mlir;

Type weft::elementTypeOf(format::DType dtype, MLIRContext *ctx) {
  switch (dtype) {
  case format::DType::F32:
    return Float32Type::get(ctx);
  case format::DType::F16:
    return Float16Type::get(ctx);
  case format::DType::BF16:
    return BFloat16Type::get(ctx);
  case format::DType::I8:
    return IntegerType::get(ctx, 8);
  case format::DType::I32:
    return IntegerType::get(ctx, 32);
  case format::DType::I64:
    return IntegerType::get(ctx, 64);
  case format::DType::F64:
    return Float64Type::get(ctx);
  }
  return {};
}

std::optional<weft::format::DType> weft::dtypeOf(Type type) {
  for (const format::DTypeInfo &d : format::kDTypes)
    if (elementTypeOf(d.dtype, type.getContext()) == type)
      return d.dtype;
  return std::nullopt;
}
