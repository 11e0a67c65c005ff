//===- weft-run.cpp - run a weft artifact ---------------------------------===//
//
//   weft-run model.weft --input NAME=x.npy ... [--output-dir DIR]
//            [--entry NAME] [--repeat N] [--trace t.json] [--list]
//   mpirun -np N weft-run model.weft ...      (one rank per device)
//
// An artifact with several devices runs them all in this process (one
// thread per device), or, under mpirun (detected from the environment, or
// --mpi), one device per rank: every rank reads the inputs and scatters
// its slices, rank 0 gathers and writes the outputs (--per-rank: every
// rank writes DIR/rank<R>/NAME.npy). A rank count other than the
// artifact's device count is an error on every rank.
//
// Inputs and outputs are .npy files (bfloat16 in the ml_dtypes convention:
// descr '<V2'); every mismatch (missing or unknown input, wrong dtype or
// shape, corrupt artifact, unwritable output) is an error message and exit
// code 1, never a crash.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Npy.h"
#include "weft/runtime/Runtime.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <sys/stat.h>

using namespace weft;
using namespace weft::rt;

namespace {
const char *kUsage =
    "usage: weft-run MODEL.weft [options]\n"
    "  --input NAME=FILE.npy   bind an input (repeat for each input; bf16 as\n"
    "                          ml_dtypes writes it, descr '<V2')\n"
    "  --state NAME=FILE.npy   replace a parameter (persistent state) before\n"
    "                          running; by default the artifact's own values\n"
    "  --output-dir DIR        write each output as DIR/NAME.npy\n"
    "  --entry NAME            entry function to run (default: the first)\n"
    "  --repeat N              run N times; print the median time per run\n"
    "  --steps N               training: run N steps (state persists), print\n"
    "                          the one-element outputs (the loss) after each\n"
    "  --state-dir DIR         after the runs, write each state tensor\n"
    "                          (trained parameters) as DIR/NAME.npy\n"
    "  --threads N             threads per CPU device for parallel kernels\n"
    "                          (default: this process's CPUs shared by the\n"
    "                          devices on this machine)\n"
    "  --trace FILE.json       Chrome/Perfetto trace of the last run\n"
    "  --list                  print target, devices, entries, programs,\n"
    "                          inputs, outputs and state, then exit\n"
    "  --mpi                   one device per MPI rank (the default under\n"
    "                          mpirun); --local: every device in this "
    "process\n"
    "  --per-rank              MPI: every rank writes its copy of the "
    "outputs\n"
    "                          to DIR/rank<R>/ (default: rank 0 writes DIR/)\n"
    "  -h, --help              this text\n";

/// How much of each device's communication ran while its compute stream
/// was busy, from a trace (event record/wait markers left out).
void printOverlap(const Model &m, const std::string &entry,
                  const std::vector<TraceEvent> &ev) {
  std::map<std::pair<uint32_t, uint32_t>, format::StreamKind> kind;
  for (const format::EntryDesc &e : m.info().entries)
    if (e.name == entry)
      for (const format::ProgramDesc &p : e.programs)
        for (size_t s = 0; s < p.streams.size(); ++s)
          kind[{p.device, uint32_t(s)}] = p.streams[s];
  std::map<uint32_t, std::vector<std::pair<double, double>>> comm, compute;
  for (const TraceEvent &t : ev) {
    if (std::strncmp(t.label, "plan.event", 10) == 0)
      continue;
    auto k = kind.find({t.device, t.stream});
    if (k == kind.end())
      continue;
    auto &list = k->second == format::StreamKind::Comm ? comm[t.device]
                                                       : compute[t.device];
    list.push_back({t.startUs, t.startUs + t.durUs});
  }
  for (auto &[device, intervals] : comm) {
    // The union of the compute intervals, then its overlap with each
    // communication interval.
    std::vector<std::pair<double, double>> busy = compute[device], merged;
    std::sort(busy.begin(), busy.end());
    for (const auto &b : busy)
      if (!merged.empty() && b.first <= merged.back().second)
        merged.back().second = std::max(merged.back().second, b.second);
      else
        merged.push_back(b);
    double total = 0, overlapped = 0;
    for (const auto &c : intervals) {
      total += c.second - c.first;
      for (const auto &b : merged)
        overlapped += std::max(0.0, std::min(c.second, b.second) -
                                        std::max(c.first, b.first));
    }
    std::printf("device %u: communication %.4f ms, %.4f ms of it while "
                "compute ran (%.0f%%)\n",
                device, total / 1e3, overlapped / 1e3,
                total > 0 ? 100 * overlapped / total : 0.0);
  }
}

/// "rank 1: " under MPI, so every rank's message says whose it is.
std::string rankPrefix;

int error(const std::string &msg) {
  std::fprintf(stderr, "weft-run: error: %s%s\n", rankPrefix.c_str(),
               msg.c_str());
  return 1;
}

void list(const format::ArtifactDesc &a) {
  for (const format::TargetDesc &t : a.targets) {
    std::string features;
    for (const std::string &f : t.features)
      features += (features.empty() ? "" : ",") + f;
    std::printf("target %s %s%s%s\n",
                t.kind == format::DeviceKind::Cpu ? "cpu" : "cuda",
                t.arch.c_str(), features.empty() ? "" : " +", features.c_str());
  }
  std::printf("devices: %zu, kernels: %zu, weights: %zu (%zu bytes)\n",
              a.devices.size(), a.kernels.size(), a.weights.size(),
              a.weightBytes.size());
  auto type = [](const format::TensorDesc &t) {
    return TensorInfo{t.name, t.dtype, t.shape}.typeString();
  };
  for (const format::EntryDesc &e : a.entries) {
    size_t commands = 0;
    uint64_t bytes = 0;
    for (const format::ProgramDesc &p : e.programs) {
      commands += p.commands.size();
      for (const format::ArenaDesc &ar : p.arenas)
        bytes += ar.size;
    }
    std::printf("entry %s: %zu program%s, %zu commands, arenas %llu bytes\n",
                e.name.c_str(), e.programs.size(),
                e.programs.size() == 1 ? "" : "s", commands,
                (unsigned long long)bytes);
    for (const format::ProgramDesc &p : e.programs) {
      size_t transfers = 0;
      for (const format::CommandDesc &c : p.commands)
        transfers += c.kind == format::CommandKind::Collective ||
                     c.kind == format::CommandKind::Send ||
                     c.kind == format::CommandKind::Recv;
      std::printf("  program on device %u (%s): %zu commands, %zu "
                  "collectives/transfers\n",
                  p.device,
                  a.devices[p.device].kind == format::DeviceKind::Cpu ? "cpu"
                                                                      : "cuda",
                  p.commands.size(), transfers);
    }
    for (const format::TensorDesc &t : e.inputs)
      std::printf("  input  %s : %s\n", t.name.c_str(), type(t).c_str());
    for (const format::TensorDesc &t : e.outputs)
      std::printf("  output %s : %s\n", t.name.c_str(), type(t).c_str());
    for (const format::TensorDesc &t : e.state)
      std::printf("  state  %s : %s\n", t.name.c_str(), type(t).c_str());
  }
}

/// Prints `step N: NAME = V ...` for the one-element float outputs.
void printScalars(Executable &exe, const std::vector<std::vector<char>> &out,
                  long step) {
  std::printf("%sstep %ld:", rankPrefix.c_str(), step);
  for (size_t i = 0; i < exe.outputs().size(); ++i) {
    const TensorInfo &t = exe.outputs()[i];
    if (t.bytes() != format::dtypeSize(t.dtype))
      continue;
    if (t.dtype == format::DType::F32)
      std::printf(" %s = %.9g", t.name.c_str(),
                  *reinterpret_cast<const float *>(out[i].data()));
    else if (t.dtype == format::DType::F64)
      std::printf(" %s = %.17g", t.name.c_str(),
                  *reinterpret_cast<const double *>(out[i].data()));
  }
  std::printf("\n");
  std::fflush(stdout);
}

/// Writes every state tensor of `exe` as DIR/NAME.npy (every rank reads
/// the state, a collective under MPI; only writers write).
int writeState(Executable &exe, const std::string &dir, bool writes) {
  std::vector<std::vector<char>> values;
  for (const TensorInfo &t : exe.state()) {
    values.emplace_back(t.bytes());
    if (Status s = exe.readState(t.name, values.back().data(), t.bytes()); !s)
      return error(s.message);
  }
  if (!writes)
    return 0;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return error("cannot create '" + dir + "': " + std::strerror(errno));
  for (size_t i = 0; i < exe.state().size(); ++i) {
    const TensorInfo &t = exe.state()[i];
    if (Status w = writeNpy(dir + "/" + t.name + ".npy", t.dtype, t.shape,
                            values[i].data());
        !w)
      return error(w.message);
  }
  return 0;
}

int run(int argc, char **argv);
} // namespace

int main(int argc, char **argv) {
  // No exception may escape: every failure is a message and exit code 1.
  try {
    int code = run(argc, argv);
    finalizeMpi();
    return code;
  } catch (const std::bad_alloc &) {
    return error("out of memory");
  } catch (const std::exception &e) {
    return error(e.what());
  }
}

namespace {
int run(int argc, char **argv) {
  std::string model, outDir, entry, tracePath, stateDir;
  std::map<std::string, std::string> inputs, states;
  long repeat = 1, steps = 0;
  bool listOnly = false, perRank = false;
  LoadOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char *flag) -> const char * {
      if (i + 1 >= argc)
        throw std::runtime_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--input" || a == "--state") {
      std::string kv = value(a.c_str());
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        return error(a + " expects NAME=FILE.npy, got '" + kv + "'");
      auto &map = a == "--input" ? inputs : states;
      if (!map.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second)
        return error(std::string(a == "--input" ? "input" : "state") + " '" +
                     kv.substr(0, eq) + "' given twice");
    } else if (a == "--output-dir") {
      outDir = value("--output-dir");
    } else if (a == "--entry") {
      entry = value("--entry");
    } else if (a == "--trace") {
      tracePath = value("--trace");
    } else if (a == "--repeat") {
      std::string v = value("--repeat");
      char *end = nullptr;
      repeat = std::strtol(v.c_str(), &end, 10);
      if (!end || *end || repeat < 1 || repeat > 1000000)
        return error("--repeat expects a count from 1 to 1000000, got '" + v +
                     "'");
    } else if (a == "--threads") {
      std::string v = value("--threads");
      char *end = nullptr;
      long t = std::strtol(v.c_str(), &end, 10);
      if (!end || *end || t < 1 || t > 4096)
        return error("--threads expects a count from 1 to 4096, got '" + v +
                     "'");
      options.threads = unsigned(t);
    } else if (a == "--steps") {
      std::string v = value("--steps");
      char *end = nullptr;
      steps = std::strtol(v.c_str(), &end, 10);
      if (!end || *end || steps < 1 || steps > 1000000)
        return error("--steps expects a count from 1 to 1000000, got '" + v +
                     "'");
    } else if (a == "--state-dir") {
      stateDir = value("--state-dir");
    } else if (a == "--list") {
      listOnly = true;
    } else if (a == "--mpi") {
      options.mode = ExecutionMode::Mpi;
    } else if (a == "--local") {
      options.mode = ExecutionMode::Local;
    } else if (a == "--per-rank") {
      perRank = true;
    } else if (!a.empty() && a[0] == '-') {
      return error("unknown option '" + a + "'\n" + kUsage);
    } else if (model.empty()) {
      model = a;
    } else {
      return error("more than one model given ('" + model + "', '" + a + "')");
    }
  }
  if (model.empty())
    return error(std::string("no model given\n") + kUsage);

  if (listOnly) {
    // Decode and validate only: listing needs no devices or memory.
    std::vector<char> bytes;
    format::ArtifactDesc desc;
    Status s = readFile(model, bytes);
    if (s)
      s = parseArtifact(bytes.data(), bytes.size(), desc);
    if (!s)
      return error(model + ": " + s.message);
    list(desc);
    return 0;
  }
  bool mpi = options.mode == ExecutionMode::Mpi ||
             (options.mode == ExecutionMode::Auto && launchedByMpi());
  if (mpi)
    for (const char *v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
      if (const char *r = std::getenv(v)) {
        rankPrefix = std::string("rank ") + r + ": ";
        break;
      }
  options.outputsOnEveryRank = perRank;
  Status s;
  std::unique_ptr<Model> m = Model::load(model, s, options);
  if (!m)
    return error(model + ": " + s.message);
  if (m->usesMpi())
    rankPrefix = "rank " + std::to_string(m->rank()) + ": ";
  Executable *exe = m->executable(entry);
  if (!exe)
    return error("no entry function named '" + entry + "'");

  // Inputs: every one bound exactly once, with the right dtype and shape.
  for (const auto &[name, path] : inputs) {
    bool known =
        std::any_of(exe->inputs().begin(), exe->inputs().end(),
                    [&](const TensorInfo &t) { return t.name == name; });
    if (!known) {
      std::string names;
      for (const TensorInfo &t : exe->inputs())
        names += " " + t.name;
      return error("entry '" + exe->name() + "' has no input '" + name +
                   "' (inputs:" + names + ")");
    }
  }
  // State given on the command line replaces the artifact's values.
  for (const auto &[name, path] : states) {
    auto t = std::find_if(exe->state().begin(), exe->state().end(),
                          [&](const TensorInfo &t) { return t.name == name; });
    if (t == exe->state().end()) {
      std::string names;
      for (const TensorInfo &st : exe->state())
        names += " " + st.name;
      return error("entry '" + exe->name() + "' has no state '" + name +
                   "' (state:" + (names.empty() ? " none" : names) + ")");
    }
    NpyArray arr;
    if (Status r = readNpy(path, arr); !r)
      return error(r.message);
    TensorInfo got{name, arr.dtype, arr.shape};
    if (arr.dtype != t->dtype || arr.shape != t->shape)
      return error("state '" + name + "' expects " + t->typeString() +
                   ", got " + got.typeString() + " from " + path);
    if (Status r = exe->setState(name, arr.data.data(), arr.data.size()); !r)
      return error(r.message);
  }
  std::vector<NpyArray> arrays(exe->inputs().size());
  std::vector<const void *> in;
  for (size_t i = 0; i < exe->inputs().size(); ++i) {
    const TensorInfo &t = exe->inputs()[i];
    auto it = inputs.find(t.name);
    if (it == inputs.end())
      return error("missing input '" + t.name + "' (" + t.typeString() +
                   "): pass --input " + t.name + "=FILE.npy");
    NpyArray &arr = arrays[i];
    if (Status r = readNpy(it->second, arr); !r)
      return error(r.message);
    TensorInfo got{t.name, arr.dtype, arr.shape};
    if (arr.dtype != t.dtype || arr.shape != t.shape)
      return error("input '" + t.name + "' expects " + t.typeString() +
                   ", got " + got.typeString() + " from " + it->second);
    in.push_back(arr.data.data());
  }
  std::vector<std::vector<char>> results;
  std::vector<void *> out;
  for (const TensorInfo &t : exe->outputs()) {
    results.emplace_back(t.bytes());
    out.push_back(results.back().data());
  }

  // Inputs are copied in once; --repeat times the runs alone, and the
  // trace is of the last run.
  // A failed run under MPI may leave peers waiting: end the whole job.
  auto runFailed = [&](const Status &rs) {
    int code = error(rs.message);
    if (m->usesMpi()) {
      std::fflush(stderr);
      abortMpi(code);
    }
    return code;
  };
  if (steps && repeat > 1)
    return error("--steps and --repeat cannot be combined");
  bool writes = !m->usesMpi() || m->rank() == 0 || perRank;
  // Training: each step is one call; the one-element outputs are printed.
  for (long step = 1; step < steps; ++step) {
    if (Status rs = exe->call(in, out); !rs)
      return runFailed(rs);
    if (writes)
      printScalars(*exe, results, step);
  }
  std::vector<double> times;
  if (repeat > 1)
    if (Status rs = exe->callRepeated(in, out, unsigned(repeat - 1), &times);
        !rs)
      return runFailed(rs);
  exe->enableTrace(!tracePath.empty());
  if (Status rs = exe->callRepeated(in, out, 1, &times); !rs)
    return runFailed(rs);
  // Under MPI rank 0 holds the outputs (every rank with --per-rank).
  if (writes && steps)
    printScalars(*exe, results, steps);
  if (!stateDir.empty()) {
    // --per-rank: every rank writes its own copy to DIR/rank<R>/.
    if (m->usesMpi() && perRank) {
      if (mkdir(stateDir.c_str(), 0755) != 0 && errno != EEXIST)
        return error("cannot create '" + stateDir +
                     "': " + std::strerror(errno));
      stateDir += "/rank" + std::to_string(m->rank());
    }
    if (int code = writeState(*exe, stateDir, writes); code)
      return code;
  }
  if (!writes)
    return 0;
  if (m->usesMpi() && perRank && !outDir.empty()) {
    if (mkdir(outDir.c_str(), 0755) != 0 && errno != EEXIST)
      return error("cannot create '" + outDir + "': " + std::strerror(errno));
    outDir += "/rank" + std::to_string(m->rank());
  }
  if (repeat > 1) {
    std::sort(times.begin(), times.end());
    std::printf("median %.4f ms per run over %ld runs (min %.4f, max %.4f)\n",
                times[times.size() / 2], repeat, times.front(), times.back());
  }

  if (!tracePath.empty()) {
    std::string tr = "{\"traceEvents\": [\n";
    std::vector<TraceEvent> ev = exe->trace();
    double base = ev.empty() ? 0 : ev.front().startUs;
    for (size_t i = 0; i < ev.size(); ++i)
      tr += "  {\"name\": \"" + std::string(ev[i].label) +
            "\", \"cat\": \"kernel\", \"ph\": \"X\", \"pid\": " +
            std::to_string(ev[i].device) +
            ", \"tid\": " + std::to_string(ev[i].stream) +
            ", \"ts\": " + std::to_string(ev[i].startUs - base) +
            ", \"dur\": " + std::to_string(ev[i].durUs) + "}" +
            (i + 1 < ev.size() ? ",\n" : "\n");
    tr += "], \"displayTimeUnit\": \"ms\"}\n";
    if (Status w = writeFile(tracePath, {{tr.data(), tr.size()}}); !w)
      return error(w.message);
    printOverlap(*m, exe->name(), ev);
  }

  if (outDir.empty()) {
    // No files asked for: show each output briefly.
    for (size_t i = 0; i < exe->outputs().size(); ++i) {
      const TensorInfo &t = exe->outputs()[i];
      std::printf("output %s : %s", t.name.c_str(), t.typeString().c_str());
      size_t n = t.bytes() / format::dtypeSize(t.dtype);
      const char *p = results[i].data();
      auto at = [&](size_t j) -> double {
        switch (t.dtype) {
        case format::DType::F32:
          return reinterpret_cast<const float *>(p)[j];
        case format::DType::F64:
          return reinterpret_cast<const double *>(p)[j];
        case format::DType::I8:
          return reinterpret_cast<const int8_t *>(p)[j];
        case format::DType::I32:
          return reinterpret_cast<const int32_t *>(p)[j];
        case format::DType::I64:
          return double(reinterpret_cast<const int64_t *>(p)[j]);
        default:
          return 0.0; // f16/bf16: use --output-dir
        }
      };
      bool printable =
          t.dtype != format::DType::F16 && t.dtype != format::DType::BF16;
      if (printable && n > 0) {
        double lo = at(0), hi = at(0), sum = 0;
        for (size_t j = 0; j < n; ++j) {
          lo = std::min(lo, at(j));
          hi = std::max(hi, at(j));
          sum += at(j);
        }
        std::printf("  min %g  max %g  mean %g  first [", lo, hi, sum / n);
        for (size_t j = 0; j < std::min<size_t>(n, 4); ++j)
          std::printf(j ? ", %g" : "%g", at(j));
        std::printf(n > 4 ? ", ...]" : "]");
      }
      std::printf("\n");
    }
    return 0;
  }
  if (mkdir(outDir.c_str(), 0755) != 0 && errno != EEXIST)
    return error("cannot create '" + outDir + "': " + std::strerror(errno));
  for (size_t i = 0; i < exe->outputs().size(); ++i) {
    const TensorInfo &t = exe->outputs()[i];
    std::string path = outDir + "/" + t.name + ".npy";
    if (Status w = writeNpy(path, t.dtype, t.shape, results[i].data()); !w)
      return error(w.message);
    std::printf("wrote %s (%s)\n", path.c_str(), t.typeString().c_str());
  }
  if (std::fflush(stdout) != 0)
    return error("cannot write to standard output");
  return 0;
}
} // namespace
