# The ops that gradient rules are written in -- erf, compare, pad, reverse,
# one_hot and embedding_grad -- through weftc and weft-run, against numpy:
# erf in f32/f16/bf16; every compare predicate on NaN and equal values;
# edge and interior padding with a non-zero value; reversal of several
# axes; out-of-range (clamped) and repeated labels and indices; f32
# accumulation of f16/bf16 embedding gradients; zero-size operands; and
# index positions split over 2 devices (partial tables, all-reduced).
# RUN: %PYTHON %s | FileCheck %s
# CHECK: erf f32: relative error {{.*}} ok
# CHECK: erf f16: relative error {{.*}} ok
# CHECK: erf bf16: relative error {{.*}} ok
# CHECK: compare eq f32: exact
# CHECK: compare ne f32: exact
# CHECK: compare lt f32: exact
# CHECK: compare le f32: exact
# CHECK: compare gt f32: exact
# CHECK: compare ge f32: exact
# CHECK: compare lt i32: exact
# CHECK: compare ne i32: exact
# CHECK: pad f32, interior and value -2.5: exact
# CHECK: pad i32, value 7: exact
# CHECK: pad of 0x3: exact
# CHECK: reverse axes 0, 2: exact
# CHECK: reverse axis 1: exact
# CHECK: reverse i64 axes 2, 1, 0: exact
# CHECK: one_hot f32, clamped labels: exact
# CHECK: one_hot f16, i32 labels: exact
# CHECK: one_hot of 0 labels: exact
# CHECK: embedding_grad f32, repeated and clamped ids: relative error {{.*}} ok
# CHECK: embedding_grad f32, rank-0 ids: relative error {{.*}} ok
# CHECK: embedding_grad f16, 4096 rows into 4: relative error {{.*}} ok
# CHECK: embedding_grad bf16, 4096 rows into 4: relative error {{.*}} ok
# CHECK: embedding_grad of 0 ids: exact
# CHECK: embedding_grad with D = 0: exact
# CHECK: embedding_grad data parallel on 2 (local): relative error {{.*}} ok
# CHECK: pad data parallel on 2 (local): exact
import math
import sys

import numpy as np

from harness import check, compile_and_run

rng = np.random.default_rng(11)
F16_TOL, BF16_TOL = 2e-3, 8e-3


def exact(name, got, ref):
    assert got.shape == ref.shape, f"{name}: shape {got.shape} vs {ref.shape}"
    assert got.dtype == ref.dtype, f"{name}: dtype {got.dtype} vs {ref.dtype}"
    bad = np.flatnonzero(~((got == ref) | (np.isnan(got) & np.isnan(ref))))
    if bad.size:
        print(f"{name}: {bad.size} wrong, e.g. got {got.flat[bad[0]]} "
              f"want {ref.flat[bad[0]]} at {bad[0]}: FAIL")
        sys.exit(1)
    print(f"{name}: exact")


def bf16_exact(x):
    """float32 values that bf16 represents exactly (numpy has no bf16)."""
    return (x.astype(np.float32).view(np.uint32)
            & np.uint32(0xFFFF0000)).view(np.float32)


erf = np.vectorize(math.erf, otypes=[np.float64])

# erf ------------------------------------------------------------------------

x = np.concatenate([rng.uniform(-4, 4, 1000), [0.0, -0.0, 1e-6, 6.0, -6.0]])
x32 = x.astype(np.float32)
x16 = x.astype(np.float16)
xb = bf16_exact(x)
n = x.size
out = compile_and_run(f"""
func.func @main(%x: tensor<{n}xf32> {{weft.name = "x"}}, %h: tensor<{n}xf16> {{weft.name = "h"}},
                %b: tensor<{n}xf32> {{weft.name = "b"}})
    -> (tensor<{n}xf32> {{weft.name = "e32"}}, tensor<{n}xf16> {{weft.name = "e16"}},
        tensor<{n}xf32> {{weft.name = "eb"}}) {{
  %0 = weft.erf %x : tensor<{n}xf32>
  %1 = weft.erf %h : tensor<{n}xf16>
  %2 = weft.cast %b : tensor<{n}xf32> -> tensor<{n}xbf16>
  %3 = weft.erf %2 : tensor<{n}xbf16>
  %4 = weft.cast %3 : tensor<{n}xbf16> -> tensor<{n}xf32>
  return %0, %1, %4 : tensor<{n}xf32>, tensor<{n}xf16>, tensor<{n}xf32>
}}""", {"x": x32, "h": x16, "b": xb})
check("erf f32", out["e32"], erf(x32.astype(np.float64)).astype(np.float32),
      1e-5)
check("erf f16", out["e16"], erf(x16.astype(np.float64)).astype(np.float16),
      F16_TOL)
check("erf bf16", out["eb"], erf(xb.astype(np.float64)).astype(np.float32),
      BF16_TOL)

# compare --------------------------------------------------------------------

a = rng.integers(-2, 3, (4, 8)).astype(np.float32)
a[0, :3] = np.nan
b = rng.integers(-2, 3, 8).astype(np.float32)
b[5] = np.nan
preds = ["eq", "ne", "lt", "le", "gt", "ge"]
results = ", ".join(
    f'tensor<4x8xf32> {{weft.name = "{p}"}}' for p in preds)
body = "\n".join(
    f"  %{p} = weft.compare {p}, %a, %b : tensor<4x8xf32>, tensor<8xf32>"
    for p in preds)
out = compile_and_run(f"""
func.func @main(%a: tensor<4x8xf32> {{weft.name = "a"}}, %b: tensor<8xf32> {{weft.name = "b"}})
    -> ({results}) {{
{body}
  return {", ".join("%" + p for p in preds)} : {", ".join(["tensor<4x8xf32>"] * 6)}
}}""", {"a": a, "b": b})
with np.errstate(invalid="ignore"):
    refs = {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b,
            "gt": a > b, "ge": a >= b}
for p in preds:
    exact(f"compare {p} f32", out[p], refs[p].astype(np.float32))

i = rng.integers(-5, 5, (3, 6)).astype(np.int32)
i[0, 0] = np.iinfo(np.int32).min
j = rng.integers(-5, 5, (3, 1)).astype(np.int32)
out = compile_and_run("""
func.func @main(%i: tensor<3x6xi32> {weft.name = "i"}, %j: tensor<3x1xi32> {weft.name = "j"})
    -> (tensor<3x6xi32> {weft.name = "lt"}, tensor<3x6xi32> {weft.name = "ne"}) {
  %0 = weft.compare lt, %i, %j : tensor<3x6xi32>, tensor<3x1xi32>
  %1 = weft.compare ne, %i, %j : tensor<3x6xi32>, tensor<3x1xi32>
  return %0, %1 : tensor<3x6xi32>, tensor<3x6xi32>
}""", {"i": i, "j": j})
exact("compare lt i32", out["lt"], (i < j).astype(np.int32))
exact("compare ne i32", out["ne"], (i != j).astype(np.int32))

# pad ------------------------------------------------------------------------


def pad_ref(x, low, high, interior, value):
    shape = [lo + n + max(n - 1, 0) * it + hi
             for n, lo, hi, it in zip(x.shape, low, high, interior)]
    r = np.full(shape, value, x.dtype)
    if x.size:
        r[tuple(slice(lo, lo + (n - 1) * (it + 1) + 1, it + 1)
                for n, lo, it in zip(x.shape, low, interior))] = x
    return r


x = rng.standard_normal((3, 4)).astype(np.float32)
k = rng.integers(-9, 9, (2, 3, 2)).astype(np.int32)
e = np.zeros((0, 3), np.float32)
out = compile_and_run("""
func.func @main(%x: tensor<3x4xf32> {weft.name = "x"}, %k: tensor<2x3x2xi32> {weft.name = "k"},
                %e: tensor<0x3xf32> {weft.name = "e"})
    -> (tensor<10x8xf32> {weft.name = "p"}, tensor<3x7x3xi32> {weft.name = "q"},
        tensor<2x3xf32> {weft.name = "z"}) {
  %0 = weft.pad %x low = [1, 0] high = [2, 1] interior = [2, 1] value = -2.5 : tensor<3x4xf32> -> tensor<10x8xf32>
  %1 = weft.pad %k low = [0, 2, 0] high = [1, 0, 0] interior = [0, 1, 1] value = 7.0 : tensor<2x3x2xi32> -> tensor<3x7x3xi32>
  %2 = weft.pad %e low = [1, 0] high = [1, 0] interior = [3, 0] value = 1.0 : tensor<0x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<10x8xf32>, tensor<3x7x3xi32>, tensor<2x3xf32>
}""", {"x": x, "k": k, "e": e})
exact("pad f32, interior and value -2.5", out["p"],
      pad_ref(x, [1, 0], [2, 1], [2, 1], -2.5))
exact("pad i32, value 7", out["q"], pad_ref(k, [0, 2, 0], [1, 0, 0],
                                             [0, 1, 1], 7))
exact("pad of 0x3", out["z"], pad_ref(e, [1, 0], [1, 0], [3, 0], 1.0))

# reverse --------------------------------------------------------------------

x = rng.standard_normal((2, 3, 4)).astype(np.float32)
w = rng.integers(-100, 100, (3, 2, 5)).astype(np.int64)
out = compile_and_run("""
func.func @main(%x: tensor<2x3x4xf32> {weft.name = "x"}, %w: tensor<3x2x5xi64> {weft.name = "w"})
    -> (tensor<2x3x4xf32> {weft.name = "r02"}, tensor<2x3x4xf32> {weft.name = "r1"},
        tensor<3x2x5xi64> {weft.name = "rall"}) {
  %0 = weft.reverse %x axes = [0, 2] : tensor<2x3x4xf32>
  %1 = weft.reverse %x axes = [1] : tensor<2x3x4xf32>
  %2 = weft.reverse %w axes = [2, 1, 0] : tensor<3x2x5xi64>
  return %0, %1, %2 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<3x2x5xi64>
}""", {"x": x, "w": w})
exact("reverse axes 0, 2", out["r02"], np.flip(x, (0, 2)))
exact("reverse axis 1", out["r1"], np.flip(x, 1))
exact("reverse i64 axes 2, 1, 0", out["rall"], np.flip(w))

# one_hot --------------------------------------------------------------------

labels = np.array([[0, 3, 3, -3, 7, 100], [6, 6, 1, -1, 2, 5]], np.int64)
labels32 = np.array([2, 0, 9, -7, 2], np.int32)
none = np.zeros((0,), np.int64)
out = compile_and_run("""
func.func @main(%l: tensor<2x6xi64> {weft.name = "l"}, %m: tensor<5xi32> {weft.name = "m"},
                %n: tensor<0xi64> {weft.name = "n"})
    -> (tensor<2x6x7xf32> {weft.name = "h"}, tensor<5x3xf16> {weft.name = "h16"},
        tensor<0x4xf32> {weft.name = "h0"}) {
  %0 = weft.one_hot %l : tensor<2x6xi64> -> tensor<2x6x7xf32>
  %1 = weft.one_hot %m : tensor<5xi32> -> tensor<5x3xf16>
  %2 = weft.one_hot %n : tensor<0xi64> -> tensor<0x4xf32>
  return %0, %1, %2 : tensor<2x6x7xf32>, tensor<5x3xf16>, tensor<0x4xf32>
}""", {"l": labels, "m": labels32, "n": none})
exact("one_hot f32, clamped labels", out["h"],
      np.eye(7, dtype=np.float32)[np.clip(labels, 0, 6)])
exact("one_hot f16, i32 labels", out["h16"],
      np.eye(3, dtype=np.float16)[np.clip(labels32, 0, 2)])
exact("one_hot of 0 labels", out["h0"], np.zeros((0, 4), np.float32))

# embedding_grad -------------------------------------------------------------


def scatter_ref(grad, ids, vocab):
    d = grad.shape[-1]
    table = np.zeros((vocab, d), np.float64)
    np.add.at(table, np.clip(ids.reshape(-1), 0, vocab - 1),
              grad.reshape(-1, d).astype(np.float64))
    return table


g = rng.standard_normal((2, 6, 5)).astype(np.float32)
ids = np.array([[0, 2, 2, -4, 9, 3], [2, 0, 3, 3, 3, 100]], np.int64)
g0 = rng.standard_normal(5).astype(np.float32)
id0 = np.array(-2, np.int32)
out = compile_and_run("""
func.func @main(%g: tensor<2x6x5xf32> {weft.name = "g"}, %ids: tensor<2x6xi64> {weft.name = "ids"},
                %g0: tensor<5xf32> {weft.name = "g0"}, %id0: tensor<i32> {weft.name = "id0"})
    -> (tensor<4x5xf32> {weft.name = "t"}, tensor<3x5xf32> {weft.name = "t0"}) {
  %0 = weft.embedding_grad %g, %ids : tensor<2x6x5xf32>, tensor<2x6xi64> -> tensor<4x5xf32>
  %1 = weft.embedding_grad %g0, %id0 : tensor<5xf32>, tensor<i32> -> tensor<3x5xf32>
  return %0, %1 : tensor<4x5xf32>, tensor<3x5xf32>
}""", {"g": g, "ids": ids, "g0": g0, "id0": id0})
check("embedding_grad f32, repeated and clamped ids", out["t"],
      scatter_ref(g, ids, 4).astype(np.float32), 1e-6)
check("embedding_grad f32, rank-0 ids", out["t0"],
      scatter_ref(g0, id0, 3).astype(np.float32), 1e-6)

# 4096 rows of U(0, 1) into 4: row sums near 500, where an f16 accumulator
# has lost all but ~8 bits of each addend.
P = 4096
g = rng.uniform(0, 1, (P, 8))
ids = rng.integers(-1, 5, P).astype(np.int32)
g16 = g.astype(np.float16)
gb = bf16_exact(g)
out = compile_and_run(f"""
func.func @main(%g: tensor<{P}x8xf16> {{weft.name = "g"}}, %gb: tensor<{P}x8xf32> {{weft.name = "gb"}},
                %ids: tensor<{P}xi32> {{weft.name = "ids"}})
    -> (tensor<4x8xf16> {{weft.name = "t16"}}, tensor<4x8xf32> {{weft.name = "tb"}}) {{
  %0 = weft.embedding_grad %g, %ids : tensor<{P}x8xf16>, tensor<{P}xi32> -> tensor<4x8xf16>
  %1 = weft.cast %gb : tensor<{P}x8xf32> -> tensor<{P}x8xbf16>
  %2 = weft.embedding_grad %1, %ids : tensor<{P}x8xbf16>, tensor<{P}xi32> -> tensor<4x8xbf16>
  %3 = weft.cast %2 : tensor<4x8xbf16> -> tensor<4x8xf32>
  return %0, %3 : tensor<4x8xf16>, tensor<4x8xf32>
}}""", {"g": g16, "gb": gb, "ids": ids})
check("embedding_grad f16, 4096 rows into 4", out["t16"],
      scatter_ref(g16, ids, 4).astype(np.float16), F16_TOL)
check("embedding_grad bf16, 4096 rows into 4", out["tb"],
      scatter_ref(gb, ids, 4).astype(np.float32), BF16_TOL)

ge = np.zeros((0, 5), np.float32)
ide = np.zeros((0,), np.int64)
gd = np.zeros((4, 0), np.float32)
idd = np.array([0, 1, 5, -1], np.int64)
out = compile_and_run("""
func.func @main(%ge: tensor<0x5xf32> {weft.name = "ge"}, %ide: tensor<0xi64> {weft.name = "ide"},
                %gd: tensor<4x0xf32> {weft.name = "gd"}, %idd: tensor<4xi64> {weft.name = "idd"})
    -> (tensor<3x5xf32> {weft.name = "te"}, tensor<3x0xf32> {weft.name = "td"}) {
  %0 = weft.embedding_grad %ge, %ide : tensor<0x5xf32>, tensor<0xi64> -> tensor<3x5xf32>
  %1 = weft.embedding_grad %gd, %idd : tensor<4x0xf32>, tensor<4xi64> -> tensor<3x0xf32>
  return %0, %1 : tensor<3x5xf32>, tensor<3x0xf32>
}""", {"ge": ge, "ide": ide, "gd": gd, "idd": idd})
exact("embedding_grad of 0 ids", out["te"], np.zeros((3, 5), np.float32))
exact("embedding_grad with D = 0", out["td"], np.zeros((3, 0), np.float32))

# Split over 2 devices: each scatters its half of the index positions into
# a whole table (P(sum)), then one all_reduce; pad pads each row chunk.
g = rng.standard_normal((8, 6, 4)).astype(np.float32)
ids = rng.integers(-2, 12, (8, 6)).astype(np.int64)
x = rng.standard_normal((8, 5)).astype(np.float32)
out = compile_and_run("""
func.func @main(%g: tensor<8x6x4xf32> {weft.name = "g", dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                %ids: tensor<8x6xi64> {weft.name = "ids", dist.sharding = #dist.sharding<@mesh, [S(0)]>},
                %x: tensor<8x5xf32> {weft.name = "x", dist.sharding = #dist.sharding<@mesh, [S(0)]>})
    -> (tensor<10x4xf32> {weft.name = "t"}, tensor<8x12xf32> {weft.name = "p"}) {
  %0 = weft.embedding_grad %g, %ids : tensor<8x6x4xf32>, tensor<8x6xi64> -> tensor<10x4xf32>
  %1 = weft.pad %x low = [0, 1] high = [0, 2] interior = [0, 1] value = -1.0 : tensor<8x5xf32> -> tensor<8x12xf32>
  return %0, %1 : tensor<10x4xf32>, tensor<8x12xf32>
}""", {"g": g, "ids": ids, "x": x},
    ["--mesh=2", "--mesh-topology=latency_us=1;bandwidth_gbps=100;flops=1e10"])
check("embedding_grad data parallel on 2 (local)", out["t"],
      scatter_ref(g, ids, 10).astype(np.float32), 1e-6)
exact("pad data parallel on 2 (local)", out["p"],
      pad_ref(x, [0, 1], [0, 2], [0, 1], -1.0))
