"""weft.Mesh, weft.shard pins and weft.plan_sharding (the compiler's
dist-auto-shard search, run from Python)."""
import numpy as np
import pytest

import weft
import weft.functional as F
from conftest import assert_close, gelu_ref

f32 = np.float32


def mesh4():
    # 4 devices on one axis; 10 GB/s links, 1 us latency, 100 GFLOP/s each.
    return weft.Mesh((4,), ("tp",), latency_us=[1.0], bandwidth_gbps=[10.0],
                     flops=1e11)


class MegatronMLP(weft.nn.Module):
    """x [b, h] @ w1 [h, h] -> gelu -> @ w2 [h, h]; w1, w2 are parameters
    (persistent state), whose gradients a training step all-reduces."""

    def __init__(self, h, pin=None):
        super().__init__()
        self.w1 = weft.Parameter(np.zeros((h, h), f32))
        self.w2 = weft.Parameter(np.zeros((h, h), f32))
        self.pin = pin

    def forward(self, x):
        if self.pin is not None:
            x = weft.shard(x, self.pin)
        return F.gelu(x @ self.w1) @ self.w2


def plan_mlp(b, h, pin=None):
    return weft.plan_sharding(MegatronMLP(h, pin), np.zeros((b, h), f32),
                              mesh=mesh4(), training=True)


def rows(plan):
    """op (or "arg1 (w1)") -> strategy, in report order; matmuls numbered."""
    out, matmuls = {}, 0
    for row in plan.ops:
        name = row["op"]
        if name == "weft.matmul":
            matmuls += 1
            name = f"matmul{matmuls}"
        out[name] = row
    return out


def test_megatron_mlp_small_batch_is_tensor_parallel():
    # b=128, h=1024. An all_reduce of n bytes over 4 ranks costs
    # 2*(3/4)*n/bandwidth + 2*(4-1)*latency (ring: reduce-scatter then
    # all-gather). Data parallel would all-reduce both weight gradients,
    # 4 MiB each: 2*(2*(3/4)*4194304/1e10 + 6*1e-6) = 1.27 ms. Tensor
    # parallel (w1 split by columns, w2 by rows) all-reduces the output
    # once, 128*1024*4 = 512 KiB: 2*(3/4)*524288/1e10 + 6e-6 = 84.6 us.
    plan = plan_mlp(128, 1024)
    r = rows(plan)
    assert r["arg1 (w1)"]["strategy"] == "-> [S(1)]"
    assert r["arg2 (w2)"]["strategy"] == "-> [S(0)]"
    assert r["matmul2"]["strategy"].endswith("-> [P(sum)]")
    colls = plan.collectives()
    assert [(c["kind"], c["axis"], c["bytes"]) for c in colls] == \
        [("all_reduce", "tp", 128 * 1024 * 4)]
    assert colls[0]["seconds"] == pytest.approx(
        2 * 0.75 * 524288 / 1e10 + 6e-6, rel=1e-3)
    assert not any(c["gradient"] for c in colls)
    # The other views of the same plan.
    assert str(plan) == plan.table()
    assert "sharding of @MegatronMLP over @mesh 4 (tp)" in plan.table()
    assert "all_reduce(tp, 512.0 KiB)" in plan.table()
    assert "dist.mesh @mesh" in plan.mlir
    assert "#dist.sharding<@mesh, [S(1)]>" in plan.mlir
    assert "weft.init" not in plan.mlir  # parameter values are left out
    per_device = plan.report["functions"][0]["per_device"]
    assert plan.predicted_step_seconds == \
        per_device["predicted_step_seconds"] > 0
    assert plan.peak_memory_bytes == per_device["peak_memory_bytes"] > 0
    assert plan.report["functions"][0]["training"] is True


def test_megatron_mlp_large_batch_is_data_parallel():
    # b=1024, h=128. Data parallel all-reduces the two weight gradients,
    # 128*128*4 = 64 KiB each: 2*(2*(3/4)*65536/1e10 + 6e-6) = 31.7 us;
    # tensor parallel would all-reduce the 1024*128*4 = 512 KiB output,
    # 84.6 us.
    plan = plan_mlp(1024, 128)
    r = rows(plan)
    assert r["arg0 (x)"]["strategy"] == "-> [S(0)]"
    assert r["arg1 (w1)"]["strategy"] == "-> [B]"
    assert r["arg2 (w2)"]["strategy"] == "-> [B]"
    colls = plan.collectives()
    assert [(c["kind"], c["axis"], c["bytes"], c["gradient"])
            for c in colls] == [("all_reduce", "tp", 128 * 128 * 4, True)] * 2
    comm = sum(c["seconds"] for c in colls)
    assert comm == pytest.approx(2 * (2 * 0.75 * 65536 / 1e10 + 6e-6),
                                 rel=1e-3)


def test_pin_is_kept():
    # Unpinned, the b=128 case replicates x; pinned, x stays split by rows.
    plan = plan_mlp(128, 1024, pin=("tp", None))
    r = rows(plan)
    assert r["arg0 (x)"]["strategy"] == "-> [S(0)]"
    assert r["dist.annotate"]["pinned"]
    assert r["dist.annotate"]["strategy"] == "[S(0)] -> [S(0)]"
    assert "test_sharding.py" in r["dist.annotate"]["location"]
    assert "dist.annotate %arg0 sharding = <@mesh, [S(0)]>" in plan.mlir


def test_pin_on_2d_mesh_and_split_over_two_axes():
    mesh = weft.Mesh((2, 2), ("dp", "tp"))

    def f(x, w):
        x = weft.shard(x, (("dp", "tp"), None))
        w = weft.shard(w, (None, "tp"))
        return x @ w

    plan = weft.plan_sharding(f, np.zeros((8, 4), f32), np.zeros((4, 6), f32),
                              mesh=mesh)
    pins = [row["strategy"] for row in plan.ops
            if row["op"] == "dist.annotate"]
    assert pins == ["[S(0), S(0)] -> [S(0), S(0)]", "[B, S(1)] -> [B, S(1)]"]


def test_shard_is_identity_on_one_device(rng):
    def f(x, w1, w2):
        x = weft.shard(x, ("tp", None))
        h = F.gelu(x @ weft.shard(w1, (None, "tp")))
        return h @ weft.shard(w2, ("tp", None))

    x = rng.standard_normal((8, 16)).astype(f32)
    w1 = rng.standard_normal((16, 32)).astype(f32)
    w2 = rng.standard_normal((32, 16)).astype(f32)
    c = weft.compile(f, x, w1, w2)
    assert "dist." not in c.mlir()
    xd, w1d, w2d = (a.astype(np.float64) for a in (x, w1, w2))
    assert_close(c(x, w1, w2), gelu_ref(xd @ w1d) @ w2d)
    assert_close(weft.jit(f)(x, w1, w2), gelu_ref(xd @ w1d) @ w2d)


def test_mesh_spec_strings():
    m = weft.Mesh((2, 4), ("dp", "tp"), latency_us=[10, 1],
                  bandwidth_gbps=[25, 450], memory_bytes=1 << 30, flops=1e13,
                  memory_bandwidth_gbps=900, launch_us=0)
    assert m.size == 8
    assert m.spec_strings() == (
        "2x4", "dp,tp", "latency_us=10.0,1.0;bandwidth_gbps=25.0,450.0;"
        "memory_bytes=1073741824;flops=10000000000000.0;"
        "memory_bandwidth_gbps=900.0;launch_us=0.0")
    assert weft.Mesh((4,), ("tp",)).spec_strings() == ("4", "tp", "")


@pytest.mark.parametrize("args, kwargs, error, match", [
    (((), ()), {}, TypeError, "non-empty tuple"),
    (((2, 0), ("a", "b")), {}, ValueError, "positive"),
    (((2, 2.0), ("a", "b")), {}, TypeError, "ints"),
    (((2, 2), ("a",)), {}, ValueError, "1 axis names"),
    (((2, 2), ("a", "a")), {}, ValueError, "'a' is repeated"),
    (((2,), ("d-p",)), {}, ValueError, "not an identifier"),
    (((2,), (3,)), {}, TypeError, "strings"),
    (((2, 2), ("a", "b")), {"latency_us": [1.0]}, ValueError,
     "latency_us has 1 values but the mesh has 2 axes"),
    (((2,), ("a",)), {"bandwidth_gbps": 10.0}, TypeError, "one number per"),
    (((2,), ("a",)), {"bandwidth_gbps": [-1.0]}, ValueError, "positive"),
    (((2,), ("a",)), {"flops": "fast"}, TypeError, "flops must be a number"),
    (((2,), ("a",)), {"memory_bytes": 1.5}, TypeError, "memory_bytes"),
    (((2,), ("a",)), {"memory_bytes": 0}, ValueError, "memory_bytes"),
])
def test_bad_mesh_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        weft.Mesh(*args, **kwargs)


def test_unknown_axis_in_pin_names_the_mesh_axes():
    def f(x):
        return weft.shard(x, ("dp", None)) * 2.0

    line = f.__code__.co_firstlineno + 1
    with pytest.raises(ValueError, match=r"unknown mesh axis 'dp'.*the "
                                         r"mesh's axes: tp") as e:
        weft.plan_sharding(f, np.zeros((8, 4), f32), mesh=mesh4())
    assert f"test_sharding.py:{line}:" in str(e.value)


def test_spec_length_mismatch():
    with pytest.raises(ValueError, match=r"has 1 entries but the tensor has "
                                         r"rank 2"):
        weft.plan_sharding(lambda x: weft.shard(x, ("tp",)) * 2.0,
                           np.zeros((8, 4), f32), mesh=mesh4())
    # Also when compiling for one device: the spec is checked when traced.
    with pytest.raises(ValueError, match="rank 2"):
        weft.compile(lambda x: weft.shard(x, ("tp",)) * 2.0,
                     np.zeros((8, 4), f32))


def test_bad_pins():
    x = np.zeros((6, 4), f32)
    with pytest.raises(ValueError, match="'tp' is used twice"):
        weft.plan_sharding(lambda x: weft.shard(x, ("tp", "tp")) * 2.0, x,
                           mesh=mesh4())
    with pytest.raises(ValueError, match=r"dim 0 of size 6 cannot be split "
                                         r"evenly over tp \(4 parts\)"):
        weft.plan_sharding(lambda x: weft.shard(x, ("tp", None)) * 2.0, x,
                           mesh=mesh4())
    with pytest.raises(TypeError, match="spec entries"):
        weft.plan_sharding(lambda x: weft.shard(x, (0, None)) * 2.0, x,
                           mesh=mesh4())
    with pytest.raises(ValueError, match="mesh-axis order"):
        weft.plan_sharding(
            lambda x: weft.shard(x, (("tp", "dp"), None)) * 2.0,
            np.zeros((8, 4), f32), mesh=weft.Mesh((2, 2), ("dp", "tp")))
    with pytest.raises(TypeError, match="weft Tensor"):
        weft.shard(x, ("tp", None))


def test_plan_sharding_arguments():
    x = np.zeros((8, 4), f32)
    with pytest.raises(TypeError, match="weft.Mesh"):
        weft.plan_sharding(lambda x: x * 2.0, x, mesh=(4,))
    with pytest.raises(ValueError, match="mode"):
        weft.plan_sharding(lambda x: x * 2.0, x, mesh=mesh4(), mode="slow")
    with pytest.raises(ValueError, match="memory_budget"):
        weft.plan_sharding(lambda x: x * 2.0, x, mesh=mesh4(),
                           memory_budget=-1)


def test_exact_mode_and_budget_agree_on_the_mlp():
    plan = weft.plan_sharding(MegatronMLP(1024), np.zeros((128, 1024), f32),
                              mesh=mesh4(), training=True, mode="exact",
                              memory_budget=1 << 30)
    r = rows(plan)
    assert r["arg1 (w1)"]["strategy"] == "-> [S(1)]"
    assert plan.report["functions"][0]["search"]["mode"] == "exact"
    assert plan.report["functions"][0]["per_device"][
        "memory_budget_bytes"] == 1 << 30


def random_mlp(h, seed=0, pin=None):
    m = MegatronMLP(h, pin)
    rng = np.random.default_rng(seed)
    m.w1.data = (rng.standard_normal((h, h)) / np.sqrt(h)).astype(f32)
    m.w2.data = (rng.standard_normal((h, h)) / np.sqrt(h)).astype(f32)
    return m


@pytest.mark.parametrize("b,h", [(128, 256), (256, 64)])
def test_compile_on_mesh_runs_every_device_and_matches(b, h):
    # The search's choice for a training step's costs runs on 4 local
    # devices and gives the single-device result (within fp32 reduction
    # order) and numpy's.
    m = random_mlp(h)
    x = np.random.default_rng(1).standard_normal((b, h)).astype(f32)
    single = weft.compile(m, x)(x)
    sharded = weft.compile(m, x, mesh=mesh4(), shard_training=True)
    got = sharded(x)
    assert got.shape == (b, h) and got.dtype == f32
    assert_close(got, single, rtol=1e-5)
    assert_close(got, gelu_ref(x.astype(np.float64) @ m.w1.data) @
                 m.w2.data, rtol=1e-5)
    plan = sharded.plan_report()
    assert isinstance(plan, weft.ShardingPlan)
    assert "sharding of @" in str(plan)
    # The parameters come back whole (gathered from their slices).
    state = sharded.state_dict()
    np.testing.assert_array_equal(state["w1"], m.w1.data)
    np.testing.assert_array_equal(state["w2"], m.w2.data)


def test_compile_on_mesh_keeps_pins_and_reloads_state():
    # x pinned to rows: the pin is kept, the numbers still match; replaced
    # parameters are scattered to their devices.
    m = random_mlp(256, pin=("tp", None))
    x = np.random.default_rng(2).standard_normal((128, 256)).astype(f32)
    sharded = weft.compile(m, x, mesh=mesh4(), shard_training=True)
    assert any(r["pinned"] and r["strategy"].endswith("[S(0)]")
               for r in sharded.plan_report().ops)
    assert_close(sharded(x), weft.compile(m, x)(x), rtol=1e-5)
    m2 = random_mlp(256, seed=5)
    sharded.load_state_dict({"w1": m2.w1.data, "w2": m2.w2.data})
    assert_close(sharded(x), gelu_ref(x.astype(np.float64) @ m2.w1.data) @
                 m2.w2.data, rtol=1e-5)


def test_compile_on_mesh_errors():
    x = np.zeros(4, f32)
    with pytest.raises(TypeError, match="mesh must be a weft.Mesh"):
        weft.compile(lambda x: x * 2.0, x, mesh=(4,))
    with pytest.raises(TypeError, match="need mesh="):
        weft.compile(lambda x: x * 2.0, x, shard_mode="exact")
    with pytest.raises(ValueError, match="mode must be 'fast' or 'exact'"):
        weft.compile(lambda x: x * 2.0, x, mesh=mesh4(), shard_mode="best")
    with pytest.raises(ValueError, match="plan_report"):
        weft.compile(lambda x: x * 2.0, x).plan_report()
