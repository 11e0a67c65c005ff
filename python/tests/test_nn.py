"""nn modules against numpy references computed from their state_dict."""
import math

import numpy as np
import pytest

import weft
from conftest import assert_close, gelu_ref

f32 = np.float32


def ln(x, g, b, eps=1e-5):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def linear(x, p, prefix):
    return x @ p[prefix + "weight"].T + p[prefix + "bias"]


def block_ref(x, p, heads, causal=False):
    b, s, dm = x.shape
    h = ln(x, p["ln1.weight"], p["ln1.bias"])

    def split(t):
        return t.reshape(b, s, heads, dm // heads).transpose(0, 2, 1, 3)

    q, k, v = (split(linear(h, p, f"attn.{n}.")) for n in "qkv")
    sc = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dm // heads)
    if causal:
        sc = np.where(np.triu(np.ones((s, s), bool), 1), -np.inf, sc)
    e = np.exp(sc - sc.max(-1, keepdims=True))
    o = (e / e.sum(-1, keepdims=True)) @ v
    x = x + linear(o.transpose(0, 2, 1, 3).reshape(b, s, dm), p, "attn.o.")
    m = ln(x, p["ln2.weight"], p["ln2.bias"])
    return x + linear(gelu_ref(linear(m, p, "mlp.fc1.")), p, "mlp.fc2.")


def state64(module):
    return {k: v.astype(np.float64) for k, v in module.state_dict().items()}


@pytest.mark.parametrize("causal", [False, True])
def test_transformer_block(rng, causal):
    weft.manual_seed(3)
    blk = weft.nn.TransformerBlock(32, 4, 64, causal=causal)
    x = rng.standard_normal((2, 8, 32)).astype(f32)
    got = weft.compile(blk, x)(x)
    assert_close(got, block_ref(x.astype(np.float64), state64(blk), 4, causal))


def test_embedding_layernorm_rmsnorm(rng):
    class Net(weft.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = weft.nn.Embedding(20, 16, seed=1)
            self.ln = weft.nn.LayerNorm(16)
            self.rms = weft.nn.RMSNorm(16)

        def forward(self, ids):
            return self.rms(self.ln(self.emb(ids)))

    net = Net()
    p = state64(net)
    p["ln.weight"] += 0.5  # non-trivial scale through load_state_dict
    net.load_state_dict(p)
    ids = rng.integers(0, 20, (3, 5))
    y = ln(p["emb.weight"][ids], p["ln.weight"], p["ln.bias"])
    ref = y / np.sqrt((y ** 2).mean(-1, keepdims=True) + 1e-6) * p["rms.weight"]
    assert_close(weft.compile(net, ids)(ids), ref)


def test_cnn_sequential(rng):
    net = weft.nn.Sequential(
        weft.nn.Conv2d(3, 8, 3, padding=1, seed=1), weft.nn.ReLU(),
        weft.nn.Conv2d(8, 4, 3, stride=2, seed=2), weft.nn.GELU(),
        weft.nn.Flatten(), weft.nn.Linear(4 * 3 * 3, 5, seed=3))
    x = rng.standard_normal((2, 3, 8, 8)).astype(f32)
    got = weft.compile(net, x)(x)
    from test_ops import conv_ref
    p = state64(net)
    h = np.maximum(conv_ref(x.astype(np.float64), p["0.weight"], 1, 1) +
                   p["0.bias"][None, :, None, None], 0)
    h = gelu_ref(conv_ref(h, p["2.weight"], 2, 0) +
                 p["2.bias"][None, :, None, None])
    assert_close(got, linear(h.reshape(2, -1), p, "5."))


def test_named_parameters_and_deterministic_init():
    weft.manual_seed(11)
    a = weft.nn.MLP(8, 16)
    weft.manual_seed(11)
    b = weft.nn.MLP(8, 16)
    names = [n for n, _ in a.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    for (_, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
    assert a.state_dict()["fc1.weight"].shape == (16, 8)
    assert not np.array_equal(weft.nn.Linear(4, 4, seed=1).weight.data,
                              weft.nn.Linear(4, 4, seed=2).weight.data)


def test_load_state_dict_errors():
    m = weft.nn.Linear(4, 3)
    with pytest.raises(KeyError, match="missing \\['bias'\\]"):
        m.load_state_dict({"weight": np.zeros((3, 4))})
    with pytest.raises(ValueError, match="'weight' has shape \\(3, 4\\), got"):
        m.load_state_dict({"weight": np.zeros((4, 3)), "bias": np.zeros(3)})


def test_parameters_update_without_recompiling(rng):
    lin = weft.nn.Linear(4, 2, seed=0)
    x = rng.standard_normal((3, 4)).astype(f32)
    c = weft.compile(lin, x)
    lin.load_state_dict({"weight": np.ones((2, 4), f32),
                         "bias": np.zeros(2, f32)})
    assert_close(c(x), np.repeat(x.astype(np.float64).sum(1, keepdims=True),
                                 2, 1))
