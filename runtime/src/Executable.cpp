//===- Executable.cpp - loading and replaying static plans ----------------===//
//
// Load: decode + validate, one Device per artifact device (the target
// record checked there), each device's kernels loaded once, per entry every
// arena allocated once, weights and state bound once, and every command
// resolved to addresses, a stream and a kernel handle. Run: replay the
// resolved commands through the device layer. Nothing allocates and
// nothing is scheduled at run time.
//
//===----------------------------------------------------------------------===//
#include "weft/runtime/Runtime.h"

#include <algorithm>
#include <cstring>

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
struct Executable::Step {
  CommandKind kind;
  Device *device;
  Stream *stream;
  uint32_t deviceIndex, streamIndex;
  const CommandDesc *command;
  KernelHandle kernel = nullptr;
  std::vector<void *> args; ///< launch: one pointer per kernel argument
  const void *a = nullptr, *b = nullptr, *bias = nullptr;
  void *c = nullptr;
  size_t bytes = 0; ///< copy
  Event *event = nullptr;
};

namespace {
double nowUs() {
  using namespace std::chrono;
  return duration<double, std::micro>(steady_clock::now().time_since_epoch())
      .count();
}
} // namespace

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

Model::~Model() {
  executables.clear(); // before the devices whose memory they use
  devices.clear();
}

std::unique_ptr<Model> Model::load(const std::string &path, Status &status) {
  std::vector<char> bytes;
  status = readFile(path, bytes);
  if (!status)
    return nullptr;
  return loadFromMemory(bytes.data(), bytes.size(), status);
}

std::unique_ptr<Model> Model::loadFromMemory(const char *data, size_t size,
                                             Status &status) {
  std::unique_ptr<Model> m(new Model());
  status = parseArtifact(data, size, m->artifact);
  if (status)
    status = m->init();
  if (!status)
    return nullptr;
  return m;
}

Status Model::init() {
  // Devices, then each device's kernels (one object per device kind).
  for (const DeviceDesc &d : artifact.devices) {
    if (d.kind != DeviceKind::Cpu)
      return Status::error("the artifact needs a CUDA device; this runtime "
                           "was built without CUDA");
    Status s;
    std::unique_ptr<Device> device =
        createCpuDevice(artifact.targets[d.target], s);
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
  // Per program: arenas, buffer addresses, streams and events.
  std::vector<std::vector<char *>> address(e.programs.size());
  std::vector<std::vector<Stream *>> streamOf(e.programs.size());
  std::vector<std::vector<Event *>> eventOf(e.programs.size());
  for (size_t pi = 0; pi < e.programs.size(); ++pi) {
    const ProgramDesc &p = e.programs[pi];
    Device *device = devices[p.device].get();
    if (std::find(exe.devices.begin(), exe.devices.end(), device) ==
        exe.devices.end())
      exe.devices.push_back(device);
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
      exe.streams.push_back(device->createStream(k));
      streamOf[pi].push_back(exe.streams.back().get());
    }
    for (uint32_t i = 0; i < p.numEvents; ++i) {
      exe.events.push_back(device->createEvent());
      eventOf[pi].push_back(exe.events.back().get());
    }
  }

  // Commands, program by program (programs of one entry do not
  // communicate until the multi-device runtime lands).
  for (size_t pi = 0; pi < e.programs.size(); ++pi) {
    const ProgramDesc &p = e.programs[pi];
    const std::vector<char *> &at = address[pi];
    for (const CommandDesc &c : p.commands) {
      Executable::Step step;
      step.kind = c.kind;
      step.device = devices[p.device].get();
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
        // A group of one device: the collective is the identity.
        if (c.collective.group.size() != 1 || c.ins.size() != 1 ||
            c.outs.size() != 1)
          return Status::error(
              "entry '" + e.name +
              "' has collectives between devices; they need a communicator "
              "(the multi-device runtime is not built yet)");
        step.kind = CommandKind::Copy;
        step.a = at[c.ins[0]];
        step.c = at[c.outs[0]];
        step.bytes =
            std::min(p.buffers[c.ins[0]].size, p.buffers[c.outs[0]].size);
        break;
      case CommandKind::Send:
      case CommandKind::Recv:
        return Status::error("entry '" + e.name +
                             "' sends between devices; that needs a "
                             "communicator (the multi-device runtime is not "
                             "built yet)");
      case CommandKind::EventRecord:
      case CommandKind::EventWait:
        step.event = eventOf[pi][c.event];
        break;
      }
      exe.steps.push_back(std::move(step));
    }
  }

  auto bind = [&](const std::vector<TensorDesc> &list,
                  std::vector<TensorInfo> &info,
                  std::vector<Executable::Binding> &where) {
    for (const TensorDesc &t : list) {
      info.push_back({t.name, t.dtype, t.shape});
      const PlacementDesc &pl = t.placements[0];
      const ProgramDesc &p = e.programs[pl.program];
      where.push_back({devices[p.device].get(), address[pl.program][pl.buffer],
                       info.back().bytes()});
    }
  };
  bind(e.inputs, exe.inputInfo, exe.inputAt);
  bind(e.outputs, exe.outputInfo, exe.outputAt);
  bind(e.state, exe.stateInfo, exe.stateAt);
  exe.traceEvents.reserve(exe.steps.size());
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

Executable::~Executable() = default;

size_t Executable::numCommands() const { return steps.size(); }

Status Executable::runLocked() {
  traceEvents.clear(); // capacity reserved at load: no allocation
  for (Step &s : steps) {
    double t0 = tracing ? nowUs() : 0;
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
      st = Status::error("internal: unresolved transfer");
      break;
    }
    if (!st)
      return st;
    if (tracing)
      traceEvents.push_back({s.command->label.c_str(), s.deviceIndex,
                             s.streamIndex, t0, nowUs() - t0});
  }
  for (Device *d : devices)
    if (Status st = d->synchronize(); !st)
      return st;
  return {};
}

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
    if (!in[i] && inputAt[i].bytes)
      return Status::error("entry '" + entryName + "': input '" +
                           inputInfo[i].name + "' is a null pointer");
  for (size_t i = 0; i < out.size(); ++i)
    if (!out[i] && outputAt[i].bytes)
      return Status::error("entry '" + entryName + "': output '" +
                           outputInfo[i].name + "' is a null pointer");
  std::lock_guard<std::mutex> lock(mutex);
  for (size_t i = 0; i < in.size(); ++i) {
    const Binding &b = inputAt[i];
    if (Status s = b.device->upload(b.address, in[i], b.bytes); !s)
      return s;
  }
  for (unsigned r = 0; r < repeat; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if (Status s = runLocked(); !s)
      return s;
    if (runMs)
      runMs->push_back(std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - t0)
                           .count());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const Binding &b = outputAt[i];
    if (Status s = b.device->download(out[i], b.address, b.bytes); !s)
      return s;
  }
  return {};
}

Status Executable::findState(const std::string &name, size_t bytes,
                             const Binding *&out) const {
  for (size_t i = 0; i < stateInfo.size(); ++i) {
    if (stateInfo[i].name != name)
      continue;
    if (bytes != stateAt[i].bytes)
      return Status::error("state '" + name + "' (" +
                           stateInfo[i].typeString() + ") has " +
                           std::to_string(stateAt[i].bytes) + " bytes, not " +
                           std::to_string(bytes));
    out = &stateAt[i];
    return {};
  }
  return Status::error("entry '" + entryName + "' has no state named '" + name +
                       "'");
}

Status Executable::setState(const std::string &name, const void *data,
                            size_t bytes) {
  const Binding *b = nullptr;
  if (Status s = findState(name, bytes, b); !s)
    return s;
  if (!data && bytes)
    return Status::error("setState: null data");
  std::lock_guard<std::mutex> lock(mutex);
  return b->device->upload(b->address, data, bytes);
}

Status Executable::readState(const std::string &name, void *data,
                             size_t bytes) {
  const Binding *b = nullptr;
  if (Status s = findState(name, bytes, b); !s)
    return s;
  if (!data && bytes)
    return Status::error("readState: null data");
  std::lock_guard<std::mutex> lock(mutex);
  return b->device->download(data, b->address, bytes);
}

void Executable::enableTrace(bool on) {
  std::lock_guard<std::mutex> lock(mutex);
  tracing = on;
}

std::vector<TraceEvent> Executable::trace() {
  std::lock_guard<std::mutex> lock(mutex);
  return traceEvents;
}
