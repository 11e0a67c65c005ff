//===- FuzzArtifact.cpp - libFuzzer target for the artifact loader --------===//
//
// Feeds arbitrary bytes to the artifact decoder and validator and to the
// .npy parser: they must answer with a Status, never crash, read out of
// bounds or allocate without bound (built with ASan and UBSan). Random bytes
// rarely pass the checksums, so each input is also wrapped as the meta
// section of a well-formed file (correct checksums): that fuzzes the v2
// meta layout and every validation rule behind it.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Npy.h"
#include "weft/runtime/Runtime.h"

#include <vector>

using namespace weft;

namespace {
std::vector<char> wrapAsMeta(const char *data, size_t size) {
  format::Header h;
  std::memcpy(h.magic, format::kMagic, sizeof(format::kMagic));
  h.version = format::kVersion;
  h.numSections = 1;
  format::SectionEntry e{uint32_t(format::SectionKind::Meta), 0,
                         sizeof(h) + sizeof(e), size,
                         format::fnv1a(data, size)};
  h.fileSize = sizeof(h) + sizeof(e) + size;
  h.tableChecksum = format::fnv1a(&e, sizeof(e));
  std::vector<char> out(h.fileSize);
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), &e, sizeof(e));
  if (size)
    std::memcpy(out.data() + sizeof(h) + sizeof(e), data, size);
  return out;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *bytes = reinterpret_cast<const char *>(data);
  format::ArtifactDesc desc;
  (void)rt::parseArtifact(bytes, size, desc);
  std::vector<char> wrapped = wrapAsMeta(bytes, size);
  (void)rt::parseArtifact(wrapped.data(), wrapped.size(), desc);
  rt::NpyArray arr;
  (void)rt::parseNpy(bytes, size, arr);
  return 0;
}
