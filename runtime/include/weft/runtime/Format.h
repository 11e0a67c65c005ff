//===- Format.h - the weft artifact format (version 2) ----------*- C++ -*-===//
//
// The one definition of the artifact's contents and byte layout, shared by
// the compiler (which fills an ArtifactDesc from the final plan IR and calls
// encodeArtifact) and the runtime (decodeArtifact, then validation). Plain
// C++17 with no dependency. docs/ArtifactFormat.md describes the layout in
// prose.
//
// File = Header, SectionEntry[numSections], section bytes. Every section
// carries an FNV-1a 64 checksum; the header carries one over the section
// table. All integers are little-endian.
//
//===----------------------------------------------------------------------===//
#ifndef WEFT_RUNTIME_FORMAT_H
#define WEFT_RUNTIME_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace weft::format {

inline constexpr char kMagic[8] = {'W', 'E', 'F', 'T', 'A', 'R', 'T', '\0'};
inline constexpr uint32_t kVersion = 2;

enum class SectionKind : uint32_t { Meta = 1, CpuKernels = 2, Weights = 3 };

//===----------------------------------------------------------------------===//
// Element types: the one dtype table (compiler, runtime, .npy I/O, Python).
//===----------------------------------------------------------------------===//

enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  BF16 = 2,
  I8 = 3,
  I32 = 4,
  I64 = 5,
  F64 = 6
};
inline constexpr uint32_t kNumDTypes = 7;

struct DTypeInfo {
  DType dtype;
  const char *name;      ///< short name: "f32" (also MLIR's spelling)
  const char *numpyName; ///< numpy / Python name: "float32"
  const char *npyDescr;  ///< .npy header descr: "<f4" (bf16: ml_dtypes)
  uint32_t bytes;
  bool isFloat;
};

inline constexpr DTypeInfo kDTypes[kNumDTypes] = {
    {DType::F32, "f32", "float32", "<f4", 4, true},
    {DType::F16, "f16", "float16", "<f2", 2, true},
    {DType::BF16, "bf16", "bfloat16", "<V2", 2, true},
    {DType::I8, "i8", "int8", "|i1", 1, false},
    {DType::I32, "i32", "int32", "<i4", 4, false},
    {DType::I64, "i64", "int64", "<i8", 8, false},
    {DType::F64, "f64", "float64", "<f8", 8, true},
};

inline bool isValidDType(uint32_t code) { return code < kNumDTypes; }
inline const DTypeInfo &dtypeInfo(DType t) {
  return kDTypes[static_cast<uint32_t>(t) < kNumDTypes
                     ? static_cast<uint32_t>(t)
                     : 0];
}
inline size_t dtypeSize(DType t) {
  return isValidDType(static_cast<uint32_t>(t)) ? dtypeInfo(t).bytes : 0;
}
inline const char *dtypeName(DType t) {
  return isValidDType(static_cast<uint32_t>(t)) ? dtypeInfo(t).name : "?";
}
/// Looks a dtype up by its short or numpy name; null if unknown.
inline const DTypeInfo *dtypeByName(std::string_view name) {
  for (const DTypeInfo &d : kDTypes)
    if (name == d.name || name == d.numpyName)
      return &d;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Contents
//===----------------------------------------------------------------------===//

inline constexpr uint32_t kNone = 0xFFFFFFFFu; ///< "no index"

enum class DeviceKind : uint32_t { Cpu = 0, Cuda = 1 };

/// What the kernels of one device kind need from the machine. CPU: `arch`
/// is the LLVM CPU name the kernels were built for ("x86-64-v3",
/// "skylake-avx512", ...) and `features` the ISA extensions they may use
/// ("avx2", "fma", "avx512f", ...); the loader refuses a CPU that lacks one.
/// CUDA: `arch` is "sm_90" etc.
struct TargetDesc {
  DeviceKind kind = DeviceKind::Cpu;
  std::string arch;
  std::vector<std::string> features;
};

/// The ISA extensions a CPU target record may name (LLVM's spelling); the
/// runtime checks each on the running CPU.
inline constexpr const char *kCpuFeatures[] = {
    "sse4.2",   "avx",      "avx2",       "fma",        "f16c",
    "bmi",      "bmi2",     "avx512f",    "avx512bw",   "avx512vl",
    "avx512dq", "avx512cd", "avx512vnni", "avx512bf16", "avx512fp16"};

/// One device of the artifact; programs refer to it by index.
struct DeviceDesc {
  DeviceKind kind = DeviceKind::Cpu;
  uint32_t target = 0; ///< index into ArtifactDesc::targets
};

/// A kernel argument: how many bytes of its buffer the kernel may touch
/// and whether it reads and/or writes them. The loader checks every launch's
/// buffers against these sizes.
enum KernelAccess : uint32_t { kRead = 1, kWrite = 2 };
struct KernelArgDesc {
  uint64_t bytes = 0;
  uint32_t access = kRead;
};

/// A generated kernel: entry point `void symbol(void **args)` in the kernel
/// object of its device kind, called with one pointer per argument.
struct KernelDesc {
  std::string symbol;
  DeviceKind kind = DeviceKind::Cpu;
  std::vector<KernelArgDesc> args;
};

/// Bytes in the Weights section bound to buffers at load. When
/// `splatBytes` is non-zero the stored bytes are one element of that size,
/// repeated to fill every buffer bound to the weight.
struct WeightDesc {
  std::string name;
  uint64_t offset = 0; ///< into the Weights section
  uint64_t size = 0;   ///< stored bytes
  uint32_t splatBytes = 0;
};

/// The largest arena an artifact may declare (2^56 bytes). Tensors are at
/// most 2^48 bytes (the compiler's limit); an arena holds many of them.
/// Larger is corruption; smaller but more than the machine has is a clear
/// allocation error at load, not corruption.
inline constexpr uint64_t kMaxArenaBytes = uint64_t(1) << 56;

enum class ArenaKind : uint32_t { Device = 0, HostPinned = 1 };
/// Arena flags. A persistent arena keeps its contents between runs
/// (weights, parameters, optimizer state): it is filled once at load.
enum ArenaFlags : uint32_t { kPersistent = 1 };

struct ArenaDesc {
  ArenaKind kind = ArenaKind::Device;
  uint32_t flags = 0;
  uint64_t size = 0;
  uint64_t alignment = 64; ///< a power of two; every buffer offset obeys it
};

struct BufferDesc {
  uint32_t arena = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t weight = kNone; ///< WeightDesc bound at load (persistent arenas)
};

enum class StreamKind : uint32_t { Compute = 0, Comm = 1, Copy = 2 };

enum class CommandKind : uint32_t {
  Launch = 0,      ///< generated kernel
  Gemm = 1,        ///< typed GEMM library call
  Copy = 2,        ///< ins[0] -> outs[0], same size (d2h / h2d / d2d)
  Collective = 3,  ///< all_reduce, all_gather, ...
  Send = 4,        ///< ins[0] to `peer`
  Recv = 5,        ///< outs[0] from `peer`
  EventRecord = 6, ///< record `event` on the command's stream
  EventWait = 7,   ///< hold the stream until `event` is reached
};

enum class Epilogue : uint32_t {
  None = 0,
  Bias = 1,
  BiasRelu = 2,
  BiasGelu = 3
};

/// C[b] = op(A[b]) x op(B[b]) (+ epilogue) for b < batch; row-major; ins =
/// {A, B} (+ bias), outs = {C}. Strides are in elements between
/// consecutive batch matrices (0 broadcasts one matrix over the batch).
/// f64 has no library GEMM: f64 products are generated kernels, and the
/// loader refuses an f64 GEMM command.
struct GemmDesc {
  DType abType = DType::F32;    ///< A and B
  DType cType = DType::F32;     ///< C
  DType accumType = DType::F32; ///< f32 for f32/f16/bf16, i32 for i8/i32,
                                ///< i64 for i64
  int64_t m = 0, n = 0, k = 0, batch = 1;
  int64_t strideA = 0, strideB = 0, strideC = 0;
  uint32_t transA = 0, transB = 0;
  Epilogue epilogue = Epilogue::None;
};

enum class CollectiveKind : uint32_t {
  AllReduce = 0,
  AllGather = 1,
  ReduceScatter = 2,
  AllToAll = 3,
  Broadcast = 4
};
enum class ReduceKind : uint32_t { Sum = 0, Max = 1, Min = 2, Prod = 3 };

/// Collectives and point-to-point transfers between the devices of one
/// entry. The runtime executes exactly these semantics; the compiler emits
/// exactly them.
///
/// Buffers are contiguous and row-major; `count` is in elements of `dtype`;
/// the "rank" of a device is its position in `group` (which lists devices,
/// indices into ArtifactDesc::devices, each once, in rank order). With n =
/// group.size():
///
/// - AllReduce: ins[0] and outs[0] hold `count` elements; every rank gets
///   the elementwise reduction (`reduce`) over the group, accumulated in
///   rank order (rank 0 first), so every rank gets the same bits. f32 and
///   f64 reduce in their own type; f16 and bf16 accumulate in f32 and are
///   rounded once (to nearest even); integers wrap like two's complement
///   (sum, prod); max / min compare signed.
/// - AllGather: ins[0] holds `count` elements; outs[0] holds n * count,
///   rank r's input at element offset r * count.
/// - ReduceScatter: ins[0] holds `count` elements, n chunks of count / n
///   (count % n == 0); outs[0] holds one chunk: rank r gets the reduction
///   of chunk r over the group (reduced as AllReduce does).
/// - AllToAll: ins[0] and outs[0] hold `count` elements, n chunks of
///   count / n (count % n == 0); chunk j of rank i's input lands as chunk i
///   of rank j's output.
/// - Broadcast: outs[0] of every rank gets the `count` elements of ins[0]
///   of rank `root`; ranks other than the root need no ins.
/// - Send (kind Send): ins[0] holds `count` elements sent to device `peer`;
///   Recv (kind Recv): outs[0] receives `count` elements from device
///   `peer`. A send and a recv match by `order`, which they share, and must
///   agree on dtype and count. `group`, `reduce` and `root` are unused.
///
/// Order: `order` is the global number of the transfer. Every program
/// issues its collectives and sends / recvs in strictly increasing order;
/// every program of the entry that issues order k agrees on kind, reduce,
/// dtype, count, group and root, and its device is in the group. An input
/// and an output may be the same buffer (in place). A group of one device
/// is a copy of the output's bytes from the input.
struct CollectiveDesc {
  CollectiveKind kind = CollectiveKind::AllReduce;
  ReduceKind reduce = ReduceKind::Sum;
  DType dtype = DType::F32;
  uint64_t count = 0; ///< elements of ins[0] (Recv, Broadcast: of outs[0])
  uint64_t order = 0; ///< the global order; unique per transfer
  std::vector<uint32_t> group;
  uint32_t peer = kNone; ///< send / recv
  uint32_t root = 0;     ///< broadcast: position in `group`
};

/// "all_reduce", ..., "send", "recv": how messages name a transfer.
inline const char *transferName(CommandKind command, CollectiveKind kind) {
  if (command == CommandKind::Send)
    return "send";
  if (command == CommandKind::Recv)
    return "recv";
  switch (kind) {
  case CollectiveKind::AllReduce:
    return "all_reduce";
  case CollectiveKind::AllGather:
    return "all_gather";
  case CollectiveKind::ReduceScatter:
    return "reduce_scatter";
  case CollectiveKind::AllToAll:
    return "all_to_all";
  case CollectiveKind::Broadcast:
    return "broadcast";
  }
  return "?";
}

/// Elements a transfer reads from ins[0] and writes to outs[0] on one rank
/// (the semantics above; a group of one device copies the output's count).
inline uint64_t transferInElements(CommandKind command,
                                   const CollectiveDesc &c) {
  return command == CommandKind::Recv ? 0 : c.count;
}
inline uint64_t transferOutElements(CommandKind command,
                                    const CollectiveDesc &c) {
  if (command == CommandKind::Send)
    return 0;
  if (command == CommandKind::Recv)
    return c.count;
  uint64_t n = c.group.empty() ? 1 : c.group.size();
  switch (c.kind) {
  case CollectiveKind::AllGather:
    return c.count * n;
  case CollectiveKind::ReduceScatter:
    return c.count / n;
  default:
    return c.count;
  }
}

struct CommandDesc {
  CommandKind kind = CommandKind::Launch;
  uint32_t stream = 0;
  std::string label; ///< what it computes ("weft.softmax"), for traces
  std::vector<uint32_t> ins, outs; ///< buffers
  uint32_t kernel = kNone;         ///< Launch
  /// Launch: parallel extent (CPU: iterations of the outer parallel loop
  /// handed to the thread pool, 1 = serial); CUDA: grid and block.
  uint64_t extent = 1;
  uint32_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
  uint32_t sharedBytes = 0;
  GemmDesc gemm;             ///< Gemm
  CollectiveDesc collective; ///< Collective, Send, Recv
  uint32_t event = kNone;    ///< EventRecord, EventWait
};

/// Everything one device does in one step of one entry.
struct ProgramDesc {
  uint32_t device = 0; ///< index into ArtifactDesc::devices
  std::vector<ArenaDesc> arenas;
  std::vector<BufferDesc> buffers;
  std::vector<StreamKind> streams;
  uint32_t numEvents = 0;
  std::vector<CommandDesc> commands;
  uint64_t lowerBound = 0; ///< informative: most bytes live at one point
};

/// Where (part of) an entry's input or output lives: a buffer of one of the
/// entry's programs holding the slice [start, start + shape) of the global
/// tensor, contiguous and row-major (the whole tensor when unsharded; the
/// same slice on several devices when replicated). The placements of a
/// tensor lie inside it and together cover every element. Inputs (and
/// state on setState) are scattered: every placement gets its slice;
/// outputs (and state on readState) are gathered: every element comes from
/// the first placement holding it.
struct PlacementDesc {
  uint32_t program = 0; ///< index into EntryDesc::programs
  uint32_t buffer = 0;
  std::vector<int64_t> start, shape;
};

struct TensorDesc {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<PlacementDesc> placements;
};

struct EntryDesc {
  std::string name;
  std::vector<ProgramDesc> programs;
  std::vector<TensorDesc> inputs, outputs;
  /// Named persistent tensors (parameters): buffers in persistent arenas,
  /// bound once (from a weight, or by the user after load), kept between
  /// runs.
  std::vector<TensorDesc> state;
};

struct ArtifactDesc {
  std::vector<TargetDesc> targets;
  std::vector<DeviceDesc> devices;
  std::vector<KernelDesc> kernels;
  std::vector<WeightDesc> weights;
  std::vector<EntryDesc> entries;
  std::vector<char> cpuKernels;  ///< a native shared object
  std::vector<char> weightBytes; ///< the Weights section
};

/// The whole file for `artifact`.
std::vector<char> encodeArtifact(const ArtifactDesc &artifact);

/// Parses `size` bytes: header, version, checksums and the structure of
/// every section (never reads out of bounds, never allocates more than the
/// bytes could describe). On failure returns false with a message in
/// `error`. Semantic checks (indices, sizes, arenas) are the runtime's
/// validation, done after decoding.
bool decodeArtifact(const char *data, size_t size, ArtifactDesc &out,
                    std::string &error);

//===----------------------------------------------------------------------===//
// Byte layout helpers
//===----------------------------------------------------------------------===//

#pragma pack(push, 1)
struct Header {
  char magic[8];
  uint32_t version;
  uint32_t numSections;
  uint64_t fileSize;
  uint64_t tableChecksum; ///< FNV-1a over the section table.
};
struct SectionEntry {
  uint32_t kind;
  uint32_t reserved;
  uint64_t offset;
  uint64_t size;
  uint64_t checksum; ///< FNV-1a over the section bytes.
};
#pragma pack(pop)

inline uint64_t fnv1a(const void *data, size_t size) {
  const auto *p = static_cast<const unsigned char *>(data);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

} // namespace weft::format

#endif // WEFT_RUNTIME_FORMAT_H
