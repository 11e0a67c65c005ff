# Generated GEMMs (weft-cpu-tile-contractions: packed, register-tiled,
# edges masked/clamped) against numpy at odd shapes: f32 without BLAS, f16
# and bf16 accumulating in f32, i8 accumulating in i32 (wrapping back to
# i8), matmul and batch_matmul, with transposed operands. Shapes straddle
# the default block sizes (mr 6, nr 64, kc 256, mc 96, nc 128) and are
# not multiples of them.
# RUN: %PYTHON %s | FileCheck %s
# CHECK: f32 1x1x1: relative error {{.*}} ok
# CHECK: f32 7x13x5: relative error {{.*}} ok
# CHECK: f32 33x65x17: relative error {{.*}} ok
# CHECK: f32 129x257x64: relative error {{.*}} ok
# CHECK: f32 70x300x530: relative error {{.*}} ok
# CHECK: f32 lhsT 33x65x17: relative error {{.*}} ok
# CHECK: f32 33x65x17 rhsT: relative error {{.*}} ok
# CHECK: f32 batch 3x33x65x17 rhsT: relative error {{.*}} ok
# CHECK: f32 batch 3x129x257x64: relative error {{.*}} ok
# CHECK: f32 batch 2x3x40x24x50 rhsT: relative error {{.*}} ok
# CHECK: f16 7x13x5: relative error {{.*}} ok
# CHECK: f16 129x257x64: relative error {{.*}} ok
# CHECK: f16 batch 3x33x65x17: relative error {{.*}} ok
# CHECK: f16 33x65x17 rhsT: relative error {{.*}} ok
# CHECK: bf16 7x13x5: relative error {{.*}} ok
# CHECK: bf16 129x257x64: relative error {{.*}} ok
# CHECK: bf16 batch 3x33x65x17: relative error {{.*}} ok
# CHECK: bf16 lhsT 33x65x17: relative error {{.*}} ok
# CHECK: i8 1x1x1: exact
# CHECK: i8 33x65x17: exact
# CHECK: i8 129x257x64: exact
# CHECK: i8 batch 3x33x65x17: exact
# CHECK: i8 lhsT 40x300x70 rhsT: exact
# Older targets: AVX2 (6x16 tiles, 8x8 transposes) and SSE (6x8 tiles).
# CHECK: f32 129x257x64 on x86-64-v3: relative error {{.*}} ok
# CHECK: f32 33x65x17 rhsT on x86-64-v3: relative error {{.*}} ok
# CHECK: f16 33x65x17 on x86-64-v3: relative error {{.*}} ok
# CHECK: i8 lhsT 33x65x17 on x86-64-v3: exact
# CHECK: f32 batch 3x33x65x17 rhsT on x86-64: relative error {{.*}} ok
import sys

import numpy as np

from harness import check, compile_and_run

rng = np.random.default_rng(11)
F32_TOL, F16_TOL, BF16_TOL = 1e-5, 2e-3, 8e-3


def ty(shape, et):
    return "tensor<" + "x".join(str(d) for d in shape) + f"x{et}>"


def program(a_shape, b_shape, c_shape, et, attrs="", io_et=None):
    """weft IR of one (batch_)matmul; with io_et the inputs and output travel
    as io_et and are cast to/from et inside."""
    op = "weft.batch_matmul" if len(c_shape) > 2 else "weft.matmul"
    io = io_et or et
    lines, a, b = [], "%a", "%b"
    if io_et:
        lines += [f"%ac = weft.cast %a : {ty(a_shape, io)} -> {ty(a_shape, et)}",
                  f"%bc = weft.cast %b : {ty(b_shape, io)} -> {ty(b_shape, et)}"]
        a, b = "%ac", "%bc"
    lines.append(f"%c = {op} {a}, {b} {attrs} : {ty(a_shape, et)}, "
                 f"{ty(b_shape, et)} -> {ty(c_shape, et)}")
    out = "%c"
    if io_et:
        lines.append(f"%r = weft.cast %c : {ty(c_shape, et)} -> {ty(c_shape, io)}")
        out = "%r"
    return (f'func.func @main(%a: {ty(a_shape, io)} {{weft.name = "a"}}, '
            f'%b: {ty(b_shape, io)} {{weft.name = "b"}}) -> '
            f'({ty(c_shape, io)} {{weft.name = "c"}}) {{\n  ' +
            "\n  ".join(lines) + f"\n  return {out} : {ty(c_shape, io)}\n}}\n")


def shapes(batch, m, k, n, lhsT, rhsT):
    a = (*batch, k, m) if lhsT else (*batch, m, k)
    b = (*batch, n, k) if rhsT else (*batch, k, n)
    return a, b, (*batch, m, n)


def reference(a, b, lhsT, rhsT):
    if lhsT:
        a = np.swapaxes(a, -1, -2)
    if rhsT:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def run(et, m, k, n, batch=(), lhsT=False, rhsT=False, cpu=None):
    a_shape, b_shape, c_shape = shapes(batch, m, k, n, lhsT, rhsT)
    attrs = ", ".join(f for f, on in (("transpose_lhs", lhsT),
                                      ("transpose_rhs", rhsT)) if on)
    attrs = f"{{{attrs}}}" if attrs else ""
    name = (f"{et} " + ("batch " if batch else "") + ("lhsT " if lhsT else "")
            + ("x".join(map(str, (*batch, m, k, n)))) +
            (" rhsT" if rhsT else "") + (f" on {cpu}" if cpu else ""))
    flags = [f"--cpu={cpu}"] if cpu else []
    if et == "i8":
        a = rng.integers(-128, 128, a_shape).astype(np.int8)
        b = rng.integers(-128, 128, b_shape).astype(np.int8)
        got = compile_and_run(program(a_shape, b_shape, c_shape, "i8", attrs),
                              {"a": a, "b": b}, flags)["c"]
        # i32 accumulation, then wrapping to i8.
        ref = reference(a.astype(np.int32), b.astype(np.int32), lhsT,
                        rhsT).astype(np.int8)
        if got.dtype != ref.dtype or not np.array_equal(got, ref):
            print(f"{name}: {np.count_nonzero(got != ref)} wrong FAIL")
            sys.exit(1)
        print(f"{name}: exact")
        return
    a = rng.uniform(-1, 1, a_shape).astype(np.float32)
    b = rng.uniform(-1, 1, b_shape).astype(np.float32)
    if et == "f32":
        got = compile_and_run(program(a_shape, b_shape, c_shape, "f32", attrs),
                              {"a": a, "b": b}, ["--no-blas", *flags])["c"]
        ref = reference(a.astype(np.float64), b.astype(np.float64), lhsT, rhsT)
        check(name, got, ref.astype(np.float32), F32_TOL)
    elif et == "f16":
        a, b = a.astype(np.float16), b.astype(np.float16)
        got = compile_and_run(program(a_shape, b_shape, c_shape, "f16", attrs),
                              {"a": a, "b": b}, flags)["c"]
        ref = reference(a.astype(np.float64), b.astype(np.float64), lhsT, rhsT)
        check(name, got, ref.astype(np.float16), F16_TOL)
    else:
        # bf16 values travel as f32 (low 16 bits cleared, exact in bf16).
        a = (a.view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)
        b = (b.view(np.uint32) & np.uint32(0xFFFF0000)).view(np.float32)
        got = compile_and_run(program(a_shape, b_shape, c_shape, "bf16", attrs,
                                      io_et="f32"), {"a": a, "b": b},
                              flags)["c"]
        ref = reference(a.astype(np.float64), b.astype(np.float64), lhsT, rhsT)
        check(name, got, ref.astype(np.float32), BF16_TOL)


run("f32", 1, 1, 1)
run("f32", 7, 13, 5)
run("f32", 33, 65, 17)
run("f32", 129, 257, 64)
run("f32", 70, 300, 530)
run("f32", 33, 65, 17, lhsT=True)
run("f32", 33, 65, 17, rhsT=True)
run("f32", 33, 65, 17, batch=(3,), rhsT=True)
run("f32", 129, 257, 64, batch=(3,))
run("f32", 40, 24, 50, batch=(2, 3), rhsT=True)
run("f16", 7, 13, 5)
run("f16", 129, 257, 64)
run("f16", 33, 65, 17, batch=(3,))
run("f16", 33, 65, 17, rhsT=True)
run("bf16", 7, 13, 5)
run("bf16", 129, 257, 64)
run("bf16", 33, 65, 17, batch=(3,))
run("bf16", 33, 65, 17, lhsT=True)
run("i8", 1, 1, 1)
run("i8", 33, 65, 17)
run("i8", 129, 257, 64)
run("i8", 33, 65, 17, batch=(3,))
run("i8", 40, 300, 70, lhsT=True, rhsT=True)
run("f32", 129, 257, 64, cpu="x86-64-v3")
run("f32", 33, 65, 17, rhsT=True, cpu="x86-64-v3")
run("f16", 33, 65, 17, cpu="x86-64-v3")
run("i8", 33, 65, 17, lhsT=True, cpu="x86-64-v3")
run("f32", 33, 65, 17, batch=(3,), rhsT=True, cpu="x86-64")
