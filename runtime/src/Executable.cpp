//===- Executable.cpp - loading and replaying static plans ----------------===//
//
// Load: decode + validate, one Device per artifact device (the target
// record checked there; in MPI mode only this rank's), each device's
// kernels loaded once, per entry every arena allocated once, weights and
// state bound once, every command resolved to addresses, a stream, a
// kernel handle or a communicator, and, for several local devices, one
// worker thread per device started. Run: scatter the inputs by their
// placements, replay the resolved commands through the device layer (each
// device on its worker), gather the outputs. Nothing allocates and nothing
// is scheduled at run time.
//
// Streams: a program whose commands use several streams (compute, comm,
// copy) runs each stream as a lane: the first on the program's thread, the
// others on lane threads started at load, ordered only by the plan's
// events. A collective on the comm stream thus overlaps the compute that
// does not depend on it.
//
//===----------------------------------------------------------------------===//
#include "comm/Comm.h"
#include "cpu/ThreadPool.h"
#include "weft/runtime/Runtime.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

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

/// One resolved command.
namespace {

double nowUs() {
  using namespace std::chrono;
  return duration<double, std::micro>(steady_clock::now().time_since_epoch())
      .count();
}

/// One resolved command.
struct Step {
  CommandKind kind;
  Stream *stream;
  uint32_t deviceIndex, streamIndex;
  const CommandDesc *command;
  KernelHandle kernel = nullptr;
  std::vector<void *> args; ///< launch: one pointer per kernel argument
  const void *a = nullptr, *b = nullptr, *bias = nullptr;
  void *c = nullptr;
  size_t bytes = 0; ///< copy
  Event *event = nullptr;
  uint32_t eventIndex = 0;      ///< record / wait: the program's event
  Communicator *comm = nullptr; ///< transfers between devices
};

/// Run-time ordering of a program's lanes (one per stream): an event is
/// reached in this run when its generation equals the run's.
struct LaneSync {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<uint64_t> eventGeneration;
  uint64_t run = 0;
  bool abort = false, stopping = false;
  size_t pending = 0; ///< lane threads still running this run
  std::string error;  ///< the first failure of this run
};

/// One program of this process, resolved.
struct Program {
  uint32_t device;
  Device *dev;
  std::vector<Step> steps;
  std::vector<TraceEvent> trace; ///< capacity reserved at load
  /// Step indices per lane (stream), the compute stream's first; one lane:
  /// the steps run in order on the program's thread.
  std::vector<std::vector<size_t>> lanes;
  std::vector<std::vector<TraceEvent>> laneTrace; ///< reserved at load
  std::unique_ptr<LaneSync> sync;                 ///< several lanes
};

/// One placement of a tensor, resolved.
struct Placed {
  Device *device = nullptr; ///< null: on another rank
  char *address = nullptr;
  uint32_t deviceIndex = 0;
  size_t bytes = 0;   ///< of the slice
  bool whole = false; ///< the slice is the whole tensor
  bool gather = true; ///< the first placement of its slice
  std::vector<int64_t> start, shape;
};

struct Tensor {
  std::vector<int64_t> shape;
  size_t elementBytes = 0, bytes = 0;
  std::vector<Placed> places;
};

/// Copies the slice (start, shape) of the row-major tensor `dims` between
/// `global` and the packed `slice` (toSlice: global -> slice). The
/// trailing dimensions the slice spans fully are copied as one run.
void copySlice(char *global, char *slice, const std::vector<int64_t> &dims,
               const std::vector<int64_t> &start,
               const std::vector<int64_t> &shape, size_t elementBytes,
               bool toSlice) {
  size_t rank = dims.size();
  for (int64_t d : shape)
    if (d == 0)
      return;
  if (rank == 0) {
    std::memcpy(toSlice ? slice : global, toSlice ? global : slice,
                elementBytes);
    return;
  }
  // Dimensions after k are spanned fully: each index of dimensions
  // [0, k) is one contiguous run of shape[k] * (their sizes) elements.
  size_t k = rank - 1;
  while (k > 0 && shape[k] == dims[k])
    --k;
  std::array<int64_t, 17> stride{}; // stride[d + 1]: dimension d's, in elements
  stride[rank] = 1;
  for (size_t d = rank; d-- > 0;)
    stride[d] = stride[d + 1] * dims[d];
  size_t run = size_t(shape[k] * stride[k + 1]) * elementBytes;
  std::array<int64_t, 17> at{};
  for (;;) {
    int64_t offset = 0;
    for (size_t d = 0; d <= k; ++d)
      offset += (start[d] + (d < k ? at[d] : 0)) * stride[d + 1];
    char *g = global + size_t(offset) * elementBytes;
    if (toSlice)
      std::memcpy(slice, g, run);
    else
      std::memcpy(g, slice, run);
    slice += run;
    size_t d = k;
    for (;;) {
      if (d == 0)
        return;
      --d;
      if (++at[d] < shape[d])
        break;
      at[d] = 0;
    }
  }
}

} // namespace

struct Executable::Impl {
  std::vector<Program> programs; ///< of this process
  std::vector<Tensor> inputs, outputs, state;
  std::vector<std::unique_ptr<Stream>> streams;
  std::vector<std::unique_ptr<Event>> events;
  std::vector<char> staging; ///< host bytes of the largest slice
  std::unique_ptr<comm::LocalGroup> group;
  std::vector<std::unique_ptr<Communicator>> mpiComms;
  comm::MpiWorld *mpi = nullptr;
  bool outputsEverywhere = false;
  bool tracing = false;
  size_t numCommands = 0;

  // Workers: one thread per local program when there are several.
  std::vector<std::thread> threads;
  std::mutex workMutex;
  std::condition_variable go, done;
  uint64_t ticket = 0;
  size_t pending = 0;
  bool stopping = false, failed = false;

  std::vector<std::thread> laneThreads;

  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(workMutex);
      stopping = true;
    }
    go.notify_all();
    for (std::thread &t : threads)
      t.join();
    for (Program &p : programs) {
      if (!p.sync)
        continue;
      std::lock_guard<std::mutex> lock(p.sync->mutex);
      p.sync->stopping = true;
      p.sync->changed.notify_all();
    }
    for (std::thread &t : laneThreads)
      t.join();
  }

  /// Runs one command.
  Status runStep(Step &s) {
    Status st;
    switch (s.kind) {
    case CommandKind::Launch:
      st = s.stream->launch(s.kernel, s.args.data(), *s.command);
      break;
    case CommandKind::Gemm:
      st = s.stream->gemm(s.command->gemm, s.a, s.b, s.bias, s.c);
      break;
    case CommandKind::Copy:
      if (s.a != s.c)
        st = s.stream->copy(s.a, s.c, s.bytes);
      break;
    case CommandKind::EventRecord:
      st = s.stream->record(*s.event);
      break;
    case CommandKind::EventWait:
      st = s.stream->wait(*s.event);
      break;
    case CommandKind::Collective:
    case CommandKind::Send:
    case CommandKind::Recv:
      st = s.comm->run(s.kind, s.command->collective, s.a, s.c, *s.stream);
      break;
    }
    return st;
  }

  Status runProgram(Program &p) {
    if (p.sync)
      return runLanes(p);
    for (Step &s : p.steps) {
      double t0 = tracing ? nowUs() : 0;
      if (Status st = runStep(s); !st)
        return st;
      if (tracing)
        p.trace.push_back({s.command->label.c_str(), s.deviceIndex,
                           s.streamIndex, t0, nowUs() - t0});
    }
    return p.dev->synchronize();
  }

  /// One lane of `p` in this run: its steps in order, event records
  /// published to the other lanes, event waits held until the event is
  /// reached (or the run is aborted).
  Status runLane(Program &p, size_t lane) {
    LaneSync &sync = *p.sync;
    uint64_t run;
    {
      std::lock_guard<std::mutex> lock(sync.mutex);
      run = sync.run;
    }
    std::vector<TraceEvent> &trace = p.laneTrace[lane];
    trace.clear();
    for (size_t i : p.lanes[lane]) {
      Step &s = p.steps[i];
      double t0 = tracing ? nowUs() : 0;
      if (s.kind == CommandKind::EventWait) {
        std::unique_lock<std::mutex> lock(sync.mutex);
        sync.changed.wait(lock, [&] {
          return sync.abort || sync.eventGeneration[s.eventIndex] == run;
        });
        if (sync.abort)
          return Status::error("aborted: another stream of device " +
                               std::to_string(p.device) + " failed");
      }
      if (Status st = runStep(s); !st)
        return st;
      // (A record ends when it is published: what waits on it starts later.)
      double t1 = tracing ? nowUs() : 0;
      if (s.kind == CommandKind::EventRecord) {
        std::lock_guard<std::mutex> lock(sync.mutex);
        sync.eventGeneration[s.eventIndex] = run;
        sync.changed.notify_all();
      }
      if (tracing)
        trace.push_back({s.command->label.c_str(), s.deviceIndex, s.streamIndex,
                         t0, t1 - t0});
    }
    return {};
  }

  /// Marks this run of `p` failed: every lane waiting on an event wakes,
  /// and a collective waiting for its peers is aborted.
  void failLanes(Program &p, const std::string &message) {
    {
      std::lock_guard<std::mutex> lock(p.sync->mutex);
      if (p.sync->error.empty())
        p.sync->error = message;
      p.sync->abort = true;
      p.sync->changed.notify_all();
    }
    if (group)
      group->abort(message);
  }

  /// A program with several lanes: lane 0 here, the others on their lane
  /// threads; returns when all are done.
  Status runLanes(Program &p) {
    LaneSync &sync = *p.sync;
    {
      std::lock_guard<std::mutex> lock(sync.mutex);
      ++sync.run;
      sync.abort = false;
      sync.error.clear();
      sync.pending = p.lanes.size() - 1;
      sync.changed.notify_all(); // starts the lane threads
    }
    if (Status st = runLane(p, 0); !st)
      failLanes(p, st.message);
    std::unique_lock<std::mutex> lock(sync.mutex);
    sync.changed.wait(lock, [&] { return sync.pending == 0; });
    if (!sync.error.empty())
      return Status::error(sync.error);
    lock.unlock();
    if (tracing) { // in time order (capacity reserved: no allocation)
      for (const std::vector<TraceEvent> &t : p.laneTrace)
        p.trace.insert(p.trace.end(), t.begin(), t.end());
      std::sort(p.trace.begin(), p.trace.end(),
                [](const TraceEvent &a, const TraceEvent &b) {
                  return a.startUs < b.startUs;
                });
    }
    return p.dev->synchronize();
  }

  /// The thread of lane `lane` of program `index` (started at load).
  void laneWorker(size_t index, size_t lane) {
    Program &p = programs[index];
    LaneSync &sync = *p.sync;
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(sync.mutex);
        sync.changed.wait(lock,
                          [&] { return sync.stopping || sync.run != seen; });
        if (sync.stopping)
          return;
        seen = sync.run;
      }
      if (Status st = runLane(p, lane); !st)
        failLanes(p, st.message);
      std::lock_guard<std::mutex> lock(sync.mutex);
      if (--sync.pending == 0)
        sync.changed.notify_all();
    }
  }

  void worker(size_t index) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(workMutex);
        go.wait(lock, [&] { return stopping || ticket != seen; });
        if (stopping)
          return;
        seen = ticket;
      }
      Status st = runProgram(programs[index]);
      if (!st)
        group->abort(st.message); // wakes the peers at once
      std::lock_guard<std::mutex> lock(workMutex);
      failed |= !st.ok;
      if (--pending == 0)
        done.notify_all();
    }
  }

  Status run() {
    for (Program &p : programs)
      p.trace.clear(); // capacity reserved at load: no allocation
    if (threads.empty()) {
      for (Program &p : programs)
        if (Status s = runProgram(p); !s)
          return s;
      return {};
    }
    group->reset();
    {
      std::lock_guard<std::mutex> lock(workMutex);
      failed = false;
      pending = threads.size();
      ++ticket;
    }
    go.notify_all();
    std::unique_lock<std::mutex> lock(workMutex);
    done.wait(lock, [&] { return pending == 0; });
    if (failed) // the first failure, which aborted the others
      return Status::error(group->message());
    return {};
  }

  /// The global `data` to every local placement of `t`.
  Status scatter(const Tensor &t, const void *data) {
    for (const Placed &pl : t.places) {
      if (!pl.device || !pl.bytes)
        continue;
      if (pl.whole) {
        if (Status s = pl.device->upload(pl.address, data, pl.bytes); !s)
          return s;
        continue;
      }
      copySlice(static_cast<char *>(const_cast<void *>(data)), staging.data(),
                t.shape, pl.start, pl.shape, t.elementBytes, true);
      if (Status s = pl.device->upload(pl.address, staging.data(), pl.bytes);
          !s)
        return s;
    }
    return {};
  }

  /// Every element of `t` into the global `data` (MPI: on rank 0, and on
  /// every rank if `everywhere`).
  Status gather(const Tensor &t, void *data, bool everywhere) {
    char *out = static_cast<char *>(data);
    int me = mpi ? mpi->rank() : 0;
    for (const Placed &pl : t.places) {
      if (!pl.gather || !pl.bytes)
        continue;
      if (pl.device && me == 0 && pl.whole) {
        if (Status s = pl.device->download(out, pl.address, pl.bytes); !s)
          return s;
        continue;
      }
      if (pl.device) {
        if (Status s =
                pl.device->download(staging.data(), pl.address, pl.bytes);
            !s)
          return s;
        if (me != 0) {
          if (Status s = mpi->send(staging.data(), pl.bytes, 0, 1); !s)
            return s;
          if (!everywhere)
            continue;
        }
      } else if (me == 0) {
        if (Status s =
                mpi->recv(staging.data(), pl.bytes, int(pl.deviceIndex), 1);
            !s)
          return s;
      } else {
        continue;
      }
      copySlice(out, staging.data(), t.shape, pl.start, pl.shape,
                t.elementBytes, false);
    }
    if (mpi && everywhere && t.bytes)
      return mpi->broadcast(out, t.bytes, 0);
    return {};
  }
};

//===----------------------------------------------------------------------===//
// MPI detection
//===----------------------------------------------------------------------===//

bool rt::launchedByMpi() {
  for (const char *v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(v))
      return true;
  return false;
}

bool rt::haveMpi() { return comm::mpiBuilt(); }

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

Model::~Model() {
  executables.clear(); // before the devices whose memory they use
  devices.clear();
}

std::unique_ptr<Model> Model::load(const std::string &path, Status &status,
                                   const LoadOptions &options) {
  std::vector<char> bytes;
  status = readFile(path, bytes);
  if (!status)
    return nullptr;
  return loadFromMemory(bytes.data(), bytes.size(), status, options);
}

std::unique_ptr<Model> Model::loadFromMemory(const char *data, size_t size,
                                             Status &status,
                                             const LoadOptions &options) {
  std::unique_ptr<Model> m(new Model());
  status = parseArtifact(data, size, m->artifact);
  if (status)
    status = m->init(options);
  if (!status)
    return nullptr;
  return m;
}

Status Model::init(const LoadOptions &options) {
  mpi = options.mode == ExecutionMode::Mpi ||
        (options.mode == ExecutionMode::Auto && launchedByMpi());
  outputsEverywhere = options.outputsOnEveryRank;
  if (mpi) {
    if (!comm::mpiBuilt())
      return Status::error(
          std::string(options.mode == ExecutionMode::Mpi
                          ? "an MPI run was requested"
                          : "this process was started by mpirun") +
          ", but this runtime was built without MPI (rebuild it where "
          "find_package(MPI) succeeds, or run without mpirun to run every "
          "device in one process)");
    comm::MpiWorld *world;
    if (Status s = comm::MpiWorld::get(world); !s)
      return s;
    worldRank = world->rank();
    if (size_t(world->size()) != artifact.devices.size())
      return Status::error(
          "the artifact has " + std::to_string(artifact.devices.size()) +
          " device" + (artifact.devices.size() == 1 ? "" : "s") +
          " but the MPI job has " + std::to_string(world->size()) + " rank" +
          (world->size() == 1 ? "" : "s") + " (rank " +
          std::to_string(worldRank) + "): run it with mpirun -np " +
          std::to_string(artifact.devices.size()));
  }
  // Threads per CPU device: as asked, or this process's CPUs shared by the
  // devices of this machine (every device here when local; the ranks on
  // this node under MPI).
  unsigned threads = options.threads;
  if (threads == 0) {
    unsigned sharing = unsigned(artifact.devices.size());
    if (mpi) {
      sharing = 1;
      for (const char *var :
           {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "PMIX_LOCAL_SIZE"})
        if (const char *v = std::getenv(var); v && std::atoi(v) > 0) {
          sharing = unsigned(std::atoi(v));
          break;
        }
    }
    threads = weft::rt::cpu::defaultThreads(sharing);
  }
  // Devices, then each device's kernels (one object per device kind). In
  // MPI mode, only this rank's device.
  for (size_t di = 0; di < artifact.devices.size(); ++di) {
    const DeviceDesc &d = artifact.devices[di];
    if (mpi && di != size_t(worldRank)) {
      devices.push_back(nullptr);
      kernels.emplace_back();
      continue;
    }
    if (d.kind != DeviceKind::Cpu)
      return Status::error("the artifact needs a CUDA device; this runtime "
                           "was built without CUDA");
    Status s;
    std::unique_ptr<Device> device =
        createCpuDevice(artifact.targets[d.target], threads, s);
    if (!device)
      return s;
    std::vector<std::string> symbols;
    for (const KernelDesc &k : artifact.kernels)
      symbols.push_back(k.kind == d.kind ? k.symbol : std::string());
    std::vector<std::string> mine;
    for (const std::string &sym : symbols)
      if (!sym.empty())
        mine.push_back(sym);
    std::vector<KernelHandle> loaded;
    if (Status k = device->loadKernels(artifact.cpuKernels, mine, loaded); !k)
      return k;
    // Index by artifact kernel number.
    std::vector<KernelHandle> byIndex(artifact.kernels.size(), nullptr);
    for (size_t i = 0, j = 0; i < symbols.size(); ++i)
      if (!symbols[i].empty())
        byIndex[i] = loaded[j++];
    kernels.push_back(std::move(byIndex));
    devices.push_back(std::move(device));
  }
  for (const EntryDesc &e : artifact.entries) {
    auto exe = std::unique_ptr<Executable>(new Executable());
    if (Status s = loadEntry(e, *exe); !s)
      return s;
    executables.push_back(std::move(exe));
  }
  return {};
}

Status Model::loadEntry(const EntryDesc &e, Executable &exe) {
  exe.entryName = e.name;
  Executable::Impl &x = *exe.impl;
  // Per program: arenas, buffer addresses, streams and events (programs
  // of devices on other ranks: none).
  std::vector<std::vector<char *>> address(e.programs.size());
  std::vector<std::vector<Stream *>> streamOf(e.programs.size());
  std::vector<std::vector<Event *>> eventOf(e.programs.size());
  for (size_t pi = 0; pi < e.programs.size(); ++pi) {
    const ProgramDesc &p = e.programs[pi];
    Device *device = devices[p.device].get();
    if (!device)
      continue;
    std::vector<char *> base;
    for (const ArenaDesc &ar : p.arenas) {
      void *mem;
      if (Status s = device->allocate(ar.size, ar.alignment, &mem); !s)
        return Status::error("entry '" + e.name + "': " + s.message);
      base.push_back(static_cast<char *>(mem));
    }
    for (const BufferDesc &b : p.buffers) {
      char *at = base[b.arena] + b.offset;
      address[pi].push_back(at);
      if (b.weight == kNone)
        continue;
      // Weights are bound once; a splat is one element repeated.
      const WeightDesc &w = artifact.weights[b.weight];
      const char *src = artifact.weightBytes.data() + w.offset;
      if (!w.splatBytes) {
        if (Status s = device->upload(at, src, w.size); !s)
          return s;
        continue;
      }
      for (uint64_t off = 0; off < b.size; off += w.splatBytes)
        if (Status s = device->upload(at + off, src, w.splatBytes); !s)
          return s;
    }
    for (StreamKind k : p.streams) {
      x.streams.push_back(device->createStream(k));
      streamOf[pi].push_back(x.streams.back().get());
    }
    for (uint32_t i = 0; i < p.numEvents; ++i) {
      x.events.push_back(device->createEvent());
      eventOf[pi].push_back(x.events.back().get());
    }
  }

  // Transfers between devices go through a communicator: locally one
  // group for the entry, under MPI this rank's (its groups split at load).
  bool multi = false;
  for (const ProgramDesc &p : e.programs)
    for (const CommandDesc &c : p.commands)
      multi |=
          c.kind == CommandKind::Send || c.kind == CommandKind::Recv ||
          (c.kind == CommandKind::Collective && c.collective.group.size() > 1);
  std::vector<Communicator *> commOf(artifact.devices.size(), nullptr);
  if (mpi) {
    if (Status s = comm::MpiWorld::get(x.mpi); !s)
      return s;
    x.outputsEverywhere = outputsEverywhere;
    if (multi) {
      Status s;
      x.mpiComms.push_back(x.mpi->communicator(e, uint32_t(worldRank), s));
      if (!x.mpiComms.back())
        return Status::error("entry '" + e.name + "': " + s.message);
      commOf[worldRank] = x.mpiComms.back().get();
    }
  } else if (multi || e.programs.size() > 1) {
    x.group = std::make_unique<comm::LocalGroup>(
        e, uint32_t(artifact.devices.size()));
    for (size_t d = 0; d < artifact.devices.size(); ++d)
      commOf[d] = x.group->communicator(uint32_t(d));
  }

  for (size_t pi = 0; pi < e.programs.size(); ++pi) {
    const ProgramDesc &p = e.programs[pi];
    if (!devices[p.device])
      continue;
    const std::vector<char *> &at = address[pi];
    Program prog{p.device, devices[p.device].get(), {}, {}};
    for (const CommandDesc &c : p.commands) {
      Step step;
      step.kind = c.kind;
      step.deviceIndex = p.device;
      step.streamIndex = c.stream;
      step.stream = streamOf[pi][c.stream];
      step.command = &c;
      switch (c.kind) {
      case CommandKind::Launch:
        step.kernel = kernels[p.device][c.kernel];
        for (uint32_t b : c.ins)
          step.args.push_back(at[b]);
        for (uint32_t b : c.outs)
          step.args.push_back(at[b]);
        break;
      case CommandKind::Gemm:
        step.a = at[c.ins[0]];
        step.b = at[c.ins[1]];
        step.bias = c.ins.size() > 2 ? at[c.ins[2]] : nullptr;
        step.c = at[c.outs[0]];
        break;
      case CommandKind::Copy:
        step.a = at[c.ins[0]];
        step.c = at[c.outs[0]];
        step.bytes = p.buffers[c.ins[0]].size;
        break;
      case CommandKind::Collective:
        if (c.collective.group.size() <= 1) {
          // A group of one device: the collective is a copy.
          step.kind = CommandKind::Copy;
          step.a = at[c.ins[0]];
          step.c = at[c.outs[0]];
          step.bytes = transferOutElements(c.kind, c.collective) *
                       dtypeSize(c.collective.dtype);
          break;
        }
        [[fallthrough]];
      case CommandKind::Send:
      case CommandKind::Recv:
        step.a = c.ins.empty() ? nullptr : at[c.ins[0]];
        step.c = c.outs.empty() ? nullptr : at[c.outs[0]];
        step.comm = commOf[p.device];
        break;
      case CommandKind::EventRecord:
      case CommandKind::EventWait:
        step.event = eventOf[pi][c.event];
        step.eventIndex = c.event;
        break;
      }
      prog.steps.push_back(std::move(step));
    }
    prog.trace.reserve(prog.steps.size());
    // Lanes: one per stream that has commands, the compute stream first.
    std::vector<int> laneOf(p.streams.size(), -1);
    for (size_t si = 0; si < p.streams.size(); ++si)
      if (p.streams[si] == StreamKind::Compute && laneOf[si] < 0) {
        laneOf[si] = 0;
        break;
      }
    int nextLane = laneOf.empty() || std::find(laneOf.begin(), laneOf.end(),
                                               0) == laneOf.end()
                       ? 0
                       : 1;
    for (size_t i = 0; i < prog.steps.size(); ++i) {
      uint32_t si = prog.steps[i].streamIndex;
      if (laneOf[si] < 0)
        laneOf[si] = nextLane++;
      if (prog.lanes.size() <= size_t(laneOf[si]))
        prog.lanes.resize(laneOf[si] + 1);
      prog.lanes[laneOf[si]].push_back(i);
    }
    if (prog.lanes.size() > 1 && !prog.lanes[0].empty()) {
      prog.sync = std::make_unique<LaneSync>();
      prog.sync->eventGeneration.assign(p.numEvents, 0);
      for (const std::vector<size_t> &lane : prog.lanes)
        prog.laneTrace.emplace_back().reserve(lane.size());
    } else {
      prog.lanes.clear();
    }
    x.numCommands += prog.steps.size();
    x.programs.push_back(std::move(prog));
  }

  size_t staging = 0;
  auto bind = [&](const std::vector<TensorDesc> &list,
                  std::vector<TensorInfo> &info, std::vector<Tensor> &where) {
    for (const TensorDesc &t : list) {
      info.push_back({t.name, t.dtype, t.shape});
      Tensor tensor;
      tensor.shape = t.shape;
      tensor.elementBytes = dtypeSize(t.dtype);
      tensor.bytes = info.back().bytes();
      for (size_t i = 0; i < t.placements.size(); ++i) {
        const PlacementDesc &pl = t.placements[i];
        const ProgramDesc &p = e.programs[pl.program];
        Placed placed;
        placed.device = devices[p.device].get();
        placed.address =
            placed.device ? address[pl.program][pl.buffer] : nullptr;
        placed.deviceIndex = p.device;
        placed.bytes = TensorInfo{t.name, t.dtype, pl.shape}.bytes();
        placed.whole = placed.bytes == tensor.bytes;
        placed.start = pl.start;
        placed.shape = pl.shape;
        for (size_t j = 0; j < i; ++j)
          if (t.placements[j].start == pl.start &&
              t.placements[j].shape == pl.shape)
            placed.gather = false;
        staging = std::max(staging, placed.bytes);
        tensor.places.push_back(std::move(placed));
      }
      where.push_back(std::move(tensor));
    }
  };
  bind(e.inputs, exe.inputInfo, x.inputs);
  bind(e.outputs, exe.outputInfo, x.outputs);
  bind(e.state, exe.stateInfo, x.state);
  // Staging is needed for partial slices, and under MPI for every slice.
  x.staging.resize(staging);

  // Several local programs: one worker thread each, started now; a
  // program's extra streams: one lane thread each.
  if (!mpi && x.programs.size() > 1)
    for (size_t i = 0; i < x.programs.size(); ++i)
      x.threads.emplace_back([&x, i] { x.worker(i); });
  for (size_t i = 0; i < x.programs.size(); ++i)
    for (size_t lane = 1;
         x.programs[i].sync && lane < x.programs[i].lanes.size(); ++lane)
      x.laneThreads.emplace_back([&x, i, lane] { x.laneWorker(i, lane); });
  return {};
}

Executable *Model::executable(const std::string &name) {
  for (auto &exe : executables)
    if (name.empty() || exe->name() == name)
      return exe.get();
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Executable
//===----------------------------------------------------------------------===//

Executable::Executable() : impl(std::make_unique<Impl>()) {}
Executable::~Executable() = default;

size_t Executable::numCommands() const { return impl->numCommands; }

Status Executable::runLocked() { return impl->run(); }

Status Executable::call(const std::vector<const void *> &in,
                        const std::vector<void *> &out) {
  return callRepeated(in, out, 1, nullptr);
}

Status Executable::callRepeated(const std::vector<const void *> &in,
                                const std::vector<void *> &out, unsigned repeat,
                                std::vector<double> *runMs) {
  if (in.size() != inputInfo.size())
    return Status::error("entry '" + entryName + "' takes " +
                         std::to_string(inputInfo.size()) + " inputs, got " +
                         std::to_string(in.size()));
  if (out.size() != outputInfo.size())
    return Status::error("entry '" + entryName + "' has " +
                         std::to_string(outputInfo.size()) + " outputs, got " +
                         std::to_string(out.size()) + " destinations");
  // Null is fine only for tensors with no bytes.
  for (size_t i = 0; i < in.size(); ++i)
    if (!in[i] && impl->inputs[i].bytes)
      return Status::error("entry '" + entryName + "': input '" +
                           inputInfo[i].name + "' is a null pointer");
  for (size_t i = 0; i < out.size(); ++i)
    if (!out[i] && impl->outputs[i].bytes)
      return Status::error("entry '" + entryName + "': output '" +
                           outputInfo[i].name + "' is a null pointer");
  std::lock_guard<std::mutex> lock(mutex);
  for (size_t i = 0; i < in.size(); ++i)
    if (Status s = impl->scatter(impl->inputs[i], in[i]); !s)
      return s;
  for (unsigned r = 0; r < repeat; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (Status s = runLocked(); !s)
      return s;
    if (runMs)
      runMs->push_back(std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - t0)
                           .count());
  }
  for (size_t i = 0; i < out.size(); ++i)
    if (Status s =
            impl->gather(impl->outputs[i], out[i], impl->outputsEverywhere);
        !s)
      return s;
  return {};
}

Status Executable::findState(const std::string &name, size_t bytes,
                             size_t &out) const {
  for (size_t i = 0; i < stateInfo.size(); ++i) {
    if (stateInfo[i].name != name)
      continue;
    if (bytes != stateInfo[i].bytes())
      return Status::error("state '" + name + "' (" +
                           stateInfo[i].typeString() + ") has " +
                           std::to_string(stateInfo[i].bytes()) +
                           " bytes, not " + std::to_string(bytes));
    out = i;
    return {};
  }
  return Status::error("entry '" + entryName + "' has no state named '" + name +
                       "'");
}

Status Executable::setState(const std::string &name, const void *data,
                            size_t bytes) {
  size_t i = 0;
  if (Status s = findState(name, bytes, i); !s)
    return s;
  if (!data && bytes)
    return Status::error("setState: null data");
  std::lock_guard<std::mutex> lock(mutex);
  return impl->scatter(impl->state[i], data);
}

Status Executable::readState(const std::string &name, void *data,
                             size_t bytes) {
  size_t i = 0;
  if (Status s = findState(name, bytes, i); !s)
    return s;
  if (!data && bytes)
    return Status::error("readState: null data");
  std::lock_guard<std::mutex> lock(mutex);
  return impl->gather(impl->state[i], data, /*everywhere=*/true);
}

void Executable::enableTrace(bool on) {
  std::lock_guard<std::mutex> lock(mutex);
  tracing = on;
  impl->tracing = on;
}

std::vector<TraceEvent> Executable::trace() {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<TraceEvent> all;
  for (const Program &p : impl->programs)
    all.insert(all.end(), p.trace.begin(), p.trace.end());
  std::sort(all.begin(), all.end(),
            [](const TraceEvent &a, const TraceEvent &b) {
              return a.startUs < b.startUs;
            });
  return all;
}
