"""`weft.jit` and `weft.compile`: trace a function or module with example
inputs, compile it, run it on numpy arrays through the runtime."""
import inspect

import numpy as np

from . import _weft
from ._tensor import DTYPES, Tensor, Trace

#: Options of later issues; each raises until its feature lands.
_FUTURE_OPTIONS = {
    "memory_budget": "memory budgets (swap / recompute)",
    "quantize": "int8 quantization",
}
#: Options of a compile on a mesh.
_MESH_OPTIONS = ("mesh", "shard_training", "shard_mode")
_STAGES = ("weft", "groups", "linalg", "plan", "llvm")


def _check_options(target, options):
    if target != "cpu":
        raise NotImplementedError(
            f"weft.compile: target={target!r} is not supported yet (only "
            f"'cpu')")
    for name in options:
        if name in _FUTURE_OPTIONS:
            raise NotImplementedError(
                f"weft.compile: option '{name}' ({_FUTURE_OPTIONS[name]}) is "
                f"not implemented yet")
        if name != "use_blas" and name not in _MESH_OPTIONS:
            raise TypeError(f"weft.compile: unknown option '{name}'")
    if "mesh" not in options and any(o in options for o in _MESH_OPTIONS):
        raise TypeError("weft.compile: shard_training and shard_mode need "
                        "mesh=")


def _input_names(fn, count):
    target = fn.forward if hasattr(fn, "forward") else fn
    try:
        params = [p for p in inspect.signature(target).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in params[:count]]
    except (TypeError, ValueError):
        names = []
    return names + [f"input{i}" for i in range(len(names), count)]


def _numpy_has_bfloat16():
    try:
        np.dtype("bfloat16")
        return True
    except TypeError:
        return False


def _spec(a):
    a = np.asarray(a)
    if a.dtype.name not in DTYPES:
        raise TypeError(f"weft: inputs of dtype {a.dtype} are not supported "
                        f"(supported: {', '.join(DTYPES)})")
    return a.dtype.name, tuple(a.shape)


def trace_function(fn, example_inputs):
    """Traces `fn` (a function or an nn.Module) on `example_inputs`:
    (trace, single) with the results set; `single` when `fn` returned one
    Tensor. Parameters of a module become persistent state (weft.state)."""
    names = _input_names(fn, len(example_inputs))
    trace = Trace(getattr(fn, "__name__", type(fn).__name__) or "main")
    with trace:
        if hasattr(fn, "named_parameters"):
            for pname, p in fn.named_parameters():
                p.name = pname
        args = [trace.argument(n, *_spec(a))
                for n, a in zip(names, example_inputs)]
        result = fn(*args)
    single = not isinstance(result, (tuple, list))
    results = [result] if single else list(result)
    for i, r in enumerate(results):
        if not isinstance(r, Tensor):
            raise TypeError(f"weft: traced functions must return weft "
                            f"Tensors, got {type(r).__name__}")
        if r.dtype == "bfloat16" and not _numpy_has_bfloat16():
            raise TypeError(f"weft: result {i} is bfloat16, which numpy "
                            f"cannot hold without the ml_dtypes package; "
                            f"return it as .astype('float32')")
    trace.graph.set_results([r._id for r in results],
                            [f"output{i}" for i in range(len(results))])
    return trace, single


class Compiled:
    """A compiled function: call it on numpy arrays."""

    def __init__(self, fn, example_inputs, target="cpu", *, _graph_attrs=None,
                 _trace=None, **options):
        _check_options(target, options)
        self._fn = fn
        self._use_blas = options.get("use_blas", True)
        names = _input_names(fn, len(example_inputs))
        # Training and gradients (weft.grad, compile_train) trace their own
        # function and set function attributes (weft.autodiff,
        # weft.optimizer) that the compiler acts on.
        if _trace is None:
            _trace = trace_function(fn, example_inputs)
        trace, self._single = _trace
        for name, attr in (_graph_attrs or {}).items():
            trace.graph.set_attr(name, attr)
        self._trace = trace
        self._input_specs = [(n, *_spec(a))
                             for n, a in zip(names, example_inputs)]
        self._params = trace.param_list
        self._mesh = options.get("mesh")
        self._plan = None
        try:
            if self._mesh is None:
                self._artifact = _weft.compile(trace.graph, "",
                                               self._use_blas)
            else:
                self._compile_on_mesh(trace, options)
        except _weft.WeftError as e:
            raise RuntimeError(f"weft: compilation failed:\n{e}") from None
        self._exe = _weft.Executable(self._artifact)
        # Parameters are persistent state of the loaded model, bound at
        # compile time. A Parameter whose array is later replaced (as
        # load_state_dict does) is re-bound before the next call; the check
        # is an identity comparison per parameter, no copy.
        self._bound = [(name, p, p.data)
                       for name, p in zip(trace.param_names, trace.param_list)]

    def _compile_on_mesh(self, trace, options):
        from ._sharding import Mesh, _placements, check_shard_options
        mesh = self._mesh
        if not isinstance(mesh, Mesh):
            raise TypeError(f"weft.compile: mesh must be a weft.Mesh, got "
                            f"{type(mesh).__name__}")
        self._shard_training = bool(options.get("shard_training", False))
        self._shard_mode = options.get("shard_mode", "fast")
        check_shard_options("weft.compile", self._shard_mode, None)
        self._pins = [(t._id, _placements(t, names, mesh, file, line), file,
                       line) for t, names, file, line in trace.pins]
        self._artifact, self._report_json = _weft.compile_sharded(
            trace.graph, *mesh.spec_strings(), self._pins,
            self._shard_training, self._shard_mode, 0, self._use_blas)

    def plan_report(self):
        """How the model is split over its mesh (weft.compile(...,
        mesh=...)): a weft.ShardingPlan; print it for the table."""
        if self._mesh is None:
            raise ValueError("weft: plan_report() needs a model compiled "
                             "with mesh=")
        if self._plan is None:
            from ._sharding import ShardingPlan
            ir, report, table = _weft.plan_sharding(
                self._trace.graph, *self._mesh.spec_strings(), self._pins,
                self._shard_training, self._shard_mode, 0)
            self._plan = ShardingPlan(self._mesh, ir, report, table)
        return self._plan

    @property
    def input_specs(self):
        """[(name, dtype, shape)] of the user inputs (parameters excluded)."""
        return list(self._input_specs)

    def __call__(self, *arrays):
        if len(arrays) != len(self._input_specs):
            raise TypeError(f"weft: expected {len(self._input_specs)} inputs "
                            f"({', '.join(n for n, _, _ in self._input_specs)})"
                            f", got {len(arrays)}")
        feeds = []
        for (name, dtype, shape), a in zip(self._input_specs, arrays):
            a = np.asarray(a)
            if a.dtype.name != dtype or tuple(a.shape) != shape:
                raise ValueError(f"weft: input '{name}' expects {dtype}"
                                 f"{list(shape)}, got {a.dtype.name}"
                                 f"{list(a.shape)}")
            feeds.append(np.asarray(a, order="C"))  # keeps 0-d arrays 0-d
        self._rebind_changed_parameters()
        out = self._exe.run(feeds)
        return out[0] if self._single else tuple(out)

    def _mark_parameters_bound(self):
        """Records every Parameter's current array as bound (the caller
        wrote the same values into the compiled model's state)."""
        self._bound = [(name, param, param.data)
                       for name, param, _ in self._bound]

    def _rebind_changed_parameters(self):
        for i, (name, param, bound) in enumerate(self._bound):
            if param.data is not bound:
                self._exe.set_state(name, np.asarray(param.data, order="C"))
                self._bound[i] = (name, param, param.data)

    def state_dict(self):
        """The compiled model's parameters as it holds them now (name ->
        numpy array). Parameters live in the loaded model as persistent
        state: bound once when compiled, never copied per call (a
        Parameter whose array is replaced, e.g. by the module's
        load_state_dict, is re-bound at the next call; changing an array in
        place is not seen: call load_state_dict here)."""
        return {name: self._exe.state(name)
                for name, _, _ in self._exe.state_specs()}

    def load_state_dict(self, state):
        """Replaces the compiled model's parameters (e.g. with a module's
        `state_dict()` after changing it); every name must exist and every
        array match its dtype and shape."""
        known = {name for name, _, _ in self._exe.state_specs()}
        unknown = sorted(set(state) - known)
        if unknown:
            raise KeyError(f"weft: no parameter named {unknown[0]!r} (have: "
                           f"{', '.join(sorted(known))})")
        for name, value in state.items():
            self._exe.set_state(name, np.asarray(value, order="C"))

    def mlir(self, stage="weft"):
        """The program as text at `stage`: weft (as traced, with Python
        locations), groups, linalg, plan or llvm."""
        if stage not in _STAGES:
            raise ValueError(f"weft: unknown stage {stage!r} (one of "
                             f"{', '.join(_STAGES)})")
        if stage == "weft":
            return self._trace.graph.text(True)
        return _weft.compile(self._trace.graph, stage, self._use_blas)

    def save(self, path):
        """Writes the artifact for `weft-run`. Its inputs are the user
        inputs; the parameters' values at compile time are stored in it as
        persistent state (`weft-run --list` shows them)."""
        with open(path, "wb") as f:
            f.write(self._artifact)


def compile(fn, *example_inputs, target="cpu", **options):
    """Traces `fn` (a function or an nn.Module) on `example_inputs` and
    compiles it. Options: use_blas (default True); mesh (a weft.Mesh: the
    compiler splits the model over its devices with its sharding search and
    `weft.shard` pins, and calls run every device in this process and
    return the global arrays), shard_training (choose the split for a
    training step's costs) and shard_mode ("fast" or "exact")."""
    return Compiled(fn, example_inputs, target, **options)


class jit:
    """Decorator: traces and compiles on the first call for each input
    signature (dtypes and shapes), then runs the compiled code."""

    def __init__(self, fn=None, **options):
        self._fn = fn
        self._options = options
        self._cache = {}
        if fn is not None:
            self.__wrapped__ = fn
            self.__name__ = getattr(fn, "__name__", "jit")

    def __call__(self, *arrays):
        if self._fn is None:  # used as @jit(**options)
            return jit(arrays[0], **self._options)
        key = tuple(_spec(a) for a in arrays)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = Compiled(self._fn, arrays, **self._options)
            self._cache[key] = compiled
        return compiled(*arrays)

    def compiled(self, *arrays):
        """The Compiled object for this input signature."""
        key = tuple(_spec(a) for a in arrays)
        if key not in self._cache:
            self._cache[key] = Compiled(self._fn, arrays, **self._options)
        return self._cache[key]
