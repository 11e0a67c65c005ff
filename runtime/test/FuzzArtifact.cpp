//===- FuzzArtifact.cpp - libFuzzer target for the artifact loader --------===//
//
// Feeds arbitrary bytes to the artifact parser and the .npy parser: they
// must answer with a Status, never crash, read out of bounds or allocate
// without bound (built with ASan and UBSan).
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Npy.h"
#include "weft/runtime/Runtime.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  weft::rt::ArtifactInfo info;
  (void)weft::rt::parseArtifact(reinterpret_cast<const char *>(data), size,
                                info);
  weft::rt::NpyArray arr;
  (void)weft::rt::parseNpy(reinterpret_cast<const char *>(data), size, arr);
  return 0;
}
