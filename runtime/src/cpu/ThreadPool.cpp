//===- ThreadPool.cpp - the CPU device's worker threads -------------------===//
#include "ThreadPool.h"

#include <sched.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define WEFT_PAUSE() _mm_pause()
#else
#define WEFT_PAUSE() std::this_thread::yield()
#endif

using namespace weft::rt::cpu;

namespace {
/// Spins before an idle worker sleeps (about 50 µs).
constexpr int kSpins = 20000;
} // namespace

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(sleep);
    stopping.store(true);
  }
  wake.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::chunk(Body body, void *context, uint64_t n, unsigned chunks,
                       unsigned i) {
  // Balanced split: chunk i is [i*n/chunks, (i+1)*n/chunks), in 128 bits.
  auto at = [&](unsigned k) {
    return uint64_t((unsigned __int128)n * k / chunks);
  };
  uint64_t b = at(i), e = at(i + 1);
  if (b < e)
    body(context, b, e);
}

void ThreadPool::run(uint64_t count, Body fn, void *ctx) {
  unsigned parts = unsigned(std::min<uint64_t>(count, size()));
  std::unique_lock<std::mutex> lock(busy, std::try_to_lock);
  if (parts <= 1 || !lock.owns_lock()) {
    if (count)
      fn(ctx, 0, count);
    return;
  }
  body.store(fn, std::memory_order_relaxed);
  context.store(ctx, std::memory_order_relaxed);
  n.store(count, std::memory_order_relaxed);
  remaining.store(parts - 1, std::memory_order_relaxed);
  // Sequentially consistent with the sleeper's count-then-check: either
  // it sees the new job or this sees it counted.
  uint64_t generation = (job.load() >> 32) + 1;
  job.store(generation << 32 | parts);
  if (sleepers.load()) {
    std::lock_guard<std::mutex> l(sleep);
    wake.notify_all();
  }
  chunk(fn, ctx, count, parts, 0);
  for (int spins = 0; remaining.load(std::memory_order_acquire); ++spins)
    if (spins < kSpins)
      WEFT_PAUSE();
    else
      std::this_thread::yield();
}

void ThreadPool::work(unsigned index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t j = job.load(std::memory_order_acquire);
    for (int spins = 0; j == seen && spins < kSpins; ++spins) {
      WEFT_PAUSE();
      j = job.load(std::memory_order_acquire);
    }
    if (j == seen) {
      std::unique_lock<std::mutex> l(sleep);
      sleepers.fetch_add(1);
      wake.wait(l, [&] { return stopping.load() || job.load() != seen; });
      sleepers.fetch_sub(1);
      if (stopping.load())
        return;
      continue;
    }
    seen = j;
    // A worker with a chunk of this job holds it in place until it is
    // done (run() waits for it); one without a chunk reads nothing more.
    unsigned parts = unsigned(j & 0xffffffffu);
    if (index >= parts)
      continue;
    chunk(body.load(std::memory_order_relaxed),
          context.load(std::memory_order_relaxed),
          n.load(std::memory_order_relaxed), parts, index);
    remaining.fetch_sub(1, std::memory_order_acq_rel);
  }
}

unsigned weft::rt::cpu::defaultThreads(unsigned devicesOnMachine) {
  unsigned cpus = std::thread::hardware_concurrency();
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    cpus = unsigned(CPU_COUNT(&set));
  if (devicesOnMachine > 1)
    cpus /= devicesOnMachine;
  return cpus ? cpus : 1;
}
