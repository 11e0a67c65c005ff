"""An independent numpy reference for test_training.py: forward AND
backward written out by hand (no autodiff library) for a small MLP and a
small transformer classifier, and the SGD / AdamW updates as PyTorch
defines them (torch.optim.SGD, torch.optim.AdamW, and
torch.nn.utils.clip_grad_norm_ before the step).

Everything computes in the dtype of the parameters it is given: float32 to
follow weft step by step, float64 for the finite-difference check of the
backward (test_training.py::test_reference_backward_*).

Parameters are dicts name -> array, named as the weft modules name them
(`dict(model.named_parameters())`), so the reference starts from the very
weights the weft model starts from.
"""
import math

import numpy as np

_erf = np.vectorize(math.erf, otypes=[np.float64])


# ----------------------------------------------------------------- layers --

def linear(x, w, b):
    """x [..., in] @ w[out, in]^T + b."""
    return x @ w.T + b


def linear_backward(dy, x, w):
    """(dx, dw, db) of y = x w^T + b, over any leading dims."""
    x2 = x.reshape(-1, x.shape[-1])
    dy2 = dy.reshape(-1, dy.shape[-1])
    return dy @ w, dy2.T @ x2, dy2.sum(0)


def relu(x):
    return np.maximum(x, 0)


def relu_backward(dy, x):
    return dy * (x > 0)


def gelu(x):
    """Exact GELU, x * Phi(x) (torch's approximate='none')."""
    phi = 0.5 * (1 + _erf(x.astype(np.float64) / math.sqrt(2)))
    return (x * phi.astype(x.dtype)).astype(x.dtype)


def gelu_backward(dy, x):
    """d/dx x Phi(x) = Phi(x) + x phi(x)."""
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + _erf(x64 / math.sqrt(2)))
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    return dy * (cdf + x64 * pdf).astype(x.dtype)


ACTIVATIONS = {"relu": (relu, relu_backward), "gelu": (gelu, gelu_backward)}


def layer_norm(x, g, b, eps):
    """Over the last dim, biased variance (torch.nn.LayerNorm)."""
    mu = x.mean(-1, keepdims=True)
    xc = x - mu
    var = (xc * xc).mean(-1, keepdims=True)
    rstd = 1 / np.sqrt(var + x.dtype.type(eps))
    xhat = xc * rstd
    return xhat * g + b, (xhat, rstd, g)


def layer_norm_backward(dy, cache):
    xhat, rstd, g = cache
    lead = tuple(range(dy.ndim - 1))
    dg = (dy * xhat).sum(lead)
    db = dy.sum(lead)
    dxhat = dy * g
    dx = rstd * (dxhat - dxhat.mean(-1, keepdims=True)
                 - xhat * (dxhat * xhat).mean(-1, keepdims=True))
    return dx, dg, db


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def softmax_backward(dp, p, axis=-1):
    return p * (dp - (dp * p).sum(axis, keepdims=True))


def cross_entropy(logits, labels):
    """Mean over the batch of -log softmax(logits)[label] (torch's
    F.cross_entropy, reduction='mean'); returns the loss and dlogits."""
    n = logits.shape[0]
    z = logits - logits.max(-1, keepdims=True)
    lse = np.log(np.exp(z).sum(-1, keepdims=True))
    logp = z - lse
    loss = -logp[np.arange(n), labels].sum() / logits.dtype.type(n)
    dlogits = np.exp(logp)
    dlogits[np.arange(n), labels] -= 1
    return loss, dlogits / logits.dtype.type(n)


def attention(x, p, prefix, heads, causal):
    """Multi-head self-attention of x [B, S, D] with q/k/v/o Linear layers
    named PREFIX.q.weight ...; softmax(q k^T / sqrt(dh) + mask) v."""
    bsz, s, d = x.shape
    dh = d // heads
    scale = x.dtype.type(1 / math.sqrt(dh))

    def split(t):
        return t.reshape(bsz, s, heads, dh).transpose(0, 2, 1, 3)

    q = split(linear(x, p[prefix + "q.weight"], p[prefix + "q.bias"]))
    k = split(linear(x, p[prefix + "k.weight"], p[prefix + "k.bias"]))
    v = split(linear(x, p[prefix + "v.weight"], p[prefix + "v.bias"]))
    scores = (q @ k.transpose(0, 1, 3, 2)) * scale
    if causal:
        mask = np.triu(np.ones((s, s), bool), 1)
        scores = np.where(mask, -np.inf, scores).astype(x.dtype)
    probs = softmax(scores)
    o = (probs @ v).transpose(0, 2, 1, 3).reshape(bsz, s, d)
    y = linear(o, p[prefix + "o.weight"], p[prefix + "o.bias"])
    return y, (x, q, k, v, probs, o, scale)


def attention_backward(dy, p, prefix, cache, grads):
    x, q, k, v, probs, o, scale = cache
    bsz, s, d = x.shape
    heads, dh = q.shape[1], q.shape[3]
    do, grads[prefix + "o.weight"], grads[prefix + "o.bias"] = \
        linear_backward(dy, o, p[prefix + "o.weight"])
    do = do.reshape(bsz, s, heads, dh).transpose(0, 2, 1, 3)
    dprobs = do @ v.transpose(0, 1, 3, 2)
    dv = probs.transpose(0, 1, 3, 2) @ do
    dscores = softmax_backward(dprobs, probs) * scale  # masked: probs = 0
    dq = dscores @ k
    dk = dscores.transpose(0, 1, 3, 2) @ q
    dx = np.zeros_like(x)
    for name, dt in (("q", dq), ("k", dk), ("v", dv)):
        dt = dt.transpose(0, 2, 1, 3).reshape(bsz, s, d)
        dxi, grads[prefix + name + ".weight"], grads[prefix + name + ".bias"] \
            = linear_backward(dt, x, p[prefix + name + ".weight"])
        dx += dxi
    return dx


# ----------------------------------------------------------------- models --

def mlp_loss_and_grads(p, x, labels, act="relu"):
    """l1 (Linear) -> act -> l2 (Linear) -> mean cross-entropy."""
    f, f_back = ACTIVATIONS[act]
    h = linear(x, p["l1.weight"], p["l1.bias"])
    a = f(h)
    logits = linear(a, p["l2.weight"], p["l2.bias"])
    loss, dlogits = cross_entropy(logits, labels)
    g = {}
    da, g["l2.weight"], g["l2.bias"] = linear_backward(dlogits, a,
                                                       p["l2.weight"])
    _, g["l1.weight"], g["l1.bias"] = linear_backward(f_back(da, h), x,
                                                      p["l1.weight"])
    return loss, g


def transformer_loss_and_grads(p, ids, labels, layers, heads, causal,
                               eps=1e-5):
    """embed.weight[ids] + pos, `layers` pre-norm blocks
    (blocks.I.{ln1, attn.{q,k,v,o}, ln2, mlp.{fc1,fc2}}: x + attn(ln1(x)),
    then x + fc2(gelu(fc1(ln2(x))))), ln_f, mean over the sequence, head
    (Linear), mean cross-entropy."""
    x = p["embed.weight"][ids] + p["pos"]
    caches = []
    for i in range(layers):
        pre = f"blocks.{i}."
        h, ln1 = layer_norm(x, p[pre + "ln1.weight"], p[pre + "ln1.bias"], eps)
        a, att = attention(h, p, pre + "attn.", heads, causal)
        x1 = x + a
        h2, ln2 = layer_norm(x1, p[pre + "ln2.weight"], p[pre + "ln2.bias"],
                             eps)
        u = linear(h2, p[pre + "mlp.fc1.weight"], p[pre + "mlp.fc1.bias"])
        gu = gelu(u)
        m = linear(gu, p[pre + "mlp.fc2.weight"], p[pre + "mlp.fc2.bias"])
        x = x1 + m
        caches.append((ln1, att, ln2, h2, u, gu))
    hf, lnf = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    s = x.shape[1]
    pooled = hf.mean(1)
    logits = linear(pooled, p["head.weight"], p["head.bias"])
    loss, dlogits = cross_entropy(logits, labels)

    g = {}
    dpooled, g["head.weight"], g["head.bias"] = linear_backward(
        dlogits, pooled, p["head.weight"])
    dhf = np.repeat(dpooled[:, None, :] / x.dtype.type(s), s, axis=1)
    dx, g["ln_f.weight"], g["ln_f.bias"] = layer_norm_backward(dhf, lnf)
    for i in reversed(range(layers)):
        pre = f"blocks.{i}."
        ln1, att, ln2, h2, u, gu = caches[i]
        dgu, g[pre + "mlp.fc2.weight"], g[pre + "mlp.fc2.bias"] = \
            linear_backward(dx, gu, p[pre + "mlp.fc2.weight"])
        dh2, g[pre + "mlp.fc1.weight"], g[pre + "mlp.fc1.bias"] = \
            linear_backward(gelu_backward(dgu, u), h2,
                            p[pre + "mlp.fc1.weight"])
        dx1, g[pre + "ln2.weight"], g[pre + "ln2.bias"] = \
            layer_norm_backward(dh2, ln2)
        dx1 = dx1 + dx
        dh = attention_backward(dx1, p, pre + "attn.", att, g)
        dx0, g[pre + "ln1.weight"], g[pre + "ln1.bias"] = \
            layer_norm_backward(dh, ln1)
        dx = dx0 + dx1
    g["pos"] = dx.sum(0)
    demb = np.zeros_like(p["embed.weight"])
    np.add.at(demb, ids, dx)
    g["embed.weight"] = demb
    return loss, g


# ------------------------------------------------------------- optimizers --

def clip_grad_norm(grads, max_norm):
    """torch.nn.utils.clip_grad_norm_: scales every gradient by
    min(1, max_norm / (total_norm + 1e-6)) (always multiplied, as torch
    does); returns the clipped grads and the total norm."""
    norms = [np.sqrt((g * g).sum()) for g in grads.values()]
    dt = next(iter(grads.values())).dtype.type
    total = np.sqrt(sum(n * n for n in norms))
    coef = min(dt(1), dt(max_norm) / (total + dt(1e-6)))
    return {k: g * dt(coef) for k, g in grads.items()}, float(total)


class SGD:
    """torch.optim.SGD (dampening 0, nesterov False): g += wd * p;
    buf = g at the first step, then momentum * buf + g; p -= lr * buf."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0,
                 clip_norm=None):
        self.p = {k: v.copy() for k, v in params.items()}
        self.lr, self.momentum, self.wd = lr, momentum, weight_decay
        self.clip_norm = clip_norm
        self.buf = {}
        self.steps = 0
        self.norms = []

    def step(self, grads):
        if self.clip_norm is not None:
            grads, norm = clip_grad_norm(grads, self.clip_norm)
            self.norms.append(norm)
        self.steps += 1
        for k, g in grads.items():
            p = self.p[k]
            dt = p.dtype.type
            if self.wd != 0:
                g = g + dt(self.wd) * p
            if self.momentum != 0:
                if k not in self.buf:
                    self.buf[k] = g.copy()
                else:
                    self.buf[k] = self.buf[k] * dt(self.momentum) + g
                g = self.buf[k]
            self.p[k] = p - dt(self.lr) * g

    def state(self):
        return {k + ".momentum_buffer": v for k, v in self.buf.items()}


class AdamW:
    """torch.optim.AdamW (amsgrad False, the single-tensor path):
    p *= 1 - lr wd; m = lerp(m, g, 1 - beta1); v = beta2 v + (1 - beta2) g^2;
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),
    the bias corrections in double precision as torch computes them."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.01, clip_norm=None):
        self.p = {k: v.copy() for k, v in params.items()}
        self.lr, (self.b1, self.b2), self.eps = lr, betas, eps
        self.wd, self.clip_norm = weight_decay, clip_norm
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.steps = 0
        self.norms = []

    def step(self, grads):
        if self.clip_norm is not None:
            grads, norm = clip_grad_norm(grads, self.clip_norm)
            self.norms.append(norm)
        self.steps += 1
        t = self.steps
        bc1 = 1 - self.b1 ** t
        bc2_sqrt = math.sqrt(1 - self.b2 ** t)
        step_size = self.lr / bc1
        for k, g in grads.items():
            p, m, v = self.p[k], self.m[k], self.v[k]
            dt = p.dtype.type
            p = p * dt(1 - self.lr * self.wd)
            w = dt(1 - self.b1)  # torch's lerp for weight < 0.5
            m = m + w * (g - m) if w < 0.5 else g - (g - m) * (dt(1) - w)
            v = v * dt(self.b2) + dt(1 - self.b2) * g * g
            denom = np.sqrt(v) / dt(bc2_sqrt) + dt(self.eps)
            self.p[k] = p - dt(step_size) * (m / denom)
            self.m[k], self.v[k] = m, v

    def state(self):
        out = {}
        for k in self.p:
            out[k + ".exp_avg"] = self.m[k]
            out[k + ".exp_avg_sq"] = self.v[k]
        return out


def train(loss_and_grads, optimizer, batches, steps, lr_at=None, **kw):
    """Runs `steps` steps over `batches` (cycled): returns the losses (the
    loss of each step before its update, as a weft TrainStep returns it).
    `lr_at(step)` (0-based), when given, sets the lr before each step."""
    losses = []
    for i in range(steps):
        if lr_at is not None:
            optimizer.lr = lr_at(i)
        x, y = batches[i % len(batches)]
        loss, grads = loss_and_grads(optimizer.p, x, y, **kw)
        losses.append(float(loss))
        optimizer.step(grads)
    return np.array(losses)
