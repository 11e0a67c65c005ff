//===- OffsetPlanner.h - static buffer placement ----------------*- C++ -*-===//
//
// Places buffers with known sizes and live ranges (inclusive command steps)
// at fixed offsets in one arena so that no two buffers that are live at the
// same step overlap. An O(n log n) sweep (best fit from a free list, in
// order of time) always runs; for up to a few thousand buffers best fit over
// several global visiting orders competes with it, and the smallest arena
// wins. Plain C++: no IR, unit-testable.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_ANALYSIS_OFFSETPLANNER_H
#define WEFT_ANALYSIS_OFFSETPLANNER_H

#include <cstdint>
#include <string>
#include <vector>

namespace weft {

struct BufferRequest {
  int64_t size;  ///< bytes, > 0
  int64_t first; ///< first live step
  int64_t last;  ///< last live step (inclusive)
};

struct OffsetPlan {
  std::vector<int64_t> offsets; ///< one per request, aligned
  int64_t arenaSize = 0;
  /// max over steps of the (aligned) bytes live at that step: no placement
  /// can use a smaller arena.
  int64_t lowerBound = 0;
  std::string strategy; ///< the visiting order that won
};

OffsetPlan planOffsets(const std::vector<BufferRequest> &requests,
                       int64_t alignment);

} // namespace weft

#endif // WEFT_ANALYSIS_OFFSETPLANNER_H
