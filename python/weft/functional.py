"""Functional ops on traced tensors (numpy-style names and conventions)."""
import math

from ._tensor import _array_attr, binary_operands, normalize_axis, trace_of

__all__ = ["relu", "gelu", "silu", "sigmoid", "tanh", "exp", "log", "sqrt",
           "rsqrt", "abs", "maximum", "minimum", "softmax", "layer_norm",
           "rms_norm", "embedding", "linear", "conv2d", "max_pool2d",
           "avg_pool2d", "cross_entropy", "scaled_dot_product_attention",
           "concat"]


def _t(x):
    return trace_of(x).to_tensor(x)


def _unary(name, x, attrs=""):
    x = _t(x)
    return x._trace.op(name, [x], attrs)


def relu(x): return _unary("weft.relu", x)
def sigmoid(x): return _unary("weft.sigmoid", x)
def tanh(x): return _unary("weft.tanh", x)
def exp(x): return _unary("weft.exp", x)
def log(x): return _unary("weft.log", x)
def sqrt(x): return _unary("weft.sqrt", x)
def rsqrt(x): return _unary("weft.rsqrt", x)
def abs(x): return _unary("weft.abs", x)
def silu(x): return _unary("weft.silu", x)


def gelu(x, approximate="none"):
    """GELU: exact (erf) or approximate="tanh"."""
    if approximate not in ("none", "tanh"):
        raise ValueError("gelu: approximate must be 'none' or 'tanh'")
    return _unary("weft.gelu", x,
                  "{approximate}" if approximate == "tanh" else "")


def maximum(a, b):
    """Elementwise maximum; scalars promote as in `a + b`."""
    t, a, b = binary_operands(a, b)
    return t.op("weft.max", [a, b])


def minimum(a, b):
    """Elementwise minimum; scalars promote as in `a + b`."""
    t, a, b = binary_operands(a, b)
    return t.op("weft.min", [a, b])


def softmax(x, axis=-1):
    x = _t(x)
    return x._trace.op("weft.softmax", [x],
                       f"{{axis = {normalize_axis(axis, x.ndim)} : i64}}")


def layer_norm(x, weight, bias, eps=1e-5):
    """Normalizes over the trailing `weight.ndim` dims."""
    x = _t(x)
    return x._trace.op("weft.layer_norm", [x, _t(weight), _t(bias)],
                       f"{{epsilon = {float(eps):.9e} : f32}}")


def rms_norm(x, weight, eps=1e-6):
    x = _t(x)
    return x._trace.op("weft.rms_norm", [x, _t(weight)],
                       f"{{epsilon = {float(eps):.9e} : f32}}")


def embedding(indices, table):
    """Rows of `table` ([V, D]) picked by integer `indices`."""
    table = _t(table)
    return table._trace.op("weft.embedding", [table, _t(indices)])


def linear(x, weight, bias=None):
    """`x @ weight.T + bias` with a PyTorch-layout weight [out, in]."""
    x, weight = _t(x), _t(weight)
    flat = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
    y = x._trace.op("weft.matmul", [flat, weight], "{transpose_rhs}")
    if bias is not None:
        y = y + _t(bias)
    return y if x.ndim == 2 else y.reshape(*x.shape[:-1], y.shape[-1])


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _padding(p):
    """int, (h, w) or (top, left, bottom, right)."""
    if isinstance(p, int):
        return (p,) * 4
    p = tuple(p)
    return p + p if len(p) == 2 else p


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """NCHW input, [F, C/groups, KH, KW] weight."""
    x = _t(x)
    ops = [x, _t(weight)] + ([_t(bias)] if bias is not None else [])
    attrs = (f"{{strides = {_array_attr(_pair(stride))}, padding = "
             f"{_array_attr(_padding(padding))}, dilations = "
             f"{_array_attr(_pair(dilation))}, groups = {int(groups)} : i64}}")
    return x._trace.op("weft.conv2d", ops, attrs)


def _pool(name, x, kernel, stride, padding):
    x = _t(x)
    kernel = _pair(kernel)
    stride = kernel if stride is None else _pair(stride)
    attrs = (f"{{kernel = {_array_attr(kernel)}, strides = "
             f"{_array_attr(stride)}, padding = "
             f"{_array_attr(_padding(padding))}}}")
    return x._trace.op(name, [x], attrs)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool("weft.max_pool2d", x, kernel_size, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    """Average over the real (unpadded) inputs of each window."""
    return _pool("weft.avg_pool2d", x, kernel_size, stride, padding)


def cross_entropy(logits, labels):
    """Mean softmax cross-entropy of [N, C] logits against [N] labels."""
    logits = _t(logits)
    return logits._trace.op("weft.cross_entropy", [logits, _t(labels)])


def scaled_dot_product_attention(q, k, v, mask=None, is_causal=False,
                                 scale=None):
    q = _t(q)
    ops = [q, _t(k), _t(v)] + ([_t(mask)] if mask is not None else [])
    attrs = []
    if is_causal:
        attrs.append("is_causal")
    if scale is not None:
        attrs.append(f"scale = {float(scale):.9e} : f32")
    return q._trace.op("weft.scaled_dot_product_attention", ops,
                       "{" + ", ".join(attrs) + "}" if attrs else "")


def concat(tensors, axis=0):
    tensors = list(tensors)
    if not tensors:
        raise ValueError("weft: concat needs at least one tensor")
    tensors = [_t(t) for t in tensors]
    axis = normalize_axis(axis, tensors[0].ndim)
    return tensors[0]._trace.op("weft.concat", tensors,
                                f"{{axis = {axis} : i64}}")
