"""Tracing: `Tensor` is a value being traced into a weft graph.

Every operation on a Tensor adds one weft op to the graph of the current
trace. The op's result type is inferred by the compiler's own shape rules
(`_weft.Graph.add_op`), so shape errors carry the compiler's message and the
user's file and line.
"""
import inspect
import operator
import os
import threading

import numpy as np

from . import _weft

# The dtype table is the runtime's (weft/runtime/Format.h), in code order.
DTYPES = tuple(_weft.dtypes())
INT_DTYPES = ("int8", "int32", "int64")
#: The dtype of a Python float combined with an integer tensor (PyTorch's
#: default dtype), and of a Python scalar used on its own.
DEFAULT_FLOAT = "float32"
_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


class ShapeError(ValueError):
    """A traced operation got shapes or dtypes it cannot take."""


class AxisError(ShapeError, IndexError):
    """An axis is out of range for a tensor's rank (like numpy's AxisError,
    both a ValueError and an IndexError)."""


def normalize_axis(axis, ndim, what="axis"):
    """`axis` as an index in [0, ndim); negative axes count from the end.
    Raises AxisError naming the axis and the rank when it is out of range:
    every op that takes an axis goes through here (or `normalize_axes`)."""
    if isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"weft: {what} must be an integer, got {axis!r}")
    try:
        i = operator.index(axis)
    except TypeError:
        raise TypeError(f"weft: {what} must be an integer, got "
                        f"{type(axis).__name__}") from None
    if not -ndim <= i < ndim:
        raise AxisError(f"weft: {what} {i} is out of bounds for a tensor of "
                        f"rank {ndim}")
    return i % ndim


def normalize_axes(axes, ndim, what="axis"):
    """A tuple of distinct axes, each normalized by `normalize_axis`, in the
    order given."""
    out = tuple(normalize_axis(a, ndim, what) for a in axes)
    if len(set(out)) != len(out):
        raise AxisError(f"weft: repeated {what} in {tuple(axes)} for a tensor "
                        f"of rank {ndim}")
    return out


def _user_location():
    """The innermost stack frame outside the weft package: (file, line)."""
    frame = inspect.currentframe()
    try:
        while frame is not None:
            path = os.path.abspath(frame.f_code.co_filename)
            if not path.startswith(_PKG_DIR + os.sep):
                return frame.f_code.co_filename, frame.f_lineno
            frame = frame.f_back
    finally:
        del frame
    return "<unknown>", 0


class Parameter:
    """A trainable array of an `nn.Module`; traced as a function argument."""

    __slots__ = ("data", "name")

    def __init__(self, data, name=None):
        data = np.asarray(data)
        if data.dtype.name not in DTYPES:
            data = data.astype(np.float32)
        self.data = np.asarray(data, order="C")
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype.name

    def __repr__(self):
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


class Trace:
    """One function being traced into a `_weft.Graph`."""

    _local = threading.local()

    def __init__(self, name="main"):
        self.graph = _weft.Graph(name)
        self.params = {}      # id(Parameter) -> Tensor
        self.param_list = []  # Parameters in argument order
        self.param_names = []  # their state names in the compiled model
        self.inputs = []      # (name, dtype, shape) of the user's inputs
        self.pins = []        # weft.shard pins: (Tensor, spec, file, line)
        # Mixed precision (compile_train): float32 parameters are read as
        # this dtype (the cast is differentiated back to the f32 master).
        self.compute_dtype = None
        self.ended = False    # set when the `with` block exits

    @classmethod
    def current(cls):
        trace = getattr(cls._local, "trace", None)
        if trace is None:
            raise RuntimeError(
                "weft: operations on weft Tensors need an active trace; use "
                "weft.jit or weft.compile")
        return trace

    def __enter__(self):
        if getattr(Trace._local, "trace", None) is not None:
            raise RuntimeError("weft: traces do not nest")
        Trace._local.trace = self
        return self

    def __exit__(self, *exc):
        Trace._local.trace = None
        self.ended = True

    def check_live(self):
        """Raises unless this trace is the active one: every op on a Tensor
        checks this first, so a Tensor kept after its trace cannot append
        ops to a finished function."""
        if self.ended:
            raise RuntimeError(
                "weft: this weft.Tensor belongs to a trace that has ended; "
                "Tensors exist only while weft.jit / weft.compile traces the "
                "function that made them (return it as an output instead)")
        if getattr(Trace._local, "trace", None) is not self:
            raise RuntimeError("weft: this weft.Tensor belongs to a trace "
                               "that is not active in this thread")

    def argument(self, name, dtype, shape):
        if dtype not in DTYPES:
            raise TypeError(f"weft: unsupported dtype {dtype} for '{name}' "
                            f"(supported: {', '.join(DTYPES)})")
        vid = self.graph.add_argument(dtype, list(shape), name)
        return Tensor(self, vid, tuple(shape), dtype)

    def parameter(self, param):
        """A Parameter is persistent state of the compiled model: stored in
        the artifact with its current value, bound once at load, never fed
        per call."""
        t = self.params.get(id(param))
        if t is None:
            name = param.name or f"param{len(self.param_list)}"
            data = np.asarray(param.data, order="C")
            vid = self.graph.add_state(data, param.dtype, name)
            t = Tensor(self, vid, tuple(param.shape), param.dtype)
            if self.compute_dtype and param.dtype == "float32":
                t = t.astype(self.compute_dtype)
            self.params[id(param)] = t
            self.param_list.append(param)
            self.param_names.append(name)
        return t

    def constant(self, array, dtype=None):
        if dtype == "bfloat16":  # numpy has no bfloat16: pass its bits
            arr = _bfloat16_bits(np.asarray(array, np.float32))
        else:
            arr = np.asarray(array, dtype=dtype, order="C")
            dtype = arr.dtype.name
        if dtype not in DTYPES:
            raise TypeError(f"weft: constants of dtype {arr.dtype} are not "
                            f"supported (supported: {', '.join(DTYPES)})")
        vid = self.graph.add_constant(arr, dtype)
        return Tensor(self, vid, arr.shape, dtype)

    def op(self, name, operands, attrs="", result=None):
        """Adds op `name`; `result` = (dtype, shape) when it is not inferred."""
        self.check_live()
        file, line = _user_location()
        ids = [self.to_tensor(o)._id for o in operands]
        try:
            out = self.graph.add_op(
                name, ids, attrs,
                None if result is None else (result[0], list(result[1])),
                file, line)
        except _weft.WeftError as e:
            raise ShapeError(str(e)) from None
        tensors = []
        for vid in out:
            dtype, shape = self.graph.type(vid)
            tensors.append(Tensor(self, vid, tuple(shape), dtype))
        return tensors[0] if len(tensors) == 1 else tensors

    def to_tensor(self, x):
        """`x` as a Tensor of this trace; a scalar on its own becomes a
        DEFAULT_FLOAT constant (`binary_operands` gives scalars next to a
        Tensor that Tensor's dtype)."""
        self.check_live()
        if isinstance(x, Tensor):
            x._trace.check_live()
            if x._trace is not self:
                raise RuntimeError("weft: a Tensor from another trace was used")
            return x
        if isinstance(x, Parameter):
            return self.parameter(x)
        if _is_scalar(x):
            return self.constant(x, DEFAULT_FLOAT)
        if isinstance(x, np.ndarray):
            return self.constant(x)
        raise TypeError(f"weft: cannot use {type(x).__name__} as a tensor")


def _bfloat16_bits(values):
    """float32 values as bfloat16 bit patterns (uint16), rounded to nearest
    even."""
    bits = np.asarray(values, np.float32, order="C").view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> 16) & 1)) >> 16
    out = np.where(np.isnan(values), np.uint32(0x7FC0), rounded)
    return np.asarray(out, np.uint16, order="C")


def _is_scalar(x):
    """A Python or numpy scalar (numpy scalars follow the same rule)."""
    return isinstance(x, (int, float, np.bool_, np.integer, np.floating))


def _with_scalar(trace, x, s):
    """Tensor `x` and scalar `s` as (x, constant) of one dtype: the rule in
    Tensor's docstring."""
    if x.dtype in INT_DTYPES:
        if isinstance(s, (float, np.floating)):
            x = x.astype(DEFAULT_FLOAT)
        else:
            info = np.iinfo(x.dtype)
            if not info.min <= int(s) <= info.max:
                raise OverflowError(f"weft: Python integer {int(s)} out of "
                                    f"bounds for {x.dtype}")
    return x, trace.constant(s, x.dtype)


def binary_operands(a, b):
    """(trace, a, b): the operands of an elementwise binary op as Tensors of
    one dtype, scalars promoted by the rule in Tensor's docstring."""
    t = trace_of(a, b)
    if _is_scalar(a) and not _is_scalar(b):
        b, a = _with_scalar(t, t.to_tensor(b), a)
        return t, a, b
    a = t.to_tensor(a)
    if _is_scalar(b):
        a, b = _with_scalar(t, a, b)
    else:
        b = t.to_tensor(b)
    return t, a, b


def trace_of(*values):
    """The trace of the first Tensor among `values`, else the active one."""
    for v in values:
        if isinstance(v, Tensor):
            return v._trace
    return Trace.current()


def _ints(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def _array_attr(values):
    return "array<i64" + (": " + ", ".join(str(int(v)) for v in values)
                          if len(values) else "") + ">"


class Tensor:
    """A traced value: shape and dtype are known, data is not.

    Dtype rules of the arithmetic operators and `weft.functional.maximum` /
    `minimum` (numpy 2 and PyTorch agree on them):

    - Two Tensors must have the same dtype; convert one with `astype`.
    - A Python scalar (numpy scalars count as Python scalars) takes the
      Tensor's dtype, except that a float with an integer Tensor gives
      float32: `int32_x * 0.5` is float32. An int that does not fit an
      integer Tensor's dtype raises OverflowError (`int8_x + 300`), as in
      numpy 2; with a float Tensor it is converted to that dtype.
    - `/` is true division: integer operands give float32. There is no
      integer division operator. `mean` of an integer tensor is float32.

    Tensors exist while their function is traced: using one after its trace
    ended raises RuntimeError.
    """

    __slots__ = ("_trace", "_id", "shape", "dtype")
    __array_priority__ = 1000  # numpy defers to our reflected operators

    def __init__(self, trace, vid, shape, dtype):
        self._trace = trace
        self._id = vid
        self.shape = tuple(shape)
        self.dtype = dtype

    def __repr__(self):
        return f"weft.Tensor(shape={self.shape}, dtype={self.dtype})"

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    # Arithmetic ------------------------------------------------------------
    def _binary(self, name, other, reverse=False):
        t, a, b = binary_operands(*((other, self) if reverse
                                     else (self, other)))
        if name == "weft.div" and a.dtype in INT_DTYPES:
            # `/` is true division, as in numpy and PyTorch.
            a, b = a.astype(DEFAULT_FLOAT), b.astype(DEFAULT_FLOAT)
        return t.op(name, [a, b])

    def __add__(self, o): return self._binary("weft.add", o)
    def __radd__(self, o): return self._binary("weft.add", o, True)
    def __sub__(self, o): return self._binary("weft.sub", o)
    def __rsub__(self, o): return self._binary("weft.sub", o, True)
    def __mul__(self, o): return self._binary("weft.mul", o)
    def __rmul__(self, o): return self._binary("weft.mul", o, True)
    def __truediv__(self, o): return self._binary("weft.div", o)
    def __rtruediv__(self, o): return self._binary("weft.div", o, True)
    def __pow__(self, o): return self._binary("weft.pow", o)
    def __rpow__(self, o): return self._binary("weft.pow", o, True)
    def __neg__(self): return self._trace.op("weft.neg", [self])

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(self._trace.to_tensor(other), self)

    # Layout ----------------------------------------------------------------
    @property
    def T(self):
        return self.transpose()

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(reversed(range(self.ndim)))
        axes = normalize_axes(axes, self.ndim)
        if len(axes) != self.ndim:
            raise AxisError(f"weft: transpose axes {axes} do not match a "
                            f"tensor of rank {self.ndim}")
        return self._trace.op("weft.transpose", [self],
                              f"{{permutation = {_array_attr(axes)}}}")

    def reshape(self, *shape):
        self._trace.check_live()
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = [operator.index(d) for d in shape]
        if shape.count(-1) > 1:
            raise ShapeError("weft: reshape takes at most one -1")
        if any(d < -1 for d in shape):
            raise ShapeError(f"weft: cannot reshape {self.shape} to "
                             f"{tuple(shape)}: negative dimension")
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
            if known == 0 or self.size % known:
                raise ShapeError(f"weft: cannot reshape {self.shape} to "
                                 f"{tuple(shape)}")
            shape[shape.index(-1)] = self.size // known
        if int(np.prod(shape, dtype=np.int64)) != self.size:
            raise ShapeError(f"weft: cannot reshape {self.shape} "
                             f"({self.size} elements) to {tuple(shape)}")
        if tuple(shape) == self.shape:
            return self
        return self._trace.op("weft.reshape", [self],
                              result=(self.dtype, shape))

    def astype(self, dtype):
        self._trace.check_live()
        dtype = np.dtype(dtype).name if dtype != "bfloat16" else dtype
        if dtype == self.dtype:
            return self
        return self._trace.op("weft.cast", [self], result=(dtype, self.shape))

    # Reductions ------------------------------------------------------------
    def _reduce(self, name, axis, keepdims):
        self._trace.check_live()
        if axis is None:
            axes = list(range(self.ndim))
        elif isinstance(axis, (tuple, list)):
            axes = sorted(normalize_axes(axis, self.ndim))
        else:
            axes = [normalize_axis(axis, self.ndim)]
        if not axes:  # a 0-d tensor, or axis=(): nothing to reduce
            return self
        attrs = f"{{axes = {_array_attr(axes)}" + \
            (", keep_dims" if keepdims else "") + "}"
        return self._trace.op(name, [self], attrs)

    def sum(self, axis=None, keepdims=False):
        return self._reduce("weft.reduce_sum", axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        """Integer tensors give float32 (numpy gives a float, too)."""
        x = self.astype(DEFAULT_FLOAT) if self.dtype in INT_DTYPES else self
        return x._reduce("weft.reduce_mean", axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return self._reduce("weft.reduce_max", axis, keepdims)

    # Indexing --------------------------------------------------------------
    def __getitem__(self, index):
        self._trace.check_live()
        if not isinstance(index, tuple):
            index = (index,)
        if any(i is Ellipsis for i in index):
            k = index.index(Ellipsis)
            fill = self.ndim - (len(index) - 1)
            index = index[:k] + (slice(None),) * fill + index[k + 1:]
        if len(index) > self.ndim:
            raise IndexError(f"weft: too many indices for a tensor of rank "
                             f"{self.ndim}")
        index = index + (slice(None),) * (self.ndim - len(index))
        starts, limits, strides, keep = [], [], [], []
        for d, (i, size) in enumerate(zip(index, self.shape)):
            if isinstance(i, (int, np.integer)):
                j = int(i) + size if i < 0 else int(i)
                if not 0 <= j < size:
                    raise IndexError(f"weft: index {i} is out of range for "
                                     f"dim {d} of size {size}")
                starts.append(j), limits.append(j + 1), strides.append(1)
            elif isinstance(i, slice):
                start, stop, step = i.indices(size)
                if step <= 0:
                    raise IndexError("weft: slices need a positive step")
                if stop <= start:
                    raise IndexError(f"weft: empty slice {i} of dim {d}")
                starts.append(start), limits.append(stop), strides.append(step)
                keep.append(d)
            else:
                raise TypeError(f"weft: unsupported index {i!r} (ints and "
                                f"slices)")
        out = self
        if any(s != 0 for s in starts) or limits != list(self.shape) or \
                any(s != 1 for s in strides):
            attrs = (f"{{starts = {_array_attr(starts)}, limits = "
                     f"{_array_attr(limits)}, strides = "
                     f"{_array_attr(strides)}}}")
            out = self._trace.op("weft.slice", [self], attrs)
        if len(keep) != self.ndim:
            out = out.reshape([out.shape[d] for d in keep])
        return out


def matmul(a, b):
    """`a @ b`: rank 2 is a matmul, rank >= 3 a batched matmul."""
    t = trace_of(a, b)
    a, b = t.to_tensor(a), t.to_tensor(b)
    if a.ndim == 2 and b.ndim == 2:
        return t.op("weft.matmul", [a, b])
    if a.ndim >= 3 and b.ndim == 2:
        # [..., M, K] @ [K, N]: fold the batch into M.
        lead = a.shape[:-1]
        out = t.op("weft.matmul", [a.reshape(-1, a.shape[-1]), b])
        return out.reshape(*lead, b.shape[-1])
    if a.ndim >= 3 and a.ndim == b.ndim:
        return t.op("weft.batch_matmul", [a, b])
    raise ShapeError(f"weft: matmul of shapes {a.shape} and {b.shape} is not "
                     f"supported (2-D x 2-D, N-D x 2-D, or equal-rank batches)")
