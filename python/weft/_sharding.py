"""Sharding on a device mesh: `weft.Mesh`, `weft.shard` pins and
`weft.plan_sharding`, which runs the compiler's auto-sharding search
(dist-auto-shard) and returns its plan and predicted cost.

    mesh = weft.Mesh((2, 4), ("dp", "tp"), bandwidth_gbps=[25, 450])

    def f(x, w):
        x = weft.shard(x, ("dp", None))   # rows of x split over "dp"
        return x @ w

    plan = weft.plan_sharding(f, x, w, mesh=mesh)
    print(plan)                           # the table report

A pin names mesh axes, not placements: the mesh is only known when
planning, where each mesh axis `a` becomes S(d) if `a` is named at tensor
dim d and B otherwise. Without a mesh (weft.compile / weft.jit) a pin is
the identity.
"""
import json
import numbers
import operator

from . import _weft
from ._compile import trace_function
from ._tensor import Tensor, _user_location

_MODES = ("fast", "exact")


def _positive_numbers(name, values, count, allow_zero=False):
    """`values` as a list of `count` positive (or non-negative) floats."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"weft.Mesh: {name} must be a list with one number "
                        f"per mesh axis, got {values!r}")
    values = list(values)
    if len(values) != count:
        raise ValueError(f"weft.Mesh: {name} has {len(values)} values but "
                         f"the mesh has {count} axes")
    return [_number(name, v, allow_zero) for v in values]


def _positive_int(what, name, v):
    """`v` as a positive int (bytes), or TypeError / ValueError."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{what}: {name} must be an int, got {v!r}")
    if v < 1:
        raise ValueError(f"{what}: {name} must be positive, got {v}")
    return int(v)


def _number(name, v, allow_zero=False):
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"weft.Mesh: {name} must be a number, got {v!r}")
    v = float(v)
    if not (v >= 0 if allow_zero else v > 0) or v == float("inf"):
        raise ValueError(f"weft.Mesh: {name} must be "
                         f"{'non-negative' if allow_zero else 'positive'} "
                         f"and finite, got {v!r}")
    return v


class Mesh:
    """A device mesh: `shape` (a tuple of positive ints, one per axis),
    `axes` (one unique identifier per axis) and an optional topology for
    the cost model: per-axis `latency_us` and `bandwidth_gbps` (lists with
    one value per axis), per-device `memory_bytes`, `flops`,
    `memory_bandwidth_gbps` and `launch_us`. Unset values take the
    compiler's defaults."""

    def __init__(self, shape, axes, *, latency_us=None, bandwidth_gbps=None,
                 memory_bytes=None, flops=None, memory_bandwidth_gbps=None,
                 launch_us=None):
        if isinstance(shape, numbers.Integral) and not isinstance(shape,
                                                                  bool):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not shape:
            raise TypeError(f"weft.Mesh: shape must be a non-empty tuple of "
                            f"positive ints, got {shape!r}")
        for n in shape:
            if isinstance(n, bool) or not isinstance(n, numbers.Integral):
                raise TypeError(f"weft.Mesh: shape must hold ints, got "
                                f"{n!r} in {tuple(shape)}")
            if n < 1:
                raise ValueError(f"weft.Mesh: axis sizes must be positive, "
                                 f"got {tuple(shape)}")
        self.shape = tuple(int(n) for n in shape)
        if isinstance(axes, str):
            axes = (axes,)
        if not isinstance(axes, (tuple, list)):
            raise TypeError(f"weft.Mesh: axes must be a tuple of names, got "
                            f"{axes!r}")
        for a in axes:
            if not isinstance(a, str):
                raise TypeError(f"weft.Mesh: axis names must be strings, got "
                                f"{a!r}")
            if not a.isidentifier() or not a.isascii():
                raise ValueError(f"weft.Mesh: axis name {a!r} is not an "
                                 f"identifier (letters, digits and '_')")
        if len(set(axes)) != len(axes):
            dup = next(a for a in axes if list(axes).count(a) > 1)
            raise ValueError(f"weft.Mesh: axis name {dup!r} is repeated in "
                             f"{tuple(axes)}")
        if len(axes) != len(self.shape):
            raise ValueError(f"weft.Mesh: {len(axes)} axis names "
                             f"{tuple(axes)} for a mesh of {len(self.shape)} "
                             f"axes {self.shape}")
        self.axes = tuple(axes)
        rank = len(self.shape)
        self.latency_us = None if latency_us is None else \
            _positive_numbers("latency_us", latency_us, rank)
        self.bandwidth_gbps = None if bandwidth_gbps is None else \
            _positive_numbers("bandwidth_gbps", bandwidth_gbps, rank)
        if memory_bytes is not None:
            memory_bytes = _positive_int("weft.Mesh", "memory_bytes",
                                         memory_bytes)
        self.memory_bytes = memory_bytes
        self.flops = None if flops is None else _number("flops", flops)
        self.memory_bandwidth_gbps = None if memory_bandwidth_gbps is None \
            else _number("memory_bandwidth_gbps", memory_bandwidth_gbps)
        self.launch_us = None if launch_us is None else \
            _number("launch_us", launch_us, allow_zero=True)

    @property
    def size(self):
        """The number of devices."""
        n = 1
        for d in self.shape:
            n *= d
        return n

    def axis_size(self, name):
        return self.shape[self.axes.index(name)]

    def spec_strings(self):
        """(shape, axes, topology) as the compiler's MeshSpec parser (and
        weftc's --mesh, --mesh-axes, --mesh-topology) takes them."""
        topo = []
        if self.latency_us is not None:
            topo.append("latency_us=" + ",".join(map(repr, self.latency_us)))
        if self.bandwidth_gbps is not None:
            topo.append("bandwidth_gbps=" +
                        ",".join(map(repr, self.bandwidth_gbps)))
        if self.memory_bytes is not None:
            topo.append(f"memory_bytes={self.memory_bytes}")
        for key in ("flops", "memory_bandwidth_gbps", "launch_us"):
            v = getattr(self, key)
            if v is not None:
                topo.append(f"{key}={v!r}")
        return ("x".join(map(str, self.shape)), ",".join(self.axes),
                ";".join(topo))

    def __repr__(self):
        extra = "".join(
            f", {k}={getattr(self, k)!r}"
            for k in ("latency_us", "bandwidth_gbps", "memory_bytes", "flops",
                      "memory_bandwidth_gbps", "launch_us")
            if getattr(self, k) is not None)
        return f"weft.Mesh({self.shape}, {self.axes}{extra})"


def _normalize_spec(spec, ndim):
    """`spec` as a tuple of tuples of axis names, one per tensor dim."""
    if not isinstance(spec, (tuple, list)):
        raise TypeError(f"weft.shard: spec must be a tuple with one entry per "
                        f"tensor dim (None, an axis name or a tuple of axis "
                        f"names), got {spec!r}")
    if len(spec) != ndim:
        raise ValueError(f"weft.shard: spec {tuple(spec)!r} has {len(spec)} "
                         f"entries but the tensor has rank {ndim}")
    out, seen = [], set()
    for entry in spec:
        if entry is None:
            names = ()
        elif isinstance(entry, str):
            names = (entry,)
        elif isinstance(entry, (tuple, list)) and \
                all(isinstance(a, str) for a in entry):
            names = tuple(entry)
        else:
            raise TypeError(f"weft.shard: spec entries are None, an axis name "
                            f"or a tuple of axis names, got {entry!r}")
        for a in names:
            if a in seen:
                raise ValueError(f"weft.shard: mesh axis {a!r} is used twice "
                                 f"in spec {tuple(spec)!r}")
            seen.add(a)
        out.append(names)
    return tuple(out)


def shard(t, spec):
    """Pins the sharding of `t` in a traced function, as JAX's
    with_sharding_constraint: `spec` has one entry per dim of `t`, each None
    (not split), a mesh axis name, or a tuple of axis names (the dim split
    over several axes, in mesh-axis order). `weft.shard(x, ("dp", None))`
    splits the rows of x over mesh axis "dp"; mesh axes not named leave `t`
    broadcast (replicated) over them. Returns `t`: the pin is the identity
    on values. `weft.plan_sharding` keeps pins and plans the rest around
    them; single-device compiles ignore them."""
    if not isinstance(t, Tensor):
        raise TypeError(f"weft.shard: expects a weft Tensor being traced, got "
                        f"{type(t).__name__}")
    t._trace.check_live()
    names = _normalize_spec(spec, t.ndim)
    file, line = _user_location()
    t._trace.pins.append((t, names, file, line))
    return t


def _placements(t, names, mesh, file, line):
    """The pin's per-mesh-axis placements, "[S(0), B]", for `mesh`."""
    where = f"{file}:{line}: " if line else ""
    spec = tuple(n[0] if len(n) == 1 else (n or None) for n in names)
    dim_of = {}
    for d, axes in enumerate(names):
        for a in axes:
            if a not in mesh.axes:
                raise ValueError(f"{where}weft.shard: unknown mesh axis {a!r} "
                                 f"in spec {spec!r} (the mesh's axes: "
                                 f"{', '.join(mesh.axes)})")
            dim_of[a] = d
        order = [mesh.axes.index(a) for a in axes]
        if order != sorted(order):
            raise ValueError(f"{where}weft.shard: dim {d} is split over axes "
                             f"{axes!r}: name them in mesh-axis order "
                             f"{tuple(mesh.axes)}")
        parts = 1
        for a in axes:
            parts *= mesh.axis_size(a)
        if t.shape[d] % parts:
            raise ValueError(f"{where}weft.shard: dim {d} of size "
                             f"{t.shape[d]} cannot be split evenly over "
                             f"{'x'.join(axes)} ({parts} parts) for spec "
                             f"{spec!r}")
    return "[" + ", ".join(f"S({dim_of[a]})" if a in dim_of else "B"
                           for a in mesh.axes) + "]"


class ShardingPlan:
    """The sharding search's result. `report` is the JSON report as a dict
    ({"functions": [...]}, one entry per entry function), `table()` the same
    as a table (also `str(plan)`), `mlir` the sharded IR."""

    def __init__(self, mesh, mlir, report_json, table):
        self.mesh = mesh
        self.mlir = mlir
        self.report = json.loads(report_json)
        self._table = table

    def table(self):
        return self._table

    def __str__(self):
        return self._table

    def __repr__(self):
        return (f"<weft.ShardingPlan on {self.mesh!r}: "
                f"{self.predicted_step_seconds * 1e6:.1f} us per step, "
                f"{self.peak_memory_bytes} bytes peak>")

    @property
    def _functions(self):
        return self.report["functions"]

    @property
    def ops(self):
        """The report's rows (arguments and ops) of the first function."""
        return self._functions[0]["ops"]

    @property
    def predicted_step_seconds(self):
        """Predicted step time per device (summed over entry functions)."""
        return sum(f["per_device"]["predicted_step_seconds"]
                   for f in self._functions)

    @property
    def peak_memory_bytes(self):
        """Peak memory per device (the largest over entry functions)."""
        return max(f["per_device"]["peak_memory_bytes"]
                   for f in self._functions)

    def collectives(self):
        """Every collective of the plan, flat: dicts with kind, axis, bytes,
        sent_bytes_per_rank, seconds, value, backward, gradient, plus the
        op (and its location and strategy) that sends it."""
        out = []
        for f in self._functions:
            for row in f["ops"]:
                for c in row["collectives"]:
                    out.append(dict(c, op=row["op"], location=row["location"],
                                    strategy=row["strategy"],
                                    function=f["function"]))
        return out


def check_shard_options(what, mode, memory_budget):
    """Checks the search options; returns the budget in bytes (0: the
    mesh's memory)."""
    if mode not in _MODES:
        raise ValueError(f"{what}: mode must be 'fast' or 'exact', got "
                         f"{mode!r}")
    if memory_budget is None:
        return 0
    return _positive_int(what, "memory_budget", memory_budget)


def plan_sharding(fn, *example_inputs, mesh, training=False, mode="fast",
                  memory_budget=None):
    """Traces `fn` (a function or an nn.Module) on `example_inputs` and runs
    the compiler's auto-sharding search on `mesh` (a weft.Mesh). Returns a
    ShardingPlan. `training` models a training step (backward pass and the
    all-reduces of the parameters' gradients: a module's parameters are its
    persistent state); `mode` is "fast" or "exact" (an ILP); `memory_budget`
    caps the per-device memory in bytes (default: the mesh's
    memory_bytes). `weft.shard` pins in `fn` are kept."""
    if not isinstance(mesh, Mesh):
        raise TypeError(f"weft.plan_sharding: mesh must be a weft.Mesh, got "
                        f"{type(mesh).__name__}")
    memory_budget = check_shard_options("weft.plan_sharding", mode,
                                        memory_budget)
    trace, _ = trace_function(fn, example_inputs)
    pins = [(t._id, _placements(t, names, mesh, file, line), file, line)
            for t, names, file, line in trace.pins]
    try:
        ir, report, table = _weft.plan_sharding(
            trace.graph, *mesh.spec_strings(), pins, bool(training), mode,
            operator.index(memory_budget))
    except _weft.WeftError as e:
        raise RuntimeError(f"weft: sharding failed:\n{e}") from None
    return ShardingPlan(mesh, ir, report, table)
