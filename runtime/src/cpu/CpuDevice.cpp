//===- CpuDevice.cpp - the CPU backend of the device layer ----------------===//
//
// Memory: arenas from aligned_alloc. Code: the artifact's kernel shared
// object, loaded from memory (memfd_create + dlopen). Streams run their
// commands at once on the calling thread, in order; so one stream's order
// is program order and events are satisfied when waited on. A launch with
// a parallel extent above 1 is split over the device's thread pool
// (created with the device).
//
//===----------------------------------------------------------------------===//
#include "Gemm.h"
#include "ThreadPool.h"
#include "weft/runtime/Device.h"

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <iterator>
#include <optional>
#include <sys/mman.h>
#include <unistd.h>

using namespace weft;
using namespace weft::rt;

namespace {

class CpuEvent : public Event {};

/// A kernel's entry point: its buffers, and the range of iterations of its
/// parallel loop to run.
using KernelFn = void (*)(void **args, int64_t begin, int64_t end);

class CpuStream : public Stream {
public:
  explicit CpuStream(cpu::ThreadPool &pool) : pool(pool) {}

  Status launch(KernelHandle kernel, void **args,
                const format::CommandDesc &command) override {
    auto fn = reinterpret_cast<KernelFn>(kernel);
    if (command.extent <= 1) {
      fn(args, 0, 1);
      return {};
    }
    struct Call {
      KernelFn fn;
      void **args;
    } call{fn, args};
    pool.run(
        command.extent,
        [](void *c, uint64_t b, uint64_t e) {
          auto *call = static_cast<Call *>(c);
          call->fn(call->args, int64_t(b), int64_t(e));
        },
        &call);
    return {};
  }
  Status gemm(const format::GemmDesc &g, const void *a, const void *b,
              const void *bias, void *c) override {
    cpu::gemm(g, a, b, bias, c);
    return {};
  }
  Status copy(const void *source, void *target, size_t bytes) override {
    std::memmove(target, source, bytes);
    return {};
  }
  // Commands complete before the next is issued: an event is reached as
  // soon as it is recorded.
  Status record(Event &) override { return {}; }
  Status wait(Event &) override { return {}; }

private:
  cpu::ThreadPool &pool;
};

class CpuDevice : public Device {
public:
  explicit CpuDevice(unsigned threads) : pool(threads) {}
  ~CpuDevice() override {
    for (void *p : arenas)
      std::free(p);
    if (library)
      dlclose(library);
    if (libraryFd >= 0)
      close(libraryFd);
  }

  format::DeviceKind kind() const override { return format::DeviceKind::Cpu; }

  Status allocate(uint64_t bytes, uint64_t alignment, void **out) override {
    uint64_t align = std::max<uint64_t>(alignment, 64);
    // More than the machine has can only fail later, and worse (the
    // zero-fill would meet the OOM killer): refuse it now.
    uint64_t physical =
        uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGE_SIZE));
    if (bytes > physical || allocated > physical - bytes)
      return Status::error("cannot allocate an arena of " +
                           std::to_string(bytes) + " bytes: this machine has " +
                           std::to_string(physical) + " bytes of memory (" +
                           std::to_string(allocated) +
                           " already in arenas of this model)");
    uint64_t size = (std::max<uint64_t>(bytes, 1) + align - 1) / align * align;
    void *p = std::aligned_alloc(align, size);
    if (!p)
      return Status::error("cannot allocate an arena of " +
                           std::to_string(bytes) + " bytes");
    std::memset(p, 0, size);
    arenas.push_back(p);
    allocated += size;
    *out = p;
    return {};
  }

  Status loadKernels(const std::vector<char> &object,
                     const std::vector<std::string> &symbols,
                     std::vector<KernelHandle> &out) override {
    out.clear();
    if (symbols.empty())
      return {};
    if (object.empty())
      return Status::error("kernels are named but no kernel code is present");
    libraryFd = memfd_create("weft-kernels", MFD_CLOEXEC);
    if (libraryFd < 0)
      return Status::error("memfd_create failed");
    size_t done = 0;
    while (done < object.size()) {
      ssize_t w = write(libraryFd, object.data() + done, object.size() - done);
      if (w <= 0)
        return Status::error("cannot stage the kernel library");
      done += static_cast<size_t>(w);
    }
    std::string path = "/proc/self/fd/" + std::to_string(libraryFd);
    library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library)
      return Status::error(std::string("cannot load the kernel library: ") +
                           dlerror());
    for (const std::string &sym : symbols) {
      void *fn = dlsym(library, sym.c_str());
      if (!fn)
        return Status::error("kernel '" + sym +
                             "' is missing from the kernel library");
      out.push_back(fn);
    }
    return {};
  }

  std::unique_ptr<Stream> createStream(format::StreamKind) override {
    return std::make_unique<CpuStream>(pool);
  }
  std::unique_ptr<Event> createEvent() override {
    return std::make_unique<CpuEvent>();
  }
  Status upload(void *target, const void *source, size_t bytes) override {
    if (bytes)
      std::memcpy(target, source, bytes);
    return {};
  }
  Status download(void *target, const void *source, size_t bytes) override {
    if (bytes)
      std::memcpy(target, source, bytes);
    return {};
  }
  Status synchronize() override { return {}; }

private:
  cpu::ThreadPool pool;
  std::vector<void *> arenas;
  uint64_t allocated = 0; ///< bytes in `arenas`
  void *library = nullptr;
  int libraryFd = -1;
};

/// Whether the running CPU has ISA feature `name` (LLVM's spelling);
/// nullopt for a name this runtime cannot check. Covers every name of
/// format::kCpuFeatures (a unit test holds it to that).
std::optional<bool> cpuHas(const std::string &name) {
  __builtin_cpu_init();
#define WEFT_FEATURE(spelling)                                                 \
  if (name == spelling)                                                        \
    return __builtin_cpu_supports(spelling) != 0;
  WEFT_FEATURE("sse4.2")
  WEFT_FEATURE("avx")
  WEFT_FEATURE("avx2")
  WEFT_FEATURE("fma")
  WEFT_FEATURE("f16c")
  WEFT_FEATURE("bmi")
  WEFT_FEATURE("bmi2")
  WEFT_FEATURE("avx512f")
  WEFT_FEATURE("avx512bw")
  WEFT_FEATURE("avx512vl")
  WEFT_FEATURE("avx512dq")
  WEFT_FEATURE("avx512cd")
  WEFT_FEATURE("avx512vnni")
  WEFT_FEATURE("avx512bf16")
  WEFT_FEATURE("avx512fp16")
#undef WEFT_FEATURE
  return std::nullopt;
}

} // namespace

std::optional<bool> rt::cpuHasFeature(const std::string &name) {
  return cpuHas(name);
}

bool rt::hasVendorBlas() { return cpu::haveBlas(); }

std::unique_ptr<Device> rt::createCpuDevice(const format::TargetDesc &target,
                                            unsigned threads, Status &status) {
  if (target.kind != format::DeviceKind::Cpu) {
    status = Status::error("not a CPU target");
    return nullptr;
  }
#if !defined(__x86_64__)
  status = Status::error("this runtime runs CPU kernels on x86-64 only");
  return nullptr;
#endif
  std::string missing, unknown;
  for (const std::string &f : target.features) {
    std::optional<bool> has = cpuHas(f);
    if (!has)
      unknown += (unknown.empty() ? "" : ", ") + f;
    else if (!*has)
      missing += (missing.empty() ? "" : ", ") + f;
  }
  if (!unknown.empty()) {
    status = Status::error("the artifact's kernels need CPU features this "
                           "runtime cannot check: " +
                           unknown);
    return nullptr;
  }
  if (!missing.empty()) {
    status = Status::error(
        "the artifact's kernels were built for CPU '" + target.arch +
        "' and need features this CPU lacks: " + missing +
        " (recompile with weftc --cpu=native, or a portable level such as "
        "--cpu=x86-64-v2)");
    return nullptr;
  }
  status = {};
  return std::make_unique<CpuDevice>(std::max(threads, 1u));
}
