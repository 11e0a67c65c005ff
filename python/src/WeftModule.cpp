//===- WeftModule.cpp - the weft Python extension (_weft) -----------------===//
//
// One pybind11 module over weft's own C++ API (no upstream MLIR Python
// bindings): an IR builder that creates weft ops through the ops' own type
// inference and verifiers, the compiler, and the runtime.
//
//   init_ir        Graph: arguments, ops, constants, results -> weft IR
//   init_compiler  compile / emit a Graph's module
//   init_runtime   Executable: an artifact run on numpy arrays
//
//===----------------------------------------------------------------------===//
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "weft/Dialect/Dist/IR/DistOps.h"
#include "weft/Dialect/Weft/IR/WeftOps.h"
#include "weft/InitAllDialects.h"
#include "weft/InitAllPasses.h"
#include "weft/Pipelines/Compile.h"
#include "weft/Target/DTypes.h"
#include "weft/runtime/Runtime.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <mutex>

namespace py = pybind11;
using namespace mlir;

namespace {

/// Raised for every error the compiler or runtime reports.
struct WeftError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The one MLIRContext is created with threading disabled: every use of it
/// (building graphs, compiling) holds this lock. Compilation releases the
/// GIL, so without it two Python threads would race on the context.
/// Never wait for the GIL while holding it.
std::mutex &contextMutex() {
  static std::mutex m;
  return m;
}
using ContextLock = std::lock_guard<std::mutex>;

MLIRContext &context() {
  static MLIRContext *ctx = [] {
    ::weft::registerAllPasses();
    DialectRegistry registry;
    ::weft::registerAllDialects(registry);
    auto *c = new MLIRContext(registry, MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

/// Collects diagnostics while alive; `text()` formats them as
/// "file:line:col: error: message" lines.
class DiagnosticCollector {
public:
  DiagnosticCollector()
      : handler(&context(), [this](Diagnostic &d) {
          std::string s;
          llvm::raw_string_ostream os(s);
          if (auto loc = dyn_cast<FileLineColLoc>(d.getLocation()))
            os << loc.getFilename().getValue() << ":" << loc.getLine() << ": ";
          os << (d.getSeverity() == DiagnosticSeverity::Error ? "error: "
                                                              : "note: ")
             << d.str();
          messages.push_back(s);
          return success();
        }) {}
  std::string text() const {
    std::string out;
    for (const std::string &m : messages)
      out += (out.empty() ? "" : "\n") + m;
    return out.empty() ? "unknown error" : out;
  }

private:
  std::vector<std::string> messages;
  ScopedDiagnosticHandler handler;
};

/// The MLIR element type of a numpy dtype name (the table is
/// format::kDTypes, shared with the runtime and `.npy` I/O).
Type elementType(const std::string &dtype) {
  const ::weft::format::DTypeInfo *info = ::weft::format::dtypeByName(dtype);
  if (!info) {
    std::string known;
    for (const auto &d : ::weft::format::kDTypes)
      known += (known.empty() ? "" : ", ") + std::string(d.numpyName);
    throw WeftError("unsupported dtype '" + dtype + "' (" + known + ")");
  }
  return ::weft::elementTypeOf(info->dtype, &context());
}

/// numpy's name for an MLIR element type.
std::string dtypeName(Type t) {
  if (std::optional<::weft::format::DType> d = ::weft::dtypeOf(t))
    return ::weft::format::dtypeInfo(*d).numpyName;
  return "unknown";
}

RankedTensorType tensorType(const std::string &dtype,
                            const std::vector<int64_t> &shape) {
  for (int64_t d : shape)
    if (d < 0)
      throw WeftError("negative dimension in shape");
  return RankedTensorType::get(shape, elementType(dtype));
}

//===----------------------------------------------------------------------===//
// init_ir: Graph
//===----------------------------------------------------------------------===//

/// One function being traced. Values are referred to by integer ids.
class Graph {
public:
  explicit Graph(const std::string &name) {
    ContextLock lock(contextMutex());
    MLIRContext &ctx = context();
    module = ModuleOp::create(UnknownLoc::get(&ctx));
    OpBuilder b(&ctx);
    b.setInsertionPointToEnd(module->getBody());
    func = func::FuncOp::create(b, UnknownLoc::get(&ctx), name,
                                b.getFunctionType({}, {}));
    func->setAttr("weft.entry", b.getUnitAttr());
    func.addEntryBlock();
  }

  ~Graph() {
    ContextLock lock(contextMutex());
    module = nullptr;
  }
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  int addArgument(const std::string &dtype, const std::vector<int64_t> &shape,
                  const std::string &name) {
    ContextLock lock(contextMutex());
    Block &body = func.getBody().front();
    BlockArgument arg =
        body.addArgument(tensorType(dtype, shape), UnknownLoc::get(&context()));
    func.setType(FunctionType::get(&context(), body.getArgumentTypes(), {}));
    func.setArgAttr(arg.getArgNumber(), "weft.name",
                    StringAttr::get(&context(), name));
    return remember(arg);
  }

  /// Adds a parameter: an argument that is persistent state of the
  /// compiled model, initialized from `array`.
  int addState(py::array array, const std::string &dtype,
               const std::string &name) {
    ContextLock lock(contextMutex());
    DenseElementsAttr init = denseOf(array, dtype);
    Block &body = func.getBody().front();
    BlockArgument arg =
        body.addArgument(init.getType(), UnknownLoc::get(&context()));
    func.setType(FunctionType::get(&context(), body.getArgumentTypes(), {}));
    unsigned i = arg.getArgNumber();
    func.setArgAttr(i, "weft.name", StringAttr::get(&context(), name));
    func.setArgAttr(i, "weft.state", UnitAttr::get(&context()));
    func.setArgAttr(i, "weft.init", init);
    return remember(arg);
  }

  /// Creates op `name` on `operands` with the attribute dictionary `attrs`
  /// (MLIR syntax). The result type is inferred by the op unless given.
  std::vector<int>
  addOp(const std::string &name, const std::vector<int> &operands,
        const std::string &attrs,
        std::optional<std::pair<std::string, std::vector<int64_t>>> resultType,
        const std::string &file, int line) {
    ContextLock lock(contextMutex());
    MLIRContext &ctx = context();
    DiagnosticCollector diags;
    Location loc = FileLineColLoc::get(&ctx, file, line, 1);
    std::optional<RegisteredOperationName> info =
        RegisteredOperationName::lookup(name, &ctx);
    if (!info)
      throw WeftError("unknown op '" + name + "'");
    DictionaryAttr dict = DictionaryAttr::get(&ctx);
    if (!attrs.empty()) {
      Attribute parsed = parseAttribute(attrs, &ctx);
      dict = dyn_cast_or_null<DictionaryAttr>(parsed);
      if (!dict)
        throw WeftError("internal: bad attribute dictionary " + attrs);
    }
    SmallVector<Value> args;
    for (int id : operands)
      args.push_back(value(id));

    OperationState state(loc, *info);
    state.addOperands(args);
    bool hasProperties = info->getOpPropertyByteSize() > 0;
    if (hasProperties)
      state.propertiesAttr = dict;
    else
      state.addAttributes(dict.getValue());
    if (resultType) {
      state.addTypes(tensorType(resultType->first, resultType->second));
    } else if (auto *iface = info->getInterface<InferTypeOpInterface>()) {
      // Inference reads the op's properties: build them from `dict`.
      std::vector<char> storage(info->getOpPropertyByteSize() + 16);
      OpaqueProperties props(storage.data());
      info->initOpProperties(props, nullptr);
      auto emit = [&] { return emitError(loc); };
      bool ok = (!hasProperties || succeeded(info->setOpPropertiesFromAttribute(
                                       *info, props, dict, emit))) &&
                succeeded(iface->inferReturnTypes(&ctx, loc, args, dict, props,
                                                  {}, state.types));
      info->destroyOpProperties(props);
      if (!ok)
        throw WeftError(diags.text());
    } else {
      throw WeftError("internal: op '" + name + "' needs a result type");
    }
    OpBuilder b(&ctx);
    b.setInsertionPointToEnd(&func.getBody().front());
    Operation *op = b.create(state);
    if (failed(verify(op))) {
      op->erase();
      throw WeftError(diags.text());
    }
    std::vector<int> ids;
    for (Value v : op->getResults())
      ids.push_back(remember(v));
    return ids;
  }

  int addConstant(py::array array, const std::string &dtype) {
    ContextLock lock(contextMutex());
    DenseElementsAttr value = denseOf(array, dtype);
    OpBuilder b(&context());
    b.setInsertionPointToEnd(&func.getBody().front());
    auto op =
        ::mlir::weft::ConstantOp::create(b, UnknownLoc::get(&context()), value);
    return remember(op.getResult());
  }

  void setResults(const std::vector<int> &ids,
                  const std::vector<std::string> &names) {
    ContextLock lock(contextMutex());
    Block &body = func.getBody().front();
    if (!body.empty() && body.back().hasTrait<OpTrait::IsTerminator>())
      throw WeftError("results already set");
    SmallVector<Value> results;
    for (int id : ids)
      results.push_back(value(id));
    OpBuilder b = OpBuilder::atBlockEnd(&body);
    func::ReturnOp::create(b, UnknownLoc::get(&context()), results);
    func.setType(FunctionType::get(&context(), body.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    for (auto [i, n] : llvm::enumerate(names))
      func.setResultAttr(i, "weft.name", StringAttr::get(&context(), n));
  }

  /// Sets attribute `name` of the traced function to `attr` (MLIR syntax),
  /// e.g. weft.autodiff or weft.optimizer.
  void setAttr(const std::string &name, const std::string &attr) {
    ContextLock lock(contextMutex());
    Attribute parsed = parseAttribute(attr, &context());
    if (!parsed)
      throw WeftError("internal: bad attribute " + attr);
    func->setAttr(name, parsed);
  }

  py::tuple type(int id) {
    ContextLock lock(contextMutex());
    auto t = cast<RankedTensorType>(value(id).getType());
    return py::make_tuple(dtypeName(t.getElementType()),
                          py::tuple(py::cast(std::vector<int64_t>(
                              t.getShape().begin(), t.getShape().end()))));
  }

  std::string text(bool locations) {
    ContextLock lock(contextMutex());
    std::string s;
    llvm::raw_string_ostream os(s);
    OpPrintingFlags flags;
    flags.elideLargeElementsAttrs(16); // parameters' values are not text
    if (locations)
      flags.enableDebugInfo(true, /*prettyForm=*/false);
    module->print(os, flags);
    return s;
  }

  ModuleOp getModule() { return *module; }

  /// The value with id `id` (for passes over a clone of the module).
  Value valueOf(int id) { return value(id); }

private:
  /// The elements of a C-contiguous numpy array as an attribute.
  static DenseElementsAttr denseOf(py::array array, const std::string &dtype) {
    std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
    RankedTensorType type = tensorType(dtype, shape);
    size_t bytes = array.nbytes();
    if (!(array.flags() & py::array::c_style))
      throw WeftError("internal: constant must be C-contiguous");
    auto raw = ArrayRef<char>(static_cast<const char *>(array.data()), bytes);
    bool splat = false;
    if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat))
      throw WeftError("internal: constant bytes do not match its type");
    return DenseElementsAttr::getFromRawBuffer(type, raw);
  }

  int remember(Value v) {
    values.push_back(v);
    return int(values.size()) - 1;
  }
  Value value(int id) {
    if (id < 0 || size_t(id) >= values.size())
      throw WeftError("internal: unknown value id");
    return values[id];
  }

  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
  std::vector<Value> values;
};

//===----------------------------------------------------------------------===//
// init_compiler
//===----------------------------------------------------------------------===//

/// Compiles a copy of the graph's module; returns artifact bytes, or the
/// text of `stage` ("weft", "groups", "linalg", "plan", "llvm").
py::object compile(Graph &g, const std::string &stage, bool useBlas,
                   const std::string &cpu) {
  ::weft::CompileOptions opts;
  opts.useBlas = useBlas;
  opts.cpu = cpu;
  if (!stage.empty()) {
    std::optional<::weft::Stage> s = ::weft::parseStage(stage);
    if (!s || *s == ::weft::Stage::Artifact)
      throw py::value_error("unknown stage '" + stage +
                            "' (weft, groups, linalg, plan, llvm)");
    opts.stop = *s;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  FailureOr<::weft::CompiledModule> compiled;
  std::string errors;
  {
    py::gil_scoped_release release;
    ContextLock lock(contextMutex());
    DiagnosticCollector diags;
    OwningOpRef<ModuleOp> copy(g.getModule().clone());
    compiled = ::weft::compileModule(*copy, opts, os);
    if (failed(compiled))
      errors = diags.text();
  }
  if (failed(compiled))
    throw WeftError(errors);
  if (!stage.empty())
    return py::str(text);
  return py::bytes(compiled->bytes.data(), compiled->bytes.size());
}

/// One `weft.shard` pin: value id, placements per mesh axis ("[S(0), B]"),
/// and the user's file and line.
using Pin = std::tuple<int, std::string, std::string, int>;

/// Adds the mesh and the pins (as `dist.annotate`) to a clone of the graph's
/// module and runs the sharding search; returns the sharded IR and the
/// report, or failure after diagnostics.
/// A clone of the graph's module with the mesh and the pins (as
/// `dist.annotate`), verified; `keepInit`: keep the parameters' initial
/// values (an artifact needs them, a plan does not).
FailureOr<OwningOpRef<ModuleOp>> meshClone(Graph &g,
                                           const ::weft::MeshSpec &mesh,
                                           const std::vector<Pin> &pins,
                                           bool keepInit) {
  MLIRContext &ctx = context();
  IRMapping map;
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(g.getModule()->clone(map)));
  if (failed(::weft::addMesh(*copy, mesh)))
    return failure();
  // Parameters' initial values play no part in the plan; without them the
  // sharded IR stays small.
  if (!keepInit)
    for (auto fn : copy->getOps<func::FuncOp>())
      for (unsigned i = 0; i < fn.getNumArguments(); ++i)
        fn.removeArgAttr(i, "weft.init");
  // A value pinned twice gets a chain of annotations, in pin order.
  DenseMap<Value, Value> latest;
  Operation *lastArgPin = nullptr;
  for (const auto &[id, placements, file, line] : pins) {
    Value original = map.lookup(g.valueOf(id));
    Value input = latest.lookup(original);
    if (!input)
      input = original;
    Location loc = FileLineColLoc::get(&ctx, file, line, 1);
    std::string text = "#dist.sharding<@" + mesh.name + ", " + placements + ">";
    auto sharding =
        dyn_cast_or_null<dist::ShardingAttr>(parseAttribute(text, &ctx));
    if (!sharding)
      return emitError(loc, "internal: bad sharding " + text);
    OpBuilder b(&ctx);
    if (Operation *def = input.getDefiningOp())
      b.setInsertionPointAfter(def);
    else if (lastArgPin)
      b.setInsertionPointAfter(lastArgPin); // argument pins in pin order
    else
      b.setInsertionPointToStart(cast<BlockArgument>(input).getOwner());
    auto pin =
        dist::AnnotateOp::create(b, loc, input.getType(), input, sharding);
    input.replaceAllUsesExcept(pin.getResult(), pin);
    latest[original] = pin.getResult();
    if (isa<BlockArgument>(input))
      lastArgPin = pin;
  }
  if (failed(verify(*copy)))
    return failure();
  return copy;
}

/// Compiles `module` with `opts`, the sharding report written in `format`;
/// returns (the emitted text or artifact bytes, the report).
FailureOr<std::pair<std::string, std::string>>
compileWithReport(ModuleOp module, ::weft::CompileOptions opts,
                  const std::string &format) {
  MLIRContext &ctx = context();
  SmallString<128> report;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "weft-shard", format == "json" ? "json" : "txt", fd, report))
    return emitError(UnknownLoc::get(&ctx),
                     "cannot create a temporary file: " + ec.message());
  llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  opts.shardReport = report.str().str();
  opts.shardReportFormat = format;
  std::string ir;
  llvm::raw_string_ostream os(ir);
  FailureOr<::weft::CompiledModule> done =
      ::weft::compileModule(module, opts, os);
  if (succeeded(done) && opts.stop == ::weft::Stage::Artifact)
    ir.assign(done->bytes.begin(), done->bytes.end());
  auto buffer = llvm::MemoryBuffer::getFile(report);
  llvm::sys::fs::remove(report);
  if (failed(done))
    return failure();
  if (!buffer)
    return emitError(UnknownLoc::get(&ctx), "cannot read the sharding report");
  return std::make_pair(ir, (*buffer)->getBuffer().str());
}

/// Compiles the graph for a mesh (weft.compile(..., mesh=)): returns (the
/// artifact with one program per device, the JSON sharding report).
py::tuple compileSharded(Graph &g, const std::string &shape,
                         const std::string &axes, const std::string &topology,
                         const std::vector<Pin> &pins, bool training,
                         const std::string &mode, int64_t memoryBudget,
                         bool useBlas, const std::string &cpu) {
  llvm::Expected<::weft::MeshSpec> mesh =
      ::weft::parseMeshSpec(shape, axes, topology);
  if (!mesh)
    throw py::value_error("weft.Mesh: " + llvm::toString(mesh.takeError()));
  ::weft::CompileOptions opts;
  opts.useBlas = useBlas;
  opts.cpu = cpu;
  opts.shardMode = mode;
  opts.training = training;
  opts.memoryBudget = memoryBudget;
  FailureOr<std::pair<std::string, std::string>> done = failure();
  std::string errors;
  {
    py::gil_scoped_release release;
    ContextLock lock(contextMutex());
    DiagnosticCollector diags;
    FailureOr<OwningOpRef<ModuleOp>> copy =
        meshClone(g, *mesh, pins, /*keepInit=*/true);
    if (succeeded(copy))
      done = compileWithReport(**copy, opts, "json");
    if (failed(done))
      errors = diags.text();
  }
  if (failed(done))
    throw WeftError(errors);
  return py::make_tuple(py::bytes(done->first), done->second);
}

/// Plans the sharding of the graph on a mesh (weft.plan_sharding): returns
/// (sharded IR, JSON report, table report).
py::tuple planSharding(Graph &g, const std::string &shape,
                       const std::string &axes, const std::string &topology,
                       const std::vector<Pin> &pins, bool training,
                       const std::string &mode, int64_t memoryBudget) {
  llvm::Expected<::weft::MeshSpec> mesh =
      ::weft::parseMeshSpec(shape, axes, topology);
  if (!mesh)
    throw py::value_error("weft.Mesh: " + llvm::toString(mesh.takeError()));
  ::weft::CompileOptions opts;
  opts.shardMode = mode;
  opts.training = training;
  opts.memoryBudget = memoryBudget;
  std::string ir, json, table, errors;
  {
    py::gil_scoped_release release;
    ContextLock lock(contextMutex());
    DiagnosticCollector diags;
    // The pass writes one report format: run it for each (the search is
    // deterministic).
    opts.stop = ::weft::Stage::Sharded;
    FailureOr<std::pair<std::string, std::string>> first = failure(),
                                                   second = failure();
    for (auto [format, out] :
         {std::make_pair("json", &first), std::make_pair("table", &second)}) {
      FailureOr<OwningOpRef<ModuleOp>> copy =
          meshClone(g, *mesh, pins, /*keepInit=*/false);
      if (failed(copy))
        break;
      *out = compileWithReport(**copy, opts, format);
      if (failed(*out))
        break;
    }
    if (failed(first) || failed(second))
      errors = diags.text();
    else {
      ir = first->first;
      json = first->second;
      table = second->second;
    }
  }
  if (!errors.empty())
    throw WeftError(errors);
  return py::make_tuple(ir, json, table);
}

//===----------------------------------------------------------------------===//
// init_runtime
//===----------------------------------------------------------------------===//

/// numpy's name for an artifact dtype.
const char *numpyName(::weft::format::DType t) {
  return ::weft::format::dtypeInfo(t).numpyName;
}

/// A loaded artifact's entry, run on numpy arrays. Calls may come from
/// several Python threads at once: the GIL is released while the runtime's
/// thread-safe Executable::call runs.
class PyExecutable {
public:
  PyExecutable(py::bytes artifact, const std::string &entry) {
    std::string data = artifact;
    ::weft::rt::Status s;
    // Every device of a mesh runs in this process (local communicator),
    // even if Python itself was started by mpirun.
    ::weft::rt::LoadOptions options;
    options.mode = ::weft::rt::ExecutionMode::Local;
    model =
        ::weft::rt::Model::loadFromMemory(data.data(), data.size(), s, options);
    if (!model)
      throw WeftError(s.message);
    exe = model->executable(entry);
    if (!exe)
      throw WeftError("no entry function named '" + entry + "'");
  }

  static py::list specsOf(const std::vector<::weft::rt::TensorInfo> &list) {
    py::list out;
    for (const auto &t : list)
      out.append(py::make_tuple(t.name, numpyName(t.dtype),
                                py::tuple(py::cast(t.shape))));
    return out;
  }
  py::list inputs() const { return specsOf(exe->inputs()); }
  py::list outputs() const { return specsOf(exe->outputs()); }
  py::list stateSpecs() const { return specsOf(exe->state()); }

  /// A C-contiguous array of exactly `t`'s dtype and shape, or an error.
  static py::array checked(py::handle object, const ::weft::rt::TensorInfo &t,
                           const char *what) {
    py::array a = py::array::ensure(object);
    if (!a)
      throw py::type_error(std::string(what) + " '" + t.name +
                           "' must be a numpy array");
    std::string got = py::str(a.dtype()).cast<std::string>();
    std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
    if (got != numpyName(t.dtype) || shape != t.shape)
      throw py::value_error(
          std::string(what) + " '" + t.name + "' expects " + t.typeString() +
          " (" + numpyName(t.dtype) + "), got " + got + " " +
          py::str(py::tuple(py::cast(shape))).cast<std::string>());
    if (!(a.flags() & py::array::c_style))
      a = py::array::ensure(a, py::array::c_style);
    return a;
  }

  py::list run(const py::list &arrays) {
    const auto &inputs = exe->inputs();
    if (arrays.size() != inputs.size())
      throw py::value_error("expected " + std::to_string(inputs.size()) +
                            " inputs, got " + std::to_string(arrays.size()));
    std::vector<py::array> keep;
    std::vector<const void *> in;
    for (size_t i = 0; i < inputs.size(); ++i) {
      keep.push_back(checked(arrays[i], inputs[i], "input"));
      in.push_back(keep.back().data());
    }
    py::list out;
    std::vector<void *> outPtrs;
    for (const auto &t : exe->outputs()) {
      py::array a(py::dtype(numpyName(t.dtype)), t.shape);
      outPtrs.push_back(a.mutable_data());
      out.append(a);
    }
    ::weft::rt::Status s;
    {
      py::gil_scoped_release release;
      s = exe->call(in, outPtrs);
    }
    if (!s)
      throw WeftError(s.message);
    return out;
  }

  void setState(const std::string &name, py::handle value) {
    for (const auto &t : exe->state())
      if (t.name == name) {
        py::array a = checked(value, t, "state");
        ::weft::rt::Status s = exe->setState(name, a.data(), t.bytes());
        if (!s)
          throw WeftError(s.message);
        return;
      }
    throw py::key_error("no state named '" + name + "'");
  }

  py::array state(const std::string &name) {
    for (const auto &t : exe->state())
      if (t.name == name) {
        py::array a(py::dtype(numpyName(t.dtype)), t.shape);
        ::weft::rt::Status s =
            exe->readState(name, a.mutable_data(), t.bytes());
        if (!s)
          throw WeftError(s.message);
        return a;
      }
    throw py::key_error("no state named '" + name + "'");
  }

private:
  std::unique_ptr<::weft::rt::Model> model;
  ::weft::rt::Executable *exe;
};

void init_ir(py::module_ &m) {
  py::class_<Graph>(m, "Graph")
      .def(py::init<const std::string &>(), py::arg("name") = "main")
      .def("add_argument", &Graph::addArgument, py::arg("dtype"),
           py::arg("shape"), py::arg("name"))
      .def("add_op", &Graph::addOp, py::arg("name"), py::arg("operands"),
           py::arg("attrs") = "", py::arg("result_type") = py::none(),
           py::arg("file") = "<unknown>", py::arg("line") = 0)
      .def("add_constant", &Graph::addConstant, py::arg("array"),
           py::arg("dtype"))
      .def("add_state", &Graph::addState, py::arg("array"), py::arg("dtype"),
           py::arg("name"))
      .def("set_results", &Graph::setResults, py::arg("ids"), py::arg("names"))
      .def("set_attr", &Graph::setAttr, py::arg("name"), py::arg("attr"))
      .def("type", &Graph::type)
      .def("text", &Graph::text, py::arg("locations") = false);
}

void init_compiler(py::module_ &m) {
  m.def("compile", &compile, py::arg("graph"), py::arg("stage") = "",
        py::arg("use_blas") = true, py::arg("cpu") = "native",
        "Compile a Graph: artifact bytes, or the text of `stage`.");
  m.def("plan_sharding", &planSharding, py::arg("graph"), py::arg("shape"),
        py::arg("axes"), py::arg("topology"), py::arg("pins"),
        py::arg("training") = false, py::arg("mode") = "fast",
        py::arg("memory_budget") = 0,
        "Shard a Graph on a mesh: (sharded IR, JSON report, table report).");
  m.def("compile_sharded", &compileSharded, py::arg("graph"), py::arg("shape"),
        py::arg("axes"), py::arg("topology"), py::arg("pins"),
        py::arg("training") = false, py::arg("mode") = "fast",
        py::arg("memory_budget") = 0, py::arg("use_blas") = true,
        py::arg("cpu") = "native",
        "Compile a Graph for a mesh: (artifact bytes, JSON sharding report).");
}

void init_runtime(py::module_ &m) {
  py::class_<PyExecutable>(m, "Executable")
      .def(py::init<py::bytes, const std::string &>(), py::arg("artifact"),
           py::arg("entry") = "")
      .def("inputs", &PyExecutable::inputs)
      .def("outputs", &PyExecutable::outputs)
      .def("state_specs", &PyExecutable::stateSpecs)
      .def("set_state", &PyExecutable::setState, py::arg("name"),
           py::arg("value"))
      .def("state", &PyExecutable::state, py::arg("name"))
      .def("run", &PyExecutable::run);
  m.def("has_vendor_blas", &::weft::rt::hasVendorBlas);
  m.def(
      "dtypes",
      [] {
        std::vector<std::string> names;
        for (const auto &d : ::weft::format::kDTypes)
          names.push_back(d.numpyName);
        return names;
      },
      "numpy names of the element types weft supports, in dtype-code order");
}

} // namespace

PYBIND11_MODULE(_weft, m) {
  m.doc() = "weft's C++ compiler and runtime";
  py::register_exception<WeftError>(m, "WeftError", PyExc_RuntimeError);
  init_ir(m);
  init_compiler(m);
  init_runtime(m);
}
