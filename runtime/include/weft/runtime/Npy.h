//===- Npy.h - numpy .npy files ---------------------------------*- C++ -*-===//
#ifndef WEFT_RUNTIME_NPY_H
#define WEFT_RUNTIME_NPY_H

#include "weft/runtime/Runtime.h"

namespace weft::rt {

struct NpyArray {
  format::DType dtype;
  std::vector<int64_t> shape;
  std::vector<char> data; ///< C order, little-endian
};

/// Reads a .npy file (format 1.0-3.0, C order, little-endian, the dtypes
/// of format::kDTypes; bfloat16 in the ml_dtypes convention: descr '<V2',
/// two bytes per element). Bad files give a Status naming the problem.
Status readNpy(const std::string &path, NpyArray &out);
/// Parses .npy bytes (for tests and fuzzing).
Status parseNpy(const char *data, size_t size, NpyArray &out);
/// Writes a .npy file (bfloat16 with descr '<V2', which
/// `np.load(f).view(ml_dtypes.bfloat16)` reads); every write is checked.
Status writeNpy(const std::string &path, format::DType dtype,
                const std::vector<int64_t> &shape, const void *data);

} // namespace weft::rt

#endif // WEFT_RUNTIME_NPY_H
