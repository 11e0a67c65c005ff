"""Modules with named parameters, PyTorch style.

Parameters are initialized deterministically from weft's generator
(`weft.manual_seed`), or from a module's own `seed`.
"""
import math

import numpy as np

from . import functional as F
from ._tensor import Parameter

_rng = np.random.default_rng(0)


def manual_seed(seed):
    """Resets the generator that initializes new modules' parameters."""
    global _rng
    _rng = np.random.default_rng(seed)


def _uniform(shape, bound, rng):
    return rng.uniform(-bound, bound, shape).astype(np.float32)


class Module:
    """Base class: parameters and submodules are found by attribute."""

    def __init__(self):
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_modules", {})

    def __setattr__(self, name, value):
        if "_params" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}.__init__ must call "
                               f"super().__init__() first")
        if isinstance(value, Parameter):
            self._params[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def named_parameters(self, prefix=""):
        for name, p in self._params.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            yield from m.named_parameters(prefix + name + ".")

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def state_dict(self):
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            raise KeyError(f"load_state_dict: missing {missing}, unexpected "
                           f"{unexpected}")
        for name, p in own.items():
            value = np.asarray(state[name])
            if value.shape != p.shape:
                raise ValueError(f"load_state_dict: '{name}' has shape "
                                 f"{p.shape}, got {value.shape}")
            p.data = np.asarray(value, dtype=p.data.dtype, order="C")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def _rng(self, seed):
        return np.random.default_rng(seed) if seed is not None else _rng


class Linear(Module):
    """y = x W^T + b with W of shape [out_features, in_features]."""

    def __init__(self, in_features, out_features, bias=True, seed=None):
        super().__init__()
        rng = self._rng(seed)
        bound = 1 / math.sqrt(in_features)
        self.weight = Parameter(_uniform((out_features, in_features), bound,
                                         rng))
        self.bias = Parameter(_uniform((out_features,), bound, rng)) \
            if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class LayerNorm(Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = Parameter(np.ones(dim, np.float32))
        self.bias = Parameter(np.zeros(dim, np.float32))

    def forward(self, x):
        return F.layer_norm(x, self.weight, self.bias, self.eps)


class RMSNorm(Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = Parameter(np.ones(dim, np.float32))

    def forward(self, x):
        return F.rms_norm(x, self.weight, self.eps)


class Embedding(Module):
    def __init__(self, num_embeddings, dim, seed=None):
        super().__init__()
        rng = self._rng(seed)
        self.weight = Parameter(rng.standard_normal((num_embeddings, dim))
                                .astype(np.float32))

    def forward(self, ids):
        return F.embedding(ids, self.weight)


class MultiHeadAttention(Module):
    """Self-attention over [B, S, D] with `heads` heads of D / heads."""

    def __init__(self, dim, heads, causal=False, seed=None):
        super().__init__()
        if dim % heads:
            raise ValueError(f"MultiHeadAttention: dim {dim} is not divisible "
                             f"by {heads} heads")
        rng = self._rng(seed)
        self.dim, self.heads, self.causal = dim, heads, causal
        seeds = rng.integers(0, 2**31, 4)
        self.q = Linear(dim, dim, seed=int(seeds[0]))
        self.k = Linear(dim, dim, seed=int(seeds[1]))
        self.v = Linear(dim, dim, seed=int(seeds[2]))
        self.o = Linear(dim, dim, seed=int(seeds[3]))

    def forward(self, x):
        b, s, d = x.shape
        h = self.heads

        def split(t):
            return t.reshape(b, s, h, d // h).transpose(0, 2, 1, 3)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        o = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)
        return self.o(o.transpose(0, 2, 1, 3).reshape(b, s, d))


class MLP(Module):
    def __init__(self, dim, hidden, approximate="none", seed=None):
        super().__init__()
        rng = self._rng(seed)
        seeds = rng.integers(0, 2**31, 2)
        self.approximate = approximate
        self.fc1 = Linear(dim, hidden, seed=int(seeds[0]))
        self.fc2 = Linear(hidden, dim, seed=int(seeds[1]))

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), self.approximate))


class TransformerBlock(Module):
    """Pre-norm encoder block: x + attn(ln1(x)), then + mlp(ln2(.))."""

    def __init__(self, dim, heads, hidden=None, causal=False, seed=None):
        super().__init__()
        rng = self._rng(seed)
        seeds = rng.integers(0, 2**31, 2)
        self.ln1 = LayerNorm(dim)
        self.attn = MultiHeadAttention(dim, heads, causal, seed=int(seeds[0]))
        self.ln2 = LayerNorm(dim)
        self.mlp = MLP(dim, hidden or 4 * dim, seed=int(seeds[1]))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1,
                 padding=0, dilation=1, groups=1, bias=True, seed=None):
        super().__init__()
        rng = self._rng(seed)
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) \
            else kernel_size
        bound = 1 / math.sqrt(in_channels // groups * kh * kw)
        self.stride, self.padding = stride, padding
        self.dilation, self.groups = dilation, groups
        self.weight = Parameter(_uniform(
            (out_channels, in_channels // groups, kh, kw), bound, rng))
        self.bias = Parameter(_uniform((out_channels,), bound, rng)) \
            if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class GELU(Module):
    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)


class Flatten(Module):
    """[N, ...] -> [N, prod(...)]"""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class Sequential(Module):
    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x
