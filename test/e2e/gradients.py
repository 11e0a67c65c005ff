# Gradient rules, op by op, against central finite differences of the same
# function compiled without `weft.autodiff` and, where one is short to
# write, an analytic numpy reference (float64).
#
# Each case computes `loss = sum(op(args) * r)` for a fixed random `r`, so
# the result gradient reaching the rule is `r`, not ones. Cases whose
# backward pass uses an op that does not lower on this build (the rule
# helper ops pad/reverse/one_hot/erf/...) are skipped with the reason
# printed, never counted as passed.
#
#   python gradients.py [--dtype f32|f64|f16] [--only SUBSTRING] [--fd-max N]
#
# (f16 checks against the numpy reference only.)
#
# RUN: %PYTHON %s
# RUN: %PYTHON %s --dtype f16
import argparse
import math
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

import numpy as np

from harness import tool

# Per dtype: FD step, tolerance against FD (relative to the largest FD
# magnitude, plus absolute) and against the analytic reference.
SETTINGS = {
    "f32": dict(np=np.float32, eps=1e-2, rtol=2e-2, atol=1e-3, ref_rtol=1e-4),
    "f64": dict(np=np.float64, eps=1e-6, rtol=1e-6, atol=1e-9, ref_rtol=1e-9),
    # Finite differences are too coarse in f16: the numpy reference only.
    "f16": dict(np=np.float16, eps=None, rtol=None, atol=None, ref_rtol=2e-2),
}
# Ops that rules may emit which a build may not lower yet.
PROBED_OPS = ["pad", "reverse", "one_hot", "erf", "embedding_grad", "compare"]


class Arg:
    """A function argument: `kind` is 'normal', 'positive', 'distinct'
    (well-separated values, for max-like ops), 'labels:C' (i64 in [0, C))
    or 'away0' (normal, |x| >= 0.1, for kinks at 0)."""

    def __init__(self, name, shape, kind="normal"):
        self.name, self.shape, self.kind = name, tuple(shape), kind

    def mlir_type(self, et):
        et = "i64" if self.kind.startswith("labels") else et
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + et + ">"

    def sample(self, rng, dt):
        n = int(np.prod(self.shape))
        if self.kind.startswith("labels"):
            return rng.integers(0, int(self.kind.split(":")[1]),
                                self.shape).astype(np.int64)
        if self.kind == "positive":
            v = rng.uniform(0.5, 2.0, self.shape)
        elif self.kind == "distinct":
            v = (rng.permutation(n).reshape(self.shape) - n / 2) * 0.1
        elif self.kind == "away0":
            v = rng.standard_normal(self.shape)
            v = np.where(np.abs(v) < 0.1, np.sign(v + 1e-9) * 0.1 + v, v)
        else:
            v = rng.standard_normal(self.shape)
        return v.astype(dt)


class Case:
    """`body` is MLIR (with `{T}` for the float element type) computing
    `%out` of shape `out` from the arguments; `wrt` lists the
    differentiated argument names; `ref(inputs, r)` returns the analytic
    gradients by name (or is None)."""

    def __init__(self, name, args, body, out, wrt, ref=None):
        self.name, self.args, self.body, self.out = name, args, body, out
        self.wrt, self.ref = wrt, ref


def module(case, et, autodiff):
    params = [f'%{a.name}: {a.mlir_type(et)} {{weft.name = "{a.name}"}}'
              for a in case.args]
    rt = Arg("r", case.out).mlir_type(et)
    params.append(f'%r: {rt} {{weft.name = "r"}}')
    names = [a.name for a in case.args]
    attr = ""
    if autodiff:
        idx = ", ".join(str(names.index(w)) for w in case.wrt)
        attr = f" attributes {{weft.autodiff = array<i64: {idx}>}}"
    loss = f"  %prod = weft.mul %out, %r : {rt}\n"
    if case.out:
        axes = ", ".join(str(i) for i in range(len(case.out)))
        loss += (f"  %loss = weft.reduce_sum %prod axes = [{axes}] : {rt} -> "
                 f"tensor<{et}>\n")
    else:  # a rank-0 result: the product is the loss
        loss = loss.replace("%prod", "%loss")
    return (f"func.func @main({', '.join(params)}) -> (tensor<{et}> "
            f'{{weft.name = "loss"}}){attr} {{\n'
            + case.body.replace("{T}", et).strip("\n") + "\n" + loss
            + f"  return %loss : tensor<{et}>\n}}\n")


class Runner:
    def __init__(self, dtype):
        self.dtype = dtype
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="weft-grad-"))
        self.count = 0
        self._lowers = {}

    def compile(self, text):
        self.count += 1
        src = self.work / f"m{self.count}.mlir"
        src.write_text(text)
        art = self.work / f"m{self.count}.weft"
        p = subprocess.run([tool("weftc"), str(src), "-o", str(art), "-q"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"weftc failed on {src}:\n{p.stderr}")
        return art

    def run(self, art, inputs):
        out = self.work / "out"
        for stale in out.glob("*.npy"):
            stale.unlink()
        cmd = [tool("weft-run"), str(art), "--output-dir", str(out)]
        for name, arr in inputs.items():
            path = self.work / f"in_{name}.npy"
            np.save(path, arr)
            cmd += ["--input", f"{name}={path}"]
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
        if p.returncode != 0:
            raise RuntimeError(f"weft-run failed on {art}:\n{p.stderr}")
        return {p.stem: np.load(p) for p in out.glob("*.npy")}

    def backward_ops(self, text):
        """The weft ops `weft-autodiff` leaves in `text`."""
        p = subprocess.run([tool("weft-opt"), "--weft-autodiff"], input=text,
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"weft-opt --weft-autodiff failed:\n{p.stderr}")
        return set(re.findall(r"\bweft\.([a-z_0-9]+)", p.stdout))

    def lowers(self, op):
        """Whether `weft.<op>` compiles on this build (probed once)."""
        if op not in self._lowers:
            et = self.dtype
            probes = {
                "pad": f"%y = weft.pad %x low = [1] high = [1] interior = [1] "
                       f": tensor<4x{et}> -> tensor<9x{et}>",
                "reverse": f"%y = weft.reverse %x axes = [0] : tensor<4x{et}>",
                "one_hot": f"%i = weft.cast %x : tensor<4x{et}> -> "
                           f"tensor<4xi64>\n  %y = weft.one_hot %i : "
                           f"tensor<4xi64> -> tensor<4x3x{et}>",
                "erf": f"%y = weft.erf %x : tensor<4x{et}>",
                "embedding_grad": f"%i = weft.cast %x : tensor<4x{et}> -> "
                                  f"tensor<4xi64>\n  %e = weft.reshape %x : "
                                  f"tensor<4x{et}> -> tensor<4x1x{et}>\n  "
                                  f"%y = weft.embedding_grad %e, %i : "
                                  f"tensor<4x1x{et}>, tensor<4xi64> -> "
                                  f"tensor<3x1x{et}>",
                "compare": f"%y = weft.compare gt, %x, %x : tensor<4x{et}>",
            }
            text = (f"func.func @main(%x: tensor<4x{et}>) -> tensor<?x{et}> "
                    f"{{\n  {probes[op]}\n  return %y : tensor<?x{et}>\n}}\n")
            # The result type is filled in from the probe's own last type.
            last = re.findall(r"tensor<[0-9x]*" + et + ">", probes[op])[-1]
            text = text.replace(f"tensor<?x{et}>", last)
            try:
                self.compile(text)
                self._lowers[op] = True
            except RuntimeError:
                self._lowers[op] = False
        return self._lowers[op]


def close(name, got, ref, rtol, atol, what):
    got = np.asarray(got, np.float64)
    ref = np.asarray(ref, np.float64)
    if got.shape != ref.shape:
        print(f"  {name} vs {what}: shape {got.shape} vs {ref.shape} FAIL")
        return False
    if ref.size == 0:
        return True
    scale = float(np.abs(ref).max())
    err = float(np.abs(got - ref).max())
    ok = err <= atol + rtol * scale
    print(f"  {name} vs {what}: max error {err:.2e} (scale {scale:.2e}) "
          f"{'ok' if ok else 'FAIL'}")
    return ok


def check_case(runner, case, cfg, rng, fd_max):
    et = runner.dtype
    grad_text = module(case, et, autodiff=True)
    if cfg["eps"] is None and case.ref is None:
        return "skip", f"no numpy reference, and no finite differences in {et}"
    missing = sorted(op for op in runner.backward_ops(grad_text)
                     if op in PROBED_OPS and not runner.lowers(op))
    if missing:
        verb = "does" if len(missing) == 1 else "do"
        return "skip", ("backward uses " + ", ".join(f"weft.{m}" for m in
                        missing) + f", which {verb} not lower on this build")
    inputs = {a.name: a.sample(rng, cfg["np"]) for a in case.args}
    inputs["r"] = rng.standard_normal(case.out).astype(cfg["np"])
    grads = runner.run(runner.compile(grad_text), inputs)
    ok = True
    fwd = None
    if cfg["eps"] is not None:
        fwd = runner.compile(module(case, et, autodiff=False))
    for w in case.wrt if fwd else []:
        got = grads[f"grad.{w}"]
        x = inputs[w]
        flat = np.arange(x.size)
        if x.size > fd_max:  # a fixed random subset, always with both ends
            inner = rng.choice(np.arange(1, x.size - 1), fd_max - 2, False)
            flat = np.sort(np.concatenate([[0, x.size - 1], inner]))
        fd = np.empty(len(flat))
        for j, i in enumerate(flat):
            idx = np.unravel_index(i, x.shape)
            losses, steps = [], []
            for sgn in (1, -1):
                xp = x.copy()
                xp[idx] += sgn * cfg["eps"]
                steps.append(float(xp[idx]))  # the step as rounded
                losses.append(float(runner.run(fwd, {**inputs, w: xp})["loss"]))
            fd[j] = (losses[0] - losses[1]) / (steps[0] - steps[1])
        ok &= close(f"grad.{w}", got.reshape(-1)[flat], fd, cfg["rtol"],
                    cfg["atol"], f"finite differences ({len(flat)} of "
                    f"{x.size})")
    if case.ref is not None:
        ref = case.ref({k: v.astype(np.float64) if v.dtype.kind == "f" else v
                        for k, v in inputs.items()},
                       inputs["r"].astype(np.float64))
        for w in case.wrt:
            if w in ref:
                ok &= close(f"grad.{w}", grads[f"grad.{w}"], ref[w],
                            cfg["ref_rtol"], cfg["ref_rtol"], "numpy")
    return ("pass" if ok else "fail"), None


# numpy references ------------------------------------------------------------


def tr(a):
    return np.swapaxes(a, -1, -2)


def matmul_ref(tl, tr_):
    def ref(i, g):
        a, b = i["a"], i["b"]
        ap, bp = (tr(a) if tl else a), (tr(b) if tr_ else b)
        da, db = g @ tr(bp), tr(ap) @ g
        return {"a": tr(da) if tl else da, "b": tr(db) if tr_ else db}
    return ref


def conv_ref(stride, pad, dil, groups, bias):
    def ref(i, g):
        x, w = i["x"], i["w"]
        n, c, h, wd = x.shape
        f, cg, kh, kw = w.shape
        fg = f // groups
        oh, ow = g.shape[2:]
        xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[2]), (pad[1], pad[3])))
        dxp, dw = np.zeros_like(xp), np.zeros_like(w)
        for fi in range(f):
            cs = slice(fi // fg * cg, (fi // fg + 1) * cg)
            for a in range(kh):
                for b in range(kw):
                    hs = slice(a * dil[0], a * dil[0] + (oh - 1) * stride[0] + 1,
                               stride[0])
                    ws = slice(b * dil[1], b * dil[1] + (ow - 1) * stride[1] + 1,
                               stride[1])
                    dw[fi, :, a, b] = np.einsum("nchw,nhw->c", xp[:, cs, hs, ws],
                                                g[:, fi])
                    dxp[:, cs, hs, ws] += (w[fi, :, a, b][None, :, None, None]
                                           * g[:, fi][:, None])
        out = {"x": dxp[:, :, pad[0]:pad[0] + h, pad[1]:pad[1] + wd], "w": dw}
        if bias:
            out["b"] = g.sum((0, 2, 3))
        return out
    return ref


def pool_ref(mode, kernel, stride, pad):
    def ref(i, g):
        x = i["x"]
        n, c, h, w = x.shape
        oh, ow = g.shape[2:]
        fill = np.nan if mode == "max" else 0.0
        xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[2]), (pad[1], pad[3])),
                    constant_values=fill)
        real = np.pad(np.ones((h, w)), ((pad[0], pad[2]), (pad[1], pad[3])))
        dxp = np.zeros_like(xp)
        for a in range(oh):
            for b in range(ow):
                hs = slice(a * stride[0], a * stride[0] + kernel[0])
                ws = slice(b * stride[1], b * stride[1] + kernel[1])
                if mode == "avg":
                    dxp[:, :, hs, ws] += (g[:, :, a, b] / real[hs, ws].sum()
                                          )[:, :, None, None] * real[hs, ws]
                    continue
                win = np.where(np.isnan(xp[:, :, hs, ws]), -np.inf,
                               xp[:, :, hs, ws]).reshape(n, c, -1)
                arg = win.argmax(-1)  # the first maximum
                for ni in range(n):
                    for ci in range(c):
                        dh, dw_ = divmod(arg[ni, ci], kernel[1])
                        dxp[ni, ci, hs.start + dh, ws.start + dw_] += g[ni, ci, a, b]
        return {"x": dxp[:, :, pad[0]:pad[0] + h, pad[1]:pad[1] + w]}
    return ref


def softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def softmax_ref(axis):
    def ref(i, g):
        y = softmax(i["x"], axis)
        return {"x": y * (g - (g * y).sum(axis, keepdims=True))}
    return ref


def norm_ref(nd, eps, centered):
    def ref(i, g):
        x, s = i["x"], i["s"]
        ax = tuple(range(x.ndim - nd, x.ndim))
        lead = tuple(range(x.ndim - nd))
        xc = x - x.mean(ax, keepdims=True) if centered else x
        rstd = 1 / np.sqrt((xc * xc).mean(ax, keepdims=True) + eps)
        xhat = xc * rstd
        dxhat = g * s
        inner = dxhat - xhat * (dxhat * xhat).mean(ax, keepdims=True)
        if centered:
            inner -= dxhat.mean(ax, keepdims=True)
        out = {"x": rstd * inner, "s": (g * xhat).sum(lead)}
        if centered:
            out["b"] = g.sum(lead)
        return out
    return ref


def cross_entropy_ref(i, g):
    z, lab = i["z"], i["labels"]
    n, c = z.shape
    return {"z": (softmax(z, 1) - np.eye(c)[lab]) * g / n}


def unbroadcast(g, shape):
    lead = g.ndim - len(shape)
    g = g.sum(tuple(range(lead)))
    axes = tuple(d for d, s in enumerate(shape) if s == 1 and g.shape[d] != 1)
    return g.sum(axes, keepdims=True)


def sdpa_ref(causal, scale=None, mask=False):
    def ref(i, g):
        q, k, v = i["q"], i["k"], i["v"]
        sc = scale if scale is not None else 1 / math.sqrt(q.shape[-1])
        s = q @ tr(k) * sc
        if mask:
            s = s + i["m"]
        if causal:
            S, T = s.shape[-2:]
            s = np.where(np.arange(T)[None, :] > np.arange(S)[:, None], -np.inf, s)
        p = softmax(s, -1)
        dp = g @ tr(v)
        ds = p * (dp - (dp * p).sum(-1, keepdims=True))
        out = {"q": ds @ k * sc, "k": tr(ds) @ q * sc, "v": tr(p) @ g}
        if mask:
            out["m"] = unbroadcast(ds, i["m"].shape)
        return out
    return ref


# cases -----------------------------------------------------------------------


def t(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "{T}>"


def conv_out(h, k, s, lo, hi, d):
    return (h + lo + hi - d * (k - 1) - 1) // s + 1


def conv_cases(name, n, c, hw, f, k, stride=(1, 1), pad=(0, 0, 0, 0),
               dil=(1, 1), groups=1, bias=False):
    """Two cases per configuration: the input gradient, and the filter (and
    bias) gradient, so that each is checked on its own."""
    oh = conv_out(hw[0], k[0], stride[0], pad[0], pad[2], dil[0])
    ow = conv_out(hw[1], k[1], stride[1], pad[1], pad[3], dil[1])
    xs, ws, out = (n, c) + hw, (f, c // groups) + k, (n, f, oh, ow)
    args = [Arg("x", xs), Arg("w", ws)]
    operands, types = "%x, %w", f"{t(xs)}, {t(ws)}"
    if bias:
        args.append(Arg("b", (f,)))
        operands, types = operands + ", %b", types + f", {t((f,))}"
    attrs = (f"strides = array<i64: {stride[0]}, {stride[1]}>, padding = "
             f"array<i64: {', '.join(map(str, pad))}>, dilations = array<i64: "
             f"{dil[0]}, {dil[1]}>, groups = {groups}")
    body = (f"  %out = weft.conv2d {operands} {{{attrs}}} : {types} -> "
            f"{t(out)}")
    ref = conv_ref(stride, pad, dil, groups, bias)
    return [Case(f"{name}/input", args, body, out, ["x"], ref),
            Case(f"{name}/filter", args, body, out,
                 ["w", "b"] if bias else ["w"], ref)]


def pool_case(name, mode, n, c, hw, kernel, stride, pad):
    oh = conv_out(hw[0], kernel[0], stride[0], pad[0], pad[2], 1)
    ow = conv_out(hw[1], kernel[1], stride[1], pad[1], pad[3], 1)
    xs, out = (n, c) + hw, (n, c, oh, ow)
    attrs = (f"kernel = array<i64: {kernel[0]}, {kernel[1]}>, strides = "
             f"array<i64: {stride[0]}, {stride[1]}>, padding = array<i64: "
             f"{', '.join(map(str, pad))}>")
    body = f"  %out = weft.{mode}_pool2d %x {{{attrs}}} : {t(xs)} -> {t(out)}"
    kind = "distinct" if mode == "max" else "normal"
    return Case(name, [Arg("x", xs, kind)], body, out, ["x"],
                pool_ref(mode, kernel, stride, pad))


def matmul_case(name, batch, m, k, n, tl, tr_):
    a = batch + ((k, m) if tl else (m, k))
    b = batch + ((n, k) if tr_ else (k, n))
    out = batch + (m, n)
    op = "batch_matmul" if batch else "matmul"
    flags = [f for f, on in (("transpose_lhs", tl), ("transpose_rhs", tr_)) if on]
    attr = f" {{{', '.join(flags)}}}" if flags else ""
    body = f"  %out = weft.{op} %a, %b{attr} : {t(a)}, {t(b)} -> {t(out)}"
    return Case(name, [Arg("a", a), Arg("b", b)], body, out, ["a", "b"],
                matmul_ref(tl, tr_))


def sdpa_case(name, batch, s, tk, d, e, causal=False, scale=None, mask=None):
    qs, ks, vs, out = batch + (s, d), batch + (tk, d), batch + (tk, e), batch + (s, e)
    args = [Arg("q", qs), Arg("k", ks), Arg("v", vs)]
    operands, types = "%q, %k, %v", f"{t(qs)}, {t(ks)}, {t(vs)}"
    wrt = ["q", "k", "v"]
    if mask is not None:
        args.append(Arg("m", mask))
        operands += " mask %m"
        types += f", {t(mask)}"
        wrt.append("m")
    attrs = []
    if causal:
        attrs.append("is_causal")
    if scale is not None:
        attrs.append(f"scale = {scale} : f32")
    attr = f" {{{', '.join(attrs)}}}" if attrs else ""
    body = (f"  %out = weft.scaled_dot_product_attention {operands}{attr} : "
            f"{types} -> {t(out)}")
    return Case(name, args, body, out, wrt,
                sdpa_ref(causal, scale, mask is not None))


def norm_case(name, op, shape, nd, eps=None):
    ps = shape[-nd:]
    centered = op == "layer_norm"
    args = [Arg("x", shape), Arg("s", ps)]
    operands, wrt = "%x, %s", ["x", "s"]
    if centered:
        args.append(Arg("b", ps))
        operands += ", %b"
        wrt.append("b")
    default = 1e-5 if centered else 1e-6
    attr = f" {{epsilon = {eps} : f32}}" if eps is not None else ""
    body = f"  %out = weft.{op} {operands}{attr} : {t(shape)}, {t(ps)}"
    return Case(name, args, body, shape, wrt,
                norm_ref(nd, eps if eps is not None else default, centered))


def unary_case(op, ref_d, kind="normal", attr=""):
    body = f"  %out = weft.{op} %x{attr} : {t((3, 4))}"
    return Case(f"{op}{attr.replace(' ', '_')}", [Arg("x", (3, 4), kind)], body,
                (3, 4), ["x"], lambda i, g: {"x": g * ref_d(i["x"])})


def cases():
    out = []
    # Contractions: every transpose combination, batched and not.
    for tl in (False, True):
        for tr_ in (False, True):
            tag = f"tl{int(tl)}_tr{int(tr_)}"
            out.append(matmul_case(f"matmul/{tag}", (), 3, 4, 5, tl, tr_))
            out.append(matmul_case(f"batch_matmul/{tag}", (2,), 3, 4, 5, tl, tr_))
    out.append(matmul_case("batch_matmul/rank4", (2, 2), 2, 3, 2, False, True))
    # Convolutions.
    out += conv_cases("conv2d/3x3", 1, 2, (5, 5), 3, (3, 3))
    out += conv_cases("conv2d/1x1", 2, 3, (3, 3), 2, (1, 1), bias=True)
    out += conv_cases("conv2d/1x1_stride2", 1, 2, (5, 4), 2, (1, 1), stride=(2, 2))
    out += conv_cases("conv2d/stride2_pad1_unread", 1, 2, (6, 6), 2, (3, 3),
                      stride=(2, 2), pad=(1, 1, 1, 1), bias=True)
    out += conv_cases("conv2d/dilation2_pad2", 1, 2, (6, 5), 2, (3, 2),
                      pad=(2, 1, 2, 1), dil=(2, 2))
    out += conv_cases("conv2d/groups2_asym", 2, 4, (6, 5), 4, (3, 3),
                      stride=(2, 1), pad=(1, 0, 2, 1), groups=2, bias=True)
    out += conv_cases("conv2d/depthwise", 1, 3, (5, 5), 3, (3, 3), pad=(1, 1, 1, 1),
                      groups=3)
    out += conv_cases("conv2d/pad_exceeds_span", 1, 2, (4, 4), 2, (2, 2),
                      stride=(2, 3), pad=(3, 2, 2, 3), dil=(1, 2))
    # Pools.
    out.append(pool_case("avg_pool2d/k3_s1_pad1", "avg", 1, 2, (5, 5), (3, 3),
                         (1, 1), (1, 1, 1, 1)))
    out.append(pool_case("avg_pool2d/k2_s2", "avg", 2, 2, (4, 4), (2, 2), (2, 2),
                         (0, 0, 0, 0)))
    out.append(pool_case("avg_pool2d/k3_s2_pad_asym", "avg", 1, 2, (6, 5), (3, 3),
                         (2, 2), (1, 1, 0, 2)))
    out.append(pool_case("max_pool2d/k2_s2", "max", 2, 2, (4, 4), (2, 2), (2, 2),
                         (0, 0, 0, 0)))
    out.append(pool_case("max_pool2d/k3_s1_pad1", "max", 1, 2, (4, 5), (3, 3),
                         (1, 1), (1, 1, 1, 1)))
    out.append(pool_case("max_pool2d/k3_s2_pad_asym", "max", 1, 2, (6, 5), (3, 2),
                         (2, 1), (1, 0, 2, 1)))
    # Normalizations.
    out.append(Case("softmax/axis1", [Arg("x", (3, 5))],
                    f"  %out = weft.softmax %x axis = 1 : {t((3, 5))}", (3, 5),
                    ["x"], softmax_ref(1)))
    out.append(Case("softmax/axis0", [Arg("x", (4, 3, 2))],
                    f"  %out = weft.softmax %x axis = 0 : {t((4, 3, 2))}",
                    (4, 3, 2), ["x"], softmax_ref(0)))
    out.append(norm_case("layer_norm/last", "layer_norm", (4, 6), 1))
    out.append(norm_case("layer_norm/two_trailing", "layer_norm", (2, 3, 4), 2,
                         eps=0.1))
    out.append(norm_case("rms_norm/last", "rms_norm", (4, 6), 1))
    out.append(norm_case("rms_norm/two_trailing", "rms_norm", (2, 3, 4), 2,
                         eps=0.01))
    # Losses and attention.
    out.append(Case("cross_entropy",
                    [Arg("z", (5, 4)), Arg("labels", (5,), "labels:4")],
                    f"  %out = weft.cross_entropy %z, %labels : {t((5, 4))}, "
                    "tensor<5xi64> -> tensor<{T}>", (), ["z"],
                    cross_entropy_ref))
    out.append(sdpa_case("attention/plain", (2,), 3, 4, 5, 2))
    out.append(sdpa_case("attention/rank2_scale", (), 3, 4, 2, 3, scale=0.7))
    out.append(sdpa_case("attention/causal", (2,), 4, 4, 3, 2, causal=True))
    out.append(sdpa_case("attention/causal_s_ne_t", (), 3, 5, 2, 2, causal=True))
    out.append(sdpa_case("attention/mask_broadcast", (2, 2), 3, 4, 2, 2,
                         mask=(1, 3, 4)))
    out.append(sdpa_case("attention/causal_mask", (2,), 3, 3, 2, 2, causal=True,
                         mask=(2, 3, 3)))
    # A few of the elementwise and reduction rules.
    out.append(unary_case("tanh", lambda x: 1 - np.tanh(x) ** 2))
    out.append(unary_case("sigmoid", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2))
    out.append(unary_case("log", lambda x: 1 / x, "positive"))
    out.append(unary_case("rsqrt", lambda x: -0.5 * x ** -1.5, "positive"))
    out.append(unary_case("relu", lambda x: (x > 0).astype(float), "away0"))
    out.append(unary_case("silu", lambda x: (1 / (1 + np.exp(-x))) * (
        1 + x * (1 - 1 / (1 + np.exp(-x))))))
    out.append(unary_case("gelu", lambda x: (
        0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
        + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi))))
    out.append(Case("gelu_approximate", [Arg("x", (3, 4))],
                    f"  %out = weft.gelu %x {{approximate}} : {t((3, 4))}",
                    (3, 4), ["x"]))
    out.append(Case("div/broadcast", [Arg("a", (3, 4)), Arg("b", (4,), "positive")],
                    f"  %out = weft.div %a, %b : {t((3, 4))}, {t((4,))}", (3, 4),
                    ["a", "b"], lambda i, g: {
                        "a": g / i["b"],
                        "b": (-g * i["a"] / i["b"] ** 2).sum(0)}))
    out.append(Case("mul/broadcast", [Arg("a", (3, 1)), Arg("b", (2, 1, 4))],
                    f"  %out = weft.mul %a, %b : {t((3, 1))}, {t((2, 1, 4))}",
                    (2, 3, 4), ["a", "b"], lambda i, g: {
                        "a": (g * i["b"]).sum((0, 2))[:, None],
                        "b": (g * i["a"]).sum(1, keepdims=True)}))
    out.append(Case("reduce_mean", [Arg("x", (3, 4, 2))],
                    f"  %out = weft.reduce_mean %x axes = [0, 2] : {t((3, 4, 2))} "
                    f"-> {t((4,))}", (4,), ["x"],
                    lambda i, g: {"x": np.broadcast_to(g[None, :, None] / 6,
                                                       (3, 4, 2))}))
    out.append(Case("reduce_max", [Arg("x", (3, 4), "distinct")],
                    f"  %out = weft.reduce_max %x axes = [1] keep_dims : "
                    f"{t((3, 4))} -> {t((3, 1))}", (3, 1), ["x"],
                    lambda i, g: {"x": (i["x"] == i["x"].max(1, keepdims=True))
                                  * g}))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dtype", default="f32", choices=sorted(SETTINGS))
    p.add_argument("--only", default="", help="run cases whose name has this")
    p.add_argument("--fd-max", type=int, default=24,
                   help="finite-difference at most this many elements per "
                        "gradient (a fixed random subset)")
    opts = p.parse_args()
    cfg = SETTINGS[opts.dtype]
    runner = Runner(opts.dtype)
    results = {"pass": [], "fail": [], "skip": []}
    for case in cases():
        if opts.only not in case.name:
            continue
        print(f"{case.name}:")
        rng = np.random.default_rng(zlib.crc32(case.name.encode()))
        try:
            status, why = check_case(runner, case, cfg, rng, opts.fd_max)
        except RuntimeError as e:  # a tool failed: report it, go on
            status, why = "fail", None
            print("  FAIL: " + "\n  ".join(str(e).splitlines()[:6]))
        if why:
            print(f"  SKIPPED: {why}")
        results[status].append(case.name)
    print(f"\n{opts.dtype}: {len(results['pass'])} passed, "
          f"{len(results['fail'])} failed, {len(results['skip'])} skipped")
    for name in results["skip"]:
        print(f"  skipped: {name}")
    for name in results["fail"]:
        print(f"  FAILED: {name}")
    if results["fail"]:
        print(f"  (sources and artifacts kept in {runner.work})")
        sys.exit(1)
    shutil.rmtree(runner.work)


if __name__ == "__main__":
    main()
