//===- OffsetPlanner.cpp - static buffer placement ------------------------===//
#include "weft/Analysis/OffsetPlanner.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>

using namespace weft;

namespace {
int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

bool overlapInTime(const BufferRequest &a, const BufferRequest &b) {
  return std::max(a.first, b.first) <= std::min(a.last, b.last);
}

/// Best-fit placement in the given visiting order.
std::vector<int64_t> place(const std::vector<BufferRequest> &reqs,
                           const std::vector<size_t> &order, int64_t align,
                           int64_t &arena) {
  std::vector<int64_t> offsets(reqs.size(), -1);
  std::vector<size_t> placed;
  arena = 0;
  for (size_t i : order) {
    int64_t size = alignUp(reqs[i].size, align);
    // Occupied intervals of buffers live at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j : placed)
      if (overlapInTime(reqs[i], reqs[j]))
        busy.push_back({offsets[j], offsets[j] + alignUp(reqs[j].size, align)});
    std::sort(busy.begin(), busy.end());
    int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
    for (auto [lo, hi] : busy) {
      if (lo - cursor >= size && lo - cursor < bestGap) {
        best = cursor;
        bestGap = lo - cursor;
      }
      cursor = std::max(cursor, hi);
    }
    if (best < 0)
      best = cursor; // first free byte after everything live now
    offsets[i] = best;
    arena = std::max(arena, best + size);
    placed.push_back(i);
  }
  return offsets;
}
/// Sweep over time with a best-fit free list: a buffer takes the smallest
/// free block that holds it when its range starts (or grows the arena) and
/// gives it back, coalesced with its free neighbours, after its last step.
/// O(n log n): every allocation and release is a few ordered-map updates.
std::vector<int64_t> sweep(const std::vector<BufferRequest> &reqs,
                           int64_t align, int64_t &arena) {
  std::vector<int64_t> offsets(reqs.size(), -1);
  std::vector<size_t> byStart(reqs.size()), byEnd(reqs.size());
  std::iota(byStart.begin(), byStart.end(), 0);
  std::iota(byEnd.begin(), byEnd.end(), 0);
  std::stable_sort(byStart.begin(), byStart.end(), [&](size_t a, size_t b) {
    return reqs[a].first != reqs[b].first ? reqs[a].first < reqs[b].first
                                          : reqs[a].size > reqs[b].size;
  });
  std::stable_sort(byEnd.begin(), byEnd.end(), [&](size_t a, size_t b) {
    return reqs[a].last < reqs[b].last;
  });
  std::map<int64_t, int64_t> freeByOffset;           // offset -> size
  std::multimap<int64_t, int64_t> freeBySize;        // size -> offset
  auto eraseFree = [&](std::map<int64_t, int64_t>::iterator it) {
    auto range = freeBySize.equal_range(it->second);
    for (auto f = range.first; f != range.second; ++f)
      if (f->second == it->first) {
        freeBySize.erase(f);
        break;
      }
    return freeByOffset.erase(it);
  };
  auto addFree = [&](int64_t off, int64_t size) {
    auto next = freeByOffset.lower_bound(off);
    if (next != freeByOffset.end() && next->first == off + size) {
      size += next->second;
      next = eraseFree(next);
    }
    if (next != freeByOffset.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == off) {
        off = prev->first;
        size += prev->second;
        eraseFree(prev);
      }
    }
    freeByOffset[off] = size;
    freeBySize.emplace(size, off);
  };
  arena = 0;
  size_t e = 0;
  for (size_t i : byStart) {
    // Release everything whose last step is before this start.
    for (; e < byEnd.size() && reqs[byEnd[e]].last < reqs[i].first; ++e)
      if (offsets[byEnd[e]] >= 0)
        addFree(offsets[byEnd[e]], alignUp(reqs[byEnd[e]].size, align));
    int64_t size = alignUp(reqs[i].size, align);
    auto fit = freeBySize.lower_bound(size);
    if (fit != freeBySize.end()) {
      int64_t off = fit->second, have = fit->first;
      eraseFree(freeByOffset.find(off));
      if (have > size)
        addFree(off + size, have - size);
      offsets[i] = off;
      continue;
    }
    // Grow the arena; a free block at its end is used first.
    int64_t off = arena;
    if (!freeByOffset.empty()) {
      auto last = std::prev(freeByOffset.end());
      if (last->first + last->second == arena) {
        off = last->first;
        eraseFree(last);
      }
    }
    offsets[i] = off;
    arena = off + size;
  }
  return offsets;
}

int64_t sweepArena(const std::vector<BufferRequest> &reqs, int64_t align,
                   OffsetPlan &plan) {
  int64_t arena;
  plan.offsets = sweep(reqs, align, arena);
  plan.strategy = "sweep";
  return arena;
}

/// Above this many buffers only the O(n log n) sweep runs; below it, the
/// quadratic best-fit orders compete with it for the smallest arena.
constexpr size_t kQuadraticLimit = 2048;

} // namespace

OffsetPlan weft::planOffsets(const std::vector<BufferRequest> &reqs,
                             int64_t alignment) {
  OffsetPlan plan;
  // Lower bound: the most bytes live at any one step.
  std::map<int64_t, int64_t> delta;
  for (const BufferRequest &r : reqs) {
    delta[r.first] += alignUp(r.size, alignment);
    delta[r.last + 1] -= alignUp(r.size, alignment);
  }
  int64_t live = 0;
  for (auto [step, d] : delta) {
    live += d;
    plan.lowerBound = std::max(plan.lowerBound, live);
  }

  using Less = std::function<bool(size_t, size_t)>;
  auto dur = [&](size_t i) { return reqs[i].last - reqs[i].first; };
  const std::pair<const char *, Less> orders[] = {
      {"size-desc",
       [&](size_t a, size_t b) {
         return reqs[a].size != reqs[b].size ? reqs[a].size > reqs[b].size
                                             : reqs[a].first < reqs[b].first;
       }},
      {"start-asc",
       [&](size_t a, size_t b) {
         return reqs[a].first != reqs[b].first ? reqs[a].first < reqs[b].first
                                               : reqs[a].size > reqs[b].size;
       }},
      {"duration-desc",
       [&](size_t a, size_t b) {
         return dur(a) != dur(b) ? dur(a) > dur(b)
                                 : reqs[a].size > reqs[b].size;
       }},
      {"area-desc",
       [&](size_t a, size_t b) {
         return reqs[a].size * (dur(a) + 1) > reqs[b].size * (dur(b) + 1);
       }},
  };
  plan.arenaSize = sweepArena(reqs, alignment, plan);
  if (reqs.size() > kQuadraticLimit)
    return plan;
  for (const auto &[name, less] : orders) {
    std::vector<size_t> order(reqs.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), less);
    int64_t arena;
    std::vector<int64_t> offsets = place(reqs, order, alignment, arena);
    if (plan.arenaSize < 0 || arena < plan.arenaSize) {
      plan.arenaSize = arena;
      plan.offsets = std::move(offsets);
      plan.strategy = name;
    }
  }
  return plan;
}
