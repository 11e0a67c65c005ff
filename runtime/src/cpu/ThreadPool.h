//===- ThreadPool.h - the CPU device's worker threads -----------*- C++ -*-===//
//
// Threads created once, when a model is loaded; a launch hands the range
// [0, extent) of its kernel's parallel loop out in one contiguous chunk per
// thread, the calling thread taking the first. Nothing is created or
// allocated per launch. Idle workers spin briefly (launches come back to
// back within a step), then sleep.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_CPU_THREADPOOL_H
#define WEFT_RUNTIME_CPU_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace weft::rt::cpu {

class ThreadPool {
public:
  using Body = void (*)(void *context, uint64_t begin, uint64_t end);

  /// A pool of `threads` threads in all: the caller of run() and
  /// `threads - 1` workers (none for 1).
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return unsigned(workers.size()) + 1; }

  /// Runs body(context, b, e) over [0, n) in at most size() contiguous
  /// chunks and returns when all are done. While another thread is inside
  /// run() on this pool, the caller runs the whole range itself.
  void run(uint64_t n, Body body, void *context);

private:
  void work(unsigned index);
  static void chunk(Body body, void *context, uint64_t n, unsigned chunks,
                    unsigned i);

  std::vector<std::thread> workers;
  std::mutex busy; ///< one run() at a time uses the workers
  // The current job: written before `job` is bumped, read by the workers
  // with a chunk after they see it (acquire); it stays put until they are
  // done. `job` holds the generation (high 32 bits) and the number of
  // chunks (low 32 bits) in one word, so a worker never pairs one run's
  // generation with another run's chunk count.
  std::atomic<Body> body{nullptr};
  std::atomic<void *> context{nullptr};
  std::atomic<uint64_t> n{0};
  std::atomic<uint64_t> job{0};
  std::atomic<unsigned> remaining{0}; ///< worker chunks not yet done
  std::atomic<bool> stopping{false};
  std::atomic<unsigned> sleepers{0};
  std::mutex sleep;
  std::condition_variable wake;
};

/// Threads a CPU device gets by default: the CPUs this process may run on
/// (its affinity mask), shared by `devicesOnMachine` devices, at least 1.
unsigned defaultThreads(unsigned devicesOnMachine);

} // namespace weft::rt::cpu

#endif // WEFT_RUNTIME_CPU_THREADPOOL_H
