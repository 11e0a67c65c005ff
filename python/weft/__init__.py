"""weft: trace numpy-style Python into weft IR, compile, run.

    import numpy as np, weft
    import weft.functional as F

    @weft.jit
    def mlp(x, w, b):
        return F.gelu(x @ w + b)

    y = mlp(np.ones((4, 8), np.float32), w, b)
"""
from . import functional, nn, optim
from ._compile import Compiled, compile, jit
from ._sharding import Mesh, ShardingPlan, plan_sharding, shard
from ._train import TrainStep, compile_train, grad, value_and_grad
from ._tensor import AxisError, Parameter, ShapeError, Tensor, matmul
from ._weft import WeftError
from .nn import manual_seed

__all__ = ["AxisError", "Compiled", "Mesh", "Parameter", "ShapeError",
           "ShardingPlan", "Tensor", "TrainStep", "WeftError", "compile",
           "compile_train", "functional", "grad", "jit", "manual_seed",
           "matmul", "nn", "optim", "plan_sharding", "shard",
           "value_and_grad"]
__version__ = "0.1.0"
