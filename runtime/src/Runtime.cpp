//===- Runtime.cpp - loading and replaying a static plan (CPU) ------------===//
#include "weft/runtime/Runtime.h"

#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sys/mman.h>
#include <unistd.h>

using namespace weft;
using namespace weft::rt;
using namespace weft::format;

size_t TensorInfo::bytes() const {
  size_t n = dtypeSize(dtype);
  for (int64_t d : shape)
    n *= static_cast<size_t>(d);
  return n;
}

std::string TensorInfo::typeString() const {
  std::string s = std::string(dtypeName(dtype)) + "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

namespace {
/// A CBLAS found at run time (OpenBLAS by default; WEFT_BLAS_LIBRARY names
/// another library, or disables BLAS when set to the empty string). Loading
/// it lazily keeps the runtime free of link-time dependencies.
class Blas {
public:
  using SgemmFn = void (*)(int, int, int, int, int, int, float, const float *,
                           int, const float *, int, float, float *, int);
  static Blas &get() {
    static Blas blas;
    return blas;
  }
  SgemmFn sgemm = nullptr;

private:
  Blas() {
    const char *lib = std::getenv("WEFT_BLAS_LIBRARY");
    if (lib && !*lib)
      return;
    // OpenBLAS releases that do not recognize a CPU model (common on
    // virtual machines) fall back to SSE3 kernels. Unless the user chose,
    // name the best kernel family the CPU's features allow.
    if (!std::getenv("OPENBLAS_CORETYPE")) {
      __builtin_cpu_init();
      if (__builtin_cpu_supports("avx512f") &&
          __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512vl"))
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
      else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        setenv("OPENBLAS_CORETYPE", "Haswell", 0);
    }
    for (const char *name : {lib, "libopenblas.so.0", "libopenblas.so"}) {
      if (!name)
        continue;
      if (void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) {
        sgemm = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
        if (sgemm)
          return;
        dlclose(h);
      }
    }
  }
};

/// C = op(A) op(B) for row-major f32 matrices.
void sgemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a,
           const float *b, float *c) {
  if (Blas::SgemmFn fn = Blas::get().sgemm) {
    enum { RowMajor = 101, NoTrans = 111, Trans = 112 }; // CBLAS values
    fn(RowMajor, ta ? Trans : NoTrans, tb ? Trans : NoTrans, int(m), int(n),
       int(k), 1.0f, a, int(ta ? m : k), b, int(tb ? k : n), 0.0f, c, int(n));
    return;
  }
  // Portable fallback: i-k-j order keeps the inner loop contiguous.
  for (int64_t i = 0; i < m * n; ++i)
    c[i] = 0.0f;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) {
      float av = ta ? a[p * m + i] : a[i * k + p];
      float *crow = c + i * n;
      for (int64_t j = 0; j < n; ++j)
        crow[j] += av * (tb ? b[j * k + p] : b[p * n + j]);
    }
}

} // namespace

bool rt::hasVendorBlas() { return Blas::get().sgemm != nullptr; }

namespace {
double nowUs() {
  using namespace std::chrono;
  return duration<double, std::micro>(steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

Model::~Model() {
  executables.clear();
  if (library)
    dlclose(library);
  if (libraryFd >= 0)
    close(libraryFd);
}

std::unique_ptr<Model> Model::load(const std::string &path, Status &status) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    status = Status::error("cannot open '" + path + "'");
    return nullptr;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  if (in.bad()) {
    status = Status::error("cannot read '" + path + "'");
    return nullptr;
  }
  return loadFromMemory(bytes.data(), bytes.size(), status);
}

std::unique_ptr<Model> Model::loadFromMemory(const char *data, size_t size,
                                             Status &status) {
  std::unique_ptr<Model> m(new Model());
  m->bytes.assign(data, data + size);
  status = m->init();
  if (!status)
    return nullptr;
  return m;
}

Status Model::init() {
  if (Status s = parseArtifact(bytes.data(), bytes.size(), artifact); !s)
    return s;

  // The kernels: an in-memory file handed to the dynamic loader.
  std::vector<Executable::KernelFn> fns;
  if (!artifact.kernelSymbols.empty()) {
    libraryFd = memfd_create("weft-kernels", MFD_CLOEXEC);
    if (libraryFd < 0)
      return Status::error("memfd_create failed");
    size_t done = 0;
    while (done < artifact.kernelSize) {
      ssize_t w = write(libraryFd, artifact.kernelBytes + done,
                        artifact.kernelSize - done);
      if (w <= 0)
        return Status::error("cannot stage the kernel library");
      done += static_cast<size_t>(w);
    }
    std::string path = "/proc/self/fd/" + std::to_string(libraryFd);
    library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library)
      return Status::error(std::string("cannot load the kernel library: ") +
                           dlerror());
    for (const std::string &sym : artifact.kernelSymbols) {
      void *fn = dlsym(library, sym.c_str());
      if (!fn)
        return Status::error("kernel '" + sym +
                             "' is missing from the kernel library");
      fns.push_back(reinterpret_cast<Executable::KernelFn>(fn));
    }
  }

  for (const EntryInfo &e : artifact.entries)
    for (const CommandInfo &c : e.commands)
      if (c.kind == CommandKind::Sgemm)
        (void)hasVendorBlas(); // load the BLAS now, not inside a run

  for (const EntryInfo &e : artifact.entries) {
    auto exe = std::make_unique<Executable>();
    exe->entry = &e;
    size_t size = (std::max<uint64_t>(e.arenaSize, 64) + 63) / 64 * 64;
    char *mem = static_cast<char *>(std::aligned_alloc(64, size));
    if (!mem)
      return Status::error("cannot allocate an arena of " +
                           std::to_string(size) + " bytes");
    exe->arena = std::unique_ptr<char, void (*)(void *)>(mem, std::free);
    for (const CommandInfo &c : e.commands) {
      Executable::Step step;
      step.kind = c.kind;
      for (uint32_t a : c.args)
        step.args.push_back(mem + e.buffers[a].first);
      if (c.kind == CommandKind::Launch) {
        step.fn = fns[c.kernel];
      } else {
        step.m = c.params[0];
        step.n = c.params[1];
        step.k = c.params[2];
        step.transA = c.params[3] != 0;
        step.transB = c.params[4] != 0;
        step.batch = c.params[5];
      }
      exe->steps.push_back(std::move(step));
    }
    exe->events.reserve(e.commands.size());
    executables.push_back(std::move(exe));
  }
  return {};
}

Executable *Model::executable(const std::string &name) {
  for (auto &exe : executables)
    if (name.empty() || exe->entry->name == name)
      return exe.get();
  return nullptr;
}

Status Executable::setInput(size_t index, const void *data, size_t bytes) {
  if (index >= entry->inputs.size())
    return Status::error("no input #" + std::to_string(index));
  const TensorInfo &t = entry->inputs[index];
  if (bytes != t.bytes())
    return Status::error("input '" + t.name + "' (" + t.typeString() +
                         ") takes " + std::to_string(t.bytes()) +
                         " bytes, got " + std::to_string(bytes));
  std::memcpy(arena.get() + entry->buffers[t.buffer].first, data, bytes);
  return {};
}

const void *Executable::output(size_t index) const {
  if (index >= entry->outputs.size())
    return nullptr;
  return arena.get() + entry->buffers[entry->outputs[index].buffer].first;
}

void Executable::enableTrace(bool on) { tracing = on; }

Status Executable::run() {
  events.clear(); // capacity reserved at load: no allocation
  for (size_t i = 0; i < steps.size(); ++i) {
    Step &s = steps[i];
    double t0 = tracing ? nowUs() : 0;
    if (s.kind == CommandKind::Launch)
      s.fn(s.args.data());
    else
      for (int64_t b = 0; b < s.batch; ++b)
        sgemm(s.transA, s.transB, s.m, s.n, s.k,
              static_cast<const float *>(s.args[0]) + b * s.m * s.k,
              static_cast<const float *>(s.args[1]) + b * s.k * s.n,
              static_cast<float *>(s.args[2]) + b * s.m * s.n);
    if (tracing)
      events.push_back({entry->commands[i].label.c_str(), t0, nowUs() - t0});
  }
  return {};
}
