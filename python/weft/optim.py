"""Optimizers compiled into a training step (`weft.compile_train`).

An optimizer here is a description: the compiler writes its update as weft
ops into the step, and its state (momentum, Adam moments, the step count,
the learning rate) lives in the loaded model next to the parameters. The
update rules are PyTorch's `torch.optim.SGD` and `torch.optim.AdamW`.
"""
import math

__all__ = ["AdamW", "Optimizer", "SGD"]


def _number(cls, name, value, low=0.0, below=None):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"weft.optim.{cls}: {name} must be a number, got "
                        f"{type(value).__name__}") from None
    if not math.isfinite(v) or v < low or (below is not None and v >= below):
        bound = f"in [{low}, {below})" if below is not None else f">= {low}"
        raise ValueError(f"weft.optim.{cls}: {name} must be {bound}, got "
                         f"{value!r}")
    return v


class Optimizer:
    """Base class: `options()` is the `weft.optimizer` attribute's entries."""

    kind = None

    def __init__(self, lr, weight_decay, clip_norm):
        name = type(self).__name__
        self.lr = _number(name, "lr", lr)
        self.weight_decay = _number(name, "weight_decay", weight_decay)
        self.clip_norm = (None if clip_norm is None else
                          _number(name, "clip_norm", clip_norm))
        if self.clip_norm == 0:
            raise ValueError(f"weft.optim.{name}: clip_norm must be positive "
                             f"(or None for no clipping)")

    def options(self):
        opts = {"lr": self.lr, "weight_decay": self.weight_decay}
        if self.clip_norm is not None:
            opts["clip_norm"] = self.clip_norm
        return opts

    def attribute(self):
        """The `weft.optimizer` dictionary in MLIR syntax."""
        entries = [f'kind = "{self.kind}"'] + [
            f"{k} = {float(v):.17e} : f64" for k, v in self.options().items()]
        return "{" + ", ".join(entries) + "}"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and (coupled)
    weight decay, as `torch.optim.SGD` (dampening 0, no Nesterov)."""

    kind = "sgd"

    def __init__(self, lr, momentum=0.0, weight_decay=0.0, clip_norm=None):
        super().__init__(lr, weight_decay, clip_norm)
        self.momentum = _number("SGD", "momentum", momentum)

    def options(self):
        return {**super().options(), "momentum": self.momentum}

    def __repr__(self):
        return (f"SGD(lr={self.lr}, momentum={self.momentum}, "
                f"weight_decay={self.weight_decay}, "
                f"clip_norm={self.clip_norm})")


class AdamW(Optimizer):
    """Adam with decoupled weight decay and bias correction, as
    `torch.optim.AdamW`."""

    kind = "adamw"

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=0.01, clip_norm=None):
        super().__init__(lr, weight_decay, clip_norm)
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise TypeError("weft.optim.AdamW: betas must be a pair "
                            "(beta1, beta2)") from None
        self.betas = (_number("AdamW", "beta1", b1, below=1.0),
                      _number("AdamW", "beta2", b2, below=1.0))
        self.eps = _number("AdamW", "eps", eps)
        if self.eps == 0:
            raise ValueError("weft.optim.AdamW: eps must be positive")

    def options(self):
        return {**super().options(), "beta1": self.betas[0],
                "beta2": self.betas[1], "eps": self.eps}

    def __repr__(self):
        return (f"AdamW(lr={self.lr}, betas={self.betas}, eps={self.eps}, "
                f"weight_decay={self.weight_decay}, "
                f"clip_norm={self.clip_norm})")
