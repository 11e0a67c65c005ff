//===- ThreadPoolTest.cpp - the CPU device's thread pool ------------------===//
//
// weft::rt::cpu::ThreadPool::run(n, body, context) must call body over
// [0, n) in at most size() contiguous, balanced chunks, each index exactly
// once, and return only when every chunk is done; a run() on a pool another
// thread is inside runs the whole range inline on its caller. Every
// expectation here is computed from n and the pool size, never from an
// earlier run.
//
//===----------------------------------------------------------------------===//
#include "../src/cpu/ThreadPool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

using weft::rt::cpu::ThreadPool;

namespace {

/// Counts how often each index of [0, n) is visited.
struct Visits {
  explicit Visits(uint64_t n) : count(new std::atomic<uint32_t>[n]), n(n) {
    for (uint64_t i = 0; i < n; ++i)
      count[i].store(0, std::memory_order_relaxed);
  }
  static void body(void *self, uint64_t b, uint64_t e) {
    auto *v = static_cast<Visits *>(self);
    // A chunk outside [0, n) is a failure of its own, not a crash.
    if (b > e || e > v->n) {
      v->outOfRange.store(true);
      return;
    }
    for (uint64_t i = b; i < e; ++i)
      v->count[i].fetch_add(1, std::memory_order_relaxed);
  }
  /// The first index not visited exactly once, or n.
  uint64_t firstWrong() const {
    for (uint64_t i = 0; i < n; ++i)
      if (count[i].load(std::memory_order_relaxed) != 1)
        return i;
    return n;
  }
  void reset() {
    for (uint64_t i = 0; i < n; ++i)
      count[i].store(0, std::memory_order_relaxed);
  }
  std::unique_ptr<std::atomic<uint32_t>[]> count;
  uint64_t n;
  std::atomic<bool> outOfRange{false};
};

/// Records the chunks body() was called with.
struct Chunks {
  static void body(void *self, uint64_t b, uint64_t e) {
    auto *c = static_cast<Chunks *>(self);
    std::lock_guard<std::mutex> lock(c->mutex);
    c->ranges.emplace_back(b, e);
    c->threads.push_back(std::this_thread::get_id());
  }
  std::mutex mutex;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::vector<std::thread::id> threads;
};

/// Runs `fn` on its own thread; fails (and aborts, so a hang never stalls
/// the suite) when it has not returned after `seconds`.
template <typename F> void withDeadline(const char *what, int seconds, F fn) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::thread t([&] {
    fn();
    std::lock_guard<std::mutex> lock(m);
    done = true;
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(m);
  if (!cv.wait_for(lock, std::chrono::seconds(seconds), [&] { return done; })) {
    fprintf(stderr, "ThreadPoolTest: %s did not finish in %d s\n", what,
            seconds);
    std::abort();
  }
  lock.unlock();
  t.join();
}

const uint64_t kSizes[] = {0, 1, 2, 3, 7, 1000, uint64_t(1) << 20};
/// Sizes leaving a remainder of 2 or more over 3 or 8 chunks (so an uneven
/// split shows).
const uint64_t kUnevenSizes[] = {5, 13, 1003, (uint64_t(1) << 20) + 5};
const unsigned kThreads[] = {1, 2, 3, 8};

TEST(ThreadPool, Size) {
  for (unsigned t : kThreads) {
    ThreadPool pool(t);
    EXPECT_EQ(pool.size(), t);
  }
  // 0 threads still means the caller.
  ThreadPool none(0);
  EXPECT_EQ(none.size(), 1u);
}

TEST(ThreadPool, EveryIndexExactlyOnce) {
  for (unsigned t : kThreads) {
    ThreadPool pool(t);
    for (uint64_t n : kSizes) {
      Visits v(n);
      pool.run(n, &Visits::body, &v);
      EXPECT_FALSE(v.outOfRange.load()) << "threads " << t << ", n " << n;
      EXPECT_EQ(v.firstWrong(), n) << "threads " << t << ", n " << n;
    }
  }
}

TEST(ThreadPool, ChunksContiguousAndBalanced) {
  for (unsigned t : kThreads) {
    ThreadPool pool(t);
    std::vector<uint64_t> sizes(std::begin(kSizes), std::end(kSizes));
    sizes.insert(sizes.end(), std::begin(kUnevenSizes), std::end(kUnevenSizes));
    for (uint64_t n : sizes) {
      Chunks c;
      pool.run(n, &Chunks::body, &c);
      std::vector<std::pair<uint64_t, uint64_t>> r = c.ranges;
      std::sort(r.begin(), r.end());
      SCOPED_TRACE(testing::Message() << "threads " << t << ", n " << n);
      if (n == 0) {
        EXPECT_TRUE(r.empty());
        continue;
      }
      // One non-empty chunk per thread while there are enough indices.
      ASSERT_EQ(r.size(), std::min<uint64_t>(n, t));
      uint64_t at = 0, smallest = UINT64_MAX, largest = 0;
      for (auto [b, e] : r) {
        EXPECT_EQ(b, at) << "chunks are not contiguous";
        EXPECT_LT(b, e) << "empty chunk";
        smallest = std::min(smallest, e - b);
        largest = std::max(largest, e - b);
        at = e;
      }
      EXPECT_EQ(at, n);
      EXPECT_LE(largest - smallest, 1u) << "unbalanced chunks";
      // The caller takes the first chunk.
      for (size_t i = 0; i < c.ranges.size(); ++i)
        if (c.ranges[i].first == 0) {
          EXPECT_EQ(c.threads[i], std::this_thread::get_id());
        }
    }
  }
}

/// A run() from inside a body finds the pool busy: it runs the whole range
/// in one call on its own thread (deterministic, unlike a race between
/// callers).
struct Nested {
  ThreadPool *pool;
  uint64_t inner;
  std::mutex mutex;
  std::vector<bool> ok; // per outer chunk: inner ran inline, whole
  static void body(void *self, uint64_t b, uint64_t e) {
    auto *s = static_cast<Nested *>(self);
    for (uint64_t i = b; i < e; ++i) {
      Chunks c;
      s->pool->run(s->inner, &Chunks::body, &c);
      bool whole = c.ranges.size() == 1 && c.ranges[0].first == 0 &&
                   c.ranges[0].second == s->inner &&
                   c.threads[0] == std::this_thread::get_id();
      std::lock_guard<std::mutex> lock(s->mutex);
      s->ok.push_back(whole);
    }
  }
};

TEST(ThreadPool, BusyCallerRunsInline) {
  ThreadPool pool(4);
  Nested s{&pool, 1000, {}, {}};
  withDeadline("a nested run", 30, [&] { pool.run(8, &Nested::body, &s); });
  ASSERT_EQ(s.ok.size(), 8u);
  for (bool whole : s.ok)
    EXPECT_TRUE(whole);
}

TEST(ThreadPool, ConcurrentRunsFromFourThreads) {
  for (unsigned t : {2u, 3u, 8u}) {
    ThreadPool pool(t);
    std::atomic<int> failures{0};
    withDeadline("concurrent runs", 120, [&] {
      std::vector<std::thread> callers;
      for (int c = 0; c < 4; ++c)
        callers.emplace_back([&, c] {
          for (int round = 0; round < 300; ++round) {
            uint64_t n = uint64_t(1 + (round * 37 + c * 101) % 5000);
            Visits v(n);
            pool.run(n, &Visits::body, &v);
            if (v.outOfRange.load() || v.firstWrong() != n)
              failures.fetch_add(1);
          }
        });
      for (std::thread &th : callers)
        th.join();
    });
    EXPECT_EQ(failures.load(), 0) << "threads " << t;
  }
}

TEST(ThreadPool, DestructionWhileIdle) {
  for (unsigned t : kThreads) {
    // Never used.
    withDeadline("destroying an unused pool", 30, [&] { ThreadPool pool(t); });
    // Used, then idle long enough for the workers to go to sleep.
    withDeadline("destroying a sleeping pool", 30, [&] {
      ThreadPool pool(t);
      Visits v(1000);
      pool.run(1000, &Visits::body, &v);
      EXPECT_EQ(v.firstWrong(), 1000u);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    });
    // Destroyed right after a run, while the workers still spin.
    withDeadline("destroying a spinning pool", 30, [&] {
      ThreadPool pool(t);
      Visits v(1000);
      pool.run(1000, &Visits::body, &v);
      EXPECT_EQ(v.firstWrong(), 1000u);
    });
  }
}

/// Threads for the long loops below: as many as the machine has CPUs (2 to
/// 8). With more threads than CPUs a run waits for workers the scheduler has
/// not run yet (milliseconds per run), so the oversubscribed pool gets
/// fewer runs.
unsigned fitThreads() {
  unsigned hw = std::thread::hardware_concurrency();
  return std::max(2u, std::min(8u, hw));
}

/// `runs` back-to-back runs over n = sizeOf(i); counts the runs that missed
/// or repeated an index.
template <typename SizeOf>
int backToBack(ThreadPool &pool, int runs, uint64_t most, SizeOf sizeOf) {
  Visits v(most);
  int wrong = 0;
  for (int i = 0; i < runs; ++i) {
    v.reset();
    uint64_t n = sizeOf(i);
    pool.run(n, &Visits::body, &v);
    if (v.outOfRange.exchange(false)) {
      ++wrong;
      continue;
    }
    for (uint64_t k = 0; k < n; ++k)
      if (v.count[k].load(std::memory_order_relaxed) != 1) {
        ++wrong;
        break;
      }
  }
  return wrong;
}

TEST(ThreadPool, ManyBackToBackRuns) {
  auto size = [](int i) { return uint64_t(1 + (i * 7919) % 4096); };
  for (auto [threads, runs] : {std::pair<unsigned, int>{fitThreads(), 10000},
                               std::pair<unsigned, int>{8, 300}}) {
    ThreadPool pool(threads);
    int wrong = 0;
    withDeadline("back-to-back runs", 120,
                 [&] { wrong = backToBack(pool, runs, 4096, size); });
    EXPECT_EQ(wrong, 0) << "threads " << threads << ", runs " << runs;
  }
}

/// Runs with fewer indices than threads between runs with many: a worker
/// left without a chunk in one run must not take a chunk of the next one
/// before that run is published, nor twice.
TEST(ThreadPool, AlternatingSmallAndLargeRuns) {
  auto size = [](int i) { return i % 2 ? uint64_t(64) : uint64_t(2 + i % 3); };
  for (auto [threads, runs] : {std::pair<unsigned, int>{fitThreads(), 4000},
                               std::pair<unsigned, int>{8, 300}}) {
    ThreadPool pool(threads);
    int wrong = 0;
    withDeadline("alternating runs", 120,
                 [&] { wrong = backToBack(pool, runs, 64, size); });
    EXPECT_EQ(wrong, 0) << "threads " << threads << ", runs " << runs;
  }
}

TEST(ThreadPool, DefaultThreads) {
  EXPECT_GE(weft::rt::cpu::defaultThreads(1), 1u);
  EXPECT_GE(weft::rt::cpu::defaultThreads(1000000), 1u);
  EXPECT_LE(weft::rt::cpu::defaultThreads(2), weft::rt::cpu::defaultThreads(1));
}

} // namespace
