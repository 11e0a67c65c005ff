//===- Format.h - the weft artifact format ----------------------*- C++ -*-===//
//
// Shared by the compiler (writer) and the runtime (reader); plain C++17 with
// no dependency. docs/ArtifactFormat.md describes the layout in prose.
//
// File = Header, SectionEntry[numSections], section bytes. Every section
// carries an FNV-1a 64 checksum; the header carries one over the section
// table. All integers are little-endian.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_FORMAT_H
#define WEFT_RUNTIME_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace weft::format {

inline constexpr char kMagic[8] = {'W', 'E', 'F', 'T', 'A', 'R', 'T', '\0'};
inline constexpr uint32_t kVersion = 1;

enum class SectionKind : uint32_t { Meta = 1, CpuKernels = 2 };

enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  BF16 = 2,
  I8 = 3,
  I32 = 4,
  I64 = 5
};
inline constexpr uint32_t kNumDTypes = 6;

inline size_t dtypeSize(DType t) {
  switch (t) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I8:
    return 1;
  case DType::I64:
    return 8;
  }
  return 0;
}

inline const char *dtypeName(DType t) {
  static const char *names[] = {"f32", "f16", "bf16", "i8", "i32", "i64"};
  return static_cast<uint32_t>(t) < kNumDTypes ? names[static_cast<uint32_t>(t)]
                                               : "?";
}

/// What a plan command does. Launch runs generated kernel `kernel` with the
/// buffer arguments in order; Sgemm computes C = op(A) x op(B) on f32
/// row-major buffers, `batch` times over consecutive matrices (params: M, N,
/// K, transA, transB, batch; args: A, B, C).
enum class CommandKind : uint32_t { Launch = 0, Sgemm = 1 };

#pragma pack(push, 1)
struct Header {
  char magic[8];
  uint32_t version;
  uint32_t numSections;
  uint64_t fileSize;
  uint64_t tableChecksum; ///< FNV-1a over the section table.
};
struct SectionEntry {
  uint32_t kind;
  uint32_t reserved;
  uint64_t offset;
  uint64_t size;
  uint64_t checksum; ///< FNV-1a over the section bytes.
};
#pragma pack(pop)

inline uint64_t fnv1a(const void *data, size_t size) {
  const auto *p = static_cast<const unsigned char *>(data);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

/// Appends little-endian fields (the writer side of the Meta section).
class ByteWriter {
public:
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void str(const std::string &s) {
    u32(static_cast<uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  void raw(const void *p, size_t n) {
    const auto *c = static_cast<const char *>(p);
    bytes.insert(bytes.end(), c, c + n);
  }
  std::vector<char> bytes;
};

/// Reads fields with bounds checks; after any failure `ok()` is false and
/// every later read returns zero.
class ByteReader {
public:
  ByteReader(const char *data, size_t size) : data(data), size(size) {}
  bool ok() const { return good; }
  size_t remaining() const { return size - pos; }
  uint32_t u32() { return read<uint32_t>(); }
  uint64_t u64() { return read<uint64_t>(); }
  int64_t i64() { return read<int64_t>(); }
  std::string str(size_t maxLen = 1 << 20) {
    uint32_t n = u32();
    if (!good || n > maxLen || n > remaining()) {
      good = false;
      return {};
    }
    std::string s(data + pos, n);
    pos += n;
    return s;
  }

private:
  template <typename T> T read() {
    T v{};
    if (!good || remaining() < sizeof(T)) {
      good = false;
      return v;
    }
    std::memcpy(&v, data + pos, sizeof(T));
    pos += sizeof(T);
    return v;
  }
  const char *data;
  size_t size;
  size_t pos = 0;
  bool good = true;
};

} // namespace weft::format

#endif // WEFT_RUNTIME_FORMAT_H
