//===- HappensBefore.cpp - vector clocks over plan commands ---------------===//
#include "weft/Dialect/Plan/IR/HappensBefore.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::plan;

unsigned HappensBefore::add(StringAttr stream, StringAttr recorded,
                            StringAttr waited) {
  auto [it, inserted] = streamIndex.try_emplace(stream, streamIndex.size());
  unsigned s = it->second;
  if (inserted) { // one more component everywhere
    unsigned n = streamIndex.size();
    streamClocks.resize(n);
    for (auto &c : streamClocks)
      c.resize(n, 0);
    for (auto &c : clocks)
      c.resize(n, 0);
    for (auto &[event, c] : eventClocks)
      c.resize(n, 0);
  }
  llvm::SmallVector<int64_t> &clock = streamClocks[s];
  if (waited) {
    auto ev = eventClocks.find(waited);
    if (ev != eventClocks.end())
      for (auto [mine, theirs] : llvm::zip(clock, ev->second))
        mine = std::max(mine, theirs);
  }
  clock[s] += 1;
  if (recorded)
    eventClocks[recorded] = clock;
  streams.push_back(s);
  clocks.push_back(clock);
  return streams.size() - 1;
}

bool HappensBefore::allBefore(llvm::ArrayRef<unsigned> as,
                              llvm::ArrayRef<unsigned> bs) const {
  // Per stream, the latest command of `as` on it must be covered by the
  // clock of every command of `bs`.
  llvm::SmallVector<int64_t> latest(numStreams(), 0);
  for (unsigned a : as) {
    if (llvm::is_contained(bs, a))
      return false;
    latest[streams[a]] = std::max(latest[streams[a]], clocks[a][streams[a]]);
  }
  for (unsigned b : bs)
    for (unsigned s = 0; s < numStreams(); ++s)
      if (clocks[b][s] < latest[s])
        return false;
  return true;
}
