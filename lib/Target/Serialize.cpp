//===- Serialize.cpp - plan IR to artifact bytes --------------------------===//
#include "weft/Target/Serialize.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "weft/Dialect/Plan/IR/PlanOps.h"
#include "weft/Dialect/Weft/Transforms/KernelGroups.h"
#include "weft/Target/CPU/Passes.h"
#include "weft/Target/DTypes.h"

using namespace mlir;
using namespace mlir::plan;
using namespace ::weft;

namespace {

FailureOr<format::DType> dtypeOf(Location loc, Type t) {
  if (std::optional<format::DType> d = ::weft::dtypeOf(t))
    return *d;
  return emitError(loc, "no artifact dtype for element type ") << t;
}

/// Serializes one program; remembers the weight data it binds.
class ProgramWriter {
public:
  ProgramWriter(format::ArtifactDesc &artifact,
                const llvm::StringMap<uint32_t> &kernels,
                DenseMap<Attribute, uint32_t> &weightIndex)
      : artifact(artifact), kernels(kernels), weightIndex(weightIndex) {}

  LogicalResult write(ProgramOp program, uint32_t device, uint32_t index,
                      format::EntryDesc &entry);

private:
  FailureOr<uint32_t> weightFor(BufferOp buffer);
  std::vector<uint32_t> refs(ArrayAttr list) {
    std::vector<uint32_t> out;
    for (Attribute a : list)
      out.push_back(bufferIndex.lookup(cast<FlatSymbolRefAttr>(a).getAttr()));
    return out;
  }
  uint32_t ref(FlatSymbolRefAttr a) { return bufferIndex.lookup(a.getAttr()); }

  format::ArtifactDesc &artifact;
  const llvm::StringMap<uint32_t> &kernels;
  DenseMap<Attribute, uint32_t> &weightIndex;
  DenseMap<StringAttr, uint32_t> bufferIndex, arenaIndex, streamIndex,
      eventIndex;
};

/// The artifact form of a plan.collective: kind, reduction, element type
/// and count of this device's input (from the buffer's size and the
/// program's element type recorded by plan-build), order, group, peer.
FailureOr<format::CollectiveDesc> describeCollective(CollectiveOp coll) {
  format::CollectiveDesc d;
  switch (coll.getKind()) {
  case CollectiveKind::all_reduce:
    d.kind = format::CollectiveKind::AllReduce;
    break;
  case CollectiveKind::all_gather:
    d.kind = format::CollectiveKind::AllGather;
    break;
  case CollectiveKind::reduce_scatter:
    d.kind = format::CollectiveKind::ReduceScatter;
    break;
  case CollectiveKind::all_to_all:
    d.kind = format::CollectiveKind::AllToAll;
    break;
  case CollectiveKind::broadcast:
    d.kind = format::CollectiveKind::Broadcast;
    break;
  case CollectiveKind::send:
  case CollectiveKind::recv:
    break;
  }
  if (auto r = coll.getReduce())
    d.reduce = static_cast<format::ReduceKind>(*r);
  auto type = coll->getAttrOfType<TypeAttr>("weft.type");
  if (!type)
    return coll.emitOpError("needs weft.type (the tensor it moves)");
  auto tensor = cast<RankedTensorType>(type.getValue());
  FailureOr<format::DType> dt = dtypeOf(coll.getLoc(), tensor.getElementType());
  if (failed(dt))
    return failure();
  d.dtype = *dt;
  d.count = static_cast<uint64_t>(tensor.getNumElements());
  d.order = static_cast<uint64_t>(coll.getOrder());
  if (auto group = coll.getGroup())
    for (int64_t g : *group)
      d.group.push_back(static_cast<uint32_t>(g));
  if (auto peer = coll.getPeer())
    d.peer = static_cast<uint32_t>(*peer);
  return d;
}

FailureOr<uint32_t> ProgramWriter::weightFor(BufferOp buffer) {
  ElementsAttr init = *buffer.getInit();
  if (auto it = weightIndex.find(init); it != weightIndex.end())
    return it->second;
  auto dense = dyn_cast<DenseElementsAttr>(init);
  if (!dense)
    return buffer.emitOpError("init data must be dense elements");
  format::WeightDesc w;
  w.name = buffer.getSymName().str();
  std::vector<char> &bytes = artifact.weightBytes;
  bytes.resize((bytes.size() + 63) / 64 * 64, 0);
  w.offset = bytes.size();
  ArrayRef<char> raw = dense.getRawData();
  Type et = dense.getElementType();
  if (!et.isIntOrFloat() || et.getIntOrFloatBitWidth() % 8 != 0)
    return buffer.emitOpError("init data of element type ")
           << et << " cannot be stored";
  int64_t elementBytes = et.getIntOrFloatBitWidth() / 8;
  if (dense.isSplat()) {
    w.splatBytes = elementBytes;
    raw = raw.take_front(elementBytes);
  }
  w.size = raw.size();
  bytes.insert(bytes.end(), raw.begin(), raw.end());
  uint32_t index = artifact.weights.size();
  artifact.weights.push_back(std::move(w));
  weightIndex[init] = index;
  return index;
}

LogicalResult ProgramWriter::write(ProgramOp program, uint32_t device,
                                   uint32_t programIndex,
                                   format::EntryDesc &entry) {
  format::ProgramDesc &p = entry.programs.emplace_back();
  p.device = device;
  Block &body = program.getBody().front();
  for (Operation &op : body) {
    if (auto arena = dyn_cast<ArenaOp>(op)) {
      arenaIndex[arena.getSymNameAttr()] = p.arenas.size();
      format::ArenaDesc a;
      a.kind = arena.getKind() == ArenaKind::device
                   ? format::ArenaKind::Device
                   : format::ArenaKind::HostPinned;
      a.flags = arena.getPersistent() ? uint32_t(format::kPersistent) : 0u;
      a.size = arena.getSize();
      a.alignment = arena.getAlignment();
      p.arenas.push_back(a);
      if (auto lb = arena->getAttrOfType<IntegerAttr>("weft.lower_bound"))
        p.lowerBound += lb.getInt();
    } else if (auto stream = dyn_cast<StreamOp>(op)) {
      streamIndex[stream.getSymNameAttr()] = p.streams.size();
      p.streams.push_back(static_cast<format::StreamKind>(stream.getKind()));
    } else if (auto event = dyn_cast<EventOp>(op)) {
      eventIndex[event.getSymNameAttr()] = p.numEvents++;
    }
  }
  for (auto buffer : program.getBody().getOps<BufferOp>()) {
    bufferIndex[buffer.getSymNameAttr()] = p.buffers.size();
    format::BufferDesc bd;
    bd.arena = arenaIndex.lookup(buffer.getArenaAttr().getAttr());
    bd.offset = buffer.getOffset();
    bd.size = buffer.getSize();
    // An empty tensor has no bytes to bind.
    if (buffer.getInit() && buffer.getInit()->getNumElements() > 0) {
      FailureOr<uint32_t> w = weightFor(buffer);
      if (failed(w))
        return failure();
      bd.weight = *w;
    }
    p.buffers.push_back(bd);
  }
  for (Operation &op : body) {
    StringRef name;
    FlatSymbolRefAttr buffer;
    Type type;
    std::vector<format::TensorDesc> *list = nullptr;
    if (auto in = dyn_cast<InputOp>(op))
      list = &entry.inputs, name = in.getName(), buffer = in.getBufferAttr(),
      type = in.getType();
    else if (auto out = dyn_cast<OutputOp>(op))
      list = &entry.outputs, name = out.getName(), buffer = out.getBufferAttr(),
      type = out.getType();
    else if (auto st = dyn_cast<StateOp>(op))
      list = &entry.state, name = st.getName(), buffer = st.getBufferAttr(),
      type = st.getType();
    if (!list)
      continue;
    auto tensor = cast<RankedTensorType>(type);
    FailureOr<format::DType> dt = dtypeOf(op.getLoc(), tensor.getElementType());
    if (failed(dt))
      return failure();
    // A slice of a global tensor (a device of a mesh) or all of it.
    auto global = tensor;
    std::vector<int64_t> start(tensor.getRank(), 0);
    if (auto g = op.getAttrOfType<TypeAttr>("global_type")) {
      global = cast<RankedTensorType>(g.getValue());
      ArrayRef<int64_t> s = op.getAttrOfType<DenseI64ArrayAttr>("start");
      start.assign(s.begin(), s.end());
    }
    format::PlacementDesc place;
    place.program = programIndex;
    place.buffer = ref(buffer);
    place.start = start;
    place.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    // The same name on several devices is one tensor with several slices.
    auto same = llvm::find_if(
        *list, [&](const format::TensorDesc &t) { return t.name == name; });
    if (same != list->end()) {
      if (same->dtype != *dt ||
          same->shape != std::vector<int64_t>(global.getShape().begin(),
                                              global.getShape().end()))
        return op.emitOpError("'")
               << name << "' has another type on an earlier device";
      same->placements.push_back(std::move(place));
      continue;
    }
    format::TensorDesc t;
    t.name = name.str();
    t.dtype = *dt;
    t.shape.assign(global.getShape().begin(), global.getShape().end());
    t.placements.push_back(std::move(place));
    list->push_back(std::move(t));
  }
  for (Operation *op : program.getCommands()) {
    format::CommandDesc c;
    c.stream =
        streamIndex.lookup(cast<PlanCommand>(op).getStreamAttr().getAttr());
    if (auto label = op->getAttrOfType<StringAttr>("weft.label"))
      c.label = label.str();
    else
      c.label = op->getName().getStringRef().str();
    if (auto launch = dyn_cast<LaunchOp>(op)) {
      c.kind = format::CommandKind::Launch;
      auto it = kernels.find(launch.getKernel());
      if (it == kernels.end())
        return op->emitOpError("launches kernel '")
               << launch.getKernel() << "' that the kernel module lacks";
      c.kernel = it->second;
      c.ins = refs(launch.getIns());
      c.outs = refs(launch.getOuts());
      c.extent = launch.getExtent();
    } else if (auto gemm = dyn_cast<GemmOp>(op)) {
      c.kind = format::CommandKind::Gemm;
      c.ins = refs(gemm.getIns());
      c.outs = refs(gemm.getOuts());
      format::GemmDesc &g = c.gemm;
      FailureOr<format::DType> ab = dtypeOf(op->getLoc(), gemm.getAType()),
                               ct = dtypeOf(op->getLoc(), gemm.getCType()),
                               acc = dtypeOf(op->getLoc(), gemm.getAccType());
      if (failed(ab) || failed(ct) || failed(acc))
        return failure();
      g.abType = *ab, g.cType = *ct, g.accumType = *acc;
      g.m = gemm.getM(), g.n = gemm.getN(), g.k = gemm.getK();
      g.batch = gemm.getBatch();
      g.strideA = gemm.getStrideAOrDefault();
      g.strideB = gemm.getStrideBOrDefault();
      g.strideC = gemm.getStrideCOrDefault();
      g.transA = gemm.getTransA(), g.transB = gemm.getTransB();
      g.epilogue = static_cast<format::Epilogue>(gemm.getEpilogue());
    } else if (auto copy = dyn_cast<CopyOp>(op)) {
      c.kind = format::CommandKind::Copy;
      c.ins = {ref(copy.getSourceAttr())};
      c.outs = {ref(copy.getTargetAttr())};
    } else if (auto coll = dyn_cast<CollectiveOp>(op)) {
      FailureOr<format::CollectiveDesc> desc = describeCollective(coll);
      if (failed(desc))
        return failure();
      c.kind = coll.getKind() == CollectiveKind::send
                   ? format::CommandKind::Send
               : coll.getKind() == CollectiveKind::recv
                   ? format::CommandKind::Recv
                   : format::CommandKind::Collective;
      c.collective = std::move(*desc);
      c.ins = refs(coll.getIns());
      c.outs = refs(coll.getOuts());
    } else if (auto record = dyn_cast<EventRecordOp>(op)) {
      c.kind = format::CommandKind::EventRecord;
      c.event = eventIndex.lookup(record.getEventAttr().getAttr());
    } else if (auto wait = dyn_cast<EventWaitOp>(op)) {
      c.kind = format::CommandKind::EventWait;
      c.event = eventIndex.lookup(wait.getEventAttr().getAttr());
    } else {
      return op->emitOpError("has no artifact encoding");
    }
    p.commands.push_back(std::move(c));
  }
  return success();
}

} // namespace

auto ::weft::describeArtifact(ModuleOp module, Backend &backend)
    -> FailureOr<format::ArtifactDesc> {
  format::ArtifactDesc artifact;
  artifact.targets.push_back(backend.targetDesc());

  // Kernels: the exported entry points of the lowered kernel module.
  llvm::StringMap<uint32_t> kernels;
  ModuleOp kernelModule;
  for (auto m : module.getOps<ModuleOp>())
    if (m.getSymName() == kKernelModuleName)
      kernelModule = m;
  if (kernelModule) {
    for (auto fn : kernelModule.getOps<LLVM::LLVMFuncOp>()) {
      auto bytes = fn->getAttrOfType<DenseI64ArrayAttr>(kArgBytesAttr);
      auto access = fn->getAttrOfType<DenseI64ArrayAttr>(kArgAccessAttr);
      if (!bytes || !access)
        continue;
      StringRef sym = fn.getSymName();
      if (!sym.starts_with(kEntryPointPrefix))
        continue;
      format::KernelDesc k;
      k.symbol = sym.str();
      k.kind = backend.deviceKind();
      for (auto [b, a] : llvm::zip(bytes.asArrayRef(), access.asArrayRef()))
        k.args.push_back({static_cast<uint64_t>(b), static_cast<uint32_t>(a)});
      kernels[sym.drop_front(kEntryPointPrefix.size())] =
          artifact.kernels.size();
      artifact.kernels.push_back(std::move(k));
    }
  }

  // Programs, grouped into entries in order of first appearance.
  DenseMap<Attribute, uint32_t> weightIndex;
  llvm::StringMap<uint32_t> entryIndex;
  for (auto program : module.getOps<ProgramOp>()) {
    StringRef entryName = program.getEntry().value_or(program.getSymName());
    auto [it, inserted] =
        entryIndex.try_emplace(entryName, artifact.entries.size());
    if (inserted)
      artifact.entries.emplace_back().name = entryName.str();
    format::EntryDesc &entry = artifact.entries[it->second];
    int64_t device = program.getDevice();
    while (artifact.devices.size() <= static_cast<size_t>(device))
      artifact.devices.push_back({backend.deviceKind(), 0});
    ProgramWriter writer(artifact, kernels, weightIndex);
    if (failed(writer.write(program, device, entry.programs.size(), entry)))
      return failure();
  }
  if (artifact.entries.empty())
    return emitError(module.getLoc(),
                     "no plan.program to serialize: no entry function (mark "
                     "one with the 'weft.entry' attribute or name it @main)");
  if (!artifact.kernels.empty()) {
    FailureOr<std::vector<char>> object = backend.emitObject(kernelModule);
    if (failed(object))
      return failure();
    artifact.cpuKernels = std::move(*object);
  }
  return artifact;
}

auto ::weft::serializeArtifact(ModuleOp module, Backend &backend)
    -> FailureOr<std::vector<char>> {
  FailureOr<format::ArtifactDesc> artifact = describeArtifact(module, backend);
  if (failed(artifact))
    return failure();
  return format::encodeArtifact(*artifact);
}
